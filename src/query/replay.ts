// Reading state "as the ledger knew it" at a past seq: replay the entries of a few subjects up to that seq
// through the same evolve() as the write path. A motor's, vehicle's or shipment's projection depends only on
// the entries that name it, so replaying its own timeline rebuilds it exactly.
import { type Kysely, sql } from 'kysely';
import { type DomainState, emptyState, evolve } from '../core/domain/state.js';
import { toBase64, utf8Decode } from '../core/encoding.js';
import type { Envelope } from '../core/envelope.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { logSize } from '../ledger/reader.js';

export interface TimelineEntry {
  seq: number;
  leafHash: string;
  id: string;
  type: string;
  time: string;
  recorded: string;
  actor: Envelope['actor'];
  subjects: string[];
  data: Envelope['data'];
}

export interface AsOf {
  /** Include entries up to and including this seq. */
  seq?: number | undefined;
  /** …or everything recorded at or before this instant (RFC 3339). */
  time?: string | undefined;
}

/** The last seq covered by an as-of request (the whole log when neither is given). */
export async function resolveAsOf(db: Kysely<Database>, asOf: AsOf = {}): Promise<number> {
  const size = await logSize(db);
  if (asOf.seq !== undefined && asOf.time !== undefined) {
    throw new ValidationError('BAD_AS_OF', 'Give asOfSeq or asOfTime, not both.');
  }
  if (asOf.seq !== undefined) {
    if (asOf.seq >= size) {
      throw new ValidationError(
        'AS_OF_BEYOND_LOG',
        `asOfSeq ${asOf.seq} is beyond the log, which holds entries 0 to ${size - 1}.`,
      );
    }
    return asOf.seq;
  }
  if (asOf.time !== undefined) {
    const t = Date.parse(asOf.time);
    if (Number.isNaN(t))
      throw new ValidationError('BAD_AS_OF', `asOfTime "${asOf.time}" is not an RFC 3339 timestamp.`);
    const row = await db
      .selectFrom('ledger_entry')
      .select('seq')
      .where('recorded', '<=', new Date(t))
      .orderBy('recorded', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    // Nothing recorded yet at that time: an empty view (seq -1).
    return row ? Number(row.seq) : -1;
  }
  return size - 1;
}

function toEntry(r: { seq: number; leaf_hash: Uint8Array; body: Uint8Array }): TimelineEntry {
  const e = JSON.parse(utf8Decode(r.body)) as Envelope;
  return {
    seq: Number(r.seq),
    leafHash: toBase64(r.leaf_hash),
    id: e.id,
    type: e.type,
    time: e.time,
    recorded: e.recorded,
    actor: e.actor,
    subjects: e.subjects,
    data: e.data,
  };
}

/** The entries naming any of `subjects`, in log order, up to `upTo`. */
export async function entriesOf(
  db: Kysely<Database>,
  subjects: readonly string[],
  upTo: number,
): Promise<TimelineEntry[]> {
  if (subjects.length === 0) return [];
  const { rows } = await sql<{ seq: number; leaf_hash: Uint8Array; body: Uint8Array }>`
    SELECT e.seq, e.leaf_hash, e.body FROM ledger_entry e
    WHERE e.seq IN (SELECT s.seq FROM ledger_subject s WHERE s.subject = ANY(${[...subjects]}::text[]) AND s.seq <= ${upTo})
    ORDER BY e.seq
  `.execute(db);
  return rows.map(toEntry);
}

/**
 * A vehicle's entries and those of every motor that was ever in it, up to `upTo`, in one query.
 */
export async function vehicleEntries(
  db: Kysely<Database>,
  vin: string,
  upTo: number,
): Promise<TimelineEntry[]> {
  // The motors come from the subjects of the vehicle's own entries (a handful, found by index), so the query
  // never joins the subject index with itself.
  const { rows } = await sql<{ seq: number; leaf_hash: Uint8Array; body: Uint8Array }>`
    WITH v AS (
      SELECT s.seq FROM ledger_subject s WHERE s.subject = ${`vehicle:${vin}`} AND s.seq <= ${upTo}
    ), subjects AS (
      SELECT DISTINCT x.subject FROM ledger_entry e JOIN v ON v.seq = e.seq,
        jsonb_array_elements_text(convert_from(e.body, 'UTF8')::jsonb->'subjects') AS x(subject)
    )
    SELECT e.seq, e.leaf_hash, e.body FROM ledger_entry e
    WHERE e.seq IN (
      SELECT s.seq FROM ledger_subject s
      WHERE s.subject = ANY(ARRAY(SELECT subject FROM subjects)) AND s.seq <= ${upTo}
    )
    ORDER BY e.seq
  `.execute(db);
  return rows.map(toEntry);
}

/** Fold entries into a fresh state. */
export function replay(entries: readonly TimelineEntry[]): DomainState {
  const state = emptyState();
  for (const e of entries) evolve(state, e);
  return state;
}

/** The timeline of one subject as of a seq; 404 when the subject has no entry by then. */
export async function timelineOf(
  db: Kysely<Database>,
  subject: string,
  upTo: number,
): Promise<TimelineEntry[]> {
  const entries = await entriesOf(db, [subject], upTo);
  if (entries.length === 0) {
    throw new NotFoundError(
      'UNKNOWN_SUBJECT',
      `The ledger has no entry for ${subject}${upTo >= 0 ? ` up to seq ${upTo}` : ''}.`,
    );
  }
  return entries;
}
