// What an operator sees: Prometheus metrics behind a token (requests by route and status, refusals by code, the
// sequencer's batches and queue, the log and its checkpoint's age, the pool), and one JSON log line per request
// with its request id (the caller's x-request-id kept and echoed), the principal, and a write's seq or refusal code.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFromConfig } from '../../src/auth/tokens.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { buildApp } from '../../src/http/app.js';
import { serveMetrics } from '../../src/http/observe.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { hasServer } from '../support/db.js';
import { newSerial, plantTokens, produceBody, type Tokens } from '../support/plant.js';

let t: TestApp;
let k: Tokens;
let admin: string;

beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  admin = await t.token(['admin'], ['*']);
});
afterAll(async () => {
  await t?.close();
});

/** The value of one sample of the exposition text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('counts requests by route and status, refusals by code, and the sequencer’s batches', async () => {
    const scrape = async () => {
      const res = await t.as(admin, 'GET', '/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      return res.payload;
    };
    const before = await scrape();
    const written =
      sample(before, 'motor_ledger_http_requests_total', '{method="POST",route="/v1/motors",status="201"}') ??
      0;
    const refused = sample(before, 'motor_ledger_refusals_total', '{code="UNKNOWN_SERIAL"}') ?? 0;
    const batches = sample(before, 'motor_ledger_sequencer_batch_commands_count') ?? 0;
    const serial = newSerial();
    expect((await t.as(k.producer, 'POST', '/v1/motors', produceBody(serial))).statusCode).toBe(201);
    const unknown = await t.as(k.producer, 'POST', '/v1/motors/7DL-0000000/tests', {
      bench: 'EOL-3',
      specVersion: 'SPEC-4.2',
      verdict: 'PASS',
      measurements: {},
      time: '2026-11-23T06:42:10Z',
    });
    expect(unknown.json().code).toBe('UNKNOWN_SERIAL');
    await t.ledger.sequencer.checkpoint();

    const after = await scrape();
    expect(
      sample(after, 'motor_ledger_http_requests_total', '{method="POST",route="/v1/motors",status="201"}'),
    ).toBe(written + 1);
    expect(
      sample(
        after,
        'motor_ledger_http_requests_total',
        '{method="POST",route="/v1/motors/:serial/tests",status="422"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'motor_ledger_refusals_total', '{code="UNKNOWN_SERIAL"}')).toBe(refused + 1);
    expect(sample(after, 'motor_ledger_sequencer_batch_commands_count')).toBeGreaterThan(batches);
    expect(sample(after, 'motor_ledger_sequencer_queue_depth')).toBe(0);
    const size = await t.logSize();
    expect(sample(after, 'motor_ledger_log_entries')).toBe(size);
    expect(sample(after, 'motor_ledger_checkpoint_size')).toBe(size);
    expect(sample(after, 'motor_ledger_checkpoint_uncovered_entries')).toBe(0);
    expect(sample(after, 'motor_ledger_checkpoint_age_seconds')).toBeLessThan(60);
    expect(after).toMatch(
      /^motor_ledger_http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/v1\/motors",status="201"\} \d+$/m,
    );
    expect(after).toContain('motor_ledger_process_resident_memory_bytes');
    if (hasServer)
      expect(sample(after, 'motor_ledger_db_pool_connections', '{state="total"}')).toBeGreaterThan(0);
  });

  it('is served alone, without a token, on its own port (METRICS_PORT)', async () => {
    const server = await serveMetrics(t.app.metrics, 0, '127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('motor_ledger_log_entries');
      expect((await fetch(`http://127.0.0.1:${port}/v1/motors`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it('is refused without a token (401) and to a role that does not watch the server (403)', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(401);
    expect((await t.as(k.intake, 'GET', '/metrics')).json().code).toBe('ROLE_REQUIRED');
  });
});

describe('request ids and the request log', () => {
  it('keeps and echoes a sane x-request-id, makes one otherwise, and logs one JSON line per request', async () => {
    const lines: Record<string, unknown>[] = [];
    const auth = await createAuthFromConfig(t.config);
    const app = await buildApp({
      ledger: t.ledger,
      catalog: loadCatalog(),
      config: t.config,
      verifier: auth.verifier,
      logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    });
    try {
      const id = `dock-D3-${randomUUID()}`;
      const serial = newSerial();
      const ok = await app.inject({
        method: 'POST',
        url: '/v1/motors',
        headers: { authorization: `Bearer ${k.producer}`, 'x-request-id': id },
        payload: produceBody(serial),
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.headers['x-request-id']).toBe(id);
      const refused = await app.inject({
        method: 'POST',
        url: '/v1/motors',
        headers: { authorization: `Bearer ${k.producer}`, 'x-request-id': '<script>' },
        payload: produceBody(serial, { motorType: 'XX' }),
      });
      const made = refused.headers['x-request-id'] as string;
      expect(made).toMatch(/^[0-9a-f-]{36}$/);
      const write = lines.find((l) => l.requestId === id)!;
      expect(write).toMatchObject({
        msg: 'request',
        method: 'POST',
        route: '/v1/motors',
        status: 201,
        seq: ok.json().event.seq,
        principal: { sub: 'test-producer', roles: ['producer'], sites: ['CLEON'] },
      });
      expect(lines.find((l) => l.requestId === made)).toMatchObject({
        status: refused.statusCode,
        code: refused.json().code,
      });
      // Nothing but JSON lines, none with the token.
      expect(JSON.stringify(lines)).not.toContain(k.producer);
    } finally {
      await app.close();
    }
  });
});
