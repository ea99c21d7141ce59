// The log entry envelope of BRIEF §3: its fields, how an entry's bytes are made (RFC 8785), and the checks an
// entry must pass before it is sequenced. Pure and portable: the server, the CLI verifier and a browser share it.
import { canonicalJson } from './canonical.js';
import { utf8Encode } from './encoding.js';
import { ValidationError } from './errors.js';

export const ENVELOPE_VERSION = 1;

/** Who posted an event, copied from the verified token. */
export interface Actor {
  sub: string;
  role: string;
  site: string;
}

/** A link to the previous entry of one subject: its seq and base64 leaf hash. */
export interface PrevLink {
  seq: number;
  hash: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The envelope as stored: exactly these fields, serialized with RFC 8785. */
export interface Envelope {
  v: 1;
  seq: number;
  id: string;
  type: string;
  time: string;
  recorded: string;
  actor: Actor;
  subjects: string[];
  prev: Record<string, PrevLink>;
  data: JsonObject;
}

/** What a writer asks to append; the sequencer adds seq, id (if absent), recorded and prev. */
export interface EventDraft {
  type: string;
  time: string;
  actor: Actor;
  subjects: string[];
  data: JsonObject;
}

export const SUBJECT_KINDS = ['motor', 'shipment', 'vehicle', 'incident', 'hold', 'epcis'] as const;
const SUBJECT_RE = /^(motor|shipment|vehicle|incident|hold|epcis):[A-Za-z0-9][A-Za-z0-9._\-/]{0,127}$/;
const TYPE_RE = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/;
// RFC 3339 date-time in UTC ('Z'), with optional fraction: the form sources must send.
const RFC3339_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Is `s` a lower-case hyphenated UUID (the only form accepted as an entry id)? */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** Is `s` an RFC 3339 UTC timestamp that names a real instant? */
export function isRfc3339Utc(s: string): boolean {
  return RFC3339_UTC_RE.test(s) && !Number.isNaN(Date.parse(s));
}

/**
 * Check a draft before it is sequenced; throws ValidationError naming the field.
 * @example validateDraft({ type: 'motor.produced', time: '2026-11-23T08:00:00Z', actor, subjects: ['motor:7DL-1'], data: {} })
 */
export function validateDraft(draft: EventDraft): void {
  if (typeof draft.type !== 'string' || !TYPE_RE.test(draft.type)) {
    throw new ValidationError(
      'INVALID_EVENT',
      `Event type "${String(draft.type)}" is not of the form "motor.produced".`,
    );
  }
  if (typeof draft.time !== 'string' || !isRfc3339Utc(draft.time)) {
    throw new ValidationError(
      'INVALID_EVENT',
      `Event time "${String(draft.time)}" is not an RFC 3339 UTC timestamp such as 2026-11-23T08:15:00Z.`,
    );
  }
  const a = draft.actor;
  if (!a || typeof a.sub !== 'string' || typeof a.role !== 'string' || typeof a.site !== 'string') {
    throw new ValidationError('INVALID_EVENT', 'Event actor must have string sub, role and site.');
  }
  if (!Array.isArray(draft.subjects) || draft.subjects.length === 0) {
    throw new ValidationError(
      'INVALID_EVENT',
      'An event needs at least one subject such as "motor:7DL-000123".',
    );
  }
  for (const s of draft.subjects) {
    if (typeof s !== 'string' || !SUBJECT_RE.test(s)) {
      throw new ValidationError(
        'INVALID_EVENT',
        `Subject "${String(s)}" must be <kind>:<id> with kind one of ${SUBJECT_KINDS.join(', ')} and an id of letters, digits, ".", "_", "-" or "/".`,
      );
    }
  }
  if (draft.data === null || typeof draft.data !== 'object' || Array.isArray(draft.data)) {
    throw new ValidationError('INVALID_EVENT', 'Event data must be a JSON object.');
  }
}

/** Sorted, de-duplicated subjects: the order hashed into every envelope. */
export function normalizeSubjects(subjects: readonly string[]): string[] {
  return [...new Set(subjects)].sort();
}

/**
 * Serialize an envelope to the exact bytes that are stored, hashed and served (RFC 8785). The envelope's keys
 * are fixed, so the object is assembled in their sorted order from canonical parts; `dataJson` lets the caller
 * pass the payload it already canonicalized. A unit test holds this equal to canonicalizing the whole object.
 * @example const bytes = encodeEnvelope(envelope); const leaf = leafHash(bytes);
 */
export function encodeEnvelope(envelope: Envelope, dataJson?: string): Uint8Array {
  return utf8Encode(envelopeJson(envelope, dataJson));
}

/** The text of encodeEnvelope (for a caller with a faster UTF-8 encoder of its own). */
export function envelopeJson(envelope: Envelope, dataJson?: string): string {
  const data = dataJson ?? canonicalJson(envelope.data, 'data');
  return (
    `{"actor":${exactly(actorJson, envelope.actor)},"data":${data},"id":${canonicalJson(envelope.id)},` +
    `"prev":${exactly(prevJson, envelope.prev)},"recorded":${canonicalJson(envelope.recorded)},` +
    `"seq":${intJson(envelope.seq)},"subjects":${exactly(subjectsJson, envelope.subjects)},` +
    `"time":${canonicalJson(envelope.time)},"type":${canonicalJson(envelope.type)},"v":${intJson(envelope.v)}}`
  );
}

// The fixed fields are written directly when they have the shape the sequencer gives them (plain objects with
// exactly the expected members, strings and integers); anything else, and any refusal, goes through
// canonicalJson of the whole field, so the output and the errors are those of canonicalJson either way.
function exactly<T>(fast: (value: T) => string | undefined, value: T): string {
  let json: string | undefined;
  try {
    json = fast(value);
  } catch {
    json = undefined;
  }
  return json ?? canonicalJson(value);
}

function isPlain(value: unknown, members: number): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === members &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

function intJson(n: number): string {
  return Number.isSafeInteger(n) && n > 0 ? String(n) : canonicalJson(n);
}

function actorJson(a: Actor): string | undefined {
  if (!isPlain(a, 3) || !Object.hasOwn(a, 'role') || !Object.hasOwn(a, 'site') || !Object.hasOwn(a, 'sub')) {
    return undefined;
  }
  if (typeof a.role !== 'string' || typeof a.site !== 'string' || typeof a.sub !== 'string') return undefined;
  return `{"role":${canonicalJson(a.role)},"site":${canonicalJson(a.site)},"sub":${canonicalJson(a.sub)}}`;
}

function subjectsJson(subjects: string[]): string | undefined {
  if (!Array.isArray(subjects) || Object.getPrototypeOf(subjects) !== Array.prototype) return undefined;
  let out = '[';
  for (let i = 0; i < subjects.length; i++) {
    const s = subjects[i];
    if (typeof s !== 'string') return undefined;
    out += i === 0 ? canonicalJson(s) : `,${canonicalJson(s)}`;
  }
  return `${out}]`;
}

function prevJson(prev: Record<string, PrevLink>): string | undefined {
  if (prev === null || typeof prev !== 'object' || Object.getPrototypeOf(prev) !== Object.prototype) {
    return undefined;
  }
  if (Object.getOwnPropertySymbols(prev).length > 0) return undefined;
  const keys = Object.keys(prev).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const link = prev[key];
    if (!isPlain(link, 2) || !Object.hasOwn(link, 'hash') || !Object.hasOwn(link, 'seq')) return undefined;
    if (typeof link.hash !== 'string' || typeof link.seq !== 'number') return undefined;
    out += `${i === 0 ? '' : ','}${canonicalJson(key)}:{"hash":${canonicalJson(link.hash)},"seq":${intJson(link.seq)}}`;
  }
  return `${out}}`;
}
