// Worker thread of verifyExport: the per-entry work that does not depend on earlier entries (leaf hash,
// UTF-8 and JSON, the checks of inspectEntry, subject fingerprints), for one chunk of whole lines at a time.
// The main thread keeps everything sequential (links against earlier entries, the tree, checkpoints) and
// re-checks any entry flagged here with the full LogVerifier.add, so errors and their seq stay exact.
import { isUtf8 } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { leafHash } from '../core/merkle.js';
import { hashPrefix, subjectFingerprint } from '../core/subject-heads.js';
import { INSPECTED_WORDS, inspectEntry } from '../core/verifier.js';
import { installNodeSha256 } from './node-sha256.js';

installNodeSha256();

/** A chunk of whole lines (each entry followed by "\n", except maybe the last of the file). */
export interface ChunkRequest {
  id: number;
  buffer: ArrayBuffer;
  length: number;
  /** Seq of the first line. */
  firstSeq: number;
  /** Lines in the chunk. */
  lines: number;
  strict: boolean;
}

export interface ChunkResult {
  id: number;
  /** The chunk, handed back. */
  buffer: ArrayBuffer;
  /** Start of line i at starts[i], its end (exclusive, without the newline) at ends[i]. */
  starts: Uint32Array;
  ends: Uint32Array;
  /** 32 bytes per line. */
  leaves: Uint8Array;
  /** 1 if line i passed inspectEntry (then it has counts[i] subjects in words/linkSeqs), 0 if add() must judge it. */
  clean: Uint8Array;
  counts: Uint32Array;
  words: Uint32Array;
  linkSeqs: Float64Array;
}

// Subjects recur (a motor has several events): their fingerprints are kept for a while rather than hashed again.
const fingerprints = new Map<string, [number, number, number]>();
const FINGERPRINT_CACHE = 16_384;

function fingerprintOf(subject: string): [number, number, number] {
  let f = fingerprints.get(subject);
  if (f === undefined) {
    f = subjectFingerprint(subject);
    if (fingerprints.size >= FINGERPRINT_CACHE) fingerprints.clear();
    fingerprints.set(subject, f);
  }
  return f;
}

/** The role given in workerData to the threads verifyExport starts. */
export const VERIFY_WORKER_ROLE = 'motor-ledger-verify';

/** What a worker does with one chunk (exported so that the same code can run inline, for tests). */
export function inspectChunk(req: ChunkRequest): ChunkResult {
  const buf = Buffer.from(req.buffer, 0, req.length);
  const n = req.lines;
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  const leaves = new Uint8Array(n * 32);
  const clean = new Uint8Array(n);
  const counts = new Uint32Array(n);
  let words = new Uint32Array(n * 2 * INSPECTED_WORDS);
  let linkSeqs = new Float64Array(n * 2);
  let used = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = req.length;
    starts[i] = start;
    ends[i] = end;
    const line = buf.subarray(start, end);
    start = end + 1;
    leaves.set(leafHash(line), i * 32);
    if (!isUtf8(line)) continue;
    const entry = inspectEntry(line.toString('utf8'), req.firstSeq + i, req.strict);
    if (!entry) continue;
    const k = entry.subjects.length;
    if (used + k > linkSeqs.length) {
      const size = Math.max(linkSeqs.length * 2, used + k);
      const w = new Uint32Array(size * INSPECTED_WORDS);
      w.set(words);
      words = w;
      const l = new Float64Array(size);
      l.set(linkSeqs);
      linkSeqs = l;
    }
    for (let j = 0; j < k; j++) {
      const o = (used + j) * INSPECTED_WORDS;
      const f = fingerprintOf(entry.subjects[j]!);
      words[o] = f[0];
      words[o + 1] = f[1];
      words[o + 2] = f[2];
      const link = entry.links[j];
      if (link) {
        const [p0, p1] = hashPrefix(link.hash);
        words[o + 3] = 1;
        words[o + 4] = p0;
        words[o + 5] = p1;
        linkSeqs[used + j] = link.seq;
      }
    }
    used += k;
    counts[i] = k;
    clean[i] = 1;
  }
  return { id: req.id, buffer: req.buffer, starts, ends, leaves, clean, counts, words, linkSeqs };
}

// Serve chunks only in a thread verifyExport started (importing this module elsewhere does nothing).
const port = parentPort;
if (port && (workerData as { role?: unknown } | null)?.role === VERIFY_WORKER_ROLE) {
  port.on('message', (req: ChunkRequest) => {
    const r = inspectChunk(req);
    port.postMessage(r, [
      r.buffer,
      r.starts.buffer,
      r.ends.buffer,
      r.leaves.buffer,
      r.clean.buffer,
      r.counts.buffer,
      r.words.buffer,
      r.linkSeqs.buffer,
    ] as ArrayBuffer[]);
  });
}
