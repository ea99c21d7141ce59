// SHA-256 for the whole of src/core (leaf and node hashes, subject fingerprints, request hashes), injectable so
// that core stays portable: @noble/hashes (pure JavaScript, runs anywhere) by default, and the Node entry points
// (the sequencer, the verifiers, the CLI) install node:crypto with useSha256, about twice as fast per entry.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** SHA-256 of the concatenation of `parts`; returns 32 bytes (a plain Uint8Array or a subclass of it). */
export type Sha256 = (...parts: Uint8Array[]) => Uint8Array;

/** The portable implementation (@noble/hashes). */
export const portableSha256: Sha256 = (...parts) => {
  if (parts.length === 1) return nobleSha256(parts[0]!);
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
};

let current: Sha256 = portableSha256;

/**
 * SHA-256 of the concatenation of `parts`, with the implementation installed by useSha256.
 * @example const leaf = sha256(new Uint8Array([0]), entryBytes);
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  return current(...parts);
}

/**
 * Install the SHA-256 implementation every hash in src/core uses (for the whole process). It must be a
 * correct SHA-256: the tests of src/core run with both implementations.
 * @example useSha256((...parts) => createHash('sha256').update(Buffer.concat(parts)).digest());
 */
export function useSha256(impl: Sha256): void {
  current = impl;
}

/** The implementation in use (for tests and for code that must restore it). */
export function currentSha256(): Sha256 {
  return current;
}
