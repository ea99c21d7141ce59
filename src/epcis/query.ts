// The read side of the EPCIS 2.0 REST binding over the ledger: the standard query parameters read from a query
// string (a bad one is a 400 naming it), the EPC filters resolved to ledger subjects so that only those
// subjects' entries are read, each entry mapped by src/core/epcis/map.ts and the events filtered, then paged by
// log position (an opaque token of the last event's seq and place in its entry). Brand scoping is the native
// reads' own (query/scope.ts): an entry the reader may not see whole gives no event, nor does a correction of one.
import { type Kysely, sql } from 'kysely';
import { toBase64, utf8Decode } from '../core/encoding.js';
import type { Envelope, JsonObject } from '../core/envelope.js';
import { CAPTURED_TYPE, captureKey, eventSubject } from '../core/epcis/capture.js';
import { cbvTerm, type EpcisNamespace, parseIdUri, plantTerm } from '../core/epcis/ids.js';
import {
  type EpcisEvent,
  epcisContext,
  LEDGER_MEMBERS,
  type LedgerEntry,
  toEpcisEvents,
} from '../core/epcis/map.js';
import { EPCIS_RULES } from '../core/epcis/rules.js';
import { ValidationError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { entriesVisible, type Scope } from '../query/scope.js';

/** perPage when the client names none (the binding's default), and the most one page may hold. */
export const PER_PAGE_DEFAULT = 30;
export const PER_PAGE_MAX = 1000;

/** A query of GET /epcis/events, parsed: each list is "one of these" (the binding's pipe-delimited values). */
export interface EpcisEventQuery {
  MATCH_epc?: string[];
  MATCH_anyEPC?: string[];
  MATCH_parentID?: string[];
  GE_eventTime?: number;
  LT_eventTime?: number;
  GE_recordTime?: number;
  LT_recordTime?: number;
  EQ_bizStep?: string[];
  EQ_disposition?: string[];
  EQ_bizLocation?: string[];
  EQ_readPoint?: string[];
  /** Only events with an errorDeclaration (true); false or absent: events with or without one. */
  EXISTS_errorDeclaration?: boolean;
  perPage: number;
  /** Where the previous page ended: events after this one. */
  after?: Position;
}

/** An event's place in the log: its entry's seq and its index among that entry's events. */
interface Position {
  seq: number;
  index: number;
}

const LISTS = [
  'MATCH_epc',
  'MATCH_anyEPC',
  'MATCH_parentID',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_bizLocation',
  'EQ_readPoint',
] as const;
const TIMES = ['GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime'] as const;
/** The query parameters GET /epcis/events understands. */
export const EPCIS_QUERY_PARAMETERS = [
  ...LISTS,
  ...TIMES,
  'EXISTS_errorDeclaration',
  'perPage',
  'nextPageToken',
] as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function refuse(parameter: string, message: string): never {
  throw new ValidationError('EPCIS_QUERY_PARAMETER', `${parameter}: ${message}`, { parameter });
}

/**
 * Read the binding's query parameters from a query string's values: lists are pipe-delimited, times RFC 3339
 * with a zone, perPage 1 to 1000; anything else, and a parameter it does not know, is refused with
 * EPCIS_QUERY_PARAMETER naming the parameter (a filter silently ignored would answer another question).
 * @example parseEpcisQuery({ MATCH_epc: motorUri(ns, '7DL-000123'), perPage: '2' }) // → { MATCH_epc: [...], perPage: 2 }
 */
export function parseEpcisQuery(raw: Readonly<Record<string, string | undefined>>): EpcisEventQuery {
  const query: EpcisEventQuery = { perPage: PER_PAGE_DEFAULT };
  const unknown = Object.keys(raw).find(
    (name) => !(EPCIS_QUERY_PARAMETERS as readonly string[]).includes(name),
  );
  if (unknown !== undefined)
    refuse(unknown, `not a parameter this server answers; it knows ${EPCIS_QUERY_PARAMETERS.join(', ')}.`);
  for (const name of LISTS) {
    const value = raw[name];
    if (value === undefined) continue;
    const items = value.split('|');
    if (items.some((v) => v === '')) refuse(name, 'give one or more values separated by "|", none empty.');
    query[name] = items;
  }
  for (const name of TIMES) {
    const value = raw[name];
    if (value === undefined) continue;
    // A '+' of a zone offset sent unencoded arrives as a space.
    const time = value.replace(' ', '+');
    const instant = Date.parse(time);
    if (!RFC3339.test(time) || Number.isNaN(instant))
      refuse(name, `"${value}" is not an RFC 3339 date-time with a zone, e.g. 2026-11-23T06:00:00Z.`);
    query[name] = instant;
  }
  const exists = raw.EXISTS_errorDeclaration;
  if (exists !== undefined) {
    // The binding's boolean; a bare `EXISTS_errorDeclaration` (empty value) means true, as in the XML binding.
    if (!['', 'true', 'false'].includes(exists))
      refuse('EXISTS_errorDeclaration', 'give true or false (or the bare parameter, for true).');
    query.EXISTS_errorDeclaration = exists !== 'false';
  }
  if (raw.perPage !== undefined) {
    const n = /^\d{1,4}$/.test(raw.perPage) ? Number(raw.perPage) : 0;
    if (n < 1 || n > PER_PAGE_MAX) refuse('perPage', `give an integer from 1 to ${PER_PAGE_MAX}.`);
    query.perPage = n;
  }
  if (raw.nextPageToken !== undefined) query.after = readToken(raw.nextPageToken);
  return query;
}

/**
 * The opaque nextPageToken of a position in the log (base64url of "seq.index").
 * @example pageToken({ seq: 41, index: 0 }) // → 'NDEuMA'
 */
function pageToken(p: Position): string {
  return btoa(`${p.seq}.${p.index}`).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
}

function readToken(token: string): Position {
  let text = '';
  try {
    text = /^[A-Za-z0-9_-]{1,32}$/.test(token) ? atob(token.replaceAll('-', '+').replaceAll('_', '/')) : '';
  } catch {
    text = '';
  }
  const m = /^(\d{1,15})\.(\d{1,6})$/.exec(text);
  if (!m) refuse('nextPageToken', 'not a token this server gave: use the Link of the previous page.');
  return { seq: Number(m[1]), index: Number(m[2]) };
}

/**
 * Where an EPC filter's events are: the ledger subjects its EPCs name (a motor, a VIN), and the types of entry
 * that may hold its other EPCs: a rack is the parent of a loading (`shipment.loaded`), any EPC not the plant's
 * may be in a partner's event kept as sent (`epcis.captured`). Each type has a small partial index.
 */
interface Candidates {
  subjects: string[];
  types: string[];
}

function candidatesOf(ns: EpcisNamespace, uris: readonly string[]): Candidates {
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

const ids = (event: EpcisEvent, member: string): string[] => {
  const v = event[member];
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
};
const placeOf = (event: EpcisEvent, member: string): string | undefined => {
  const v = event[member] as { id?: unknown } | undefined;
  return typeof v?.id === 'string' ? v.id : undefined;
};

/** An event's term in one form whatever form it was sent in (a partner may write CBV's URN or web URI). */
const termOf = (ns: EpcisNamespace, value: unknown): string | undefined =>
  typeof value === 'string' ? cbvTerm(ns, value) : undefined;

/** Does the event pass every filter of the query other than paging? */
function matches(event: EpcisEvent, q: EpcisEventQuery, ns: EpcisNamespace): boolean {
  const any = (values: readonly string[] | undefined, have: readonly (string | undefined)[]) =>
    values === undefined || values.some((v) => have.includes(v));
  const epcs = [...ids(event, 'epcList'), ...ids(event, 'childEPCs')];
  const time = (member: string) => Date.parse(String(event[member]));
  return (
    any(q.MATCH_epc, epcs) &&
    any(q.MATCH_parentID, ids(event, 'parentID')) &&
    any(q.MATCH_anyEPC, [...epcs, ...ids(event, 'parentID')]) &&
    any(
      q.EQ_bizStep?.map((v) => cbvTerm(ns, v)),
      [termOf(ns, event.bizStep)],
    ) &&
    any(
      q.EQ_disposition?.map((v) => cbvTerm(ns, v)),
      [termOf(ns, event.disposition)],
    ) &&
    any(q.EQ_bizLocation, [placeOf(event, 'bizLocation')]) &&
    any(q.EQ_readPoint, [placeOf(event, 'readPoint')]) &&
    (!q.EXISTS_errorDeclaration || event.errorDeclaration !== undefined) &&
    (q.GE_eventTime === undefined || time('eventTime') >= q.GE_eventTime) &&
    (q.LT_eventTime === undefined || time('eventTime') < q.LT_eventTime) &&
    (q.GE_recordTime === undefined || time('recordTime') >= q.GE_recordTime) &&
    (q.LT_recordTime === undefined || time('recordTime') < q.LT_recordTime)
  );
}

type Row = { seq: number; leaf_hash: Uint8Array; body: Uint8Array };
const toEntry = (r: Row): LedgerEntry => ({
  seq: Number(r.seq),
  leafHash: toBase64(r.leaf_hash),
  envelope: JSON.parse(utf8Decode(r.body)) as Envelope,
});

/**
 * Entries from seq `from` on, in seq order, `limit` of them: of the candidates' subjects and types; every entry
 * when `candidates` is null.
 */
async function readEntries(
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
async function eventsOf(
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

/** A page of events, and the token of the next page when there is one. */
export interface EpcisEventPage {
  events: EpcisEvent[];
  nextPageToken?: string;
}

const BATCH = 500;

/**
 * Answer GET /epcis/events: the events of the query's subjects (the whole log without an EPC filter) that pass
 * its filters, in log order, one page of at most perPage.
 * @example const page = await queryEpcisEvents(db, scopeOf(principal), ns, parseEpcisQuery(req.query));
 */
export async function queryEpcisEvents(
  db: Kysely<Database>,
  scope: Scope,
  ns: EpcisNamespace,
  q: EpcisEventQuery,
  options: { timeZone?: string } = {},
): Promise<EpcisEventPage> {
  const epcFilters = [q.MATCH_epc, q.MATCH_anyEPC, q.MATCH_parentID].filter((f) => f !== undefined);
  // Every EPC filter must hold: the first one's candidates are enough.
  const candidates = epcFilters.length > 0 ? candidatesOf(ns, epcFilters[0]!) : null;
  const found: EpcisEvent[] = [];
  let last: Position | undefined;
  let from = q.after?.seq ?? 0;
  for (;;) {
    const entries = await readEntries(db, candidates, from, BATCH);
    for (const { at, event } of await eventsOf(db, scope, ns, entries, options.timeZone)) {
      if (q.after && (at.seq < q.after.seq || (at.seq === q.after.seq && at.index <= q.after.index)))
        continue;
      if (!matches(event, q, ns)) continue;
      if (found.length === q.perPage) return { events: found, nextPageToken: pageToken(last!) };
      found.push(event);
      last = at;
    }
    if (entries.length < BATCH) return { events: found };
    from = entries[entries.length - 1]!.seq + 1;
  }
}

const EVENT_HASH = /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/;

/**
 * What capture wrote under an eventID: a partner's event kept as sent (found by its `epcis:` subject when the id
 * is its hash, or by the eventID it was sent with), and the ledger's own reading of a partner's arrival (whose
 * entry id is the capture key of the hash).
 */
async function capturedUnder(db: Kysely<Database>, eventId: string): Promise<LedgerEntry[]> {
  if (EVENT_HASH.test(eventId)) {
    const { rows } = await sql<Row>`SELECT seq, leaf_hash, body FROM ledger_entry
      WHERE seq IN (SELECT seq FROM ledger_subject WHERE subject = ${eventSubject(eventId)})
        OR id IN (${captureKey(eventId, false)}::uuid, ${captureKey(eventId, true)}::uuid)
      ORDER BY seq`.execute(db);
    return rows.map(toEntry);
  }
  const { rows } = await sql<Row>`SELECT seq, leaf_hash, body FROM ledger_entry
    WHERE type = ${sql.lit(CAPTURED_TYPE)} ORDER BY seq`.execute(db);
  return rows
    .map(toEntry)
    .filter((x) => (x.envelope.data.event as { eventID?: unknown } | undefined)?.eventID === eventId);
}

/**
 * Answer GET /epcis/events/{eventID}: every event the reader may see with that eventID (the event, and its
 * restatements with an errorDeclaration), in log order; empty when there is none. What capture wrote is found by
 * index; the ledger's own events' ids are hashes of their mapping, not stored: the log is read through.
 * @example const events = await findEpcisEvent(db, scope, ns, 'ni:///sha-256;…?ver=CBV2.0');
 */
export async function findEpcisEvent(
  db: Kysely<Database>,
  scope: Scope,
  ns: EpcisNamespace,
  eventId: string,
  options: { timeZone?: string } = {},
): Promise<EpcisEvent[]> {
  const captured = await capturedUnder(db, eventId);
  if (captured.length > 0)
    return (await eventsOf(db, scope, ns, captured, options.timeZone)).map(({ event }) => event);
  if (!EVENT_HASH.test(eventId)) return [];
  const found: EpcisEvent[] = [];
  for (let from = 0; ; ) {
    const entries = await readEntries(db, null, from, BATCH);
    for (const { event } of await eventsOf(db, scope, ns, entries, options.timeZone))
      if (event.eventID === eventId) found.push(event);
    if (entries.length < BATCH) return found;
    from = entries[entries.length - 1]!.seq + 1;
  }
}

/**
 * Wrap a query's events in an EPCISQueryDocument (the binding's answer to GET /epcis/events).
 * @example toEpcisQueryDocument(page.events, ns) // → { type: 'EPCISQueryDocument', epcisBody: { queryResults: … } }
 */
export function toEpcisQueryDocument(
  events: EpcisEvent[],
  ns: EpcisNamespace,
  options: { creationDate?: string } = {},
): JsonObject {
  return {
    '@context': epcisContext(ns),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: options.creationDate ?? new Date().toISOString(),
    'ml:ignoreFields': [...LEDGER_MEMBERS],
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  };
}

/** The five event types of EPCIS 2.0: capture accepts them all, the ledger's own events use three of them. */
export const EPCIS_EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
] as const;

/**
 * The business steps and dispositions this ledger writes (EPCIS_RULES read forwards, persistent dispositions
 * included): CBV's own as bare words, the plant's as full URIs of its vocabulary; each once, sorted.
 * @example epcisVocabulary(ns).bizSteps // → ['arriving', …, 'https://id.cleon-dieppe.example/voc/bizstep/releasing', …]
 */
export function epcisVocabulary(ns: EpcisNamespace): { bizSteps: string[]; dispositions: string[] } {
  const rules = Object.values(EPCIS_RULES);
  const terms = (list: (string | undefined)[]) =>
    [...new Set(list.filter((t): t is string => t !== undefined).map((t) => plantTerm(ns, t)))].sort();
  return {
    bizSteps: terms(rules.map((r) => r.bizStep)),
    dispositions: terms(
      rules.flatMap((r) => [
        r.disposition,
        ...Object.values(r.dispositionBy?.values ?? {}),
        ...(r.persistentDisposition?.set ?? []),
        ...(r.persistentDisposition?.unset ?? []),
      ]),
    ),
  };
}

/**
 * The binding's answer to a top-level listing (GET /epcis/bizSteps, /dispositions, /eventTypes): a Collection.
 * @example toEpcisCollection(['ObjectEvent'], ns) // → { '@context': [...], type: 'Collection', member: ['ObjectEvent'] }
 */
export function toEpcisCollection(member: readonly string[], ns: EpcisNamespace): JsonObject {
  return { '@context': epcisContext(ns), type: 'Collection', member: [...member] };
}
