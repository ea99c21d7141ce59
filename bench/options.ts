// Bench options, read once from the environment. BENCH_QUICK=1 shrinks every workload to a smoke run.

export interface BenchOptions {
  /** Admin URL: the bench creates (and drops) a fresh database on this server. */
  adminUrl: string;
  rounds: number;
  quick: boolean;
  /** Log size for the proof and verify workloads (the log is filled up to it). */
  proofEntries: number;
  /** Workload 1: appends per round per side. */
  sequentialAppends: number;
  /** Workload 2: concurrent clients and seconds per round per side. */
  concurrency: number;
  concurrentSeconds: number;
  /** Workload 3: batches per round per side and events per batch. */
  bulkBatches: number;
  bulkBatchSize: number;
  /** Workload 5: proofs per round. */
  inclusionProofs: number;
  consistencyProofs: number;
  seed: number;
  /**
   * The sequencer's domains, the first one primary: workloads 1-3 run once per domain (each on its own fresh
   * database, beside its own baseline); the targets are judged on the primary one, which also runs 4 and 5.
   * `raw` is the log alone (rawDomain: no projections), what the figures describe; `plant` is what
   * openLedger opens for the server (raw commands read no projection, but every event upserts the plant's
   * projections in the same statement). Default raw then plant; BENCH_DOMAIN=raw or plant runs one.
   */
  domains: ('plant' | 'raw')[];
  /** The primary domain (domains[0]); the probes and profilers use it alone. */
  domain: 'plant' | 'raw';
  /** Where results are written (relative to the working directory). */
  resultsFile: string;
}

function intFromEnv(name: string, def: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name}=${JSON.stringify(raw)} must be an integer >= ${min}.`);
  return n;
}

function domainsFromEnv(): ('plant' | 'raw')[] {
  const raw = process.env.BENCH_DOMAIN || 'raw,plant';
  const domains = raw.split(',').map((d) => d.trim());
  for (const d of domains) {
    if (d !== 'plant' && d !== 'raw')
      throw new Error(
        `BENCH_DOMAIN=${JSON.stringify(raw)} must be raw, plant, or both separated by a comma.`,
      );
  }
  return [...new Set(domains)] as ('plant' | 'raw')[];
}

export function readOptions(): BenchOptions {
  const quick = ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');
  const rounds = intFromEnv('BENCH_ROUNDS', 3);
  return {
    adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    rounds,
    quick,
    proofEntries: intFromEnv('BENCH_PROOF_ENTRIES', quick ? 50_000 : 1_000_000),
    sequentialAppends: intFromEnv('BENCH_SEQUENTIAL_APPENDS', quick ? 100 : 2_000),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32),
    concurrentSeconds: intFromEnv('BENCH_CONCURRENT_SECONDS', quick ? 1 : 5),
    bulkBatches: intFromEnv('BENCH_BULK_BATCHES', quick ? 3 : 20),
    bulkBatchSize: intFromEnv('BENCH_BULK_BATCH_SIZE', 1_000),
    inclusionProofs: intFromEnv('BENCH_INCLUSION_PROOFS', quick ? 200 : 2_000),
    consistencyProofs: intFromEnv('BENCH_CONSISTENCY_PROOFS', quick ? 50 : 500),
    seed: intFromEnv('BENCH_SEED', 20261123, 0),
    domains: domainsFromEnv(),
    domain: domainsFromEnv()[0]!,
    resultsFile: process.env.BENCH_RESULTS_FILE || 'bench/results/latest.json',
  };
}
