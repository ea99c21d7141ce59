// What a partner's EPCIS event means to the ledger (the capture direction): a carrier's arrival of the plant's
// motors at a dock of the plant becomes the domain's own arrival, decided by the same rules as the native API;
// another step the plant records itself about its motors or vehicles (commissioning, loading, installing, …) is
// refused, since only the plant's API may say it; anything else (a supplier's lot commissioning, a sensor
// report, an event about the plant's motors in words the ledger has no rule for) is kept as sent in an
// `epcis.captured` entry. An event is known by its CBV 2.0 event hash: the same event captured twice is the
// same idempotency key, written once. Pure and portable.
import { toHex, utf8Encode } from '../encoding.js';
import type { JsonObject, JsonValue } from '../envelope.js';
import { sha256 } from '../hash.js';
import { cbvTermUri, type EpcisContext } from './event-hash.js';
import { type EpcisNamespace, parseDockUri, parseIdUri, plantTerm } from './ids.js';
import { EPCIS_CONTEXT_URL, EPCIS_RULES, type EpcisEvent } from './rules.js';

/** The ledger event type of an event kept as sent. */
export const CAPTURED_TYPE = 'epcis.captured';

/** The data of an `epcis.captured` entry. */
export interface CapturedData {
  /** The CBV 2.0 event hash of the event, under the context it was sent with. */
  eventHash: string;
  /** The event, member for member as it was sent. */
  event: JsonObject;
  /** The sending document's own context entries (its prefixes), when it had any besides GS1's. */
  context?: JsonValue[];
}

/** What to do with one captured event. */
export type CaptureReading =
  /** The carrier's arrival of motors at a dock of the plant: the domain's arrival of their shipment. */
  | { kind: 'arrival'; serials: string[]; site: string; dock: string; shipmentId?: string }
  /** Keep it as sent, about these ledger subjects (besides its own `epcis:` subject). */
  | { kind: 'record'; subjects: string[] }
  | { kind: 'refuse'; code: string; message: string };

const ID_MEMBERS = ['epcList', 'childEPCs', 'parentID', 'inputEPCList', 'outputEPCList'] as const;

/** Every identifier an event names, in the members where EPCIS puts things (lists and parentID). */
function namedIds(event: EpcisEvent): string[] {
  return ID_MEMBERS.flatMap((member) => {
    const v = event[member];
    return Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : typeof v === 'string'
        ? [v]
        : [];
  });
}

const CBV = 'https://ref.gs1.org/cbv/';
/** A term of the rules ('arriving', 'ml:bizstep/releasing') as a full URI, the form the hash compares. */
const termUri = (ns: EpcisNamespace, term: string, kind: 'BizStep-' | 'Disp-') =>
  term.startsWith('ml:') ? plantTerm(ns, term) : `${CBV}${kind}${term}`;

/** The business steps the ledger writes itself about its motors and vehicles (EPCIS_RULES read forwards). */
function plantSteps(ns: EpcisNamespace): Set<string> {
  return new Set(
    Object.values(EPCIS_RULES).flatMap((r) => (r.bizStep ? [termUri(ns, r.bizStep, 'BizStep-')] : [])),
  );
}

/** The plant's own dispositions (quarantined, on hold): only the plant puts its motors in them. */
function plantDispositions(ns: EpcisNamespace): Set<string> {
  return new Set(
    Object.values(EPCIS_RULES)
      .flatMap((r) => [
        r.disposition,
        ...Object.values(r.dispositionBy?.values ?? {}),
        ...(r.persistentDisposition?.set ?? []),
        ...(r.persistentDisposition?.unset ?? []),
      ])
      .filter((t): t is string => t?.startsWith('ml:') === true)
      .map((t) => plantTerm(ns, t)),
  );
}

/** An id that can be a ledger subject's (src/core/envelope.ts): anything else names no motor or vehicle there is. */
const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,127}$/;

/** The most plant motors and vehicles one captured event may name (each is a subject of its entry). */
export const MAX_PLANT_IDS = 500;

/**
 * Read one captured event, under its document's context: the ledger subjects it names (the plant's motors and
 * VINs), and whether it is the domain's arrival, a step only the plant records (refused), or an event to keep
 * as sent. Steps and dispositions are compared as the hash reads them (a `cbv:` CURIE, a URN or a bare word
 * alike).
 * @example readCapturedEvent({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'arriving', epcList: [motorUri(ns, '7DL-1')], readPoint: { id: dockUri(ns, 'DIEPPE', 'D3') }, … }, ns)
 * // → { kind: 'arrival', serials: ['7DL-1'], site: 'DIEPPE', dock: 'D3' }
 */
export function readCapturedEvent(
  event: EpcisEvent,
  ns: EpcisNamespace,
  context?: EpcisContext,
): CaptureReading {
  const motors = new Set<string>();
  const vins = new Set<string>();
  for (const uri of namedIds(event)) {
    const id = parseIdUri(ns, uri);
    if (!id || !SUBJECT_ID.test(id.parts[0] ?? '')) continue;
    if (id.kind === 'motor') motors.add(id.parts[0]!);
    if (id.kind === 'vin') vins.add(id.parts[0]!);
  }
  const subjects = [...[...motors].map((s) => `motor:${s}`), ...[...vins].map((v) => `vehicle:${v}`)];
  if (subjects.length > MAX_PLANT_IDS) {
    return refuse(
      'EPCIS_TOO_MANY_IDS',
      `The event names ${subjects.length} of the plant's motors and vehicles; send at most ${MAX_PLANT_IDS} per event.`,
    );
  }
  if (subjects.length === 0) return { kind: 'record', subjects };
  const stepUri =
    event.bizStep === undefined ? undefined : cbvTermUri(event.bizStep, 'bizStep', event, context);
  const step = stepUri?.startsWith(`${CBV}BizStep-`) ? stepUri.slice(`${CBV}BizStep-`.length) : stepUri;
  const own = [...motors].slice(0, 3).join(', ');
  const plantDisposition =
    (event.disposition !== undefined &&
      plantDispositions(ns).has(cbvTermUri(event.disposition, 'disposition', event, context))) ||
    event.persistentDisposition !== undefined;
  if (plantDisposition) {
    return refuse(
      'EPCIS_PLANT_STEP',
      `Putting the plant's ${what([...motors], [...vins])} on hold, in quarantine or in a persistent disposition is recorded by the plant itself (its quality team); a partner may not set it.`,
    );
  }
  if (stepUri === undefined || !plantSteps(ns).has(stepUri)) return { kind: 'record', subjects };
  if (event.errorDeclaration !== undefined) {
    return refuse(
      'EPCIS_PLANT_STEP',
      `An error declaration of "${step}" about the plant's ${what([...motors], [...vins])} is the plant's own correction: ask its quality team to correct the entry.`,
    );
  }
  if (step !== 'arriving' || event.type !== 'ObjectEvent' || vins.size > 0) {
    return refuse(
      'EPCIS_PLANT_STEP',
      `"${step}" of the plant's ${what([...motors], [...vins])} is recorded by the plant itself, through its own API; a partner may send the arrival ("arriving") of motors at a dock of the plant.`,
    );
  }
  const readPoint = (event.readPoint as { id?: unknown } | undefined)?.id;
  const dock = typeof readPoint === 'string' ? parseDockUri(ns, readPoint) : null;
  if (!dock) {
    return refuse(
      'EPCIS_ARRIVAL_DOCK',
      `An arrival of the plant's motors (${own}) must name the dock in readPoint.id, as a dock of the plant (e.g. ${ns.base}site/DIEPPE/dock/D3); it names ${typeof readPoint === 'string' ? readPoint : 'none'}.`,
    );
  }
  const shipmentId = event['ml:shipmentId'];
  return {
    kind: 'arrival',
    serials: [...motors],
    site: dock.site,
    dock: dock.dock,
    ...(typeof shipmentId === 'string' ? { shipmentId } : {}),
  };
}

const what = (motors: string[], vins: string[]): string =>
  [
    motors.length ? `motor${motors.length > 1 ? 's' : ''} ${motors.slice(0, 3).join(', ')}` : '',
    vins.length ? `vehicle${vins.length > 1 ? 's' : ''} ${vins.slice(0, 3).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' and ');

const refuse = (code: string, message: string): CaptureReading => ({ kind: 'refuse', code, message });

/**
 * The idempotency key of a captured event: a UUID (version 8) made from its event hash, so that the same event
 * captured twice is the same request. An error declaration of an event hashes as the event does (CBV leaves the
 * declaration out): it gets a key of its own.
 * @example captureKey('ni:///sha-256;6ae9…?ver=CBV2.0', false) // → '6ae963d4-…-8…'
 */
export function captureKey(eventHash: string, declared: boolean): string {
  const digest = sha256(utf8Encode(declared ? `${eventHash} errorDeclaration` : eventHash));
  const hex = toHex(digest.subarray(0, 16)).split('');
  hex[12] = '8'; // version 8: custom
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16); // variant 10
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The ledger subject of an event hash: the captured event and its later error declaration chain under it.
 * @example eventSubject('ni:///sha-256;6ae9…?ver=CBV2.0') // → 'epcis:6ae9…'
 */
export function eventSubject(eventHash: string): string {
  return `epcis:${eventHash.slice('ni:///sha-256;'.length, 'ni:///sha-256;'.length + 64)}`;
}

/**
 * The entries of a document's `@context` that are its own (prefix maps, other contexts): what an event kept as
 * sent needs to mean the same when it is sent again in another document. GS1's context is every document's.
 * @example ownContext(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ex.com/' }]) // → [{ ex: 'https://ex.com/' }]
 */
export function ownContext(context: unknown): JsonValue[] | undefined {
  const list = Array.isArray(context) ? context : context === undefined ? [] : [context];
  const own = list.filter((c) => c !== EPCIS_CONTEXT_URL) as JsonValue[];
  return own.length > 0 ? own : undefined;
}

/**
 * An event kept as sent, as the ledger gives it back: its members as sent (its document's own context on it,
 * when it had one), recordTime the ledger's, eventID as sent or else its event hash.
 * @example capturedEvent(entry.envelope.data, entry.envelope.recorded) // → { type: 'ObjectEvent', …, recordTime, eventID }
 */
export function capturedEvent(data: JsonObject, recorded: string): EpcisEvent {
  const { event, eventHash, context } = data as unknown as CapturedData;
  return {
    ...(context && event['@context'] === undefined ? { '@context': context } : {}),
    ...event,
    recordTime: recorded,
    eventID: event.eventID ?? eventHash,
  };
}
