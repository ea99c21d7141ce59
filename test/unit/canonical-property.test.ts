// Property tests of src/core/canonical.ts against the `canonicalize` package (an independent RFC 8785
// implementation) on many random JSON values, and of the paths named by refusals at random depths.
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  CanonicalizationError,
  canonicalJson,
  canonicalJsonWithMember,
  isCanonical,
} from '../../src/core/canonical.js';
import { utf8Encode } from '../../src/core/encoding.js';

// Seeded PRNG (mulberry32): a failure is reproducible from the seed in the test name.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  '_',
  '$',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0080',
  'é',
  'ö',
  '€',
  '\u2028',
  '\u2029',
  '\ufb33',
  '\ufeff',
  '\uffff',
  '😀',
  '\ud800\udc00',
  '\udbff\udfff',
];

class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  string(max = 8): string {
    let s = '';
    const n = this.int(max + 1);
    for (let i = 0; i < n; i++)
      s += this.r() < 0.5 ? String.fromCharCode(97 + this.int(26)) : this.pick(ALPHABET);
    return s;
  }
  number(): number {
    switch (this.int(8)) {
      case 0:
        return this.int(2000) - 1000 || 1;
      case 1:
        return (this.r() - 0.5) * 10 ** (this.int(40) - 20);
      case 2:
        return Number((this.r() * 1000).toFixed(this.int(6)));
      case 3:
        return this.pick([
          0,
          1e21,
          1e-7,
          1e20,
          5e-324,
          1.7976931348623157e308,
          2 ** 53,
          -(2 ** 53),
          0.1,
          1 / 3,
        ]);
      case 4: {
        // Any finite IEEE 754 bit pattern.
        const view = new DataView(new ArrayBuffer(8));
        for (;;) {
          view.setUint32(0, (this.r() * 2 ** 32) >>> 0);
          view.setUint32(4, (this.r() * 2 ** 32) >>> 0);
          const x = view.getFloat64(0);
          if (Number.isFinite(x) && !Object.is(x, -0)) return x;
        }
      }
      default:
        return this.int(1e9) * (this.r() < 0.5 ? -1 : 1) || 7;
    }
  }
  value(depth: number): unknown {
    const k = this.int(depth > 0 ? 9 : 6);
    switch (k) {
      case 0:
        return null;
      case 1:
        return this.r() < 0.5;
      case 2:
      case 3:
        return this.number();
      case 4:
      case 5:
        return this.string();
      case 6:
      case 7: {
        const o: Record<string, unknown> = {};
        const n = this.int(6);
        for (let i = 0; i < n; i++) o[this.string(6)] = this.value(depth - 1);
        return o;
      }
      default:
        return Array.from({ length: this.int(5) }, () => this.value(depth - 1));
    }
  }
}

describe('canonicalJson agrees with the canonicalize package', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`on 2,500 random JSON values (seed ${seed})`, () => {
      const g = new Gen(seed);
      for (let i = 0; i < 2_500; i++) {
        const v = g.value(4);
        const mine = canonicalJson(v);
        expect(mine).toBe(canonicalize(v));
        expect(isCanonical(utf8Encode(mine))).toBe(true);
        expect(canonicalJson(JSON.parse(mine))).toBe(mine);
      }
    });
  }

  it('canonicalJsonWithMember returns the whole text and the member as a slice of it', () => {
    const g = new Gen(99);
    for (let i = 0; i < 2_000; i++) {
      const data = g.value(3);
      const o: Record<string, unknown> = { kind: 'raw', data, other: g.value(2) };
      if (g.r() < 0.2) delete o.data;
      const { json, member } = canonicalJsonWithMember(o, 'data');
      expect(json).toBe(canonicalize(o));
      expect(member).toBe('data' in o ? canonicalize(data) : undefined);
    }
  });
});

describe('refusals at random depths name the path', () => {
  const BAD: [unknown, RegExp][] = [
    [-0, /-0/],
    [Number.NaN, /NaN/],
    [Number.POSITIVE_INFINITY, /Infinity/],
    [undefined, /undefined/],
    [1n, /bigint/],
    [() => 1, /function/],
    [Symbol('s'), /symbol/],
    [new Date(0), /Date is not a plain object/],
    ['x\udc00', /lone surrogate/],
  ];
  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  it('for one bad value planted in 3,000 random documents', () => {
    const g = new Gen(7);
    for (let i = 0; i < 3_000; i++) {
      const [bad, reason] = g.pick(BAD);
      // Build a chain of containers down to the bad value, with good siblings around it.
      const depth = g.int(5);
      let value: unknown = bad;
      const segments: string[] = [];
      for (let d = 0; d < depth; d++) {
        if (g.r() < 0.5) {
          const arr = Array.from({ length: g.int(3) }, () => g.string(3));
          const at = g.int(arr.length + 1);
          arr.splice(at, 0, value as string);
          value = arr;
          segments.unshift(`[${at}]`);
        } else {
          const key = g.string(5);
          const o: Record<string, unknown> = {};
          // Good siblings, none of them equal to the bad member's name.
          for (let s = 0; s < g.int(3); s++) o[`${key}~${s}`] = g.string(3);
          o[key] = value;
          value = o;
          segments.unshift(IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
        }
      }
      const path = `root${segments.join('')}`;
      let err: unknown;
      try {
        canonicalJson(value, 'root');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CanonicalizationError);
      expect((err as CanonicalizationError).message).toContain(`Cannot canonicalize ${path}:`);
      expect((err as CanonicalizationError).message).toMatch(reason);
    }
  });
});
