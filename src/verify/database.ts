// Verifying the live database: every entry as offline (format, leaf, links, checkpoints), plus every stored
// column a read, a proof or the idempotency check relies on, against the entry bytes or the recomputed tree:
// leaf_hash, the id, type and recorded columns, the subject index (ledger_subject), the Merkle nodes, and each
// checkpoint row's size, root and kid against its own signature.
import { type Kysely, sql } from 'kysely';
import { bytesEqual, fromBase64 } from '../core/encoding.js';
import { MerkleFrontier } from '../core/merkle.js';
import { LogVerifier, VerificationError } from '../core/verifier.js';
import type { Database } from '../db/schema.js';
import { listCheckpoints, logSize } from '../ledger/reader.js';
import { readJwks } from '../ledger/signing.js';
import { fetchNodeHashes, isStoredLevel } from '../ledger/tree-store.js';
import { anchorCheckpoints, type TrustAnchors, type VerifyVerdict, verdictOf } from './anchors.js';
import type { VerifyProgress } from './verify.js';

const PAGE = 5000;

interface EntryRow {
  seq: number;
  id: string;
  type: string;
  recorded: string;
  leaf_hash: Uint8Array;
  body: Uint8Array;
}

// Entries a page at a time (keyset pagination), with the columns as text exactly as stored: the id in its
// canonical lower-case form, recorded to the microsecond in UTC (so a sub-millisecond edit shows too).
async function* entryPages(db: Kysely<Database>): AsyncGenerator<EntryRow[]> {
  let next = 0;
  for (;;) {
    const { rows } = await sql<EntryRow>`
      SELECT seq, id::text AS id, type, leaf_hash, body,
             to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded
      FROM ledger_entry WHERE seq >= ${next} ORDER BY seq LIMIT ${PAGE}`.execute(db);
    if (rows.length > 0) yield rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    if (rows.length < PAGE) return;
    next = Number(rows[rows.length - 1]!.seq) + 1;
  }
}

function columnMismatch(seq: number, column: string, stored: string, inBytes: unknown): VerificationError {
  return new VerificationError(
    'COLUMN_MISMATCH',
    { seq },
    `Entry ${seq}: the stored ${column} column says ${JSON.stringify(stored)} but the entry's bytes say ${JSON.stringify(inBytes)}; reads and the idempotency check use the column.`,
  );
}

// The first (subject, seq) of the page's entries that has no row in the subject index, if any.
async function firstMissingSubjectRow(
  db: Kysely<Database>,
  pairs: { subject: string; seq: number }[],
): Promise<{ subject: string; seq: number } | undefined> {
  if (pairs.length === 0) return undefined;
  const { rows } = await sql<{ subject: string; seq: number }>`
    SELECT u.subject, u.seq FROM unnest(${pairs.map((p) => p.subject)}::text[], ${pairs.map((p) => p.seq)}::bigint[]) AS u(subject, seq)
    WHERE NOT EXISTS (SELECT 1 FROM ledger_subject s WHERE s.subject = u.subject AND s.seq = u.seq)
    ORDER BY u.seq, u.subject LIMIT 1`.execute(db);
  const r = rows[0];
  return r ? { subject: r.subject, seq: Number(r.seq) } : undefined;
}

// The subject index must hold exactly the entries' subjects: with every expected row present (checked page by
// page), a count says whether there are others; only then is the culprit looked for.
async function checkNoExtraSubjectRows(db: Kysely<Database>, size: number, expected: number): Promise<void> {
  const { rows } = await sql<{ n: string | number }>`
    SELECT count(*) AS n FROM ledger_subject WHERE seq < ${size}`.execute(db);
  const found = Number(rows[0]?.n ?? 0);
  const { rows: dangling } = await sql<{ subject: string; seq: number }>`
    SELECT s.subject, s.seq FROM ledger_subject s
    WHERE s.seq >= ${size} AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.seq = s.seq)
    ORDER BY s.seq LIMIT 1`.execute(db);
  if (found === expected && dangling.length === 0) return;
  const { rows: extra } = await sql<{ subject: string; seq: number }>`
    SELECT s.subject, s.seq FROM ledger_subject s LEFT JOIN ledger_entry e ON e.seq = s.seq
    WHERE e.seq IS NULL OR NOT ((convert_from(e.body, 'UTF8')::jsonb -> 'subjects') ? s.subject)
    ORDER BY s.seq LIMIT 1`.execute(db);
  const r = extra[0] ?? dangling[0];
  const seq = r ? Number(r.seq) : size;
  throw new VerificationError(
    'SUBJECT_INDEX_MISMATCH',
    { seq },
    r
      ? `The subject index (ledger_subject) lists entry ${seq} under ${r.subject}, which the entry does not name: ${r.subject}'s timeline would show an event that is not its own.`
      : `The subject index (ledger_subject) has ${found} rows for the first ${size} entries, which name ${expected} subjects.`,
  );
}

/**
 * Verify a live database: every entry's bytes against its stored leaf hash and columns, links and checkpoints as
 * offline, the subject index, and every stored Merkle node (the ones proofs are built from) against the
 * recomputed tree. Checkpoint signatures are checked against the trusted keys when given, else the database's
 * own signing_key table.
 */
export async function verifyDatabase(
  db: Kysely<Database>,
  options: VerifyProgress & TrustAnchors = {},
): Promise<VerifyVerdict> {
  const rows = await listCheckpoints(db, -1, Number.MAX_SAFE_INTEGER);
  const anchored = await anchorCheckpoints(
    rows.map((r) => r.jws),
    options.trustedKeys === undefined ? await readJwks(db) : undefined,
    options,
  );
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const signed = anchored.checkpoints[i]!;
    if (
      row.size !== signed.size ||
      !bytesEqual(fromBase64(row.root), signed.root) ||
      row.kid !== signed.kid
    ) {
      throw new VerificationError(
        'CHECKPOINT_ROW_MISMATCH',
        { checkpointSize: row.size },
        `Checkpoint row of size ${row.size} does not match the size, root and kid inside its own signature.`,
      );
    }
  }
  const total = await logSize(db);
  const verifier = new LogVerifier({
    checkpoints: anchored.checkpoints,
    strictCanonical: options.strictCanonical ?? true,
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
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
        { seq: first },
        `Stored Merkle nodes from entry ${first} are missing: ${(err as Error).message}`,
      );
    }
    for (let i = 0; i < batch.length; i++) {
      const n = batch[i]!;
      if (!bytesEqual(stored[i]!, n.hash)) {
        const first = n.idx * 2 ** n.level;
        throw new VerificationError(
          'TREE_NODE_MISMATCH',
          { seq: first },
          `Stored Merkle node (level ${n.level}, index ${n.idx}) over entries ${first} to ${first + 2 ** n.level - 1} is wrong: proofs served for those entries would not verify.`,
        );
      }
    }
  };
  let subjectRows = 0;
  try {
    for await (const page of entryPages(db)) {
      const pairs: { subject: string; seq: number }[] = [];
      for (const row of page) {
        const at = verifier.position;
        if (row.seq !== at) {
          throw new VerificationError(
            'MISSING_ENTRY',
            { seq: at },
            `Entry ${at} is missing from the database (the next stored row is seq ${row.seq}).`,
          );
        }
        const e = verifier.add(row.body, row.leaf_hash);
        if (!e) continue; // scanning for an entry found out of place: add() or finish() names it
        if (row.id !== e.id) throw columnMismatch(row.seq, 'id', row.id, e.id);
        if (row.type !== e.type) throw columnMismatch(row.seq, 'type', row.type, e.type);
        // The bytes' recorded has milliseconds (the format rules): the column must be that instant exactly.
        const recorded = String(e.recorded).replace(/Z$/, '000Z');
        if (row.recorded !== recorded) throw columnMismatch(row.seq, 'recorded', row.recorded, e.recorded);
        for (const subject of e.subjects as string[]) pairs.push({ subject, seq: row.seq });
        tree.append(row.leaf_hash, (level, idx, hash) => {
          if (isStoredLevel(level)) pending.push({ level, idx, hash });
        });
      }
      const missing = await firstMissingSubjectRow(db, pairs);
      if (missing) {
        throw new VerificationError(
          'SUBJECT_INDEX_MISMATCH',
          { seq: missing.seq },
          `Entry ${missing.seq} names ${missing.subject}, but the subject index (ledger_subject) has no row for it: the entry is hidden from ${missing.subject}'s timeline and its next event would not link it.`,
        );
      }
      subjectRows += pairs.length;
      await flushNodes();
      options.onProgress?.(verifier.position, Math.max(total, verifier.position));
    }
  } catch (err) {
    // A link still in doubt names an earlier entry than what the database's own checks found.
    throw verifier.firstFault(err);
  }
  const summary = verifier.finish();
  await checkNoExtraSubjectRows(db, summary.entries, subjectRows);
  options.onProgress?.(summary.entries, summary.entries);
  return verdictOf(summary, anchored);
}
