// Reading the log: entries as stored bytes, checkpoints, inclusion and consistency proofs, and the export
// stream. Proofs are computed from stored nodes in one query each, whatever the size of the log.
import type { Kysely } from 'kysely';
import { toBase64 } from '../core/encoding.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { computeRangeHashes, consistencyProofRanges, inclusionProofRanges } from '../core/merkle.js';
import type { Database } from '../db/schema.js';
import { fetchNodeHashes } from './tree-store.js';

export interface InclusionProof {
  leafIdx: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  root: string;
  /** The signed checkpoint of this tree size, when there is one. */
  checkpoint?: string | undefined;
}

export interface ConsistencyProof {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
}

export interface CheckpointView {
  size: number;
  root: string;
  kid: string;
  jws: string;
  created: string;
}

/** Number of entries committed to the log. */
export async function logSize(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('ledger_entry')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.seq) + 1 : 0;
}

/** The stored canonical bytes of one entry. */
export async function readEntry(
  db: Kysely<Database>,
  seq: number,
): Promise<{ body: Uint8Array; leafHash: Uint8Array }> {
  const row = await db
    .selectFrom('ledger_entry')
    .select(['body', 'leaf_hash'])
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (!row) {
    const size = await logSize(db);
    throw new NotFoundError(
      'ENTRY_NOT_FOUND',
      `There is no entry ${seq}: the log holds entries 0 to ${size - 1}.`,
      { seq, size },
    );
  }
  return { body: row.body, leafHash: row.leaf_hash };
}

/** The newest checkpoint, or undefined on an empty log. */
export async function latestCheckpoint(db: Kysely<Database>): Promise<CheckpointView | undefined> {
  const row = await db
    .selectFrom('ledger_checkpoint')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toView(row) : undefined;
}

/** Checkpoints in size order, starting after `afterSize`. */
export async function listCheckpoints(
  db: Kysely<Database>,
  afterSize = -1,
  limit = 1000,
): Promise<CheckpointView[]> {
  const rows = await db
    .selectFrom('ledger_checkpoint')
    .selectAll()
    .where('size', '>', afterSize)
    .orderBy('size')
    .limit(limit)
    .execute();
  return rows.map(toView);
}

function toView(row: {
  size: number;
  root: Uint8Array;
  kid: string;
  jws: string;
  created: Date;
}): CheckpointView {
  return {
    size: Number(row.size),
    root: toBase64(row.root),
    kid: row.kid,
    jws: row.jws,
    created: row.created.toISOString(),
  };
}

/**
 * Inclusion proof of entry `seq` in the tree of `treeSize` entries (default: the newest checkpoint that covers
 * it, else the whole log).
 * @example const p = await inclusionProof(db, 42); verifyInclusion(p.leafIdx, p.treeSize, leafHash, p.proof, root);
 */
export async function inclusionProof(
  db: Kysely<Database>,
  seq: number,
  treeSize?: number,
): Promise<InclusionProof> {
  const size = await logSize(db);
  if (treeSize === undefined) {
    const cp = await latestCheckpoint(db);
    treeSize = cp && cp.size > seq ? cp.size : size;
  }
  if (treeSize > size) {
    throw new ValidationError(
      'TREE_SIZE_BEYOND_LOG',
      `treeSize ${treeSize} is beyond the log, which holds ${size} entries.`,
      { treeSize, size },
    );
  }
  if (seq >= treeSize) {
    throw new ValidationError(
      'SEQ_BEYOND_TREE',
      size === 0
        ? 'The log is empty: there is no entry to prove.'
        : `Entry ${seq} is not in a tree of ${treeSize} entries; ask for a seq below ${treeSize} or a larger treeSize (the log holds ${size}).`,
      { seq, treeSize, size },
    );
  }
  const ranges = inclusionProofRanges(seq, treeSize);
  const hashes = await computeRangeHashes([[seq, seq + 1], [0, treeSize], ...ranges], (nodes) =>
    fetchNodeHashes(db, nodes),
  );
  const [leaf, root, ...proof] = hashes;
  const cp = await db
    .selectFrom('ledger_checkpoint')
    .select('jws')
    .where('size', '=', treeSize)
    .executeTakeFirst();
  const checkpoint = cp?.jws;
  return {
    leafIdx: seq,
    treeSize,
    leafHash: toBase64(leaf!),
    proof: proof.map(toBase64),
    root: toBase64(root!),
    checkpoint,
  };
}

/** Consistency proof between the trees of `size1` and `size2` entries (RFC 9162 §2.1.4). */
export async function consistencyProof(
  db: Kysely<Database>,
  size1: number,
  size2: number,
): Promise<ConsistencyProof> {
  const size = await logSize(db);
  if (size2 > size) {
    throw new ValidationError(
      'TREE_SIZE_BEYOND_LOG',
      `to=${size2} is beyond the log, which holds ${size} entries.`,
      { to: size2, size },
    );
  }
  if (size1 < 1 || size1 > size2) {
    throw new ValidationError('BAD_PROOF_RANGE', `Ask for 1 <= from <= to; got from=${size1}, to=${size2}.`, {
      from: size1,
      to: size2,
    });
  }
  const ranges = consistencyProofRanges(size1, size2);
  const [root1, root2, ...proof] = await computeRangeHashes([[0, size1], [0, size2], ...ranges], (nodes) =>
    fetchNodeHashes(db, nodes),
  );
  return { size1, size2, root1: toBase64(root1!), root2: toBase64(root2!), proof: proof.map(toBase64) };
}

/**
 * Stream the log's entries in seq order as stored bytes, a page at a time (keyset pagination, so it works the
 * same on PostgreSQL and PGlite and never holds more than one page).
 */
export async function* streamEntries(
  db: Kysely<Database>,
  { from = 0, to, pageSize = 5000 }: { from?: number; to?: number; pageSize?: number } = {},
): AsyncGenerator<{ seq: number; body: Uint8Array; leafHash: Uint8Array }> {
  let next = from;
  for (;;) {
    let q = db
      .selectFrom('ledger_entry')
      .select(['seq', 'body', 'leaf_hash'])
      .where('seq', '>=', next)
      .orderBy('seq')
      .limit(pageSize);
    if (to !== undefined) q = q.where('seq', '<', to);
    const rows = await q.execute();
    for (const r of rows) yield { seq: Number(r.seq), body: r.body, leafHash: r.leaf_hash };
    if (rows.length < pageSize) return;
    next = Number(rows[rows.length - 1]!.seq) + 1;
  }
}
