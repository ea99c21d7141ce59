// Running the core verifier over an export on disk (entries NDJSON, checkpoints, JWKS) read as a byte stream,
// with the auditor's trust anchors (anchors.ts). Memory stays flat whatever the size of the log. The live
// database's verifier is database.ts, re-exported here.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LogVerifier } from '../core/verifier.js';
import {
  anchorCheckpoints,
  InputFileError,
  readCheckpointLines,
  readJwksFile,
  type TrustAnchors,
  type VerifyVerdict,
  verdictOf,
} from './anchors.js';
import { installNodeSha256 } from './node-sha256.js';
import { type ChunkRequest, type ChunkResult, inspectChunk, VERIFY_WORKER_ROLE } from './verify-worker.js';

export type { TrustAnchors, TrustReport, VerifyVerdict } from './anchors.js';
export { verifyDatabase } from './database.js';

// Leaf and node hashes with node:crypto (about twice the speed of the portable default).
installNodeSha256();

export interface VerifyProgress {
  /**
   * Called as work advances: for an export, bytes of the entries file read so far and its size; for a database,
   * entries so far and the log's size.
   */
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Require each entry to be exactly its RFC 8785 form (default true). false skips that check alone, and with it
   * the refusal of duplicate member names and non-I-JSON text; every other rule is still checked.
   */
  strictCanonical?: boolean;
  /**
   * verifyExport: worker threads for the per-entry work that does not depend on earlier entries (hashing,
   * parsing, the format rules); 0 verifies on this thread alone. Default: one per core, at most 4, and none
   * for an entries file under 4 MiB. Same verdict, same first bad seq, either way.
   */
  workers?: number;
  /** verifyExport with workers: bytes read per chunk handed to a worker (default 1 MiB; tests use less). */
  chunkBytes?: number;
  /** verifyExport with workers: run the workers' code on this thread instead (tests of the chunked path). */
  inline?: boolean;
}

/**
 * Verify an export: entries NDJSON (exact bytes per line), checkpoints (one JWS per line) and, unless trusted keys
 * are given, the export's JWKS. The verdict says what it was anchored to.
 * @example await verifyExport(files, { trustedKeys, knownCheckpoints })
 */
export async function verifyExport(
  files: { entries: string; checkpoints: string; jwks?: string },
  options: VerifyProgress & TrustAnchors = {},
): Promise<VerifyVerdict> {
  let entriesSize: number;
  try {
    entriesSize = statSync(files.entries).size;
  } catch {
    throw new InputFileError(
      'INPUT_NOT_READABLE',
      `Cannot read entries file ${files.entries}: no such file (an export holds entries.ndjson, checkpoints.jws and jwks.json).`,
      { file: files.entries },
    );
  }
  const jwses = readCheckpointLines(files.checkpoints);
  const jwks =
    options.trustedKeys === undefined
      ? readJwksFile(files.jwks ?? 'jwks.json', "the export's JWKS")
      : undefined;
  const anchored = await anchorCheckpoints(jwses, jwks, options);
  const strict = options.strictCanonical ?? true;
  const verifier = new LogVerifier({
    checkpoints: anchored.checkpoints,
    strictCanonical: strict,
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
  const onBytes = (done: number) => options.onProgress?.(done, entriesSize);
  const workers =
    options.workers ?? (entriesSize < 4 * 2 ** 20 ? 0 : Math.min(4, Math.max(1, availableParallelism())));
  if (workers > 0) {
    await verifyLinesInWorkers(files.entries, verifier, {
      strict,
      workers,
      chunkBytes: options.chunkBytes ?? 2 ** 20,
      inline: options.inline ?? false,
      onBytes,
    });
  } else {
    await verifyLinesHere(files.entries, verifier, onBytes);
  }
  const summary = verifier.finish();
  onBytes(entriesSize);
  return verdictOf(summary, anchored);
}

// One thread: each line straight into LogVerifier.add (the reference the worker path must agree with).
async function verifyLinesHere(
  file: string,
  verifier: LogVerifier,
  onBytes: (done: number) => void,
): Promise<void> {
  let carry: Buffer | undefined;
  let sinceReport = 0;
  let consumed = 0; // bytes of the file before `buf`
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
        onBytes(consumed + start);
      }
    }
    consumed += start;
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
    onBytes: (done: number) => void;
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
    const inFlight: { result: Promise<ChunkResult>; length: number }[] = [];
    const send = (req: ChunkRequest) => inFlight.push({ result: dispatch(req), length: req.length });
    for (let i = 0; i < 2 * opts.workers; i++) {
      const req = await readChunk();
      if (!req) break;
      send(req);
    }
    let done = 0;
    while (inFlight.length > 0) {
      const next = inFlight.shift()!;
      const r = await next.result;
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
      if (req) send(req);
      done += next.length;
      opts.onBytes(done);
    }
  } finally {
    await fh.close();
    await runner.close();
  }
}
