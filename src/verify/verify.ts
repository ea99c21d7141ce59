// Running the core verifier over real sources: an export on disk (entries NDJSON, checkpoints, JWKS) read as
// a byte stream, or a live database paged by seq. Memory stays flat whatever the size of the log.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Kysely } from 'kysely';
import { CheckpointError, type VerifiedCheckpoint, verifyCheckpointWith } from '../core/checkpoint.js';
import { bytesEqual } from '../core/encoding.js';
import { MerkleFrontier } from '../core/merkle.js';
import { LogVerifier, VerificationError, type VerifySummary } from '../core/verifier.js';
import type { Database } from '../db/schema.js';
import { listCheckpoints, logSize, streamEntries } from '../ledger/reader.js';
import { readJwks } from '../ledger/signing.js';
import { fetchNodeHashes, isStoredLevel } from '../ledger/tree-store.js';
import { installNodeSha256 } from './node-sha256.js';
import { type ChunkRequest, type ChunkResult, inspectChunk, VERIFY_WORKER_ROLE } from './verify-worker.js';

// Leaf and node hashes with node:crypto (about twice the speed of the portable default).
installNodeSha256();

export interface VerifyProgress {
  /** Called every few thousand entries with the count so far and the total when known. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Also check that every entry is exactly its RFC 8785 form (the CLI's --strict). Default false. */
  strictCanonical?: boolean;
  /**
   * verifyExport: worker threads for the per-entry work that does not depend on earlier entries (hashing,
   * parsing, the RFC 8785 check); 0 verifies on this thread alone. Default: one per core, at most 4, and none
   * for an entries file under 4 MiB. Same verdict, same first bad seq, either way.
   */
  workers?: number;
  /** verifyExport with workers: bytes read per chunk handed to a worker (default 1 MiB; tests use less). */
  chunkBytes?: number;
  /** verifyExport with workers: run the workers' code on this thread instead (tests of the chunked path). */
  inline?: boolean;
}

async function verifySignatures(
  jwses: readonly string[],
  jwks: JSONWebKeySet,
): Promise<VerifiedCheckpoint[]> {
  const keys = createLocalJWKSet(jwks);
  const out: VerifiedCheckpoint[] = [];
  for (let i = 0; i < jwses.length; i++) {
    try {
      out.push(await verifyCheckpointWith(jwses[i]!, keys));
    } catch (err) {
      if (err instanceof CheckpointError) {
        throw new VerificationError(err.code, -1, `Checkpoint #${i + 1}: ${err.message}`);
      }
      throw err;
    }
  }
  return out;
}

/** Verify an export: entries NDJSON (exact bytes per line), checkpoints (one JWS per line), JWKS. */
export async function verifyExport(
  files: { entries: string; checkpoints: string; jwks: string },
  options: VerifyProgress = {},
): Promise<VerifySummary> {
  const jwks = JSON.parse(readFileSync(files.jwks, 'utf8')) as JSONWebKeySet;
  const jwses = readFileSync(files.checkpoints, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const strict = options.strictCanonical ?? false;
  const verifier = new LogVerifier({
    checkpoints: await verifySignatures(jwses, jwks),
    strictCanonical: strict,
  });
  const workers =
    options.workers ??
    (statSync(files.entries).size < 4 * 2 ** 20 ? 0 : Math.min(4, Math.max(1, availableParallelism())));
  if (workers > 0) {
    await verifyLinesInWorkers(files.entries, verifier, {
      strict,
      workers,
      chunkBytes: options.chunkBytes ?? 2 ** 20,
      inline: options.inline ?? false,
      onProgress: options.onProgress,
    });
  } else {
    await verifyLinesHere(files.entries, verifier, options.onProgress);
  }
  options.onProgress?.(verifier.size, verifier.size);
  return verifier.finish();
}

// One thread: each line straight into LogVerifier.add (the reference the worker path must agree with).
async function verifyLinesHere(
  file: string,
  verifier: LogVerifier,
  onProgress: VerifyProgress['onProgress'],
): Promise<void> {
  let carry: Buffer | undefined;
  let sinceReport = 0;
  for await (const chunk of createReadStream(file, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      verifier.add(buf.subarray(start, nl));
      start = nl + 1;
      if (++sinceReport === 10_000) {
        sinceReport = 0;
        onProgress?.(verifier.size, undefined);
      }
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    buf = Buffer.alloc(0);
  }
  if (carry && carry.length > 0) verifier.add(carry);
}

// A verify worker: the compiled JavaScript beside this module or, when running from the TypeScript sources
// (tests, tsx), the source loaded through tsx in the worker.
function startWorker(): Worker {
  // A worker keeps little alive (its chunk and a cache of subject fingerprints): small heaps keep the process's
  // memory flat (the young generation is where parsing's garbage goes; collecting it often is cheap).
  const options = {
    workerData: { role: VERIFY_WORKER_ROLE },
    resourceLimits: {
      maxYoungGenerationSizeMb: 4,
      maxOldGenerationSizeMb: 96,
    },
  };
  const js = new URL('./verify-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL('./verify-worker.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`,
    { ...options, eval: true },
  );
}

// Where chunks go: a pool of threads, or (tests) the same function on this thread.
interface ChunkRunner {
  run(req: ChunkRequest): Promise<ChunkResult>;
  close(): Promise<void>;
}

function inlineRunner(): ChunkRunner {
  return {
    run: async (req) => {
      // Hand over a copy, as postMessage with a transfer would: the reader must not touch the chunk again.
      return inspectChunk({ ...req, buffer: req.buffer.slice(0) });
    },
    close: async () => {},
  };
}

function threadRunner(workers: number): ChunkRunner {
  const pool = Array.from({ length: workers }, startWorker);
  const waiting = new Map<number, { resolve(r: ChunkResult): void; reject(e: unknown): void }>();
  let failure: unknown;
  let closing = false;
  const fail = (err: unknown) => {
    if (closing) return;
    failure ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  for (const w of pool) {
    w.on('message', (r: ChunkResult) => {
      const p = waiting.get(r.id);
      waiting.delete(r.id);
      p?.resolve(r);
    });
    w.on('error', fail);
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`A verify worker stopped with exit code ${code}.`));
    });
  }
  return {
    run(req) {
      if (failure) return Promise.reject(failure);
      const p = new Promise<ChunkResult>((resolve, reject) => waiting.set(req.id, { resolve, reject }));
      pool[req.id % pool.length]!.postMessage(req, [req.buffer]);
      return p;
    },
    async close() {
      closing = true;
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}

// Several threads: this one reads the file in chunks of whole lines and hands each to a worker (round robin,
// two in flight per worker), then takes the results back in file order and does what depends on earlier
// entries (links, the tree, checkpoints) with LogVerifier.addInspected. An entry a worker could not pass, or
// whose links do not match, goes through LogVerifier.add with its bytes: the same checks in the same order
// as on one thread, so the error and its seq are the same. Memory: a few chunks in flight, whatever the size.
async function verifyLinesInWorkers(
  file: string,
  verifier: LogVerifier,
  opts: {
    strict: boolean;
    workers: number;
    chunkBytes: number;
    inline: boolean;
    onProgress: VerifyProgress['onProgress'];
  },
): Promise<void> {
  const fh = await open(file, 'r');
  const runner = opts.inline ? inlineRunner() : threadRunner(opts.workers);
  let nextId = 0;
  let firstSeq = 0;
  let carry: Buffer | undefined;
  let eof = false;
  const free: ArrayBuffer[] = [];

  // The next chunk of whole lines (the last one of the file may lack its newline), or undefined at the end.
  const readChunk = async (): Promise<ChunkRequest | undefined> => {
    for (;;) {
      if (eof && !carry) return undefined;
      const size = (carry?.length ?? 0) + opts.chunkBytes;
      // Chunk buffers come back with their results and are read into again: memory stays a few chunks.
      let buffer = free.pop();
      if (!buffer || buffer.byteLength < size) buffer = new ArrayBuffer(size);
      const buf = Buffer.from(buffer);
      let length = 0;
      if (carry) {
        carry.copy(buf, 0);
        length = carry.length;
        carry = undefined;
      }
      while (!eof && length < buf.length) {
        const { bytesRead } = await fh.read(buf, length, buf.length - length, null);
        if (bytesRead === 0) eof = true;
        length += bytesRead;
      }
      if (length === 0) return undefined;
      let end = length;
      if (!eof) {
        const last = buf.lastIndexOf(10, length - 1);
        if (last === -1) {
          // A line longer than the chunk: read on with a larger buffer.
          carry = Buffer.from(buf.subarray(0, length));
          continue;
        }
        end = last + 1;
        if (end < length) carry = Buffer.from(buf.subarray(end, length));
      }
      let lines = 0;
      for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) lines++;
      if (buf[end - 1] !== 10) lines++; // the file's last entry, without a newline
      const req: ChunkRequest = { id: nextId++, buffer, length: end, firstSeq, lines, strict: opts.strict };
      firstSeq += lines;
      return req;
    }
  };

  const dispatch = (req: ChunkRequest): Promise<ChunkResult> => {
    const p = runner.run(req);
    // Chunks still in flight when verification stops are abandoned; their rejection is not an error.
    p.catch(() => {});
    return p;
  };

  try {
    const inFlight: Promise<ChunkResult>[] = [];
    for (let i = 0; i < 2 * opts.workers; i++) {
      const req = await readChunk();
      if (!req) break;
      inFlight.push(dispatch(req));
    }
    let reported = 0;
    while (inFlight.length > 0) {
      const r = await inFlight.shift()!;
      const buf = Buffer.from(r.buffer);
      let subject = 0;
      for (let i = 0; i < r.starts.length; i++) {
        const leaf = r.leaves.subarray(i * 32, i * 32 + 32);
        if (r.clean[i] === 1) {
          const k = r.counts[i]!;
          const ok = verifier.addInspected(leaf, r.words, r.linkSeqs, subject, k);
          subject += k;
          if (ok) continue;
        }
        verifier.add(buf.subarray(r.starts[i]!, r.ends[i]!));
      }
      free.push(r.buffer);
      const req = await readChunk();
      if (req) inFlight.push(dispatch(req));
      if (verifier.size - reported >= 10_000) {
        reported = verifier.size;
        opts.onProgress?.(verifier.size, undefined);
      }
    }
  } finally {
    await fh.close();
    await runner.close();
  }
}

/**
 * Verify a live database: every entry's bytes against its stored leaf hash, links and checkpoints as offline,
 * and every stored Merkle node (the ones proofs are built from) against the recomputed tree.
 */
export async function verifyDatabase(
  db: Kysely<Database>,
  options: VerifyProgress = {},
): Promise<VerifySummary> {
  const jwks = (await readJwks(db)) as JSONWebKeySet;
  const rows = await listCheckpoints(db, -1, Number.MAX_SAFE_INTEGER);
  const checkpoints = await verifySignatures(
    rows.map((r) => r.jws),
    jwks,
  );
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const signed = checkpoints[i]!;
    if (row.size !== signed.size || row.root !== Buffer.from(signed.root).toString('base64')) {
      throw new VerificationError(
        'CHECKPOINT_ROW_MISMATCH',
        row.size,
        `Checkpoint row of size ${row.size} does not match the size and root inside its own signature.`,
      );
    }
  }
  const total = await logSize(db);
  const verifier = new LogVerifier({ checkpoints, strictCanonical: options.strictCanonical ?? false });
  // A second frontier reports the completed nodes at stored levels, to compare with merkle_node.
  const tree = new MerkleFrontier();
  let pending: { level: number; idx: number; hash: Uint8Array }[] = [];
  const flushNodes = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    let stored: Uint8Array[];
    try {
      stored = await fetchNodeHashes(
        db,
        batch.map((n) => ({ level: n.level, index: n.idx })),
      );
    } catch (err) {
      const first = batch[0]!.idx * 2 ** batch[0]!.level;
      throw new VerificationError(
        'TREE_NODE_MISMATCH',
        first,
        `Stored Merkle nodes from entry ${first} are missing: ${(err as Error).message}`,
      );
    }
    for (let i = 0; i < batch.length; i++) {
      const n = batch[i]!;
      if (!bytesEqual(stored[i]!, n.hash)) {
        const first = n.idx * 2 ** n.level;
        throw new VerificationError(
          'TREE_NODE_MISMATCH',
          first,
          `Stored Merkle node (level ${n.level}, index ${n.idx}) over entries ${first} to ${first + 2 ** n.level - 1} is wrong: proofs served for those entries would not verify.`,
        );
      }
    }
  };
  let sinceReport = 0;
  for await (const e of streamEntries(db)) {
    if (e.seq !== verifier.size) {
      throw new VerificationError(
        e.seq > verifier.size ? 'MISSING_ENTRY' : 'REORDERED_ENTRY',
        verifier.size,
        `Entry ${verifier.size} is missing from the database (the next stored row is seq ${e.seq}).`,
      );
    }
    verifier.add(e.body, e.leafHash);
    tree.append(e.leafHash, (level, idx, hash) => {
      if (isStoredLevel(level)) pending.push({ level, idx, hash });
    });
    if (pending.length >= 500) await flushNodes();
    if (++sinceReport === 10_000) {
      sinceReport = 0;
      options.onProgress?.(verifier.size, total);
    }
  }
  await flushNodes();
  options.onProgress?.(verifier.size, total);
  return verifier.finish();
}
