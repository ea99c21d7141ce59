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

/** Fetch the hashes of complete nodes (each inside the committed tree) with one round trip, in input order. */
export async function fetchNodeHashes(db: Kysely<Database>, nodes: readonly NodeId[]): Promise<Uint8Array[]> {
  const leafSeqs = new Set<number>();
  const stored = new Map<string, { level: number; idx: number }>();
  for (const { level, index } of nodes) {
    const base = level - (level % STORED_LEVEL_STEP);
    const span = 2 ** (level - base);
    for (let i = index * span; i < (index + 1) * span; i++) {
      if (base === 0) leafSeqs.add(i);
      else stored.set(`${base}:${i}`, { level: base, idx: i });
    }
  }
  const levels = [...stored.values()].map((n) => n.level);
  const idxs = [...stored.values()].map((n) => n.idx);
  // The stored nodes by their primary key, one index probe per node: OFFSET 0 keeps the subquery a nested loop.
  // (A plain join with the unnest was planned as a hash join over a sequential scan of merkle_node while the table
  // was small enough: 2.7 ms of a 4 ms proof at 200,000 entries, against 0.2 ms by the index.)
  const { rows } = await sql<{ level: number; idx: number; hash: Uint8Array }>`
    SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM ledger_entry WHERE seq = ANY(${[...leafSeqs]}::bigint[])
    UNION ALL
    SELECT u.level::int, u.idx, n.hash FROM unnest(${levels}::smallint[], ${idxs}::bigint[]) AS u(level, idx)
      CROSS JOIN LATERAL (SELECT hash FROM merkle_node m WHERE m.level = u.level AND m.idx = u.idx OFFSET 0) n
  `.execute(db);
  const found = new Map<string, Uint8Array>();
  for (const r of rows) found.set(`${r.level}:${r.idx}`, r.hash);

  return nodes.map(({ level, index }) => {
    const base = level - (level % STORED_LEVEL_STEP);
    const span = 2 ** (level - base);
    let layer: Uint8Array[] = [];
    for (let i = index * span; i < (index + 1) * span; i++) {
      const h = found.get(`${base}:${i}`);
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
