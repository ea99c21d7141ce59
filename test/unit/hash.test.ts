// src/core/hash.ts: the injectable SHA-256. The portable (@noble/hashes) and node:crypto implementations agree on
// any split of any input, and the Merkle hashes follow the implementation installed.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/encoding.js';
import { currentSha256, portableSha256, sha256, useSha256 } from '../../src/core/hash.js';
import { EMPTY_ROOT, leafHash, nodeHash } from '../../src/core/merkle.js';
import { nodeSha256 } from '../../src/verify/node-sha256.js';

const reference = (...parts: Uint8Array[]) =>
  toHex(createHash('sha256').update(Buffer.concat(parts)).digest());

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('sha256 implementations', () => {
  const original = currentSha256();
  afterEach(() => useSha256(original));

  it.each([
    ['portable', portableSha256],
    ['node:crypto', nodeSha256],
  ])('%s agrees with node:crypto createHash on splits of random inputs', (_name, impl) => {
    expect(toHex(impl())).toBe(reference());
    for (let i = 0; i < 300; i++) {
      const whole = bytes(i * 7, i + 1);
      const cut1 = Math.floor(whole.length / 3);
      const cut2 = Math.floor((2 * whole.length) / 3);
      const parts = [
        whole.subarray(0, cut1),
        whole.subarray(cut1, cut2),
        new Uint8Array(0),
        whole.subarray(cut2),
      ];
      const d = impl(...parts);
      expect(d).toBeInstanceOf(Uint8Array);
      expect(d.length).toBe(32);
      expect(toHex(d)).toBe(reference(whole));
      expect(toHex(impl(whole))).toBe(reference(whole));
    }
  });

  it('returns plain Uint8Array views from node:crypto (equal to the portable output)', () => {
    const input = bytes(100, 3);
    expect(nodeSha256(input)).toEqual(portableSha256(input));
    expect(Object.getPrototypeOf(nodeSha256(input))).toBe(Uint8Array.prototype);
  });

  it('leaf and node hashes use the installed implementation and do not depend on which one it is', () => {
    const entry = bytes(777, 9);
    const a = bytes(32, 1);
    const b = bytes(32, 2);
    const results: string[][] = [];
    for (const impl of [portableSha256, nodeSha256]) {
      let calls = 0;
      useSha256((...parts) => {
        calls++;
        return impl(...parts);
      });
      results.push([toHex(leafHash(entry)), toHex(nodeHash(a, b)), toHex(sha256(entry))]);
      expect(calls).toBe(3);
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]![0]).toBe(reference(new Uint8Array([0]), entry));
    expect(results[0]![1]).toBe(reference(new Uint8Array([1]), a, b));
    expect(toHex(EMPTY_ROOT)).toBe(reference());
  });
});
