// Where does an append's time go? `node dist/bench/profile-writes.js [sequential|concurrent|bulk|all]` runs the
// ledger's write workloads on a fresh database through a Kysely instance that times every statement (BEGIN and
// COMMIT included), and prints, per workload, the wall time split into time waiting for PostgreSQL (by
// statement) and the rest (JavaScript in this process: the sequencer's hashing and encoding, the drivers,
// the clients). Add --cpu-prof before the script to see the JavaScript part by function (bench/cpuprofile-summary).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { DatabaseHandle } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/connect.js';
import type { Database } from '../src/db/schema.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { createBenchDatabase } from './database.js';
import { EventGenerator } from './events.js';
import { openBenchLedger } from './ledger.js';
import { classify } from './sql-stats.js';
import { log, nowMs } from './stats.js';
import { draw, drawBatches, ledgerSide, type Measure } from './writes.js';

// The same int8 parsing as src/db/connect.ts.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

interface Stat {
  count: number;
  ms: number;
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'all';
  const adminUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const bdb = await createBenchDatabase(adminUrl);
  const stats = new Map<string, Stat>();
  const pool = new pg.Pool({
    connectionString: bdb.url,
    max: 10,
    types,
    application_name: 'motor-ledger-profile',
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level !== 'query') return;
      const k = classify(event.query.sql);
      const s = stats.get(k) ?? { count: 0, ms: 0 };
      s.count++;
      s.ms += event.queryDurationMillis;
      stats.set(k, s);
    },
  });
  const handle: DatabaseHandle = { db, kind: 'postgres', location: bdb.url, close: () => db.destroy() };
  try {
    await migrateToLatest(db);
    const ledger = await openBenchLedger(process.env.BENCH_DOMAIN === 'raw' ? 'raw' : 'plant', {
      config: loadConfig({ DATABASE_URL: bdb.url }),
      handle,
      ownsHandle: false,
      signer: await signerFromJwk(await generateSigningJwk()),
    });
    const gen = new EventGenerator(1);
    const side = ledgerSide(ledger, gen);
    await side.sequential(draw(gen, 200));
    await side.bulk(drawBatches(gen, 5, 1000));

    const report = (name: string, m: Measure, calls: number) => {
      const sqlMs = [...stats.values()].reduce((a, s) => a + s.ms, 0);
      const lines = [...stats.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([k, s]) =>
            `    ${k.padEnd(34)} ${String(s.count).padStart(7)} stmts  ${(s.ms / calls).toFixed(3).padStart(9)} ms/call  ${((s.ms / m.ms) * 100).toFixed(1).padStart(5)}%`,
        );
      process.stdout.write(
        `\n${name}: ${m.ops} appends in ${m.ms.toFixed(0)} ms = ${m.rate.toFixed(0)}/s; ${calls} calls (appends or batches)\n` +
          `  waiting for PostgreSQL ${sqlMs.toFixed(0)} ms (${((sqlMs / m.ms) * 100).toFixed(1)}%), ` +
          `JavaScript and event loop ${(m.ms - sqlMs).toFixed(0)} ms (${(((m.ms - sqlMs) / m.ms) * 100).toFixed(1)}%)\n` +
          `  per transaction: ${([...stats.values()].reduce((a, s) => a + s.count, 0) / Math.max(1, stats.get('COMMIT')?.count ?? 1)).toFixed(1)} statements, ` +
          `${(m.ops / Math.max(1, stats.get('COMMIT')?.count ?? 1)).toFixed(1)} appends\n${lines.join('\n')}\n`,
      );
    };

    if (mode === 'sequential' || mode === 'all') {
      stats.clear();
      const m = await side.sequential(draw(gen, 2000));
      report('sequential single appends', m, m.ops);
    }
    if (mode === 'concurrent' || mode === 'all') {
      stats.clear();
      const m = await side.concurrent(32, 5);
      report('32 concurrent single appends', m, m.ops);
    }
    if (mode === 'bulk' || mode === 'all') {
      stats.clear();
      const t = nowMs();
      const m = await side.bulk(drawBatches(gen, 30, 1000));
      report('bulk batches of 1,000', m, 30);
      log(`bulk took ${(nowMs() - t).toFixed(0)} ms`);
    }
    await ledger.close();
  } finally {
    await db.destroy().catch(() => {});
    await bdb.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `profile-writes failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
