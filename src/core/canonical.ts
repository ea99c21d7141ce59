// RFC 8785 (JCS) canonical JSON: the exact bytes of every entry. Values that JSON cannot carry exactly are refused
// with their path instead of being coerced (-0 -> 0, undefined dropped, Date -> string…), because a coerced value
// would hash and verify but no longer be what the writer sent.
//
// One recursive pass validates and writes: strings and finite numbers are serialized by JSON.stringify and
// Number#toString, which are exactly RFC 8785's (§3.2.2.2, §3.2.2.3: ECMAScript's own rules), and members are
// sorted with the default sort, which compares UTF-16 code units (§3.2.3). A test compares the output with the
// `canonicalize` package on many random values.
import { utf8Decode, utf8Encode } from './encoding.js';
import { LedgerError } from './errors.js';

/** A value that has no exact RFC 8785 form; the message names its JSON path, e.g. data.measurements[2]. */
export class CanonicalizationError extends LedgerError {
  constructor(path: string, reason: string) {
    super('NOT_CANONICALIZABLE', `Cannot canonicalize ${path || 'the value'}: ${reason}.`, { path });
  }
}

// In /u mode a well-formed surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /\p{Surrogate}/u;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// String#isWellFormed (ES2024; Node 20, current browsers) answers in native code and at once for one-byte
// strings; the regular expression is the fallback for older engines.
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
const isWellFormed: (s: string) => boolean =
  typeof nativeWellFormed === 'function' ? (s) => nativeWellFormed.call(s) : (s) => !LONE_SURROGATE.test(s);

function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function kindOf(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `a ${name}`
    : 'an object with a custom prototype';
}

// A refusal on its way up: each array or object it passes through prepends its index or member name, so the
// path is only spelled out when something is refused and costs nothing otherwise.
class Refusal {
  readonly reason: string;
  readonly keys: (string | number)[] = [];
  constructor(reason: string) {
    this.reason = reason;
  }
}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

function toError(e: unknown, root: string): unknown {
  if (!(e instanceof Refusal)) return e;
  let path = root;
  for (let i = e.keys.length - 1; i >= 0; i--) {
    const k = e.keys[i]!;
    path = typeof k === 'number' ? `${path}[${k}]` : childPath(path, k);
  }
  return new CanonicalizationError(path, e.reason);
}

// Strings without '"', '\\' or control characters are their own JSON body (the common case, keys included);
// the rest go through JSON.stringify, whose escapes are RFC 8785's (§3.2.2.2).
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000-U+001F are exactly what JSON must escape.
const PLAIN = /^[^"\\\x00-\x1f]*$/;

function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

// The objects being serialized, to refuse a cycle (a shared object that is not its own ancestor is fine).
type Ancestors = object[];

function write(value: unknown, ancestors: Ancestors): string {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) refuse('string contains a lone surrogate');
      return quote(value);
    case 'number':
      if (value === 0) {
        if (Object.is(value, -0)) refuse('-0 would be serialized as 0; send 0');
        return '0';
      }
      if (Number.isNaN(value)) refuse('NaN is not a JSON number');
      if (!Number.isFinite(value)) refuse(`${value} is not a JSON number`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? writeArray(value, ancestors) : writeObject(value, ancestors);
    case 'undefined':
      return refuse('undefined is not a JSON value (use null or omit the member)');
    case 'bigint':
      return refuse('bigint is not a JSON value (use a number or a decimal string)');
    default:
      return refuse(`a ${typeof value} is not a JSON value`);
  }
}

function enter(obj: object, ancestors: Ancestors): void {
  if (ancestors.includes(obj)) refuse('circular reference');
  ancestors.push(obj);
}

function writeArray(arr: unknown[], ancestors: Ancestors): string {
  enter(arr, ancestors);
  if (Object.getPrototypeOf(arr) !== Array.prototype) refuse(`${kindOf(arr)} is not a plain array`);
  let out = '[';
  let i = 0;
  try {
    for (; i < arr.length; i++) out += i === 0 ? write(arr[i], ancestors) : `,${write(arr[i], ancestors)}`;
  } catch (e) {
    if (e instanceof Refusal) e.keys.push(i);
    throw e;
  }
  ancestors.pop();
  return `${out}]`;
}

function sortedKeys(obj: object, ancestors: Ancestors): string[] {
  enter(obj, ancestors);
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) refuse(`${kindOf(obj)} is not a plain object`);
  if (Object.getOwnPropertySymbols(obj).length > 0) refuse('symbol-keyed members are not JSON');
  const keys = Object.keys(obj);
  keys.sort();
  return keys;
}

function writeMember(obj: object, key: string, ancestors: Ancestors): string {
  if (!isWellFormed(key)) refuse('member name contains a lone surrogate');
  return write((obj as Record<string, unknown>)[key], ancestors);
}

function writeObject(obj: object, ancestors: Ancestors): string {
  const keys = sortedKeys(obj, ancestors);
  let out = '{';
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      out += `${i === 0 ? '' : ','}${quote(key)}:${writeMember(obj, key, ancestors)}`;
    }
  } catch (e) {
    if (e instanceof Refusal) e.keys.push(keys[i]!);
    throw e;
  }
  ancestors.pop();
  return `${out}}`;
}

/**
 * RFC 8785 canonical JSON text; throws CanonicalizationError for values JSON cannot carry exactly.
 * `path` names the value in error messages (e.g. "data"). When several members cannot be serialized, the
 * first in canonical (sorted) order is named.
 */
export function canonicalJson(value: unknown, path = ''): string {
  try {
    return write(value, []);
  } catch (e) {
    throw toError(e, path);
  }
}

/**
 * canonicalJson of an object, and the canonical JSON of one of its members (a slice of the same text, so the
 * member is serialized once), or undefined when the object has no such member.
 * @example const { json, member } = canonicalJsonWithMember({ kind: 'raw', ...draft }, 'data');
 */
export function canonicalJsonWithMember(
  value: object,
  name: string,
  path = '',
): { json: string; member: string | undefined } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { json: canonicalJson(value, path), member: undefined };
  }
  const ancestors: Ancestors = [];
  let out = '{';
  let member: string | undefined;
  let key: string | undefined;
  try {
    const keys = sortedKeys(value, ancestors);
    for (let i = 0; i < keys.length; i++) {
      key = keys[i]!;
      const json = writeMember(value, key, ancestors);
      if (key === name) member = json;
      out += `${i === 0 ? '' : ','}${quote(key)}:${json}`;
    }
  } catch (e) {
    if (e instanceof Refusal && key !== undefined) e.keys.push(key);
    throw toError(e, path);
  }
  return { json: `${out}}`, member };
}

/** UTF-8 bytes of canonicalJson(value): what is stored and hashed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}

/**
 * Is this text the RFC 8785 form of the value JSON.parse made of it? (`parsed` must be JSON.parse(text).)
 * The verifier asks this of every entry. JSON.stringify is native and writes strings and numbers exactly as
 * RFC 8785 does, so when its output is the text, every object's members are in sorted order and no escaped lone
 * surrogate is present (the only \ud… escapes it writes), the text is canonical; anything else (integer-like
 * member names, which JavaScript reorders, or a real difference) is settled by canonicalJson.
 */
export function isCanonicalText(parsed: unknown, text: string): boolean {
  if (JSON.stringify(parsed) === text && !text.includes('\\ud') && membersSorted(parsed)) return true;
  try {
    return canonicalJson(parsed) === text;
  } catch {
    return false; // e.g. "-0", which parses but has no canonical form
  }
}

function membersSorted(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!membersSorted(x)) return false;
    return true;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!membersSorted((v as Record<string, unknown>)[keys[i]!])) return false;
  }
  return true;
}

/** Are these bytes valid UTF-8 JSON that is already in RFC 8785 form (so re-canonicalizing changes nothing)? */
export function isCanonical(bytes: Uint8Array): boolean {
  let text: string;
  let parsed: unknown;
  try {
    text = utf8Decode(bytes);
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return isCanonicalText(parsed, text);
}
