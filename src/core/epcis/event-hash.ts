// The CBV 2.0 event hash ID (§8.9): `ni:///sha-256;<hex>?ver=CBV2.0` over a canonical pre-hash string of an EPCIS
// event, the id by which EPCIS repositories recognise the same event captured twice. The pre-hash string lists the
// event's members in a fixed order as `name=value` (lists sorted, GS1 keys as canonical Digital Links, CBV values
// as web URIs, times in UTC with milliseconds), then its user extensions with expanded names `{namespace}name`,
// sorted; recordTime, eventID, errorDeclaration and comments are left out. Checked against every vector of
// shared/conformance/epcis/event-hash (from RalphTro/epcis-event-hash-generator, the reference implementation).
import { toHex, utf8Encode } from '../encoding.js';
import { sha256 } from '../hash.js';
import { normaliseGs1Key } from './hash-gs1-keys.js';

/** A JSON-LD `@context` as found in EPCIS documents: IRIs of remote contexts and/or prefix → namespace maps. */
export type EpcisContext = string | Readonly<Record<string, unknown>> | readonly unknown[];

/** Options of the pre-hash. */
export interface EventHashOptions {
  /** Member names (compact, e.g. `example:captureID`, or expanded) to leave out, as a document's `ignoreFields`. */
  readonly ignore?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------
// The canonical shape: which members, in which order, with what item names and value types.

type Field =
  | { readonly kind: 'value'; readonly vocab?: string; readonly time?: true }
  | { readonly kind: 'object'; readonly order: Order }
  | { readonly kind: 'list'; readonly item: string; readonly field: Field };
type Order = readonly (readonly [string, Field])[];

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';
const value: Field = { kind: 'value' };
const time: Field = { kind: 'value', time: true };
const vocab = (prefix: string): Field => ({ kind: 'value', vocab: prefix });
const object = (order: Order): Field => ({ kind: 'object', order });
const list = (item: string, field: Field): Field => ({ kind: 'list', item, field });

const epcs = list('epc', value);
const quantities = list(
  'quantityElement',
  object([
    ['epcClass', value],
    ['quantity', value],
    ['uom', value],
  ]),
);
const place = object([['id', value]]);
// The headerless items of bizTransactionList, sourceList and destinationList: `type=…<name>=…`.
const typed = (name: string, prefix: string) =>
  list(
    '',
    object([
      ['type', vocab(prefix)],
      [name, value],
    ]),
  );

const SENSOR_ELEMENT = object([
  [
    'sensorMetadata',
    object([
      ['time', time],
      ['startTime', time],
      ['endTime', time],
      ['deviceID', value],
      ['deviceMetadata', value],
      ['rawData', value],
      ['dataProcessingMethod', value],
      ['bizRules', value],
    ]),
  ],
  [
    'sensorReport',
    object([
      ['type', vocab(GS1_VOC)],
      ['exception', vocab(GS1_VOC)],
      ['deviceID', value],
      ['deviceMetadata', value],
      ['rawData', value],
      ['dataProcessingMethod', value],
      ['time', time],
      ['microorganism', value],
      ['chemicalSubstance', value],
      ['value', value],
      ['component', vocab(`${CBV}Comp-`)],
      ['stringValue', value],
      ['booleanValue', value],
      ['hexBinaryValue', value],
      ['uriValue', value],
      ['minValue', value],
      ['maxValue', value],
      ['meanValue', value],
      ['sDev', value],
      ['percRank', value],
      ['percValue', value],
      ['uom', value],
      ['coordinateReferenceSystem', value],
    ]),
  ],
]);

// destinationList before sourceList: the order of the vectors (the reference emits the two in name order).
const EVENT_ORDER: Order = [
  ['eventTime', time],
  ['eventTimeZoneOffset', value],
  ['certificationInfo', value],
  ['epcList', epcs],
  ['parentID', value],
  ['inputEPCList', epcs],
  ['childEPCs', epcs],
  ['quantityList', quantities],
  ['childQuantityList', quantities],
  ['inputQuantityList', quantities],
  ['outputEPCList', epcs],
  ['outputQuantityList', quantities],
  ['action', value],
  ['transformationID', value],
  ['bizStep', vocab(`${CBV}BizStep-`)],
  ['disposition', vocab(`${CBV}Disp-`)],
  [
    'persistentDisposition',
    object([
      ['set', vocab(`${CBV}Disp-`)],
      ['unset', vocab(`${CBV}Disp-`)],
    ]),
  ],
  ['readPoint', place],
  ['bizLocation', place],
  ['bizTransactionList', typed('bizTransaction', `${CBV}BTT-`)],
  ['destinationList', typed('destination', `${CBV}SDT-`)],
  ['sourceList', typed('source', `${CBV}SDT-`)],
  ['sensorElementList', list('sensorElement', SENSOR_ELEMENT)],
  ['ilmd', object([])],
];

// Members of the event that are not part of its identity (CBV 2.0 §8.9.1), and `type`, written first as eventType.
const EVENT_EXCLUDED = new Set(['type', 'recordTime', 'eventID', 'errorDeclaration', '@context']);
const RDFS_COMMENT = '{http://www.w3.org/2000/01/rdf-schema#}comment';

// Prefixes the EPCIS 2.0.0 context defines; a document's own @context may add to or override them.
const DEFAULT_NAMESPACES: Readonly<Record<string, string>> = {
  gs1: GS1_VOC,
  cbv: CBV,
  epcis: 'https://ref.gs1.org/epcis/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
};

// CBV 1.x URNs of the standard vocabularies and their CBV 2.0 web URI prefixes.
const CBV_URNS: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

// ---------------------------------------------------------------------------------------------------------------
// Values

interface Scope {
  readonly namespaces: Readonly<Record<string, string>>;
  readonly ignore: ReadonlySet<string>;
}

function collectNamespaces(into: Record<string, string>, context: unknown): void {
  if (Array.isArray(context)) {
    for (const c of context) collectNamespaces(into, c);
  } else if (context !== null && typeof context === 'object') {
    for (const [prefix, iri] of Object.entries(context)) {
      const id = typeof iri === 'string' ? iri : (iri as { '@id'?: unknown } | null)?.['@id'];
      if (typeof id === 'string' && !prefix.startsWith('@')) into[prefix] = id;
    }
  }
}

/** `prefix:name` → `{namespace}name` when the prefix is declared; other names unchanged. */
function expandName(name: string, scope: Scope): string {
  const colon = name.indexOf(':');
  const ns = colon > 0 ? scope.namespaces[name.slice(0, colon)] : undefined;
  return ns === undefined ? name : `{${ns}}${name.slice(colon + 1)}`;
}

// Python's float() grammar without inf/nan/underscores: what the reference reformats as a number.
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number as the reference writes it: integers without `.0`, others as Python's repr (exponent ≥ 2 digits). */
function formatNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  const abs = Math.abs(n);
  const text = abs < 1e-4 ? n.toExponential() : String(n);
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A CURIE of a GS1 vocabulary (gs1:, cbv: or any prefix bound to a GS1 namespace) as its full URI. */
function expandGs1Curie(text: string, scope: Scope): string {
  const colon = text.indexOf(':');
  const ns = colon > 0 ? scope.namespaces[text.slice(0, colon)] : undefined;
  if (ns === undefined || !(ns.startsWith('https://ref.gs1.org') || ns.startsWith('https://gs1.org')))
    return text;
  return ns + text.slice(colon + 1);
}

/** The canonical text of a scalar value: CBV URIs, numbers reformatted, GS1 keys as Digital Links. */
function canonicalValue(raw: unknown, field: Field | undefined, scope: Scope): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return formatNumber(raw);
  let text = String(raw).trim();
  if (text === '') return '';
  if (field?.kind === 'value' && field.time) return normaliseTime(text);
  if (field?.kind === 'value' && field.vocab && /^[A-Za-z0-9_]+$/.test(text)) return field.vocab + text;
  text = expandGs1Curie(text, scope);
  for (const [urn, uri] of CBV_URNS) if (text.startsWith(urn)) text = uri + text.slice(urn.length);
  if (NUMERIC.test(text)) return formatNumber(Number(text));
  return normaliseGs1Key(text);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/i;

/** An xsd:dateTime in UTC with exactly three fraction digits (truncated), e.g. 2020-03-04T10:00:30.000Z. */
function normaliseTime(text: string): string {
  const m = DATE_TIME.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  let utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    utc -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// The pre-hash string

/** Code point order (the reference's Python sort): UTF-16 order except that a surrogate pair (a code point
 * above U+FFFF) sorts after every BMP character, U+E000–U+FFFF included. */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xPair = x >= 0xd800 && x <= 0xdfff;
    const yPair = y >= 0xd800 && y <= 0xdfff;
    return xPair === yPair ? x - y : xPair ? 1 : -1;
  }
  return a.length - b.length;
}

const sorted = (parts: string[]): string => parts.sort(byCodePoint).join('');

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The strings of one member of the fixed order (several when its value repeats, e.g. sensorReport). */
function orderedMember(name: string, raw: unknown, field: Field, scope: Scope): string[] {
  if (Array.isArray(raw) && field.kind !== 'list')
    return raw.flatMap((r) => orderedMember(name, r, field, scope));
  if (field.kind === 'value') {
    const text = canonicalValue(raw, field, scope);
    return text === '' ? [] : [`${name}=${text}`];
  }
  if (field.kind === 'object') {
    const inner = isObject(raw) ? objectBody(raw, field.order, scope) : '';
    return inner === '' ? [] : [name + inner];
  }
  const items = Array.isArray(raw) ? raw : [raw];
  const inner = sorted(items.flatMap((item) => orderedMember(field.item, item, field.field, scope)));
  return inner === '' ? [] : [name + inner];
}

/** The strings of a user extension: `{ns}name=value`, or `{ns}name` followed by its own members. */
function extensionMember(name: string, raw: unknown, scope: Scope): string[] {
  if (Array.isArray(raw)) return raw.flatMap((r) => extensionMember(name, r, scope));
  const key = expandName(name, scope);
  if (isObject(raw)) return [key + extensions(raw, new Set(), scope)];
  const text = canonicalValue(raw, undefined, scope);
  return [text === '' ? key : `${key}=${text}`];
}

function isIgnored(name: string, scope: Scope): boolean {
  if (name === 'comment' || name === '#text') return true;
  const expanded = expandName(name, scope);
  return expanded === RDFS_COMMENT || scope.ignore.has(name) || scope.ignore.has(expanded);
}

function extensions(obj: Record<string, unknown>, known: ReadonlySet<string>, scope: Scope): string {
  const parts: string[] = [];
  for (const [name, raw] of Object.entries(obj)) {
    if (!known.has(name) && !isIgnored(name, scope)) parts.push(...extensionMember(name, raw, scope));
  }
  return sorted(parts);
}

function objectBody(obj: Record<string, unknown>, order: Order, scope: Scope): string {
  let out = '';
  for (const [name, field] of order) {
    if (obj[name] !== undefined) out += sorted(orderedMember(name, obj[name], field, scope));
  }
  return out + extensions(obj, new Set(order.map(([name]) => name)), scope);
}

function scopeOf(
  event: Readonly<Record<string, unknown>>,
  context: EpcisContext | undefined,
  options?: EventHashOptions,
): Scope {
  const namespaces: Record<string, string> = { ...DEFAULT_NAMESPACES };
  collectNamespaces(namespaces, context);
  collectNamespaces(namespaces, event['@context']);
  const ignore = new Set<string>();
  for (const name of options?.ignore ?? []) ignore.add(name).add(expandName(name, { namespaces, ignore }));
  return { namespaces, ignore };
}

/**
 * The canonical pre-hash string of an EPCIS 2.0 event (CBV 2.0 §8.9), given the `@context` of the document it
 * came in (for the namespaces of its user extensions; the event's own `@context`, if any, is read too).
 * @example
 * eventPreHash({ type: 'ObjectEvent', eventTime: '2020-03-04T11:00:30+01:00', eventTimeZoneOffset: '+01:00',
 *   epcList: ['urn:epc:id:sscc:4012345.0000000111'], action: 'OBSERVE' })
 * // 'eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00'
 * //   + 'epcListepc=https://id.gs1.org/00/040123450000001112action=OBSERVE'
 */
export function eventPreHash(
  event: Readonly<Record<string, unknown>>,
  context?: EpcisContext,
  options?: EventHashOptions,
): string {
  const scope = scopeOf(event, context, options);
  const known = new Set([...EVENT_ORDER.map(([name]) => name), ...EVENT_EXCLUDED]);
  let out = `eventType=${String(event.type ?? '')}`;
  for (const [name, field] of EVENT_ORDER) {
    if (event[name] !== undefined) out += sorted(orderedMember(name, event[name], field, scope));
  }
  return out + extensions(event as Record<string, unknown>, known, scope);
}

/**
 * A business step or disposition of an event as the hash reads it: the full URI, whichever way it was written
 * (bare CBV word, CBV URN, `cbv:` or any prefix bound to the CBV in the document's context, or a full URI).
 * @example cbvTermUri('cbv:BizStep-arriving', 'bizStep', event, context) // → 'https://ref.gs1.org/cbv/BizStep-arriving'
 */
export function cbvTermUri(
  value: unknown,
  member: 'bizStep' | 'disposition',
  event: Readonly<Record<string, unknown>>,
  context?: EpcisContext,
): string {
  return canonicalValue(
    value,
    vocab(`${CBV}${member === 'bizStep' ? 'BizStep-' : 'Disp-'}`),
    scopeOf(event, context),
  );
}

/**
 * The CBV 2.0 event hash ID of an EPCIS 2.0 event: SHA-256 of its UTF-8 pre-hash string, as an `ni:` URI.
 * @example eventHashId(event, document['@context']) // 'ni:///sha-256;6ae963…39d7?ver=CBV2.0'
 */
export function eventHashId(
  event: Readonly<Record<string, unknown>>,
  context?: EpcisContext,
  options?: EventHashOptions,
): string {
  return `ni:///sha-256;${toHex(sha256(utf8Encode(eventPreHash(event, context, options))))}?ver=CBV2.0`;
}

/** The names listed by an `ignoreFields` member (any prefix) of `obj`, if it has one. */
function ignoreFieldsOf(obj: Record<string, unknown> | undefined): string[] {
  const key = Object.keys(obj ?? {}).find((k) => k === 'ignoreFields' || k.endsWith(':ignoreFields'));
  const names = key === undefined ? undefined : obj?.[key];
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/**
 * The events of an EPCISDocument or EPCISQueryDocument (or a lone event) in document order, each with the
 * document's `@context` and the names its `ignoreFields` member lists (on the document or its queryResults).
 * @example for (const { event, context, options } of listDocumentEvents(doc)) eventHashId(event, context, options);
 */
export function listDocumentEvents(document: Readonly<Record<string, unknown>>): {
  event: Readonly<Record<string, unknown>>;
  context: EpcisContext | undefined;
  options: EventHashOptions;
}[] {
  const context = document['@context'] as EpcisContext | undefined;
  const body = isObject(document.epcisBody) ? document.epcisBody : undefined;
  const results = isObject(body?.queryResults) ? body.queryResults : undefined;
  const resultsBody = isObject(results?.resultsBody) ? results.resultsBody : undefined;
  const options: EventHashOptions = {
    ignore: [...ignoreFieldsOf(document as Record<string, unknown>), ...ignoreFieldsOf(results)],
  };
  const list =
    body?.eventList ?? resultsBody?.eventList ?? (body?.event ? [body.event] : body ? [] : [document]);
  return (Array.isArray(list) ? list : []).filter(isObject).map((event) => ({ event, context, options }));
}
