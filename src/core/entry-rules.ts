// The rules one entry must follow on its own (docs/log-format.md, "Entries" and checks 2 to 6 of "What a
// verifier checks"): JSON, version, position, exact members, the field rules the writer follows (validateDraft),
// the RFC 8785 form, the form of the prev links. Stateless, so the verify workers run them on other threads;
// LogVerifier adds what depends on earlier entries. VerificationError is what every check of the log throws.
import { isCanonicalText } from './canonical.js';
import { fromBase64 } from './encoding.js';
import { isUuid, validateDraft } from './envelope.js';
import { LedgerError } from './errors.js';

/**
 * Why verification stopped. `seq` is the first entry found bad; `checkpointSize` names the checkpoint at fault
 * (by the size it claims) when the fault is a checkpoint's. At least one of them is set.
 */
export class VerificationError extends LedgerError {
  readonly seq: number | undefined;
  readonly checkpointSize: number | undefined;
  /** The line of a checkpoints file, for a checkpoint too malformed to tell its size. */
  readonly line: number | undefined;
  constructor(code: string, at: { seq?: number; checkpointSize?: number; line?: number }, message: string) {
    super(code, message, { ...at });
    this.seq = at.seq;
    this.checkpointSize = at.checkpointSize;
    this.line = at.line;
  }

  /** "seq 3002", "checkpoint of size 3000" or "checkpoint on line 4": what a person reads after FAILED at. */
  get where(): string {
    if (this.seq !== undefined) return `seq ${this.seq}`;
    if (this.checkpointSize !== undefined) return `checkpoint of size ${this.checkpointSize}`;
    if (this.line !== undefined) return `checkpoint on line ${this.line}`;
    return 'the checkpoints';
  }
}

/** A prev link as inspectEntry found it: the linked seq and the decoded 32-byte leaf hash. */
export interface InspectedLink {
  seq: number;
  hash: Uint8Array;
}

/** What inspectEntry returns for an entry that passes every check not depending on earlier entries. */
export interface InspectedEntry {
  subjects: string[];
  /** The link for each subject, in the same order; undefined where the entry links no earlier entry. */
  links: (InspectedLink | undefined)[];
}

/** The members of an entry, sorted: exactly these, no more, no fewer. */
const ENTRY_MEMBERS = 'actor,data,id,prev,recorded,seq,subjects,time,type,v';
/** `recorded` is the server's clock as Date#toISOString writes it: always milliseconds, always Z. */
const RECORDED_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function malformed(seq: number, message: string): VerificationError {
  return new VerificationError('MALFORMED_ENTRY', { seq }, `Entry ${seq}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The bytes' JSON, an object with v = 1 (check 2 of docs/log-format.md, "What a verifier checks").
export function parseEntry(text: string, seq: number): Record<string, unknown> {
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch {
    throw malformed(seq, 'not UTF-8 JSON.');
  }
  if (!isObject(e) || e.v !== 1) throw malformed(seq, 'not a version 1 envelope.');
  return e;
}

/**
 * Every other check of an entry that depends only on its text and position (checks 3 to 5, and the form of the
 * links of check 6), in a fixed order; throws the VerificationError for the first that fails.
 */
export function checkEntry(
  e: Record<string, unknown>,
  text: string,
  seq: number,
  strict: boolean,
): InspectedEntry {
  if (e.seq !== seq) throw new VerificationError('MALFORMED_ENTRY', { seq }, `Entry ${seq}: wrong seq.`);
  const members = Object.keys(e).sort().join(',');
  if (members !== ENTRY_MEMBERS) {
    throw malformed(seq, `members are ${members}; an entry has exactly ${ENTRY_MEMBERS}.`);
  }
  if (typeof e.id !== 'string' || !isUuid(e.id)) throw malformed(seq, 'id is not a lower-case UUID.');
  const actor = e.actor;
  if (!isObject(actor) || Object.keys(actor).sort().join(',') !== 'role,site,sub') {
    throw malformed(seq, 'actor must have exactly role, site and sub.');
  }
  // The writer's own rules for type, time, actor, subjects and data: one rule set for both sides.
  try {
    validateDraft(e as unknown as Parameters<typeof validateDraft>[0]);
  } catch (err) {
    throw malformed(seq, (err as Error).message);
  }
  if (
    typeof e.recorded !== 'string' ||
    !RECORDED_RE.test(e.recorded) ||
    Number.isNaN(Date.parse(e.recorded))
  ) {
    throw malformed(
      seq,
      'recorded is not an RFC 3339 UTC time with milliseconds (2026-11-23T06:15:01.002Z).',
    );
  }
  const subjects = e.subjects as string[];
  for (let i = 1; i < subjects.length; i++) {
    if (!(subjects[i - 1]! < subjects[i]!)) {
      throw malformed(seq, 'subjects must be distinct and sorted (by UTF-16 code units).');
    }
  }
  const prev = e.prev;
  if (!isObject(prev)) throw malformed(seq, 'prev is not an object.');
  for (const key of Object.keys(prev)) {
    if (!subjects.includes(key)) throw malformed(seq, `prev names ${key}, which is not one of its subjects.`);
  }
  const links: (InspectedLink | undefined)[] = [];
  for (const s of subjects) {
    const link = prev[s];
    if (link === undefined) {
      links.push(undefined);
      continue;
    }
    if (!isObject(link) || Object.keys(link).sort().join(',') !== 'hash,seq') {
      throw malformed(seq, `the prev link of ${s} must have exactly hash and seq.`);
    }
    if (typeof link.seq !== 'number' || !Number.isSafeInteger(link.seq) || link.seq < 0 || link.seq >= seq) {
      throw malformed(seq, `the prev link of ${s} must name an earlier seq.`);
    }
    let hash: Uint8Array | undefined;
    try {
      hash = typeof link.hash === 'string' ? fromBase64(link.hash) : undefined;
    } catch {
      hash = undefined;
    }
    if (hash?.length !== 32) {
      throw malformed(seq, `the prev hash of ${s} is not a 32-byte hash in standard padded base64.`);
    }
    links.push({ seq: link.seq, hash });
  }
  if (strict && !isCanonicalText(e, text)) {
    throw new VerificationError(
      'NOT_CANONICAL',
      { seq },
      `Entry ${seq} is not in RFC 8785 canonical form (or is not I-JSON: duplicate member names, a number that is not an exact IEEE double, a lone surrogate).`,
    );
  }
  return { subjects, links };
}

/**
 * The checks of LogVerifier.add that depend only on the entry and its position. Returns the subjects and links,
 * or undefined if any check fails (LogVerifier.add on the same bytes then names the problem exactly). Stateless,
 * so it can run on another thread; see LogVerifier.addInspected.
 */
export function inspectEntry(text: string, seq: number, strict: boolean): InspectedEntry | undefined {
  try {
    return checkEntry(parseEntry(text, seq), text, seq, strict);
  } catch {
    return undefined;
  }
}
