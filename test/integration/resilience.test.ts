// Nothing acknowledged is lost when the database goes away: the server stays up, answers 503 problem+json while
// PostgreSQL cannot be reached, is not ready, and comes back by itself. The database is reached through a TCP
// proxy that the test cuts and restores, as a failover or a network fault would.
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFromConfig } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/connect.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { buildApp } from '../../src/http/app.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, hasServer, type TestDatabase } from '../support/db.js';
import { newSerial, produceBody } from '../support/plant.js';

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class CuttableProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly host: string,
    private readonly target: number,
  ) {}

  async start(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = createConnection(this.target, this.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.#server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
    this.#server = undefined;
  }
}

describe.skipIf(!hasServer)('when PostgreSQL goes away', () => {
  let tdb: TestDatabase;
  let proxy: CuttableProxy;
  let handle: DatabaseHandle;
  let ledger: Ledger<DomainState>;
  let app: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const target = new URL(tdb.url!);
    proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(tdb.url!);
    viaProxy.port = String(proxy.port);
    handle = await openDatabase({ url: viaProxy.toString(), poolSize: 4, connectTimeoutMs: 1000 });
    const config = loadConfig({
      DATABASE_URL: viaProxy.toString(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ml-resilience-')),
      CHECKPOINT_INTERVAL_MS: '0',
    });
    ledger = await openLedger({ config, handle, ownsHandle: true, migrate: false });
    const auth = await createAuthFromConfig(config);
    app = await buildApp({ ledger, catalog: loadCatalog(), config, verifier: auth.verifier });
    token = await auth.mint!({ sub: 'producer', roles: ['producer'], sites: ['CLEON'], brands: ['*'] });
  });
  afterAll(async () => {
    await app?.close();
    await ledger?.close();
    await proxy?.cut();
    await tdb?.drop();
  });

  const produce = (serial: string, id: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/motors',
      headers: { authorization: `Bearer ${token}` },
      payload: { ...produceBody(serial), id },
    });

  it('answers writes and readiness 503 while it is unreachable, recovers by itself, and loses nothing acknowledged', async () => {
    const acknowledged: string[] = [];
    const before = await produce(newSerial(), crypto.randomUUID());
    expect(before.statusCode).toBe(201);
    acknowledged.push(before.json().event.id);

    await proxy.cut();
    const during = await produce(newSerial(), crypto.randomUUID());
    expect(during.statusCode).toBe(503);
    expect(during.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(during.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503 });
    expect(during.json().detail).toMatch(/nothing was written/);
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    // Reads fail the same way, not as a 500.
    const read = await app.inject({
      url: '/v1/motors/7DL-100001',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.statusCode).toBe(503);
    expect(read.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });

    await proxy.start(); // same port: the pool reconnects on its own
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await app.inject('/readyz')).statusCode;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);

    // The write refused during the outage, retried with the same id, is written once.
    const retryId = crypto.randomUUID();
    const serial = newSerial();
    expect((await produce(serial, retryId)).statusCode).toBe(201);
    const again = await produce(serial, retryId);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    acknowledged.push(retryId);

    const rows = await tdb.superuser<{ id: string }>('SELECT id FROM ledger_entry ORDER BY seq');
    const ids = rows.rows.map((r) => r.id);
    for (const id of acknowledged) expect(ids).toContain(id);
    expect(ids).toHaveLength(2);
  });
});

describe.skipIf(!hasServer)('when PostgreSQL closes an idle connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps serving: the pool drops the dead connection and the next write opens a new one', async () => {
    const token = await t.token(['producer'], ['CLEON']);
    expect((await t.as(token, 'POST', '/v1/motors', produceBody(newSerial()))).statusCode).toBe(201);
    const db = new URL(t.tdb.url!).pathname.slice(1);
    // What a restart, a failover or an operator does to idle backends. Unheard, the pool's 'error' event ends the process.
    const killed = await t.tdb.superuser<{ n: string }>(
      "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'motor-ledger' AND pid <> pg_backend_pid()",
      [db],
    );
    expect(Number(killed.rows[0]!.n)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const after = await t.as(token, 'POST', '/v1/motors', produceBody(newSerial()));
    expect(after.statusCode).toBe(201);
    expect(await t.logSize()).toBe(2);
  });
});

describe('a client that trickles its request', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '1000' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is cut off with 408 once REQUEST_TIMEOUT_MS has passed, and nothing is written', async () => {
    const token = await t.token(['producer'], ['CLEON']);
    const socket = createConnection(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.write(
      `POST /v1/motors HTTP/1.1\r\nHost: ledger\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"serial":',
    );
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(await t.logSize()).toBe(0);
  });

  it('drops a GET that announces a body it never sends, and keeps serving (an unheard error ended the process)', async () => {
    const socket = createConnection(port, '127.0.0.1');
    socket.on('error', () => {}).resume(); // read the answer, so that the close is seen
    socket.write('GET /healthz HTTP/1.1\r\nHost: ledger\r\nContent-Length: 100\r\n\r\nab');
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const after = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(after.status).toBe(200);
  });
});
