// Proof latency alone, on a log kept between runs (to compare two builds on the same data):
// `node dist/bench/proof-probe.js fill <entries>` creates the database ml_proof_probe (BENCH_DATABASE_URL's
// server) and fills it with the bench's events, log alone; `node dist/bench/proof-probe.js measure [rounds]`
// times 1,000 inclusion and 300 consistency proofs per round against the newest checkpoint, each checked against
// its root; `node dist/bench/proof-probe.js drop` drops the database.
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { fromBase64 } from '../src/core/encoding.js';
import { verifyConsistency, verifyInclusion } from '../src/core/merkle.js';
import { consistencyProof, inclusionProof, latestCheckpoint } from '../src/ledger/reader.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { EventGenerator } from './events.js';
import { openBenchLedger } from './ledger.js';
import { readOptions } from './options.js';
import { fillTo } from './proofs.js';
import { latencySummary, log, nowMs, prng } from './stats.js';

const NAME = 'ml_proof_probe';
const opts = readOptions();
const url = new URL(opts.adminUrl);
url.pathname = `/${NAME}`;
const [command = 'measure', arg] = process.argv.slice(2);

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: opts.adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const config = loadConfig({ DATABASE_URL: url.toString() });
const signer = await signerFromJwk(await generateSigningJwk());
if (command === 'fill') {
  await admin(`DROP DATABASE IF EXISTS ${NAME}`);
  await admin(`CREATE DATABASE ${NAME}`);
  const ledger = await openBenchLedger('raw', { config, signer, migrate: true });
  await fillTo(ledger, new EventGenerator(opts.seed), Number(arg ?? 300_000), opts.bulkBatchSize);
  await ledger.sequencer.checkpoint();
  await sql`VACUUM ANALYZE`.execute(ledger.handle.db);
  await ledger.close();
} else if (command === 'measure') {
  const ledger = await openBenchLedger('raw', { config, signer });
  const db = ledger.handle.db;
  const cp = await latestCheckpoint(db);
  if (!cp) throw new Error(`${NAME} has no checkpoint: run fill first.`);
  const root = fromBase64(cp.root);
  const rand = prng(opts.seed);
  const pick = () => Math.floor(rand() * cp.size);
  for (let i = 0; i < 200; i++) await inclusionProof(db, pick(), cp.size);
  for (let r = 0; r < Number(arg ?? 2); r++) {
    const incl: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const seq = pick();
      const t = nowMs();
      const p = await inclusionProof(db, seq, cp.size);
      incl.push(nowMs() - t);
      verifyInclusion(seq, cp.size, fromBase64(p.leafHash), p.proof.map(fromBase64), root);
    }
    const cons: number[] = [];
    for (let i = 0; i < 300; i++) {
      const size1 = 1 + Math.floor(rand() * (cp.size - 1));
      const t = nowMs();
      const p = await consistencyProof(db, size1, cp.size);
      cons.push(nowMs() - t);
      verifyConsistency(size1, cp.size, p.proof.map(fromBase64), fromBase64(p.root1), root);
    }
    const a = latencySummary(incl);
    const b = latencySummary(cons);
    log(
      `${cp.size} entries: inclusion p50 ${a.p50.toFixed(2)} p95 ${a.p95.toFixed(2)} p99 ${a.p99.toFixed(2)} ms; ` +
        `consistency p50 ${b.p50.toFixed(2)} p95 ${b.p95.toFixed(2)} ms`,
    );
  }
  await ledger.close();
} else if (command === 'drop') {
  await admin(`DROP DATABASE IF EXISTS ${NAME}`);
} else {
  throw new Error(`Unknown command ${command}: fill <entries>, measure [rounds] or drop.`);
}
