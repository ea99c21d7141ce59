// A compact map from subject to its last (seq, leaf-hash prefix), for checking per-subject prev links while
// streaming a log. A JavaScript Map of a million subjects costs well over 100 MB; this open-addressing table in
// one Uint32Array costs 24 bytes a slot. Keys are 96-bit SHA-256 fingerprints of the subject: a fingerprint
// collision could only raise a false alarm, never hide an edit, and the Merkle roots check every byte anyway.
import { utf8Encode } from './encoding.js';
import { sha256 } from './hash.js';

const WORDS = 6; // key0, key1, key2, seq + 1 (0 = empty), hash0, hash1

export interface SubjectHead {
  seq: number;
  /** First 8 bytes of the leaf hash, as two big-endian words. */
  hashPrefix: [number, number];
}

export class SubjectHeads {
  #slots: Uint32Array;
  #capacity: number;
  #count = 0;

  constructor(initialCapacity = 1 << 16) {
    this.#capacity = initialCapacity;
    this.#slots = new Uint32Array(initialCapacity * WORDS);
  }

  get size(): number {
    return this.#count;
  }

  /** The last head recorded for `subject`, or undefined for a subject not seen yet. */
  get(subject: string): SubjectHead | undefined {
    const k = subjectFingerprint(subject);
    const i = this.#find(k[0], k[1], k[2]);
    const s = this.#slots;
    if (s[i + 3] === 0) return undefined;
    return { seq: s[i + 3]! - 1, hashPrefix: [s[i + 4]!, s[i + 5]!] };
  }

  /** Record that `subject`'s last entry is now `seq` with leaf hash `leaf`. */
  set(subject: string, seq: number, leaf: Uint8Array): void {
    const k = subjectFingerprint(subject);
    this.setByFingerprint(k[0], k[1], k[2], seq, readWord(leaf, 0), readWord(leaf, 4));
  }

  /**
   * The last seq recorded for the subject with this fingerprint (subjectFingerprint), or -1; `prefix` receives
   * the two words of its leaf-hash prefix. For callers that fingerprinted the subject elsewhere (a worker).
   */
  getByFingerprint(k0: number, k1: number, k2: number, prefix: Uint32Array): number {
    const i = this.#find(k0, k1, k2);
    const s = this.#slots;
    if (s[i + 3] === 0) return -1;
    prefix[0] = s[i + 4]!;
    prefix[1] = s[i + 5]!;
    return s[i + 3]! - 1;
  }

  /** set() for a subject given by its fingerprint and the two prefix words of the leaf hash. */
  setByFingerprint(k0: number, k1: number, k2: number, seq: number, p0: number, p1: number): void {
    if ((this.#count + 1) * 10 > this.#capacity * 8) this.#grow();
    const i = this.#find(k0, k1, k2);
    const s = this.#slots;
    if (s[i + 3] === 0) this.#count++;
    s[i] = k0;
    s[i + 1] = k1;
    s[i + 2] = k2;
    s[i + 3] = seq + 1;
    s[i + 4] = p0;
    s[i + 5] = p1;
  }

  #find(k0: number, k1: number, k2: number): number {
    const s = this.#slots;
    let slot = k0 % this.#capacity;
    for (;;) {
      const i = slot * WORDS;
      if (s[i + 3] === 0 || (s[i] === k0 && s[i + 1] === k1 && s[i + 2] === k2)) return i;
      slot = slot + 1 === this.#capacity ? 0 : slot + 1;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#capacity = this.#capacity * 2;
    this.#slots = new Uint32Array(this.#capacity * WORDS);
    for (let i = 0; i < old.length; i += WORDS) {
      if (old[i + 3] === 0) continue;
      const j = this.#find(old[i]!, old[i + 1]!, old[i + 2]!);
      this.#slots.set(old.subarray(i, i + WORDS), j);
    }
  }
}

/** The key SubjectHeads files a subject under: the first 96 bits of SHA-256(UTF-8 of the subject), as 3 words. */
export function subjectFingerprint(subject: string): [number, number, number] {
  const h = sha256(utf8Encode(subject));
  return [readWord(h, 0), readWord(h, 4), readWord(h, 8)];
}

function readWord(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The 8-byte prefix of a hash in the form SubjectHeads stores it. */
export function hashPrefix(hash: Uint8Array): [number, number] {
  return [readWord(hash, 0), readWord(hash, 4)];
}
