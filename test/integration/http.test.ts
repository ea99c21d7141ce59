// The auditor's HTTP endpoints, driven with inject() as a client would see them.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../../src/core/checkpoint.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { fromBase64 } from '../../src/core/encoding.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/core/merkle.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { aMotorEvent, serial } from '../support/builders.js';

// The auditor endpoints with LEDGER_PUBLIC=true (as an auditor without an account sees them); the tests at the
// end check they need a token otherwise.
let t: TestApp;
let ledger: Ledger<DomainState>;
let app: FastifyInstance;

beforeAll(async () => {
  t = await startTestApp({ LEDGER_PUBLIC: 'true' });
  ledger = t.ledger;
  app = t.app;
});
afterAll(async () => {
  await t.close();
});

describe('on an empty log', () => {
  it('says there is no checkpoint yet, and refuses proofs with a clear 400', async () => {
    const cp = await app.inject('/v1/ledger/checkpoint');
    expect(cp.statusCode).toBe(404);
    expect(cp.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(cp.json()).toMatchObject({ code: 'NO_CHECKPOINT', status: 404 });
    const proof = await app.inject('/v1/ledger/proof/inclusion?seq=0');
    expect(proof.statusCode).toBe(400);
    expect(proof.json()).toMatchObject({ code: 'SEQ_BEYOND_TREE' });
  });
});

describe('with entries', () => {
  beforeAll(async () => {
    for (let i = 0; i < 40; i++)
      await ledger.sequencer.append(
        rawCommand(
          aMotorEvent()
            .forSerial(serial(i % 6))
            .withData({ i })
            .build(),
        ),
      );
    await ledger.sequencer.checkpoint();
  });

  it('serves the newest checkpoint, which verifies against the JWKS', async () => {
    const cp = (await app.inject('/v1/ledger/checkpoint')).json();
    expect(cp).toMatchObject({ size: 40, origin: ledger.origin });
    expect(cp.body).toBe(`${ledger.origin}\n40\n${cp.root}\n`);
    const jwks = (await app.inject('/.well-known/jwks.json')).json();
    await expect(verifyCheckpoint(cp.jws, jwks)).resolves.toMatchObject({ size: 40 });
  });

  it('serves an entry as its exact stored bytes, whose hash is the leaf of its inclusion proof', async () => {
    const entry = await app.inject('/v1/ledger/entries/17');
    expect(entry.statusCode).toBe(200);
    expect(entry.headers['content-type']).toMatch(/application\/json/);
    const bytes = entry.rawPayload;
    expect(JSON.parse(bytes.toString())).toMatchObject({ seq: 17, v: 1 });
    const leaf = Buffer.from(leafHash(bytes)).toString('base64');
    expect(entry.headers['x-leaf-hash']).toBe(leaf);
    const proof = (await app.inject('/v1/ledger/proof/inclusion?seq=17')).json();
    expect(proof).toMatchObject({ leafIdx: 17, treeSize: 40, leafHash: leaf });
    expect(() =>
      verifyInclusion(17, 40, fromBase64(leaf), proof.proof.map(fromBase64), fromBase64(proof.root)),
    ).not.toThrow();
  });

  it('serves consistency proofs that verify', async () => {
    const p = (await app.inject('/v1/ledger/proof/consistency?from=13&to=40')).json();
    expect(() =>
      verifyConsistency(13, 40, p.proof.map(fromBase64), fromBase64(p.root1), fromBase64(p.root2)),
    ).not.toThrow();
  });

  it('streams the export as NDJSON, one stored entry per line', async () => {
    const res = await app.inject('/v1/ledger/export');
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.payload.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(40);
    const entry5 = (await app.inject('/v1/ledger/entries/5')).payload;
    expect(lines[5]).toBe(entry5);
  });

  it('lists checkpoints in size order and makes one on demand', async () => {
    await ledger.sequencer.append(rawCommand(aMotorEvent().build()));
    const made = await t.as(await t.token(['auditor'], []), 'POST', '/v1/ledger/checkpoints');
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ size: 41 });
    const list = (await app.inject('/v1/ledger/checkpoints')).json();
    expect(list.checkpoints.map((c: { size: number }) => c.size)).toEqual([40, 41]);
  });

  it.each([
    ['/v1/ledger/entries/99999', 404, 'ENTRY_NOT_FOUND'],
    ['/v1/ledger/entries/-1', 400, 'VALIDATION_FAILED'],
    ['/v1/ledger/entries/abc', 400, 'VALIDATION_FAILED'],
    ['/v1/ledger/proof/inclusion?seq=40&treeSize=40', 400, 'SEQ_BEYOND_TREE'],
    ['/v1/ledger/proof/inclusion?seq=3&treeSize=1000', 400, 'TREE_SIZE_BEYOND_LOG'],
    ['/v1/ledger/proof/inclusion?seq=abc', 400, 'VALIDATION_FAILED'],
    ['/v1/ledger/proof/inclusion', 400, 'VALIDATION_FAILED'],
    ['/v1/ledger/proof/consistency?from=9&to=5', 400, 'BAD_PROOF_RANGE'],
    ['/v1/ledger/proof/consistency?from=0&to=5', 400, 'VALIDATION_FAILED'],
    ['/v1/ledger/proof/consistency?from=1&to=99999999999999999999', 400, 'VALIDATION_FAILED'],
    ['/v1/nothing-here', 404, 'ROUTE_NOT_FOUND'],
  ])('GET %s → %i %s (problem+json with a sentence to act on)', async (url, status, code) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, code });
    expect(body.detail.length).toBeGreaterThan(20);
  });

  it('answers health and readiness', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
  });

  it('serves the OpenAPI description', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining([
        '/v1/ledger/checkpoint',
        '/v1/ledger/proof/inclusion',
        '/v1/ledger/export',
        '/.well-known/jwks.json',
      ]),
    );
  });
});

describe('without LEDGER_PUBLIC', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await startTestApp();
  });
  afterAll(async () => {
    await closed.close();
  });

  it('needs a token with auditor, quality or admin for the ledger, but serves the JWKS to anyone', async () => {
    expect((await closed.app.inject('/v1/ledger/checkpoints')).json()).toMatchObject({
      status: 401,
      code: 'TOKEN_MISSING',
    });
    const intake = await closed.token(['intake'], ['DIEPPE']);
    expect((await closed.as(intake, 'GET', '/v1/ledger/checkpoints')).json()).toMatchObject({
      status: 403,
      code: 'ROLE_REQUIRED',
    });
    const auditor = await closed.token(['auditor'], []);
    expect((await closed.as(auditor, 'GET', '/v1/ledger/checkpoints')).statusCode).toBe(200);
    expect((await closed.app.inject('/.well-known/jwks.json')).statusCode).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('documents every write with an example body and its refusals as problem+json', async () => {
    const spec = (await app.inject('/docs/json')).json();
    const writes: string[] = [];
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody) continue;
        writes.push(`${method.toUpperCase()} ${path}`);
        const media = op.requestBody.content['application/json'];
        const hasExample =
          media.example !== undefined || media.examples !== undefined || media.schema?.examples !== undefined;
        expect(hasExample, `${method} ${path} has an example`).toBe(true);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
      }
    }
    expect(writes).toEqual(
      expect.arrayContaining([
        'POST /v1/motors',
        'POST /v1/motors/{serial}/tests',
        'POST /v1/shipments',
        'POST /v1/intake/scans',
        'POST /v1/vehicles/{vin}/motors',
        'POST /v1/holds',
        'PATCH /v1/incidents/{id}',
        'POST /v1/corrections',
        'POST /v1/analysis/common-cause',
      ]),
    );
  });
});

describe('the HTTP export', () => {
  it('signs a checkpoint of the tail first, as the CLI export does, so every exported entry is anchored', async () => {
    await ledger.sequencer.append(rawCommand(aMotorEvent().build()));
    const size = await t.logSize();
    const before = (await app.inject('/v1/ledger/checkpoint')).json();
    expect(before.size).toBeLessThan(size);
    const res = await app.inject('/v1/ledger/export');
    expect(res.payload.split('\n').filter(Boolean)).toHaveLength(size);
    expect((await app.inject('/v1/ledger/checkpoint')).json().size).toBe(size);
  });
});
