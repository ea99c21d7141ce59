// The ledger's entries as EPCIS events, for the query and the event index: which entries an EPC filter's events
// can be in (subjects, and entry types for what is no subject), read in seq order, each mapped by
// src/core/epcis/map.ts with the entries a correction restates, and brand-scoped as the native reads are
// (query/scope.ts): an entry the reader may not see whole gives no event, nor does a correction of one.
import { type Kysely, sql } from 'kysely';
import { toBase64, utf8Decode } from '../core/encoding.js';
import type { Envelope } from '../core/envelope.js';
import { CAPTURED_TYPE } from '../core/epcis/capture.js';
import { type EpcisNamespace, parseIdUri } from '../core/epcis/ids.js';
import { type EpcisEvent, type LedgerEntry, toEpcisEvents } from '../core/epcis/map.js';
import type { Database } from '../db/schema.js';
import { entriesVisible, type Scope } from '../query/scope.js';

/** An event's place in the log: its entry's seq and its index among that entry's events. */
export interface Position {
  seq: number;
  index: number;
}

/**
 * Where an EPC filter's events are: the ledger subjects its EPCs name (a motor, a VIN), and the types of entry
 * that may hold its other EPCs: a rack is the parent of a loading (`shipment.loaded`), any EPC not the plant's
 * may be in a partner's event kept as sent (`epcis.captured`). Each type has a small partial index.
 */
export interface Candidates {
  subjects: string[];
  types: string[];
}

export function candidatesOf(ns: EpcisNamespace, uris: readonly string[]): Candidates {
  const subjects = new Set<string>();
  const types = new Set<string>();
  for (const uri of uris) {
    const id = parseIdUri(ns, uri);
    if (id?.kind === 'motor') subjects.add(`motor:${id.parts[0]}`);
    else if (id?.kind === 'vin') subjects.add(`vehicle:${id.parts[0]}`);
    else if (id?.kind === 'rack') types.add('shipment.loaded');
    else types.add(CAPTURED_TYPE);
  }
  return { subjects: [...subjects], types: [...types] };
}

export type Row = { seq: number; leaf_hash: Uint8Array; body: Uint8Array };
export const toEntry = (r: Row): LedgerEntry => ({
  seq: Number(r.seq),
  leafHash: toBase64(r.leaf_hash),
  envelope: JSON.parse(utf8Decode(r.body)) as Envelope,
});

/**
 * Entries from seq `from` on, in seq order, `limit` of them: of the candidates' subjects and types; every entry
 * when `candidates` is null.
 */
export async function readEntries(
  db: Kysely<Database>,
  candidates: Candidates | null,
  from: number,
  limit: number,
): Promise<LedgerEntry[]> {
  if (candidates === null) {
    const { rows } = await sql<Row>`SELECT seq, leaf_hash, body FROM ledger_entry
      WHERE seq >= ${from} ORDER BY seq LIMIT ${limit}`.execute(db);
    return rows.map(toEntry);
  }
  const { subjects, types } = candidates;
  const parts = [
    ...(subjects.length > 0
      ? [
          sql`SELECT DISTINCT s.seq FROM ledger_subject s
            WHERE s.subject IN (${sql.join(subjects)}) AND s.seq >= ${from}`,
        ]
      : []),
    // The type as a literal: a parameter would keep a generic plan off the partial index.
    ...types.map(
      (type) => sql`SELECT c.seq FROM ledger_entry c WHERE c.type = ${sql.lit(type)} AND c.seq >= ${from}`,
    ),
  ];
  if (parts.length === 0) return [];
  const { rows } = await sql<Row>`SELECT e.seq, e.leaf_hash, e.body FROM ledger_entry e
    WHERE e.seq IN (${sql.join(parts, sql` UNION `)})
    ORDER BY e.seq LIMIT ${limit}`.execute(db);
  return rows.map(toEntry);
}

/** The entries a correction restates (its target and corrective entries), by id. */
async function referencedEntries(db: Kysely<Database>, entries: readonly LedgerEntry[]) {
  const wanted = entries
    .filter((x) => x.envelope.type === 'correction')
    .flatMap((x) => [x.envelope.data.targetId, ...((x.envelope.data.correctiveIds as unknown[]) ?? [])])
    .filter((id): id is string => typeof id === 'string');
  if (wanted.length === 0) return new Map<string, LedgerEntry>();
  const rows = await db
    .selectFrom('ledger_entry')
    .select(['seq', 'leaf_hash', 'body'])
    .where('id', 'in', [...new Set(wanted)])
    .execute();
  return new Map(rows.map(toEntry).map((x) => [x.envelope.id, x]));
}

/**
 * The EPCIS events of some entries the reader may see, each with its position. An entry another brand's data
 * makes invisible gives nothing; so does a correction whose target or corrective entries are invisible.
 */
export async function eventsOf(
  db: Kysely<Database>,
  scope: Scope,
  ns: EpcisNamespace,
  entries: readonly LedgerEntry[],
  timeZone: string | undefined,
): Promise<{ at: Position; event: EpcisEvent }[]> {
  const byId = await referencedEntries(db, entries);
  const related = (x: LedgerEntry) =>
    x.envelope.type === 'correction'
      ? [x.envelope.data.targetId, ...((x.envelope.data.correctiveIds as unknown[]) ?? [])].flatMap((id) => {
          const found = byId.get(String(id));
          return found ? [found] : [];
        })
      : [];
  const groups = entries.map((x) => [x, ...related(x)]);
  const visible = await entriesVisible(
    db,
    scope,
    groups.flat().map((x) => x.envelope),
  );
  let i = 0;
  const seen = groups.map((g) => g.every(() => visible[i++]));
  const options = { entryById: (id: string) => byId.get(id), ...(timeZone ? { timeZone } : {}) };
  return entries.flatMap((x, n) =>
    seen[n]
      ? toEpcisEvents(x, ns, options).map((event, index) => ({ at: { seq: x.seq, index }, event }))
      : [],
  );
}
