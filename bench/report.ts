// The markdown report: each figure beside its baseline, the ratio, the target and whether it was met.
import type { CaptureResults } from './epcis.js';
import type { OfflineVerifyResult } from './offline-verify.js';
import type { BenchOptions } from './options.js';
import type { FillResult, ProofResult } from './proofs.js';
import { fmtInt, fmtMb, fmtMs, fmtRatio } from './stats.js';
import type { Comparison } from './writes.js';

/** Workloads 1-3 for one domain, each beside its baseline on the same database. */
export interface WriteResults {
  domain: 'plant' | 'raw';
  sequential: Comparison;
  concurrent: Comparison;
  /** Reference: the baseline's rows group-committed (Baseline.insertGrouped) against the autocommit baseline. */
  concurrentGrouped?: Comparison | undefined;
  bulk: Comparison;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  git: { commit: string; dirty: string[] };
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  server: Record<string, string>;
  events: { meanDataBytes: number; meanEntryBytes: number };
  /** The primary domain (options.domain): the target rows. */
  domain?: 'plant' | 'raw';
  sequential: Comparison;
  concurrent: Comparison;
  /** Reference: the baseline's rows group-committed (Baseline.insertGrouped) against the autocommit baseline. */
  concurrentGrouped?: Comparison | undefined;
  bulk: Comparison;
  /** Workloads 1-3 for the other domains (informational rows). */
  otherDomains?: WriteResults[];
  /** Workload 6: EPCIS capture beside the native scan batches (issue 11). */
  capture?: CaptureResults;
  fill: FillResult;
  proofs: ProofResult;
  verify: OfflineVerifyResult;
  /** Peak RSS of the bench process after each phase, KB (monotonic). */
  benchPeakRssKb: Record<string, number>;
  targets: TargetCheck[];
}

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  met: boolean;
}

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  return [
    {
      name: '32 concurrent appends vs baseline',
      target: '≥ 3×',
      value: fmtRatio(r.concurrent.ratio),
      met: r.concurrent.ratio >= 3,
    },
    {
      name: 'Bulk appends vs baseline',
      target: '≥ 0.6×',
      value: fmtRatio(r.bulk.ratio),
      met: r.bulk.ratio >= 0.6,
    },
    {
      name: 'Offline verify rate',
      target: '≥ 100,000 entries/s',
      value: `${fmtInt(r.verify.verifyRate)} entries/s`,
      met: r.verify.verifyRate >= 100_000,
    },
    {
      name: 'Offline verify peak RSS',
      target: '< 200 MB',
      value: fmtMb(r.verify.verifyPeakRssKb),
      met: r.verify.verifyPeakRssKb < 200 * 1024,
    },
    ...(r.capture
      ? [
          {
            name: 'EPCIS capture vs native',
            target: '≥ 0.5×',
            value: fmtRatio(r.capture.ratio),
            met: r.capture.ratio >= 0.5,
          },
        ]
      : []),
    {
      name: 'Inclusion proof p95',
      target: '< 5 ms',
      value: `${fmtMs(r.proofs.inclusion.p95)} ms`,
      met: r.proofs.inclusion.p95 < 5,
    },
  ];
}

const yes = (b: boolean) => (b ? '**met**' : '**NOT met**');

export function markdown(r: BenchResults): string {
  const o = r.options;
  const t = Object.fromEntries(r.targets.map((x) => [x.name, x]));
  const lat = (l: { p50: number; p99: number }) => `p50 ${fmtMs(l.p50)} ms, p99 ${fmtMs(l.p99)} ms`;
  const rows: string[][] = [
    ['Workload', 'motor-ledger', 'Baseline', 'Ratio', 'Target', 'Met'],
    [
      `1. Sequential single appends (1 client, ${fmtInt(o.sequentialAppends)}/round)`,
      `${fmtInt(r.sequential.ledgerRate)} /s (${lat(r.sequential.ledgerLatency)})`,
      `${fmtInt(r.sequential.baselineRate)} /s (${lat(r.sequential.baselineLatency)})`,
      fmtRatio(r.sequential.ratio),
      '—',
      '—',
    ],
    [
      `2. ${o.concurrency} concurrent single appends (${o.concurrentSeconds} s/round)`,
      `${fmtInt(r.concurrent.ledgerRate)} /s (${lat(r.concurrent.ledgerLatency)})`,
      `${fmtInt(r.concurrent.baselineRate)} /s (${lat(r.concurrent.baselineLatency)})`,
      fmtRatio(r.concurrent.ratio),
      '≥ 3×',
      yes(t['32 concurrent appends vs baseline']!.met),
    ],
    ...(r.concurrentGrouped
      ? [
          [
            '2. (reference) the same clients, the baseline’s rows group-committed: one INSERT … unnest per lot, no hashing, links or nodes',
            `${fmtInt(r.concurrentGrouped.ledgerRate)} /s (${lat(r.concurrentGrouped.ledgerLatency)})`,
            `${fmtInt(r.concurrentGrouped.baselineRate)} /s (${lat(r.concurrentGrouped.baselineLatency)})`,
            fmtRatio(r.concurrentGrouped.ratio),
            '—',
            '—',
          ],
        ]
      : []),
    [
      `3. Bulk, batches of ${fmtInt(o.bulkBatchSize)} (${o.bulkBatches} batches/round)`,
      `${fmtInt(r.bulk.ledgerRate)} /s (batch p50 ${fmtMs(r.bulk.ledgerLatency.p50)} ms)`,
      `${fmtInt(r.bulk.baselineRate)} /s (batch p50 ${fmtMs(r.bulk.baselineLatency.p50)} ms)`,
      fmtRatio(r.bulk.ratio),
      '≥ 0.6×',
      yes(t['Bulk appends vs baseline']!.met),
    ],
    ...(r.otherDomains ?? []).flatMap((d) => {
      const what =
        d.domain === 'plant' ? 'with the plant’s projections (as the server runs)' : 'the log alone';
      return [
        [
          `1. Sequential single appends, ${what}`,
          `${fmtInt(d.sequential.ledgerRate)} /s (${lat(d.sequential.ledgerLatency)})`,
          `${fmtInt(d.sequential.baselineRate)} /s (${lat(d.sequential.baselineLatency)})`,
          fmtRatio(d.sequential.ratio),
          '—',
          '—',
        ],
        [
          `2. ${o.concurrency} concurrent single appends, ${what}`,
          `${fmtInt(d.concurrent.ledgerRate)} /s (${lat(d.concurrent.ledgerLatency)})`,
          `${fmtInt(d.concurrent.baselineRate)} /s (${lat(d.concurrent.baselineLatency)})`,
          fmtRatio(d.concurrent.ratio),
          '—',
          '—',
        ],
        [
          `3. Bulk, batches of ${fmtInt(o.bulkBatchSize)}, ${what}`,
          `${fmtInt(d.bulk.ledgerRate)} /s (batch p50 ${fmtMs(d.bulk.ledgerLatency.p50)} ms)`,
          `${fmtInt(d.bulk.baselineRate)} /s (batch p50 ${fmtMs(d.bulk.baselineLatency.p50)} ms)`,
          fmtRatio(d.bulk.ratio),
          '—',
          '—',
        ],
      ];
    }),
    ...(r.capture
      ? [
          [
            `EPCIS capture of ${fmtInt(r.capture.events)} events in documents of ${fmtInt(r.capture.documentSize)} (POST /epcis/capture, Prefer: wait); baseline: the native write path, POST /v1/intake/scan-batches of as many scans`,
            `${fmtInt(r.capture.ledgerRate)} /s (document p50 ${fmtMs(r.capture.ledgerLatency.p50)} ms)`,
            `${fmtInt(r.capture.baselineRate)} /s (batch p50 ${fmtMs(r.capture.baselineLatency.p50)} ms)`,
            fmtRatio(r.capture.ratio),
            '≥ 0.5×',
            yes(t['EPCIS capture vs native']!.met),
          ],
        ]
      : []),
    [
      `Fill ${fmtInt(r.fill.from)} → ${fmtInt(r.fill.to)} entries (bulk, batches of ${fmtInt(r.fill.batchSize)})`,
      r.fill.appended > 0
        ? `${fmtInt(r.fill.rate)} /s (${(r.fill.ms / 1000).toFixed(0)} s)`
        : 'nothing to fill',
      '—',
      '—',
      '—',
      '—',
    ],
    [
      `Export (CLI export path) of ${fmtInt(r.verify.entries)} entries`,
      `${fmtInt(r.verify.exportRate)} /s (${(r.verify.exportBytes / 2 ** 20).toFixed(0)} MiB)`,
      '—',
      '—',
      '—',
      '—',
    ],
    [
      `4. Offline verify (verifyExport as the CLI runs it: worker threads, child process) of ${fmtInt(r.verify.entries)} entries`,
      `${fmtInt(r.verify.verifyRate)} entries/s`,
      `${fmtInt(r.verify.floorRate)} entries/s (floor: read + split + leaf hash only, one thread)`,
      fmtRatio(r.verify.verifyRate / r.verify.floorRate),
      '≥ 100,000 entries/s',
      yes(t['Offline verify rate']!.met),
    ],
    ...(r.verify.noStrictRate !== undefined
      ? [
          [
            '4. Offline verify with --no-strict (no RFC 8785 form check; not the target mode)',
            `${fmtInt(r.verify.noStrictRate)} entries/s, peak RSS ${fmtMb(r.verify.noStrictPeakRssKb ?? 0)}`,
            '—',
            '—',
            '—',
            '—',
          ],
        ]
      : []),
    [
      '4. Offline verify peak RSS (child maxRSS)',
      fmtMb(r.verify.verifyPeakRssKb),
      `${fmtMb(r.verify.floorPeakRssKb)} (floor)`,
      '—',
      '< 200 MB',
      yes(t['Offline verify peak RSS']!.met),
    ],
    [
      `5. Inclusion proof latency, ${fmtInt(r.proofs.treeSize)} entries (${fmtInt(o.inclusionProofs)}/round)`,
      `p50 ${fmtMs(r.proofs.inclusion.p50)} / p95 ${fmtMs(r.proofs.inclusion.p95)} / p99 ${fmtMs(r.proofs.inclusion.p99)} ms`,
      '—',
      '—',
      'p95 < 5 ms',
      yes(t['Inclusion proof p95']!.met),
    ],
    [
      `5. Consistency proof latency (${fmtInt(o.consistencyProofs)}/round)`,
      `p50 ${fmtMs(r.proofs.consistency.p50)} / p95 ${fmtMs(r.proofs.consistency.p95)} / p99 ${fmtMs(r.proofs.consistency.p99)} ms`,
      '—',
      '—',
      '—',
      '—',
    ],
    ['6. Bench process peak RSS (maxRSS)', fmtMb(r.benchPeakRssKb.end ?? Number.NaN), '—', '—', '—', '—'],
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const table = [line(rows[0]!), line(rows[0]!.map(() => '---')), ...rows.slice(1).map(line)].join('\n');
  const notes = [
    '',
    `Medians of ${o.rounds} rounds; in each round the ledger and its baseline run back to back on the same database, ` +
      'the ledger first in even rounds and second in odd ones. Ratio = ledger / baseline (higher is better for the ledger).',
    `Rows 1-5 without a domain named: ${o.domain === 'plant' ? 'the plant domain (as the server opens the ledger: appends also upsert projections)' : 'the log alone (raw domain, no projections), as the targets are set'}` +
      `${(r.otherDomains ?? []).length > 0 ? '; the rows that name a domain ran on a fresh database of their own, beside their own baseline' : ''}. ` +
      'Raw commands (the event as is), the default configuration (pool of 10, checkpoint every 1,000 entries or 5 s).',
    `Proofs: every proof checked with the core verifier against the signed checkpoint root ` +
      `(${fmtInt(r.proofs.verifiedInclusion)} inclusion, ${fmtInt(r.proofs.verifiedConsistency)} consistency, ` +
      `${fmtInt(r.proofs.verifiedLeaves)} leaves against stored bytes).`,
    `Events: mean data ${fmtInt(r.events.meanDataBytes)} B, mean entry ${fmtInt(r.events.meanEntryBytes)} B of canonical JSON.`,
  ];
  return `${table}\n${notes.join('\n')}\n`;
}
