// Reading the log: entries as stored bytes, checkpoints, inclusion and consistency proofs, and the export
// stream. Proofs are computed from stored nodes in one query each, whatever the size of the log.
import { type Kysely, sql } from 'kysely';
import { toBase64 } from '../core/encoding.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { computeRangeHashes, consistencyProofRanges, inclusionProofRanges } from '../core/merkle.js';
import type { Database } from '../db/schema.js';
import { fetchNodes } from './tree-store.js';

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

/** The log's size and its newest checkpoint's size (undefined if none), in one statement. */
export async function logHead(
  db: Kysely<Database>,
): Promise<{ size: number; checkpoint: number | undefined }> {
  const { rows } = await sql<{ size: number; checkpoint: number | null }>`
    SELECT coalesce((SELECT seq + 1 FROM ledger_entry ORDER BY seq DESC LIMIT 1), 0)::bigint AS size,
           (SELECT size FROM ledger_checkpoint ORDER BY size DESC LIMIT 1) AS checkpoint
  `.execute(db);
  const r = rows[0]!;
  return { size: Number(r.size), checkpoint: r.checkpoint === null ? undefined : Number(r.checkpoint) };
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
  if (treeSize === undefined) {
    const head = await logHead(db);
    treeSize = head.checkpoint !== undefined && head.checkpoint > seq ? head.checkpoint : head.size;
  }
  // With a seq inside the asked tree, one statement reads the nodes, the log size and the checkpoint; the size is
  // checked before anything is folded. A refusal reads the size alone, for its message.
  const refuse = (size: number, tree: number): void => {
    if (tree > size) {
      throw new ValidationError(
        'TREE_SIZE_BEYOND_LOG',
        `treeSize ${tree} is beyond the log, which holds ${size} entries.`,
        { treeSize: tree, size },
      );
    }
    if (seq >= tree) {
      throw new ValidationError(
        'SEQ_BEYOND_TREE',
        size === 0
          ? 'The log is empty: there is no entry to prove.'
          : `Entry ${seq} is not in a tree of ${tree} entries; ask for a seq below ${tree} or a larger treeSize (the log holds ${size}).`,
        { seq, treeSize: tree, size },
      );
    }
  };
  if (seq >= treeSize) refuse(await logSize(db), treeSize);
  const tree = treeSize;
  const ranges = inclusionProofRanges(seq, tree);
  let checkpoint: string | undefined;
  const hashes = await computeRangeHashes([[seq, seq + 1], [0, tree], ...ranges], async (nodes) => {
    const fetched = await fetchNodes(db, nodes, tree);
    refuse(fetched.logSize, tree);
    checkpoint = fetched.checkpointJws;
    return fetched.hashes();
  });
  const [leaf, root, ...proof] = hashes;
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
  // As for inclusion: one statement for a valid range, the size alone for a refusal's message.
  const refuse = (size: number): void => {
    if (size2 > size) {
      throw new ValidationError(
        'TREE_SIZE_BEYOND_LOG',
        `to=${size2} is beyond the log, which holds ${size} entries.`,
        { to: size2, size },
      );
    }
    // from = to has only the empty proof, which RFC 9162 §2.1.4.2 verifiers must reject: compare the roots.
    if (size1 < 1 || size1 >= size2) {
      throw new ValidationError(
        'BAD_PROOF_RANGE',
        size1 === size2
          ? `from = to = ${size1}: two trees of one size are consistent when their roots are equal; a consistency proof needs 1 <= from < to (RFC 9162 §2.1.4.2).`
          : `Ask for 1 <= from < to; got from=${size1}, to=${size2}.`,
        {
          from: size1,
          to: size2,
        },
      );
    }
  };
  if (size1 < 1 || size1 >= size2) refuse(await logSize(db));
  const ranges = consistencyProofRanges(size1, size2);
  const [root1, root2, ...proof] = await computeRangeHashes(
    [[0, size1], [0, size2], ...ranges],
    async (nodes) => {
      const fetched = await fetchNodes(db, nodes);
      refuse(fetched.logSize);
      return fetched.hashes();
    },
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
