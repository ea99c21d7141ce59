// The read side of the EPCIS 2.0 REST binding over the ledger: the standard query parameters read from a query
// string (a bad one is a 400 naming it), the EPC filters resolved to the entries their events can be in
// (read.ts), the mapped events filtered, then paged by log position (an opaque token of the last event's seq
// and place in its entry). Brand scoping is the native reads' own, applied in read.ts.
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/envelope.js';
import { cbvTerm, type EpcisNamespace, plantTerm } from '../core/epcis/ids.js';
import { documentHead, type EpcisEvent, epcisContext } from '../core/epcis/map.js';
import { EPCIS_RULES } from '../core/epcis/rules.js';
import { ValidationError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import type { Scope } from '../query/scope.js';
import { candidatesOf, eventsOf, type Position, readEntries } from './read.js';

/** perPage when the client names none (the binding's default), and the most one page may hold. */
export const PER_PAGE_DEFAULT = 30;
export const PER_PAGE_MAX = 1000;

/** A query of GET /epcis/events, parsed: each list is "one of these" (the binding's pipe-delimited values). */
export interface EpcisEventQuery {
  MATCH_epc?: string[];
  MATCH_anyEPC?: string[];
  MATCH_parentID?: string[];
  eventType?: string[];
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

const LISTS = [
  'eventType',
  'MATCH_epc',
  'MATCH_anyEPC',
  'MATCH_parentID',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_bizLocation',
  'EQ_readPoint',
] as const;
/** The parameters whose value is a list of values, any of which may match. */
export type EpcisListParameter = (typeof LISTS)[number];
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
    any(q.eventType, [event.type as string | undefined]) &&
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
    ...documentHead('EPCISQueryDocument', ns, options),
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
