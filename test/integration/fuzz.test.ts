// Property: whatever a client sends to a write route, the answer is 2xx, or 4xx problem+json with a stable
// code and nothing written; never a 5xx. The routes come from the served OpenAPI description, so a new write
// route is fuzzed without touching this file. The log is seeded with a small plant so that generated ids
// often name real motors, shipments, vehicles, holds and incidents and the domain rules run, not only the
// schema. FUZZ_RUNS (default 100 per route) trades time for depth.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  type OpenApi,
  pathFor,
  queryFor,
  readRoutes,
  toJsonText,
  valueFor,
  type WriteRoute,
  writeRoutes,
} from '../support/fuzz.js';
import { newSerial, newVin, plantTokens, post, receivedAtDieppe } from '../support/plant.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const answered = { accepted: 0, refused: 0 };

let t: TestApp;
let spec: OpenApi;
let token: string;
const known: string[] = ['CLEON', 'DIEPPE', 'REAR_LEFT', 'FRONT', 'A390', '7DL', 'PASS', 'FAIL'];

beforeAll(async () => {
  t = await startTestApp();
  const k = await plantTokens(t);
  spec = (await t.app.inject('/docs/json')).json();
  // Every role, both sites: the fuzz explores the domain rules, not the role checks.
  token = await t.token(
    ['producer', 'logistics', 'intake', 'assembly', 'quality', 'auditor', 'admin'],
    ['CLEON', 'DIEPPE'],
  );
  const serials = [newSerial(), newSerial(), newSerial('6AM')];
  const shipmentId = await receivedAtDieppe(t, k, serials);
  const vin = newVin();
  const installed = await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
    serial: serials[0],
    model: 'A390',
    slot: 'REAR_LEFT',
    station: 'MAR-02',
  });
  await post(t, k.quality, '/v1/holds', {
    holdId: 'HOLD-FZ-1',
    serials: [serials[1]],
    reason: 'Suspect lot',
  });
  await post(t, k.quality, '/v1/incidents', { incidentId: 'INC-FZ-1', title: 'Noise', severity: 'HIGH' });
  known.push(...serials, shipmentId, vin, 'HOLD-FZ-1', 'INC-FZ-1', installed.event.id);
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('every write route of the OpenAPI description', () => {
  it('is fuzzed: the description lists the write routes', () => {
    const routes = writeRoutes(spec);
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('POST /v1/motors');
  });

  it('answers 2xx, or 4xx problem+json with nothing written; never 5xx', async () => {
    const failures: string[] = [];
    for (const route of writeRoutes(spec)) {
      const request = fc.record({
        path: pathFor(route, spec, known),
        body: route.body ? valueFor(route.body, spec, known) : fc.constant(undefined),
      });
      await fc
        .assert(
          fc.asyncProperty(request, async ({ path, body }) => {
            await check(route, path, body);
          }),
          { numRuns: RUNS, endOnFailure: true },
        )
        .catch((err: Error) => failures.push(`${route.method} ${route.path}: ${err.message.slice(0, 1500)}`));
    }
    expect(failures).toEqual([]);
    // The generator must reach the domain, not only the schema: a good share of requests is accepted.
    expect(answered.accepted).toBeGreaterThan((answered.accepted + answered.refused) / 20);
  }, 180_000);
});

describe('every read route of the OpenAPI description', () => {
  it('answers 2xx, or 4xx problem+json, for any path and query; never 5xx, and writes nothing', async () => {
    const failures: string[] = [];
    for (const route of readRoutes(spec)) {
      if (route.path === '/docs' || route.path.startsWith('/docs/')) continue;
      const request = fc.record({
        path: pathFor(route, spec, known),
        query: queryFor(route.query, spec, known),
      });
      await fc
        .assert(
          fc.asyncProperty(request, async ({ path, query }) => {
            await check(route, query ? `${path}?${query}` : path, undefined, true);
          }),
          { numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
        )
        .catch((err: Error) => failures.push(`GET ${route.path}: ${err.message.slice(0, 1500)}`));
    }
    expect(failures).toEqual([]);
  }, 180_000);
});

describe('bodies that are not JSON, or not quite', () => {
  it('truncated, with a stray byte, or random bytes: 2xx or 4xx problem+json, never 5xx', async () => {
    const failures: string[] = [];
    for (const route of writeRoutes(spec).filter((r) => r.body)) {
      const mangled = fc.oneof(
        fc.tuple(valueFor(route.body, spec, known), fc.nat()).map(([v, at]) => {
          const text = Buffer.from(toJsonText(v));
          return text.subarray(0, at % (text.length + 1));
        }),
        fc
          .tuple(valueFor(route.body, spec, known), fc.nat(), fc.integer({ min: 0, max: 255 }))
          .map(([v, at, byte]) => {
            const text = Buffer.from(toJsonText(v));
            const i = at % (text.length + 1);
            return Buffer.concat([text.subarray(0, i), Buffer.from([byte]), text.subarray(i)]);
          }),
        fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      );
      await fc
        .assert(
          fc.asyncProperty(pathFor(route, spec, known), mangled, async (path, bytes) => {
            await check(route, path, bytes);
          }),
          { numRuns: Math.ceil(RUNS / 4), endOnFailure: true },
        )
        .catch((err: Error) => failures.push(`${route.method} ${route.path}: ${err.message.slice(0, 1500)}`));
    }
    expect(failures).toEqual([]);
  }, 180_000);
});

/** Send one request and hold the property; `body` is a value sent as JSON text, or bytes sent as they are. */
async function check(route: WriteRoute, url: string, body: unknown, read = false): Promise<void> {
  const before = await t.logSize();
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : toJsonText(body);
  const res = await t.app.inject({
    method: route.method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  answered[res.statusCode < 300 ? 'accepted' : 'refused']++;
  const after = await t.logSize();
  const what = `${route.method} ${url} ${String(payload).slice(0, 400)} → ${res.statusCode} ${res.payload.slice(0, 300)}`;
  expect(res.statusCode, what).toBeLessThan(500);
  if (read) expect(after, `${what}: a read wrote`).toBe(before);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
    expect(res.json().code, what).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(after, `${what}: the log grew on a refusal`).toBe(before);
  }
}
