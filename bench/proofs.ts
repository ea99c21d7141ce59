// Workload 5: fill the log to the proof size with bulk batches (that is the fill rate), then time random
// inclusion and consistency proofs in process. Every proof is checked with the core verifier against the
// signed checkpoint's root (outside the timing), and a sample of leaves against the stored entry bytes, so a
// broken proof fails the bench instead of being reported as fast.
import { fromBase64, toBase64 } from '../src/core/encoding.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/core/merkle.js';
import type { Ledger } from '../src/ledger/ledger.js';
import {
  consistencyProof,
  inclusionProof,
  listCheckpoints,
  logSize,
  readEntry,
} from '../src/ledger/reader.js';
import type { EventGenerator } from './events.js';
import { type Latency, latencySummary, log, median, nowMs } from './stats.js';
import { appendBatch, draw } from './writes.js';

export interface FillResult {
  from: number;
  to: number;
  appended: number;
  ms: number;
  rate: number;
  batchSize: number;
}

/** Append batches of `batchSize` (awaiting each) until the log holds `target` entries. */
export async function fillTo(
  ledger: Ledger<undefined>,
  gen: EventGenerator,
  target: number,
  batchSize: number,
): Promise<FillResult> {
  const from = await logSize(ledger.handle.db);
  let size = from;
  const t0 = nowMs();
  let lastReport = t0;
  while (size < target) {
    const n = Math.min(batchSize, target - size);
    await appendBatch(ledger, draw(gen, n));
    size += n;
    const now = nowMs();
    if (now - lastReport >= 10_000 || size >= target) {
      lastReport = now;
      const rate = ((size - from) / (now - t0)) * 1000;
      const eta = (target - size) / rate;
      log(
        `fill ${size.toLocaleString('en-US')}/${target.toLocaleString('en-US')} at ${rate.toFixed(0)} entries/s, ETA ${eta.toFixed(0)} s`,
      );
    }
  }
  const ms = nowMs() - t0;
  const actual = await logSize(ledger.handle.db);
  if (actual !== Math.max(from, target))
    throw new Error(`After the fill the log holds ${actual} entries, expected ${target}.`);
  return { from, to: size, appended: size - from, ms, rate: ((size - from) / ms) * 1000, batchSize };
}

export interface ProofRound {
  inclusion: Latency;
  consistency: Latency;
}

export interface ProofResult {
  treeSize: number;
  rounds: ProofRound[];
  /** Medians over the rounds of each percentile. */
  inclusion: Latency;
  consistency: Latency;
  /** Proofs checked with the core verifier, leaves checked against the stored bytes. */
  verifiedInclusion: number;
  verifiedConsistency: number;
  verifiedLeaves: number;
  meanInclusionProofHashes: number;
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

export async function measureProofs(
  ledger: Ledger<undefined>,
  rounds: number,
  inclusionCount: number,
  consistencyCount: number,
  rand: () => number,
): Promise<ProofResult> {
  const db = ledger.handle.db;
  const cp = await ledger.sequencer.checkpoint();
  const treeSize = cp.size;
  const root = fromBase64(cp.root);
  const signed = new Map<number, string>();
  for (const c of await listCheckpoints(db, -1, Number.MAX_SAFE_INTEGER)) signed.set(c.size, c.root);
  const signedSizes = [...signed.keys()].filter((s) => s > 0 && s < treeSize);
  if (signed.get(treeSize) !== cp.root)
    throw new Error(`No signed checkpoint of size ${treeSize} with root ${cp.root}.`);

  let verifiedInclusion = 0;
  let verifiedConsistency = 0;
  let verifiedLeaves = 0;
  let proofHashes = 0;

  // Warm-up: connections, JIT, the upper tree levels in shared buffers.
  for (let i = 0; i < 100; i++) await inclusionProof(db, Math.floor(rand() * treeSize), treeSize);

  const out: ProofRound[] = [];
  for (let r = 0; r < rounds; r++) {
    const incl: number[] = [];
    for (let i = 0; i < inclusionCount; i++) {
      const seq = Math.floor(rand() * treeSize);
      const t = nowMs();
      const p = await inclusionProof(db, seq, treeSize);
      incl.push(nowMs() - t);
      if (p.root !== cp.root)
        throw new Error(`Inclusion proof of ${seq} has root ${p.root}, the checkpoint says ${cp.root}.`);
      const leaf = fromBase64(p.leafHash);
      verifyInclusion(p.leafIdx, p.treeSize, leaf, p.proof.map(fromBase64), root);
      verifiedInclusion++;
      proofHashes += p.proof.length;
      if (i % 20 === 0) {
        const entry = await readEntry(db, seq);
        if (toBase64(leafHash(entry.body)) !== p.leafHash)
          throw new Error(`Entry ${seq}'s bytes do not hash to its proven leaf.`);
        verifiedLeaves++;
      }
    }
    const cons: number[] = [];
    for (let i = 0; i < consistencyCount; i++) {
      // One in ten from a signed checkpoint (its root is known independently), the rest anywhere in the log.
      const fromSigned = signedSizes.length > 0 && i % 10 === 0;
      const size1 = fromSigned
        ? signedSizes[Math.floor(rand() * signedSizes.length)]!
        : 1 + Math.floor(rand() * (treeSize - 1));
      const t = nowMs();
      const p = await consistencyProof(db, size1, treeSize);
      cons.push(nowMs() - t);
      if (p.root2 !== cp.root)
        throw new Error(
          `Consistency proof to ${treeSize} has root ${p.root2}, the checkpoint says ${cp.root}.`,
        );
      if (fromSigned && p.root1 !== signed.get(size1))
        throw new Error(`Root of size ${size1} differs from its checkpoint.`);
      verifyConsistency(size1, treeSize, p.proof.map(fromBase64), fromBase64(p.root1), root);
      verifiedConsistency++;
    }
    const round = { inclusion: latencySummary(incl), consistency: latencySummary(cons) };
    out.push(round);
    log(
      `proofs round ${r + 1}/${rounds} on ${treeSize} entries: inclusion p50 ${round.inclusion.p50.toFixed(2)} ms, ` +
        `p95 ${round.inclusion.p95.toFixed(2)} ms; consistency p50 ${round.consistency.p50.toFixed(2)} ms`,
    );
  }
  return {
    treeSize,
    rounds: out,
    inclusion: medianLatency(out.map((r) => r.inclusion)),
    consistency: medianLatency(out.map((r) => r.consistency)),
    verifiedInclusion,
    verifiedConsistency,
    verifiedLeaves,
    meanInclusionProofHashes: proofHashes / Math.max(1, verifiedInclusion),
  };
}
