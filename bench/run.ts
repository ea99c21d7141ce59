// `npm run bench`: the ledger's workloads, each beside its baseline on the same fresh database in the same run,
// interleaved, medians of BENCH_ROUNDS rounds. Prints a markdown table on stdout (progress on stderr) and
// writes every figure to bench/results/latest.json. See docs/PERFORMANCE.md for how to read it.
//
// Workloads 1-3 run for the log alone (raw domain: the target rows) and again with the plant's projections (as
// the server runs), each on its own fresh database beside its own baseline; 4 and 5 run on the log alone.
//
// Environment: BENCH_DATABASE_URL (admin URL; default postgres://postgres@127.0.0.1:5432/test), BENCH_ROUNDS (3),
// BENCH_PROOF_ENTRIES (1,000,000), BENCH_QUICK=1 (smoke run with small sizes), BENCH_DOMAIN (raw,plant by
// default; raw or plant for one); finer knobs in bench/options.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { canonicalJson } from '../src/core/canonical.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { logSize } from '../src/ledger/reader.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { Baseline } from './baseline.js';
import { type BenchDatabase, createBenchDatabase } from './database.js';
import { captureWorkload } from './epcis.js';
import { EventGenerator } from './events.js';
import { openBenchLedger } from './ledger.js';
import { offlineVerify } from './offline-verify.js';
import type { BenchOptions } from './options.js';
import { readOptions } from './options.js';
import { fillTo, measureProofs } from './proofs.js';
import { type BenchResults, checkTargets, markdown, type WriteResults } from './report.js';
import { log, peakRssKb, prng } from './stats.js';
import { baselineSide, compare, draw, drawBatches, ledgerSide } from './writes.js';

function commandLine(): string {
  const env = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_GIT_COMMIT')
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return [...env, 'npm run bench'].join(' ');
}

/** The commit measured, and whether src/ or migrations/ had uncommitted changes at the time. */
function gitState(): { commit: string; dirty: string[] } {
  // BENCH_GIT_COMMIT names the commit when the bench runs from an exported tree (git archive) with no .git.
  if (process.env.BENCH_GIT_COMMIT) return { commit: process.env.BENCH_GIT_COMMIT, dirty: [] };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((l) => l.trim() !== '');
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: [] };
  }
}

function meanDataBytes(seed: number): number {
  const gen = new EventGenerator(seed);
  let total = 0;
  const n = 2_000;
  for (let i = 0; i < n; i++) total += Buffer.byteLength(canonicalJson(gen.next().draft.data));
  return total / n;
}

// Workloads 1-3 (and, with `reference`, workload 2's group-committed reference row) for one ledger and its
// baseline on the same database. Same seed on both sides: they append the same sequence of events.
async function writeWorkloads(
  ledger: Ledger<undefined>,
  baseline: Baseline,
  opts: BenchOptions,
  domain: string,
  reference: boolean,
): Promise<{ results: WriteResults; ledgerGen: EventGenerator }> {
  const ledgerGen = new EventGenerator(opts.seed);
  const baseGen = new EventGenerator(opts.seed);
  const L = ledgerSide(ledger, ledgerGen);
  const B = baselineSide(baseline, baseGen);

  log(`${domain}: warm-up`);
  await L.sequential(draw(ledgerGen, 200));
  await B.sequential(draw(baseGen, 200));
  await L.concurrent(opts.concurrency, 0.5);
  await B.concurrent(opts.concurrency, 0.5);
  await L.bulk(drawBatches(ledgerGen, 2, opts.bulkBatchSize));
  await B.bulk(drawBatches(baseGen, 2, opts.bulkBatchSize));

  log(`${domain}: workload 1: sequential single appends`);
  const sequential = await compare(
    'sequential',
    opts.rounds,
    () => L.sequential(draw(ledgerGen, opts.sequentialAppends)),
    () => B.sequential(draw(baseGen, opts.sequentialAppends)),
  );

  log(`${domain}: workload 2: ${opts.concurrency} concurrent single appends`);
  const concurrent = await compare(
    'concurrent',
    opts.rounds,
    () => L.concurrent(opts.concurrency, opts.concurrentSeconds),
    () => B.concurrent(opts.concurrency, opts.concurrentSeconds),
  );
  let concurrentGrouped: WriteResults['concurrentGrouped'];
  if (reference) {
    // Reference, not a target: the baseline's own rows and code with group commit (one INSERT … unnest per
    // lot of waiting clients, no lock, no hashing, no links, no nodes), against the same autocommit baseline.
    log(`workload 2 (reference): ${opts.concurrency} concurrent single INSERTs, group-committed`);
    concurrentGrouped = await compare(
      'concurrent, group-committed baseline',
      opts.rounds,
      () => B.grouped(opts.concurrency, opts.concurrentSeconds),
      () => B.concurrent(opts.concurrency, opts.concurrentSeconds),
    );
  }

  log(`${domain}: workload 3: bulk`);
  const bulk = await compare(
    'bulk',
    opts.rounds,
    () => L.bulk(drawBatches(ledgerGen, opts.bulkBatches, opts.bulkBatchSize)),
    () => B.bulk(drawBatches(baseGen, opts.bulkBatches, opts.bulkBatchSize)),
  );
  log(
    `${domain}: log holds ${await logSize(ledger.handle.db)} entries, baseline table ${await baseline.count()} rows`,
  );
  return {
    results: { domain: domain as WriteResults['domain'], sequential, concurrent, concurrentGrouped, bulk },
    ledgerGen,
  };
}

// Workloads 1-3 for another domain, on a database of its own (dropped after).
async function otherDomain(opts: BenchOptions, domain: 'plant' | 'raw'): Promise<WriteResults> {
  const bdb = await createBenchDatabase(opts.adminUrl);
  log(`${domain}: database ${bdb.name} created`);
  try {
    const config = loadConfig({ DATABASE_URL: bdb.url });
    const signer = await signerFromJwk(await generateSigningJwk());
    const ledger = await openBenchLedger(domain, { config, signer, migrate: true });
    const baseline = await Baseline.open(bdb.url, opts.concurrency);
    try {
      return (await writeWorkloads(ledger, baseline, opts, domain, false)).results;
    } finally {
      await baseline.close();
      await ledger.close();
    }
  } finally {
    await bdb.drop();
    log(`${domain}: database ${bdb.name} dropped`);
  }
}

async function main(): Promise<void> {
  const opts = readOptions();
  const started = new Date();
  const git = gitState();
  const rss: Record<string, number> = {};
  log(
    `options: rounds ${opts.rounds}, proof entries ${opts.proofEntries}, sequential ${opts.sequentialAppends}, ` +
      `concurrent ${opts.concurrency}×${opts.concurrentSeconds}s, bulk ${opts.bulkBatches}×${opts.bulkBatchSize}${opts.quick ? ' (quick)' : ''}`,
  );
  const bdb: BenchDatabase = await createBenchDatabase(opts.adminUrl);
  log(`database ${bdb.name} created on PostgreSQL ${bdb.server.server_version}`);
  let ledger: Ledger<undefined> | undefined;
  let baseline: Baseline | undefined;
  const onSignal = () => {
    log('interrupted: dropping the bench database');
    bdb.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Default configuration (pool of 10, checkpoint every 1,000 entries or 5 s), a throwaway signing key.
    const config = loadConfig({ DATABASE_URL: bdb.url });
    const signer = await signerFromJwk(await generateSigningJwk());
    ledger = await openBenchLedger(opts.domain, { config, signer, migrate: true });
    baseline = await Baseline.open(bdb.url, opts.concurrency);

    const { results: primary, ledgerGen } = await writeWorkloads(ledger, baseline, opts, opts.domain, true);
    rss.writes = peakRssKb();
    await baseline.close();
    baseline = undefined;
    const others: WriteResults[] = [];
    for (const d of opts.domains.slice(1)) others.push(await otherDomain(opts, d));
    rss.otherDomains = peakRssKb();

    log('EPCIS capture beside the native scan batches');
    const capture = await captureWorkload(
      opts.adminUrl,
      opts.rounds,
      opts.quick ? 1_000 : 10_000,
      opts.quick ? 100 : 500,
    );
    rss.capture = peakRssKb();

    log(`workload 5: fill the log to ${opts.proofEntries.toLocaleString('en-US')} entries`);
    const fill = await fillTo(ledger, ledgerGen, opts.proofEntries, opts.bulkBatchSize);
    rss.fill = peakRssKb();
    await sql`VACUUM ANALYZE`.execute(ledger.handle.db);

    log('workload 5: proof latency');
    const proofs = await measureProofs(
      ledger,
      opts.rounds,
      opts.inclusionProofs,
      opts.consistencyProofs,
      prng(opts.seed + 1),
    );
    rss.proofs = peakRssKb();

    const { rows } = await sql<{
      avg: string;
    }>`SELECT avg(octet_length(body)) AS avg FROM ledger_entry`.execute(ledger.handle.db);
    const meanEntryBytes = Number(rows[0]?.avg ?? Number.NaN);

    log('workload 4: export and offline verify');
    const cp = await ledger.sequencer.checkpoint();
    const verify = await offlineVerify(ledger, opts.rounds, { size: cp.size, root: cp.root });
    rss.verify = peakRssKb();

    await ledger.close();
    ledger = undefined;
    rss.end = peakRssKb();

    const finished = new Date();
    const partial: Omit<BenchResults, 'targets'> = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationS: (finished.getTime() - started.getTime()) / 1000,
      command: commandLine(),
      git,
      options: opts,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      server: bdb.server,
      events: { meanDataBytes: meanDataBytes(opts.seed), meanEntryBytes },
      ...primary,
      otherDomains: others,
      capture,
      fill,
      proofs,
      verify,
      benchPeakRssKb: rss,
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    mkdirSync(dirname(opts.resultsFile), { recursive: true });
    writeFileSync(opts.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n## motor-ledger bench, ${finished.toISOString()}\n\n`);
    process.stdout.write(
      `Node ${process.version}, ${cpus().length} cores, PostgreSQL ${bdb.server.server_version} ` +
        `(fsync ${bdb.server.fsync}, synchronous_commit ${bdb.server.synchronous_commit}); commit ${results.git.commit}` +
        `${results.git.dirty.length > 0 ? ` with ${results.git.dirty.length} uncommitted change(s) in src/` : ''}; \`${results.command}\`\n\n`,
    );
    process.stdout.write(markdown(results));
    process.stdout.write(`\nResults written to ${opts.resultsFile}\n`);
    const missed = results.targets.filter((x) => !x.met);
    if (missed.length > 0) {
      process.stdout.write(
        `\nTargets NOT met: ${missed.map((x) => `${x.name} (${x.value}, target ${x.target})`).join('; ')}\n`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await baseline?.close().catch(() => {});
    await ledger?.close().catch(() => {});
    await bdb.drop().catch((err: unknown) => log(`could not drop ${bdb.name}: ${String(err)}`));
    log(`database ${bdb.name} dropped`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
