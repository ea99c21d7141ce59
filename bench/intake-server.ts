// The server side of the intake benchmark (bench/intake.ts starts it as a child process, so that the load
// generator does not share its event loop): opens the ledger as the server does (openLedger, plant domain,
// default pool and checkpoints), records INTAKE_MOTORS motors produced and passed at Cléon, loaded
// INTAKE_SHIPMENT_SIZE to a truck and departed to Dieppe (through the sequencer in bulk, the same commands the
// HTTP API makes), then serves the real app (buildApp, dev-mode auth) on 127.0.0.1 and prints one JSON line:
// { port, token, setupMs, entries }. SIGTERM closes the app and the ledger (which checkpoints the tail).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createAuthFromConfig } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { type CommandBody, withSites } from '../src/core/domain/decide.js';
import type { Actor } from '../src/core/envelope.js';
import type { DatabaseHandle } from '../src/db/connect.js';
import type { Database } from '../src/db/schema.js';
import { loadCatalog, plantCommand } from '../src/domain/domain.js';
import { buildApp } from '../src/http/app.js';
import { openLedger } from '../src/ledger/ledger.js';
import { logSize } from '../src/ledger/reader.js';
import { intakeSerial, intakeShipment } from './intake-plan.js';
import { classify } from './sql-stats.js';

// INTAKE_SQL_STATS=1: time every statement of the serving phase (a Kysely with a logger, as
// bench/profile-writes.ts does) and print the totals to stderr at SIGTERM.
const sqlStats = new Map<string, { count: number; ms: number }>();
let countSql = false;

function timedHandle(url: string, poolSize: number): DatabaseHandle {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  } as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, application_name: 'motor-ledger' });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (!countSql || event.level !== 'query') return;
      const k = classify(event.query.sql);
      const st = sqlStats.get(k) ?? { count: 0, ms: 0 };
      st.count++;
      st.ms += event.queryDurationMillis;
      sqlStats.set(k, st);
    },
  });
  return { db, kind: 'postgres', location: url, close: () => db.destroy() };
}

const PRODUCER: Actor = { sub: 'bench-producer', role: 'producer', site: 'CLEON' };
const LOGISTICS: Actor = { sub: 'bench-logistics', role: 'logistics', site: 'CLEON' };

async function main(): Promise<void> {
  const url = process.env.INTAKE_DB_URL;
  const dataDir = process.env.INTAKE_DATA_DIR;
  if (!url || !dataDir) throw new Error('INTAKE_DB_URL and INTAKE_DATA_DIR are required');
  const motors = Number(process.env.INTAKE_MOTORS ?? 60_000);
  const shipmentSize = Number(process.env.INTAKE_SHIPMENT_SIZE ?? 50);
  const shipments = Math.ceil(motors / shipmentSize);
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir });
  const catalog = loadCatalog();
  const handle = process.env.INTAKE_SQL_STATS ? timedHandle(url, config.DATABASE_POOL_SIZE) : undefined;
  const ledger = await openLedger({ config, migrate: true, ...(handle ? { handle } : {}) });

  const t0 = performance.now();
  const time = '2026-11-23T06:00:00Z';
  const run = async (commands: CommandBody[]) => {
    for (let i = 0; i < commands.length; i += 1000) {
      const chunk = commands.slice(i, i + 1000);
      const settled = await ledger.sequencer.appendMany(
        chunk.map((c) => plantCommand(catalog, withSites(c, ['*']), undefined, c)),
      );
      for (const s of settled) if (s.status === 'rejected') throw s.reason;
    }
  };
  const serials = Array.from({ length: motors }, (_, i) => intakeSerial(i));
  await run(
    serials.map((serial, i) => ({
      kind: 'produceMotor',
      actor: PRODUCER,
      time,
      serial,
      motorType: '7DL',
      line: `L${(i % 3) + 1}`,
      station: 'ST-40',
      shift: 'ABC'[i % 3]!,
      operator: `OP-${7700 + (i % 40)}`,
      workOrder: `WO-2026-11-${String(Math.floor(i / 500)).padStart(4, '0')}`,
      lots: {
        rotor: `ROT-26-${String(Math.floor(i / 2000)).padStart(4, '0')}`,
        stator: `STA-26-${String(Math.floor(i / 2500)).padStart(4, '0')}`,
        magnets: `MAG-26-${String(Math.floor(i / 3000)).padStart(4, '0')}`,
        bearing: `BRG-26-${String(Math.floor(i / 4000)).padStart(4, '0')}`,
        inverter: `INV-26-${String(Math.floor(i / 1500)).padStart(4, '0')}`,
      },
    })),
  );
  await run(
    serials.map((serial) => ({
      kind: 'testMotor',
      actor: PRODUCER,
      time,
      serial,
      bench: 'EOL-3',
      specVersion: 'SPEC-4.2',
      verdict: 'PASS',
      measurements: { torqueNm: 412.5, backEmfV: 231.2, insulationMOhm: 850 },
    })),
  );
  const onBoard: string[][] = Array.from({ length: shipments }, () => []);
  for (let i = 0; i < serials.length; i++) onBoard[i % shipments]!.push(serials[i]!);
  const ids = onBoard.map((_, k) => intakeShipment(k, shipments));
  await run(
    ids.map((shipmentId, k) => ({
      kind: 'loadShipment',
      actor: LOGISTICS,
      time,
      shipmentId,
      asn: `ASN-${shipmentId}`,
      to: 'DIEPPE',
      racks: [{ rack: `RK-${k % 900}`, serials: onBoard[k]! }],
    })),
  );
  await run(
    ids.map((shipmentId, k) => ({
      kind: 'departShipment',
      actor: LOGISTICS,
      time,
      shipmentId,
      carrier: 'GEFCO',
      truck: `FR-${String(k % 1000).padStart(3, '0')}-AB`,
      seal: `SEAL-${String(k).padStart(7, '0')}`,
    })),
  );
  await ledger.sequencer.checkpoint();
  const setupMs = performance.now() - t0;

  const auth = await createAuthFromConfig(config);
  const token = await auth.mint!({ sub: 'bench-dock', roles: ['intake'], sites: ['DIEPPE'], brands: ['*'] });
  const app = await buildApp({ ledger, catalog, config, verifier: auth.verifier });
  // INTAKE_PROFILE=<file>: a CPU profile of the serving phase only (not the setup), written at SIGTERM.
  const profile = process.env.INTAKE_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  countSql = true;
  const servingSince = performance.now();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const entries = await logSize(ledger.handle.db);
  process.stdout.write(`${JSON.stringify({ port, token, setupMs, entries, shipments })}\n`);

  const batchesBefore = ledger.sequencer.stats;
  const stop = async () => {
    if (handle) {
      const wall = performance.now() - servingSince;
      const lines = [...sqlStats].sort((a, b) => b[1].ms - a[1].ms);
      const now = ledger.sequencer.stats;
      const fast = now.fastBatches - batchesBefore.fastBatches;
      const guarded = now.guardedBatches - batchesBefore.guardedBatches;
      const fallbacks = now.fallbacks - batchesBefore.fallbacks;
      const relinks = now.relinks - batchesBefore.relinks;
      process.stderr.write(
        `SQL while serving (${(wall / 1000).toFixed(1)} s, ${fast} fast batches, ${guarded} guarded, ${fallbacks} fallbacks, ${relinks} relinks):\n${lines
          .map(
            ([k, v]) =>
              `  ${k.padEnd(40)} ${String(v.count).padStart(7)}  ${(v.ms / v.count).toFixed(3)} ms each  ${((v.ms / wall) * 100).toFixed(1)}% of wall`,
          )
          .join('\n')}\n`,
      );
    }
    if (session && profile) {
      const { profile: p } = await session.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(p));
    }
    await app.close();
    await ledger.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`intake-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
