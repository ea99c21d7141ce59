// Byte/text conversions shared by the whole ledger: base64 (RFC 4648 §4, padded), lower-case hex, UTF-8 and byte
// equality. Portable on purpose (no Buffer): the CLI verifier and a browser decode the same proofs the server signs.

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INVALID = 0xff;

// 12 bits -> 2 characters: one table lookup per half of a 3-byte group keeps encoding at string-concat speed.
const B64_PAIRS: string[] = [];
for (let i = 0; i < 4096; i++) B64_PAIRS.push(B64_ALPHABET[i >> 6]! + B64_ALPHABET[i & 63]!);

// Indexed by char code; only ASCII can be valid, anything above 127 is rejected before the lookup.
const B64_DECODE = new Uint8Array(128).fill(INVALID);
for (let i = 0; i < 64; i++) B64_DECODE[B64_ALPHABET.charCodeAt(i)] = i;

const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(i.toString(16).padStart(2, '0'));

const HEX_DECODE = new Uint8Array(128).fill(INVALID);
for (let i = 0; i < 16; i++) {
  HEX_DECODE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_DECODE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

const textEncoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF instead of silently dropping it, so decoding never loses a character.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Encode bytes as standard, padded base64 (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const full = n - (n % 3);
  let out = '';
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64_PAIRS[v >> 12]! + B64_PAIRS[v & 0xfff]!;
  }
  if (n - full === 1) {
    const v = bytes[full]! << 16;
    out += `${B64_PAIRS[v >> 12]!}==`;
  } else if (n - full === 2) {
    const v = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    out += `${B64_PAIRS[v >> 12]!}${B64_ALPHABET[(v >> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Decode standard, padded base64; throws TypeError on anything else (whitespace, URL alphabet, missing padding,
 * non-zero pad bits), so every byte string has exactly one accepted encoding.
 */
export function fromBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0) throw new TypeError('Invalid base64: length is not a multiple of 4.');
  if (s.length === 0) return new Uint8Array(0);
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  const body = s.length - 4;
  let o = 0;
  for (let i = 0; i < body; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 127) throw new TypeError(`Invalid base64 character near offset ${i}.`);
    const a = B64_DECODE[c0]!;
    const b = B64_DECODE[c1]!;
    const c = B64_DECODE[c2]!;
    const d = B64_DECODE[c3]!;
    if ((a | b | c | d) & 0xc0) throw new TypeError(`Invalid base64 character near offset ${i}.`);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  // Last quantum: the only place '=' may appear.
  const c0 = s.charCodeAt(body);
  const c1 = s.charCodeAt(body + 1);
  const c2 = pad === 2 ? 65 : s.charCodeAt(body + 2); // 'A' stands in for padding: decodes to 0
  const c3 = pad >= 1 ? 65 : s.charCodeAt(body + 3);
  const bad = (c0 | c1 | c2 | c3) > 127;
  const a = bad ? INVALID : B64_DECODE[c0]!;
  const b = bad ? INVALID : B64_DECODE[c1]!;
  const c = bad ? INVALID : B64_DECODE[c2]!;
  const d = bad ? INVALID : B64_DECODE[c3]!;
  if ((a | b | c | d) & 0xc0) throw new TypeError('Invalid base64 character in the last quantum.');
  const v = (a << 18) | (b << 12) | (c << 6) | d;
  if ((pad === 2 && (v & 0xffff) !== 0) || (pad === 1 && (v & 0xff) !== 0)) {
    throw new TypeError('Invalid base64: non-zero bits before padding.');
  }
  out[o++] = v >> 16;
  if (pad < 2) out[o++] = (v >> 8) & 0xff;
  if (pad < 1) out[o] = v & 0xff;
  return out;
}

/** Encode bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!]!;
  return out;
}

/** Decode hex (either case, even length, nothing else); throws TypeError on invalid input. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new TypeError('Invalid hex: odd length.');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c0 = s.charCodeAt(2 * i);
    const c1 = s.charCodeAt(2 * i + 1);
    const hi = c0 > 127 ? INVALID : HEX_DECODE[c0]!;
    const lo = c1 > 127 ? INVALID : HEX_DECODE[c1]!;
    if ((hi | lo) & 0xf0) throw new TypeError(`Invalid hex character near offset ${2 * i}.`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Same length and same bytes. Not constant-time: only for public data such as hashes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** UTF-8 encode; lone surrogates become U+FFFD, so callers hashing text must refuse them first (canonical.ts does). */
export function utf8Encode(s: string): Uint8Array {
  return textEncoder.encode(s);
}

/** Strict UTF-8 decode: throws TypeError on malformed input, keeps a leading BOM. */
export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
