// Running the core verifier over real sources: an export on disk (entries NDJSON, checkpoints, JWKS) read as
// a byte stream, or a live database paged by seq. Memory stays flat whatever the size of the log.
import { createReadStream, readFileSync } from 'node:fs';
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

// Leaf and node hashes with node:crypto (about twice the speed of the portable default).
installNodeSha256();

export interface VerifyProgress {
  /** Called every few thousand entries with the count so far and the total when known. */
  onProgress?: (done: number, total: number | undefined) => void;
  strictCanonical?: boolean;
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
  const verifier = new LogVerifier({
    checkpoints: await verifySignatures(jwses, jwks),
    strictCanonical: options.strictCanonical,
  });
  let carry: Buffer | undefined;
  let sinceReport = 0;
  for await (const chunk of createReadStream(files.entries, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      verifier.add(buf.subarray(start, nl));
      start = nl + 1;
      if (++sinceReport === 10_000) {
        sinceReport = 0;
        options.onProgress?.(verifier.size, undefined);
      }
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    buf = Buffer.alloc(0);
  }
  if (carry && carry.length > 0) verifier.add(carry);
  options.onProgress?.(verifier.size, verifier.size);
  return verifier.finish();
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
  const verifier = new LogVerifier({ checkpoints, strictCanonical: options.strictCanonical });
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
