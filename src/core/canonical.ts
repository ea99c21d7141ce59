// RFC 8785 (JCS) canonical JSON: the exact bytes of every entry. Values that JSON cannot carry exactly are refused
// with their path instead of being coerced (-0 -> 0, undefined dropped, Date -> string…), because a coerced value
// would hash and verify but no longer be what the writer sent.
import canonicalize from 'canonicalize';
import { bytesEqual, utf8Decode, utf8Encode } from './encoding.js';
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

function check(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) {
        throw new CanonicalizationError(path, 'string contains a lone surrogate');
      }
      return;
    case 'boolean':
      return;
    case 'number':
      if (Number.isNaN(value)) throw new CanonicalizationError(path, 'NaN is not a JSON number');
      if (!Number.isFinite(value)) throw new CanonicalizationError(path, `${value} is not a JSON number`);
      if (Object.is(value, -0)) throw new CanonicalizationError(path, '-0 would be serialized as 0; send 0');
      return;
    case 'undefined':
      throw new CanonicalizationError(path, 'undefined is not a JSON value (use null or omit the member)');
    case 'bigint':
      throw new CanonicalizationError(path, 'bigint is not a JSON value (use a number or a decimal string)');
    case 'function':
    case 'symbol':
      throw new CanonicalizationError(path, `a ${typeof value} is not a JSON value`);
  }
  if (value === null) return;
  const obj = value as object;
  if (ancestors.has(obj)) throw new CanonicalizationError(path, 'circular reference');
  ancestors.add(obj);
  if (Array.isArray(obj)) {
    if (Object.getPrototypeOf(obj) !== Array.prototype) {
      throw new CanonicalizationError(path, `${kindOf(obj)} is not a plain array`);
    }
    for (let i = 0; i < obj.length; i++) check(obj[i], `${path}[${i}]`, ancestors);
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalizationError(path, `${kindOf(obj)} is not a plain object`);
    }
    if (Object.getOwnPropertySymbols(obj).length > 0) {
      throw new CanonicalizationError(path, 'symbol-keyed members are not JSON');
    }
    for (const key of Object.keys(obj)) {
      const p = childPath(path, key);
      if (LONE_SURROGATE.test(key))
        throw new CanonicalizationError(p, 'member name contains a lone surrogate');
      check((obj as Record<string, unknown>)[key], p, ancestors);
    }
  }
  ancestors.delete(obj);
}

/**
 * RFC 8785 canonical JSON text; throws CanonicalizationError for values JSON cannot carry exactly.
 * `path` names the value in error messages (e.g. "data").
 */
export function canonicalJson(value: unknown, path = ''): string {
  check(value, path, new Set());
  const text = canonicalize(value);
  // Unreachable after check(); kept so a library change cannot turn into a silent "undefined" entry.
  if (text === undefined) throw new CanonicalizationError('', 'not a JSON value');
  return text;
}

/** UTF-8 bytes of canonicalJson(value): what is stored and hashed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}

/** Are these bytes valid UTF-8 JSON that is already in RFC 8785 form (so re-canonicalizing changes nothing)? */
export function isCanonical(bytes: Uint8Array): boolean {
  try {
    return bytesEqual(canonicalBytes(JSON.parse(utf8Decode(bytes))), bytes);
  } catch {
    return false;
  }
}
