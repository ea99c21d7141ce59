// A workload of `npm run bench`: EPCIS capture beside the native write path, in the same run, on one fresh
// database with the server as it runs (plant domain, Fastify, tokens): the same number of events in requests of
// the same size, interleaved rounds. Capture: POST /epcis/capture of EPCISDocuments from a supplier (lots
// commissioned, a temperature logger's readings: events kept as sent), `Prefer: wait` so that each request
// answers when its events are committed. Native: POST /v1/intake/scan-batches of the same number of scans (the
// native batch endpoint; serials the ledger does not know, each recorded as an intake.rejected event).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { createAuthFromConfig } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/schema.js';
import { loadCatalog } from '../src/domain/domain.js';
import { buildApp } from '../src/http/app.js';
import { openLedger } from '../src/ledger/ledger.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { verifyDatabase } from '../src/verify/verify.js';
import { createBenchDatabase } from './database.js';
import { latencySummary, log, nowMs } from './stats.js';
import { type Comparison, compare, type Measure } from './writes.js';

export interface CaptureResults extends Comparison {
  events: number;
  documentSize: number;
}

const CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { ex: 'https://supplier.example/voc/' },
];

let serialNo = 0;
/** A supplier's event: a lot of magnets commissioned (four in five), or a logger's temperature reading. */
function supplierEvent(i: number): Record<string, unknown> {
  const n = serialNo++;
  const time = new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString();
  const base = {
    eventTime: time,
    eventTimeZoneOffset: '+01:00',
    readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
  };
  if (i % 5 === 4) {
    return {
      type: 'ObjectEvent',
      ...base,
      action: 'OBSERVE',
      bizStep: 'inspecting',
      epcList: [`urn:epc:id:sscc:4012345.${String(n).padStart(10, '0')}`],
      sensorElementList: [
        {
          sensorMetadata: { time, deviceID: 'urn:epc:id:giai:4012345.LOGGER7' },
          sensorReport: [{ type: 'Temperature', value: 18 + (n % 70) / 10, uom: 'CEL' }],
        },
      ],
    };
  }
  return {
    type: 'ObjectEvent',
    ...base,
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    quantityList: [{ epcClass: `urn:epc:class:lgtin:4012345.012345.MAG-${n}`, quantity: 2400, uom: 'H87' }],
    'ex:furnace': `F-${n % 7}`,
  };
}

/**
 * Wait until the server's background work for what was written is done: the EPCIS event index (a follower that
 * maps every new entry, src/epcis/event-index.ts) has reached the end of the log. Each side's round then starts
 * from a quiet server instead of paying for the other side's backlog.
 */
async function quiesce(db: Kysely<Database>): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ behind: string }>`
      SELECT (SELECT count(*) FROM ledger_entry) - coalesce((SELECT next_seq FROM epcis_index_state), 0) AS behind`.execute(
      db,
    );
    if (Number(rows[0]?.behind ?? 0) <= 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function timeRequests(
  app: FastifyInstance,
  requests: { url: string; headers: Record<string, string>; body: string }[],
  events: number,
  db: Kysely<Database>,
): Promise<Measure> {
  await quiesce(db);
  const ms: number[] = [];
  const t0 = nowMs();
  for (const r of requests) {
    const s = nowMs();
    const res = await app.inject({ method: 'POST', url: r.url, headers: r.headers, payload: r.body });
    if (res.statusCode >= 300) throw new Error(`${r.url}: ${res.statusCode} ${res.payload.slice(0, 300)}`);
    const job = res.json() as { success?: boolean };
    if (job.success === false) throw new Error(`${r.url}: capture job failed: ${res.payload.slice(0, 300)}`);
    ms.push(nowMs() - s);
  }
  const total = nowMs() - t0;
  return { ops: events, ms: total, rate: events / (total / 1000), latency: latencySummary(ms) };
}

/**
 * Capture `events` EPCIS events in documents of `size`, beside the native scan-batches of the same shape, over
 * the server's own request path; `rounds` interleaved rounds; the log verified after.
 * @example const capture = await captureWorkload(adminUrl, 3, 10_000, 500);
 */
export async function captureWorkload(
  adminUrl: string,
  rounds: number,
  events: number,
  size: number,
): Promise<CaptureResults> {
  const bdb = await createBenchDatabase(adminUrl);
  log(`capture: database ${bdb.name} created`);
  try {
    const config = loadConfig({ DATABASE_URL: bdb.url, CHECKPOINT_INTERVAL_MS: '0' });
    const signer = await signerFromJwk(await generateSigningJwk());
    const ledger = await openLedger({ config, signer, migrate: true });
    const auth = await createAuthFromConfig(config);
    const app = await buildApp({ ledger, catalog: loadCatalog(), config, verifier: auth.verifier });
    try {
      const partner = await auth.mint!({
        sub: 'supplier-magnets',
        roles: ['partner'],
        sites: ['*'],
        brands: ['*'],
      });
      const intake = await auth.mint!({
        sub: 'bench-dock',
        roles: ['intake'],
        sites: ['DIEPPE'],
        brands: ['*'],
      });
      const documents = (n: number) =>
        Array.from({ length: Math.ceil(n / size) }, () => ({
          url: '/epcis/capture',
          headers: {
            authorization: `Bearer ${partner}`,
            'content-type': 'application/ld+json',
            prefer: 'wait=60',
          },
          body: JSON.stringify({
            '@context': CONTEXT,
            type: 'EPCISDocument',
            schemaVersion: '2.0',
            creationDate: new Date().toISOString(),
            epcisBody: { eventList: Array.from({ length: size }, (_, i) => supplierEvent(i)) },
          }),
        }));
      const scanBatches = (n: number) =>
        Array.from({ length: Math.ceil(n / size) }, () => ({
          url: '/v1/intake/scan-batches',
          headers: { authorization: `Bearer ${intake}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            scans: Array.from({ length: size }, () => ({
              id: randomUUID(),
              serial: `7DL-${String(serialNo++).padStart(7, '0')}`,
              shipmentId: 'SHP-BENCH-1',
              dock: 'D3',
              scanner: 'HH-17',
              time: new Date(Date.UTC(2026, 10, 24) + serialNo * 1000).toISOString(),
            })),
          }),
        }));
      log('capture: warm-up');
      const db = ledger.handle.db;
      await timeRequests(app, documents(size * 2), size * 2, db);
      await timeRequests(app, scanBatches(size * 2), size * 2, db);
      const comparison = await compare(
        `EPCIS capture, ${events} events in documents of ${size}`,
        rounds,
        () => timeRequests(app, documents(events), events, db),
        () => timeRequests(app, scanBatches(events), events, db),
      );
      const verdict = await verifyDatabase(ledger.handle.db);
      log(`capture: the log verifies (${verdict.entries} entries)`);
      return { ...comparison, events, documentSize: size };
    } finally {
      await app.close();
      await ledger.close();
    }
  } finally {
    await bdb.drop();
    log(`capture: database ${bdb.name} dropped`);
  }
}
