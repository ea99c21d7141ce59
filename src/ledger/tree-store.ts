// Reading Merkle node hashes from the database. Leaves live in ledger_entry.leaf_hash; complete subtrees at
// levels 4, 8, 12… live in merkle_node. Any other complete node is folded from at most 16 stored ones, so an
// inclusion or consistency proof on a 10-million-entry log reads a few hundred 32-byte hashes in one query.
import { type Kysely, sql } from 'kysely';
import { LedgerError } from '../core/errors.js';
import { type NodeId, nodeHash } from '../core/merkle.js';
import type { Database } from '../db/schema.js';

/** Levels stored in merkle_node are the multiples of this step. */
export const STORED_LEVEL_STEP = 4;

/** Is a complete node at this level written to merkle_node when it is completed? */
export function isStoredLevel(level: number): boolean {
  return level > 0 && level % STORED_LEVEL_STEP === 0;
}

/** What fetchNodes reads in its one statement. */
export interface FetchedNodes {
  /** Entries in the log when the statement ran. */
  logSize: number;
  /** The JWS of the checkpoint of `checkpointSize`, when one was asked for and exists. */
  checkpointJws: string | undefined;
  /**
   * The hashes of the nodes, in input order. Throws TREE_NODE_MISSING if a node is not stored: check logSize
   * first when the nodes may lie beyond the log.
   */
  hashes(): Promise<Uint8Array[]>;
}

/** Fetch the hashes of complete nodes (each inside the committed tree) with one round trip, in input order. */
export async function fetchNodeHashes(db: Kysely<Database>, nodes: readonly NodeId[]): Promise<Uint8Array[]> {
  return await (await fetchNodes(db, nodes)).hashes();
}

/**
 * One statement for a proof: the stored hashes the nodes are folded from, the log's size, and (with
 * `checkpointSize`) that checkpoint's JWS.
 */
export async function fetchNodes(
  db: Kysely<Database>,
  nodes: readonly NodeId[],
  checkpointSize?: number,
): Promise<FetchedNodes> {
  // What to read: the leaves (level 0) and the stored nodes (levels 4, 8…) the nodes are folded from.
  const leafAt = new Map<number, number>();
  const storedAt = new Map<string, number>();
  const levels: number[] = [];
  const idxs: number[] = [];
  for (const { level, index } of nodes) {
    const base = level - (level % STORED_LEVEL_STEP);
    const span = 2 ** (level - base);
    for (let i = index * span; i < (index + 1) * span; i++) {
      if (base === 0) {
        if (!leafAt.has(i)) leafAt.set(i, leafAt.size);
      } else {
        const key = `${base}:${i}`;
        if (storedAt.has(key)) continue;
        storedAt.set(key, levels.length);
        levels.push(base);
        idxs.push(i);
      }
    }
  }
  const leafSeqs = [...leafAt.keys()];
  // One row: the log size, the checkpoint, and each kind of hash concatenated in the asked order (every stored
  // hash is 32 bytes by a CHECK constraint), read by primary-key probes (OFFSET 0 keeps each a nested loop: a
  // join with the unnest was once planned as a sequential scan of merkle_node). One row instead of hundreds is
  // what the driver parses fastest.
  const { rows } = await sql<{
    size: number;
    jws: string | null;
    leaf_count: number;
    leaves: Uint8Array | null;
    node_count: number;
    stored: Uint8Array | null;
  }>`
    SELECT coalesce((SELECT seq + 1 FROM ledger_entry ORDER BY seq DESC LIMIT 1), 0)::bigint AS size,
           ${checkpointSize === undefined ? sql`NULL::text` : sql`(SELECT jws FROM ledger_checkpoint WHERE size = ${checkpointSize}::bigint)`} AS jws,
           l.n AS leaf_count, l.hashes AS leaves, s.n AS node_count, s.hashes AS stored
    FROM (
      SELECT count(*)::int AS n, string_agg(e.leaf_hash, ''::bytea ORDER BY u.ord) AS hashes
      FROM unnest(${leafSeqs}::bigint[]) WITH ORDINALITY AS u(seq, ord)
      CROSS JOIN LATERAL (SELECT leaf_hash FROM ledger_entry WHERE seq = u.seq OFFSET 0) e
    ) l, (
      SELECT count(*)::int AS n, string_agg(m.hash, ''::bytea ORDER BY u.ord) AS hashes
      FROM unnest(${levels}::smallint[], ${idxs}::bigint[]) WITH ORDINALITY AS u(level, idx, ord)
      CROSS JOIN LATERAL (SELECT hash FROM merkle_node WHERE level = u.level AND idx = u.idx OFFSET 0) m
    ) s
  `.execute(db);
  const r = rows[0]!;
  const logSize = Number(r.size);
  const checkpointJws = r.jws ?? undefined;
  const leaves = r.leaves ?? new Uint8Array(0);
  const stored = r.stored ?? new Uint8Array(0);
  const complete =
    r.leaf_count === leafSeqs.length &&
    leaves.length === 32 * leafSeqs.length &&
    r.node_count === levels.length &&
    stored.length === 32 * levels.length;
  if (complete) {
    return {
      logSize,
      checkpointJws,
      hashes: async () =>
        foldStored(nodes, (base, i) => {
          const at = base === 0 ? leafAt.get(i)! : storedAt.get(`${base}:${i}`)!;
          const bytes = base === 0 ? leaves : stored;
          return bytes.subarray(at * 32, at * 32 + 32);
        }),
    };
  }
  // Something asked for is not there (a tree beyond the log, or a damaged database): if the caller still wants
  // the hashes, read what is, row by row, so that the fold names the first missing node.
  return {
    logSize,
    checkpointJws,
    hashes: async () => {
      const found = await fetchRows(db, leafSeqs, levels, idxs);
      return foldStored(nodes, (base, i) => found.get(`${base}:${i}`));
    },
  };
}

async function fetchRows(
  db: Kysely<Database>,
  leafSeqs: readonly number[],
  levels: readonly number[],
  idxs: readonly number[],
): Promise<Map<string, Uint8Array>> {
  const { rows } = await sql<{ level: number; idx: number; hash: Uint8Array }>`
    SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM ledger_entry WHERE seq = ANY(${leafSeqs}::bigint[])
    UNION ALL
    SELECT u.level::int, u.idx, n.hash FROM unnest(${levels}::smallint[], ${idxs}::bigint[]) AS u(level, idx)
      CROSS JOIN LATERAL (SELECT hash FROM merkle_node m WHERE m.level = u.level AND m.idx = u.idx OFFSET 0) n
  `.execute(db);
  const found = new Map<string, Uint8Array>();
  for (const r of rows) found.set(`${r.level}:${r.idx}`, r.hash);
  return found;
}

function foldStored(
  nodes: readonly NodeId[],
  get: (level: number, index: number) => Uint8Array | undefined,
): Uint8Array[] {
  return nodes.map(({ level, index }) => {
    const base = level - (level % STORED_LEVEL_STEP);
    const span = 2 ** (level - base);
    let layer: Uint8Array[] = [];
    for (let i = index * span; i < (index + 1) * span; i++) {
      const h = get(base, i);
      if (!h) {
        throw new LedgerError(
          'TREE_NODE_MISSING',
          `Merkle node at level ${base}, index ${i} is missing from the database.`,
        );
      }
      layer.push(h);
    }
    while (layer.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(nodeHash(layer[i]!, layer[i + 1]!));
      layer = next;
    }
    return layer[0]!;
  });
}
