// The served OpenAPI description is valid and usable by tools: swagger-parser validates it, Redocly's
// recommended ruleset finds no error, shared schemas are named in components, every operation has an
// operationId, and every error answer is declared as application/problem+json.
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

type Operation = {
  operationId?: string;
  responses: Record<string, { content?: Record<string, unknown>; $ref?: string }>;
};
type Spec = {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, unknown>; responses?: Record<string, { content?: object }> };
};

let t: TestApp;
let spec: Spec;
let text: string;
beforeAll(async () => {
  t = await startTestApp();
  text = (await t.app.inject('/docs/json')).payload;
  spec = JSON.parse(text);
});
afterAll(async () => {
  await t.close();
});

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the served OpenAPI description', () => {
  it('validates with swagger-parser', async () => {
    await expect(SwaggerParser.validate(JSON.parse(text))).resolves.toBeDefined();
  });

  it("passes Redocly's recommended lint with no error, and no warning either", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    // The one warning kept: the package is UNLICENSED, so there is no license to name.
    const found = problems
      .filter((p) => p.ruleId !== 'info-license')
      .map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(found).toEqual([]);
  });

  it('names a server, and an operationId on every operation (unique)', () => {
    expect(spec.servers?.length).toBeGreaterThan(0);
    const ids = operations().map(({ name, op }) => op.operationId ?? `missing on ${name}`);
    expect(ids.filter((id) => id.startsWith('missing'))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names the shared schemas in components', () => {
    const names = Object.keys(spec.components.schemas ?? {});
    expect(names).toEqual(expect.arrayContaining(['Problem', 'Serial', 'Vin', 'Event', 'Checkpoint']));
  });

  it('declares every error answer as application/problem+json', () => {
    const wrong: string[] = [];
    for (const { name, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const resolved = response.$ref
          ? spec.components.responses?.[response.$ref.replace('#/components/responses/', '')]
          : response;
        const types = Object.keys(resolved?.content ?? {});
        if (types.join() !== 'application/problem+json')
          wrong.push(`${name} ${status}: ${types.join() || 'none'}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
