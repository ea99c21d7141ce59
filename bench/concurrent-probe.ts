// Workload 2 alone, five sides on one database in rotating order: the ledger (fast path on), a second ledger
// with the fast path off (every batch guarded), the autocommit baseline, the baseline's rows group-committed
// (Baseline.insertGrouped, the reference row of npm run bench), and the same with lots overlapping on
// BENCH_PIPELINE_DEPTH connections (Baseline.insertPipelined, default 2): what group commit of these rows, with
// no ledger work at all, reaches on this machine.
// `node dist/bench/concurrent-probe.js` (BENCH_DOMAIN, BENCH_ROUNDS, BENCH_CONCURRENT_SECONDS, BENCH_CONCURRENCY).
import { loadConfig } from '../src/config.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { Baseline } from './baseline.js';
import { createBenchDatabase } from './database.js';
import { EventGenerator } from './events.js';
import { openBenchLedger } from './ledger.js';
import { readOptions } from './options.js';
import { log, median } from './stats.js';
import { baselineSide, ledgerSide, type Measure } from './writes.js';

const opts = readOptions();
const bdb = await createBenchDatabase(opts.adminUrl);
try {
  const config = loadConfig({ DATABASE_URL: bdb.url });
  const signer = await signerFromJwk(await generateSigningJwk());
  const ledger = await openBenchLedger(opts.domain, { config, signer, migrate: true });
  const guarded = await openBenchLedger(opts.domain, { config, signer, sequencer: { fastPath: false } });
  const baseline = await Baseline.open(bdb.url, opts.concurrency);
  const L = ledgerSide(ledger, new EventGenerator(opts.seed));
  const LG = ledgerSide(guarded, new EventGenerator(opts.seed + 2));
  const B = baselineSide(baseline, new EventGenerator(opts.seed));
  const G = baselineSide(baseline, new EventGenerator(opts.seed + 1));
  const depth = Number(process.env.BENCH_PIPELINE_DEPTH ?? 2);
  await baseline.openPipeline(bdb.url, depth);
  const sides: [string, (seconds: number) => Promise<Measure>][] = [
    ['ledger', (s) => L.concurrent(opts.concurrency, s)],
    ['guarded', (s) => LG.concurrent(opts.concurrency, s)],
    ['autocommit', (s) => B.concurrent(opts.concurrency, s)],
    ['grouped', (s) => G.grouped(opts.concurrency, s)],
    ['pipelined', (s) => G.pipelined(opts.concurrency, s)],
  ];
  for (const [, run] of sides) await run(0.5); // warm-up
  const rates: Record<string, number[]> = {
    ledger: [],
    guarded: [],
    autocommit: [],
    grouped: [],
    pipelined: [],
  };
  for (let r = 0; r < opts.rounds; r++) {
    for (let i = 0; i < sides.length; i++) {
      const [name, run] = sides[(i + r) % sides.length]!;
      const m = await run(opts.concurrentSeconds);
      rates[name]!.push(m.rate);
    }
    log(
      `round ${r + 1}: ledger ${rates.ledger!.at(-1)!.toFixed(0)}/s, guarded ${rates.guarded!.at(-1)!.toFixed(0)}/s, autocommit ${rates.autocommit!.at(-1)!.toFixed(0)}/s, ` +
        `grouped ${rates.grouped!.at(-1)!.toFixed(0)}/s, pipelined ${rates.pipelined!.at(-1)!.toFixed(0)}/s`,
    );
  }
  const m = (k: string) => median(rates[k]!);
  log(
    `median: ledger ${m('ledger').toFixed(0)}/s = ${(m('ledger') / m('autocommit')).toFixed(2)}×, ` +
      `guarded only ${m('guarded').toFixed(0)}/s = ${(m('guarded') / m('autocommit')).toFixed(2)}×, ` +
      `grouped ${m('grouped').toFixed(0)}/s = ${(m('grouped') / m('autocommit')).toFixed(2)}×, ` +
      `pipelined (${depth} in flight) ${m('pipelined').toFixed(0)}/s = ${(m('pipelined') / m('autocommit')).toFixed(2)}× the autocommit baseline ` +
      `(${m('autocommit').toFixed(0)}/s)`,
  );
  log(`sequencer: ${JSON.stringify(ledger.sequencer.stats)}`);
  await baseline.close();
  await ledger.close();
  await guarded.close();
} finally {
  await bdb.drop();
}
