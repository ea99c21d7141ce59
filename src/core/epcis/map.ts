// The ledger's events in EPCIS 2.0 (GS1 EPCIS/CBV 2.0, JSON-LD): one rule per ledger event type (the EPCIS event
// type, action, business step and disposition it becomes: data, so that capture can read the same table
// backwards), the builders that put each datum where the standard expects it, and the document wrapper. Every
// event carries its ledger seq and leaf hash (`ml:seq`, `ml:leafHash`) so a partner can ask for its inclusion
// proof. Pure and portable. docs/epcis.md is this table in words.
import type { Envelope, JsonObject, JsonValue } from '../envelope.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { capturedEvent } from './capture.js';
import { eventHashId } from './event-hash.js';
import {
  dockUri,
  type EpcisNamespace,
  idUri,
  motorUri,
  owningPartyUri,
  plantTerm,
  rackUri,
  siteUri,
  stationUri,
  truckUri,
  vinUri,
} from './ids.js';
import {
  EPCIS_CONTEXT_URL,
  EPCIS_RULES,
  type EpcisEvent,
  type EpcisRule,
  type LedgerEntry,
  MEASUREMENT_UNITS,
} from './rules.js';

export interface EpcisMapOptions {
  /** IANA time zone of the plant, for eventTimeZoneOffset (eventTime stays in UTC): default 'UTC'. */
  timeZone?: string;
  /** Entries by id: a correction needs its target (and its corrective entries, for their eventIDs). */
  entryById?: (id: string) => LedgerEntry | undefined;
  /**
   * The eventID of an event: by default its CBV 2.0 event hash (`ni:///sha-256;…?ver=CBV2.0`) under the
   * document's context; `false` for none.
   */
  eventId?: ((event: EpcisEvent) => string) | false;
}

type Members = Record<string, JsonValue | undefined>;
/**
 * What a builder says of one EPCIS event: the ids it is about (serials, or a VIN) and its parent's (a rack, a VIN),
 * made URIs of the kinds its rule names; where it happened; and the rest (lists, ILMD, extension members).
 */
interface Part {
  epcs: string[];
  parent?: string;
  where?: Members;
  more?: Members;
}

const str = (d: JsonObject, k: string): string => {
  const v = d[k];
  return typeof v === 'string' ? v : String(v ?? '');
};
const strs = (d: JsonObject, k: string): string[] => {
  const v = d[k];
  return Array.isArray(v) ? v.map(String) : [];
};
/** The ids of the subjects of one kind ('motor:7DL-1' → '7DL-1'). */
const subjectsOf = (e: Envelope, kind: string): string[] =>
  e.subjects.filter((s) => s.startsWith(`${kind}:`)).map((s) => s.slice(kind.length + 1));
/** Ledger data members as extension members ('ml:reason'), those present only. */
const ext = (d: JsonObject, ...keys: string[]): Members =>
  Object.fromEntries(keys.filter((k) => d[k] !== undefined).map((k) => [`ml:${k}`, d[k]]));

/** readPoint (where it was seen) and bizLocation (where it is now); in transit, no bizLocation (CBV). */
function place(ns: EpcisNamespace, site: string, readPoint?: string, inTransit = false): Members {
  return {
    readPoint: { id: readPoint ?? siteUri(ns, site) },
    bizLocation: inTransit ? undefined : { id: siteUri(ns, site) },
  };
}

/** sourceList / destinationList: the sites as locations, and their owning parties where configured. */
function route(ns: EpcisNamespace, from?: string, to?: string): Members {
  const ends = (site: string | undefined, member: 'source' | 'destination') => {
    if (!site) return undefined;
    const owner = owningPartyUri(ns, site);
    return [
      ...(owner ? [{ type: 'owning_party', [member]: owner }] : []),
      { type: 'location', [member]: siteUri(ns, site) },
    ];
  };
  return { sourceList: ends(from, 'source'), destinationList: ends(to, 'destination') };
}

/** The EOL bench's readings as one sensor element (sensorReport needs at least one: none, none). */
function sensorElements(ns: EpcisNamespace, e: Envelope, bench: string): Members {
  const d = e.data;
  const measurements = Object.entries((d.measurements ?? {}) as JsonObject);
  if (measurements.length === 0) return ext(d, 'specVersion');
  const sensorMetadata = {
    time: e.time,
    deviceID: bench,
    bizRules: idUri(ns, 'spec', str(d, 'specVersion')),
  };
  return {
    sensorElementList: [
      { sensorMetadata, sensorReport: measurements.map(([n, v]) => sensorReport(ns, n, v)) },
    ],
  };
}

function sensorReport(ns: EpcisNamespace, name: string, value: JsonValue): JsonObject {
  const unit = MEASUREMENT_UNITS.find(
    (u) =>
      name.length > u.suffix.length &&
      name.endsWith(u.suffix) &&
      /[a-z0-9]/.test(name[name.length - u.suffix.length - 1]!),
  );
  const reading: JsonObject =
    typeof value === 'number'
      ? { value }
      : typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { booleanValue: value }
          : { 'ml:value': value };
  return {
    type: unit ? unit.type : `${ns.vocab}measurement/${encodeURIComponent(name)}`,
    ...reading,
    ...(unit ? { uom: unit.uom } : {}),
    'ml:measurement': name,
  };
}

const intake = (e: Envelope, ns: EpcisNamespace): Part[] => [
  {
    epcs: [str(e.data, 'serial')],
    where: place(ns, str(e.data, 'site'), dockUri(ns, str(e.data, 'site'), str(e.data, 'dock'))),
    more: ext(e.data, 'shipmentId', 'scanner', 'code', 'reason'),
  },
];
const hold = (e: Envelope): Part[] => [
  { epcs: strs(e.data, 'serials'), more: ext(e.data, 'holdId', 'reason', 'incidentId') },
];

/** The builders: where each datum of a ledger event goes in its EPCIS event(s). */
const BUILDERS: Readonly<Record<string, (e: Envelope, ns: EpcisNamespace) => Part[]>> = {
  'motor.produced': (e, ns) => {
    const d = e.data;
    const lots = Object.entries((d.lots ?? {}) as JsonObject).map(([part, lot]) => [`ml:${part}`, lot]);
    const workOrder = d.workOrder ? idUri(ns, 'workOrder', str(d, 'workOrder')) : undefined;
    return [
      {
        epcs: [str(d, 'serial')],
        where: place(ns, str(d, 'site'), stationUri(ns, str(d, 'site'), str(d, 'station'))),
        more: {
          bizTransactionList: workOrder && [{ type: 'prodorder', bizTransaction: workOrder }],
          ilmd: { ...ext(d, 'motorType', 'line', 'station', 'shift'), 'ml:lots': Object.fromEntries(lots) },
        },
      },
    ];
  },
  'motor.tested': (e, ns) => {
    const bench = idUri(ns, 'bench', str(e.data, 'site'), str(e.data, 'bench'));
    return [
      {
        epcs: [str(e.data, 'serial')],
        where: place(ns, str(e.data, 'site'), bench),
        more: sensorElements(ns, e, bench),
      },
    ];
  },
  'shipment.loaded': (e, ns) => {
    const d = e.data;
    const racks = (Array.isArray(d.racks) ? d.racks : []) as JsonObject[];
    const documents = [
      { type: 'desadv', bizTransaction: idUri(ns, 'asn', str(d, 'asn')) },
      ...(d.bol ? [{ type: 'bol', bizTransaction: idUri(ns, 'bol', str(d, 'bol')) }] : []),
    ];
    const more = {
      bizTransactionList: documents,
      ...route(ns, str(d, 'from'), str(d, 'to')),
      ...ext(d, 'shipmentId'),
    };
    return racks.map((r) => ({
      epcs: strs(r, 'serials'),
      parent: str(r, 'rack'),
      where: place(ns, str(d, 'from')),
      more,
    }));
  },
  'shipment.departed': (e, ns) => {
    const d = e.data;
    const truck = { 'ml:truck': truckUri(ns, str(d, 'truck')) };
    return [
      {
        epcs: subjectsOf(e, 'motor'),
        where: place(ns, str(d, 'from'), undefined, true),
        more: {
          ...route(ns, str(d, 'from'), str(d, 'to')),
          ...ext(d, 'shipmentId', 'carrier'),
          ...truck,
          ...ext(d, 'seal'),
        },
      },
    ];
  },
  'shipment.arrived': (e, ns) => {
    const site = str(e.data, 'site');
    return [
      {
        epcs: subjectsOf(e, 'motor'),
        where: place(ns, site, dockUri(ns, site, str(e.data, 'dock')), true),
        more: { ...route(ns, undefined, site), ...ext(e.data, 'shipmentId') },
      },
    ];
  },
  'motor.received': intake,
  'intake.rejected': intake,
  'motor.installed': (e, ns) => [
    {
      epcs: [str(e.data, 'serial')],
      parent: str(e.data, 'vin'),
      where: place(ns, e.actor.site, stationUri(ns, e.actor.site, str(e.data, 'station'))),
      more: ext(e.data, 'model', 'slot'),
    },
  ],
  'motor.removed': (e, ns) => [
    {
      epcs: [str(e.data, 'serial')],
      parent: str(e.data, 'vin'),
      where: place(ns, e.actor.site),
      more: ext(e.data, 'slot', 'reason'),
    },
  ],
  'motor.held': hold,
  'motor.released': hold,
  'vehicle.shipped': (e, ns) => [
    { epcs: [str(e.data, 'vin')], where: place(ns, e.actor.site, undefined, true) },
  ],
};

const URI_OF = { motor: motorUri, vin: vinUri, rack: rackUri } as const;

/** epcList, or parentID and childEPCs: the part's ids as URIs of the kinds its rule names. */
function subjectMembers(rule: EpcisRule, part: Part, ns: EpcisNamespace): Members {
  const epcs = part.epcs.map((id) => URI_OF[rule.epcs ?? 'motor'](ns, id));
  if (!rule.parent) return { epcList: epcs };
  return { parentID: URI_OF[rule.parent](ns, part.parent ?? ''), childEPCs: epcs };
}

/** Drop the members that are absent or empty lists (EPCIS omits what it does not know). */
function compact(members: Members): JsonObject {
  return Object.fromEntries(
    Object.entries(members).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  ) as JsonObject;
}

function termsOf(rule: EpcisRule, data: JsonObject, ns: EpcisNamespace): Members {
  const disposition = rule.dispositionBy
    ? rule.dispositionBy.values[str(data, rule.dispositionBy.member)]
    : rule.disposition;
  const pd = rule.persistentDisposition;
  return {
    action: rule.action,
    bizStep: rule.bizStep && plantTerm(ns, rule.bizStep),
    disposition: disposition && plantTerm(ns, disposition),
    persistentDisposition:
      pd &&
      compact({ set: pd.set?.map((t) => plantTerm(ns, t)), unset: pd.unset?.map((t) => plantTerm(ns, t)) }),
  };
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The UTC offset of a time zone at an instant, as EPCIS writes it ('+01:00').
 * @example timeZoneOffset('2026-11-23T06:15:00Z', 'Europe/Paris') // → '+01:00'
 */
export function timeZoneOffset(time: string, timeZone = 'UTC'): string {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(new Date(time)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.slice(3).replace('\u2212', '-');
}

/**
 * The EPCIS 2.0 event(s) of one ledger entry: eventTime = the business time, recordTime = when the ledger recorded
 * it, and the entry's `ml:seq` and `ml:leafHash`. An incident gives none; an unknown type is refused.
 * @example toEpcisEvents({ seq, leafHash, envelope }, ns, { timeZone: 'Europe/Paris' }) // → [{ type: 'ObjectEvent', … }]
 */
export function toEpcisEvents(
  entry: LedgerEntry,
  ns: EpcisNamespace,
  options: EpcisMapOptions = {},
): EpcisEvent[] {
  const e = entry.envelope;
  const rule = EPCIS_RULES[e.type];
  const build = BUILDERS[e.type];
  if (!rule) {
    throw new ValidationError(
      'EPCIS_UNMAPPED_TYPE',
      `Ledger event type ${e.type} has no EPCIS mapping yet.`,
      {
        seq: entry.seq,
      },
    );
  }
  const ledger = { 'ml:seq': entry.seq, 'ml:leafHash': entry.leafHash };
  if (rule.eventType === 'restated') return restate(entry, ns, options);
  // A partner's event as sent, with who sent it (the token's subject) beside the ledger's place for it.
  if (rule.eventType === 'captured')
    return [{ ...capturedEvent(e.data, e.recorded), 'ml:capturedBy': e.actor.sub, ...ledger }];
  if (rule.eventType === null || !build) return [];
  const head = {
    type: rule.eventType,
    eventTime: e.time,
    eventTimeZoneOffset: timeZoneOffset(e.time, options.timeZone),
    recordTime: e.recorded,
  };
  return build(e, ns).map((part) =>
    withEventId(
      compact({
        ...head,
        ...subjectMembers(rule, part, ns),
        ...termsOf(rule, e.data, ns),
        ...part.where,
        ...part.more,
        ...ledger,
      }),
      ns,
      options,
    ),
  );
}

/** The eventID maker of these options: the CBV 2.0 event hash unless told otherwise. */
function eventIdOf(
  ns: EpcisNamespace,
  options: EpcisMapOptions,
): ((event: EpcisEvent) => string) | undefined {
  if (options.eventId === false) return undefined;
  return options.eventId ?? ((event) => eventHashId(event, epcisContext(ns), { ignore: LEDGER_MEMBERS }));
}

/**
 * The members the ledger adds to every event it gives (its place in the log), which are not part of the event:
 * left out of its event hash, and named so in every document (`ml:ignoreFields`, the hash generator's way), so
 * that a partner computes the same eventID.
 */
export const LEDGER_MEMBERS = ['ml:seq', 'ml:leafHash', 'ml:targetSeq', 'ml:capturedBy'] as const;

function withEventId(event: EpcisEvent, ns: EpcisNamespace, options: EpcisMapOptions): EpcisEvent {
  const eventId = eventIdOf(ns, options);
  if (!eventId) return event;
  const { type, eventTime, eventTimeZoneOffset, recordTime, ...rest } = event;
  return {
    type,
    eventTime,
    eventTimeZoneOffset,
    recordTime,
    eventID: eventId(event),
    ...rest,
  } as EpcisEvent;
}

// The error declaration restates each event of the target entry (same eventID: CBV's event hash leaves the
// declaration out), recorded when the correction was, and proved by the correction's own seq and leaf hash.
function restate(entry: LedgerEntry, ns: EpcisNamespace, options: EpcisMapOptions): EpcisEvent[] {
  const d = entry.envelope.data;
  const find = (id: string): LedgerEntry => {
    const found = options.entryById?.(id);
    if (!found) {
      throw new NotFoundError(
        'EPCIS_ENTRY_NEEDED',
        `The correction at seq ${entry.seq} refers to entry ${id}: give it in options.entryById to map the correction.`,
        { seq: entry.seq, id },
      );
    }
    return found;
  };
  const target = find(str(d, 'targetId'));
  if (target.envelope.type === 'correction') return []; // EPCIS has no declaration of a declaration
  const correctiveIds = strs(d, 'correctiveIds');
  const correctiveEventIDs = eventIdOf(ns, options)
    ? correctiveIds.flatMap((id) => toEpcisEvents(find(id), ns, options).map((ev) => String(ev.eventID)))
    : [];
  const errorDeclaration = compact({
    declarationTime: entry.envelope.time,
    reason: correctiveIds.length > 0 ? 'incorrect_data' : 'did_not_occur',
    correctiveEventIDs,
    ...ext(d, 'reason', 'correctiveIds'),
  });
  return toEpcisEvents(target, ns, options).map((original) => ({
    ...original,
    recordTime: entry.envelope.recorded,
    errorDeclaration,
    'ml:seq': entry.seq,
    'ml:leafHash': entry.leafHash,
    'ml:targetSeq': target.seq,
  }));
}

/**
 * The JSON-LD context of the project's documents: GS1's, and `ml` for the plant's extension members and terms.
 * @example epcisContext(ns) // → ['https://ref.gs1.org/…/epcis-context.jsonld', { ml: 'https://id.cleon-dieppe.example/voc/' }]
 */
export function epcisContext(ns: EpcisNamespace): JsonValue[] {
  return [EPCIS_CONTEXT_URL, { ml: ns.vocab }];
}

/**
 * Wrap events in an EPCISDocument (schema version 2.0).
 * @example toEpcisDocument(entries.flatMap((x) => toEpcisEvents(x, ns)), ns, { creationDate: new Date().toISOString() })
 */
export function toEpcisDocument(
  events: EpcisEvent[],
  ns: EpcisNamespace,
  options: { creationDate?: string } = {},
): JsonObject {
  return { ...documentHead('EPCISDocument', ns, options), epcisBody: { eventList: events } };
}

/**
 * What every document the ledger writes starts with: the contexts, its type, schema version 2.0, when it was
 * made, and the ledger's own members named as left out of the event hash.
 * @example { ...documentHead('EPCISQueryDocument', ns), epcisBody: { queryResults } }
 */
export function documentHead(
  type: 'EPCISDocument' | 'EPCISQueryDocument',
  ns: EpcisNamespace,
  options: { creationDate?: string } = {},
): JsonObject {
  return {
    '@context': epcisContext(ns),
    type,
    schemaVersion: '2.0',
    creationDate: options.creationDate ?? new Date().toISOString(),
    'ml:ignoreFields': [...LEDGER_MEMBERS],
  };
}

export type { EpcisEvent, LedgerEntry } from './rules.js';
export { EPCIS_CONTEXT_URL, EPCIS_RULES, ledgerTypesOf } from './rules.js';
