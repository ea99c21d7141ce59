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

export const SUBJECT_KINDS = ['motor', 'shipment', 'vehicle', 'incident', 'hold'] as const;
const SUBJECT_RE = /^(motor|shipment|vehicle|incident|hold):[A-Za-z0-9][A-Za-z0-9._\-/]{0,127}$/;
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
  const c = canonicalJson;
  const data = dataJson ?? c(envelope.data, 'data');
  return utf8Encode(
    `{"actor":${c(envelope.actor)},"data":${data},"id":${c(envelope.id)},"prev":${c(envelope.prev)},` +
      `"recorded":${c(envelope.recorded)},"seq":${c(envelope.seq)},"subjects":${c(envelope.subjects)},` +
      `"time":${c(envelope.time)},"type":${c(envelope.type)},"v":${c(envelope.v)}}`,
  );
}
