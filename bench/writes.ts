// Write workloads 1-3, each run by the ledger (A) and by the baseline (B) on the same database, interleaved:
// round r runs A then B when r is even, B then A when odd, and the report takes the median of the rounds.
import type { Ledger } from '../src/ledger/ledger.js';
import { type Command, rawCommand } from '../src/ledger/sequencer.js';
import type { Baseline } from './baseline.js';
import type { BenchEvent, EventGenerator } from './events.js';
import { type Latency, latencySummary, log, median, nowMs } from './stats.js';

export interface Measure {
  /** Appends (events) done. */
  ops: number;
  ms: number;
  /** Events per second. */
  rate: number;
  /** Per-call latency (per append, or per batch for bulk), ms. */
  latency: Latency;
}

export interface Side {
  readonly name: string;
  /** Append `events` one at a time, awaiting each. */
  sequential(events: readonly BenchEvent[]): Promise<Measure>;
  /** `clients` async loops, each awaiting one append at a time, for `seconds`. */
  concurrent(clients: number, seconds: number): Promise<Measure>;
  /** Append `batches`, one batch at a time, awaiting each. */
  bulk(batches: readonly (readonly BenchEvent[])[]): Promise<Measure>;
}

/** The baseline's side, plus its rows group-committed (the reference row of workload 2). */
export interface BaselineSide extends Side {
  grouped(clients: number, seconds: number): Promise<Measure>;
  /** Group commit with lots overlapping (Baseline.openPipeline first). */
  pipelined(clients: number, seconds: number): Promise<Measure>;
}

async function timedLoop(
  events: readonly BenchEvent[],
  op: (e: BenchEvent) => Promise<void>,
): Promise<Measure> {
  const lat: number[] = [];
  const t0 = nowMs();
  for (const e of events) {
    const s = nowMs();
    await op(e);
    lat.push(nowMs() - s);
  }
  const ms = nowMs() - t0;
  return { ops: events.length, ms, rate: (events.length / ms) * 1000, latency: latencySummary(lat) };
}

async function concurrentLoop(
  clients: number,
  seconds: number,
  next: () => BenchEvent,
  op: (e: BenchEvent) => Promise<void>,
): Promise<Measure> {
  const lat: number[] = [];
  let ops = 0;
  const t0 = nowMs();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (nowMs() < deadline) {
        const e = next();
        const s = nowMs();
        await op(e);
        lat.push(nowMs() - s);
        ops++;
      }
    }),
  );
  const ms = nowMs() - t0;
  return { ops, ms, rate: (ops / ms) * 1000, latency: latencySummary(lat) };
}

async function batchLoop(
  batches: readonly (readonly BenchEvent[])[],
  op: (b: readonly BenchEvent[]) => Promise<void>,
): Promise<Measure> {
  const lat: number[] = [];
  let ops = 0;
  const t0 = nowMs();
  for (const b of batches) {
    const s = nowMs();
    await op(b);
    lat.push(nowMs() - s);
    ops += b.length;
  }
  const ms = nowMs() - t0;
  return { ops, ms, rate: (ops / ms) * 1000, latency: latencySummary(lat) };
}

/** Append a batch through the sequencer; throws if any command was refused (the bench must not count those). */
export async function appendBatch(ledger: Ledger<undefined>, events: readonly BenchEvent[]): Promise<void> {
  const commands: Command<undefined>[] = events.map((e) => rawCommand(e.draft));
  const settled = await ledger.sequencer.appendMany(commands);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}

export function ledgerSide(ledger: Ledger<undefined>, gen: EventGenerator): Side {
  const append = async (e: BenchEvent) => {
    await ledger.sequencer.append(rawCommand(e.draft));
  };
  return {
    name: 'motor-ledger',
    sequential: (events) => timedLoop(events, append),
    concurrent: (clients, seconds) => concurrentLoop(clients, seconds, () => gen.next(), append),
    bulk: (batches) => batchLoop(batches, (b) => appendBatch(ledger, b)),
  };
}

export function baselineSide(baseline: Baseline, gen: EventGenerator): BaselineSide {
  return {
    name: 'PostgreSQL INSERT',
    sequential: (events) => timedLoop(events, (e) => baseline.insertOne(baseline.client, e)),
    concurrent: (clients, seconds) =>
      concurrentLoop(
        clients,
        seconds,
        () => gen.next(),
        (e) => baseline.insertOne(baseline.pool, e),
      ),
    bulk: (batches) => batchLoop(batches, (b) => baseline.insertMany(baseline.client, b)),
    grouped: (clients, seconds) =>
      concurrentLoop(
        clients,
        seconds,
        () => gen.next(),
        (e) => baseline.insertGrouped(e),
      ),
    pipelined: (clients, seconds) =>
      concurrentLoop(
        clients,
        seconds,
        () => gen.next(),
        (e) => baseline.insertPipelined(e),
      ),
  };
}

export interface Comparison {
  rounds: { ledger: Measure; baseline: Measure; order: 'ledger-first' | 'baseline-first' }[];
  ledgerRate: number;
  baselineRate: number;
  /** median(ledger rate) / median(baseline rate). */
  ratio: number;
  /** Median of the per-round ratios (a cross-check: it should be close to `ratio`). */
  medianRoundRatio: number;
  ledgerLatency: Latency;
  baselineLatency: Latency;
}

function medianLatency(ls: readonly Latency[]): Latency {
  return {
    p50: median(ls.map((l) => l.p50)),
    p95: median(ls.map((l) => l.p95)),
    p99: median(ls.map((l) => l.p99)),
    max: Math.max(...ls.map((l) => l.max)),
    n: ls.reduce((a, l) => a + l.n, 0),
  };
}

/** Run A (ledger) and B (baseline) `rounds` times, alternating which goes first. */
export async function compare(
  label: string,
  rounds: number,
  a: () => Promise<Measure>,
  b: () => Promise<Measure>,
): Promise<Comparison> {
  const out: Comparison['rounds'] = [];
  for (let r = 0; r < rounds; r++) {
    let ledger: Measure;
    let baseline: Measure;
    if (r % 2 === 0) {
      ledger = await a();
      baseline = await b();
    } else {
      baseline = await b();
      ledger = await a();
    }
    out.push({ ledger, baseline, order: r % 2 === 0 ? 'ledger-first' : 'baseline-first' });
    log(
      `${label} round ${r + 1}/${rounds}: ledger ${ledger.rate.toFixed(0)}/s, baseline ${baseline.rate.toFixed(0)}/s, ` +
        `ratio ${(ledger.rate / baseline.rate).toFixed(2)}`,
    );
  }
  const ledgerRate = median(out.map((r) => r.ledger.rate));
  const baselineRate = median(out.map((r) => r.baseline.rate));
  return {
    rounds: out,
    ledgerRate,
    baselineRate,
    ratio: ledgerRate / baselineRate,
    medianRoundRatio: median(out.map((r) => r.ledger.rate / r.baseline.rate)),
    ledgerLatency: medianLatency(out.map((r) => r.ledger.latency)),
    baselineLatency: medianLatency(out.map((r) => r.baseline.latency)),
  };
}

/** Draw `n` events. */
export function draw(gen: EventGenerator, n: number): BenchEvent[] {
  return Array.from({ length: n }, () => gen.next());
}

/** Draw `batches` batches of `size` events. */
export function drawBatches(gen: EventGenerator, batches: number, size: number): BenchEvent[][] {
  return Array.from({ length: batches }, () => draw(gen, size));
}
