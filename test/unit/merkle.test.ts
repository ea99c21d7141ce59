// Tests of src/core/merkle.ts against the transparency-dev/merkle conformance vectors, the reference roots, and an
// independent recursive RFC 9162 implementation; plus the base64/hex codecs the vectors are decoded with.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
} from '../../src/core/encoding.js';
import {
  computeRangeHashes,
  computeRangeHashesSync,
  consistencyProofRanges,
  decomposeRange,
  EMPTY_ROOT,
  inclusionProofRanges,
  leafHash,
  MerkleFrontier,
  type NodeId,
  nodeHash,
  ProofError,
  rootFromInclusionProof,
  rootFromLeafHashes,
  subtreesOfPrefix,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/merkle.js';

const VECTORS = join(import.meta.dirname, '../vectors/rfc6962');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
    .sort();
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load<T>(sub: string): Array<[string, T]> {
  const dir = join(VECTORS, 'testdata', sub);
  return jsonFiles(dir).map((f) => [relative(dir, f), JSON.parse(readFileSync(f, 'utf8')) as T]);
}

const inclusionVectors = load<InclusionVector>('inclusion');
const consistencyVectors = load<ConsistencyVector>('consistency');

// A deterministic pseudo-random source, so a failure names a reproducible case.
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function randomLeaves(n: number, seed: number): Uint8Array[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => {
    const entry = new Uint8Array(Math.floor(rnd() * 40));
    for (let i = 0; i < entry.length; i++) entry[i] = Math.floor(rnd() * 256);
    return leafHash(entry);
  });
}

/** Independent RFC 9162 reference over one leaf list, memoizing MTH of [lo, hi). */
function reference(leaves: Uint8Array[]) {
  const memo = new Map<string, Uint8Array>();
  const split = (n: number) => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 0) return sha256(new Uint8Array(0));
    if (hi - lo === 1) return leaves[lo]!;
    const key = `${lo},${hi}`;
    let h = memo.get(key);
    if (!h) {
      const k = split(hi - lo);
      h = nodeHash(mth(lo, lo + k), mth(lo + k, hi));
      memo.set(key, h);
    }
    return h;
  };
  // PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1.
  const path = (m: number, lo: number, hi: number): Uint8Array[] => {
    if (hi - lo <= 1) return [];
    const k = split(hi - lo);
    return m < k ? [...path(m, lo, lo + k), mth(lo + k, hi)] : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  };
  // SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1.
  const subproof = (m: number, lo: number, hi: number, b: boolean): Uint8Array[] => {
    if (m === hi - lo) return b ? [] : [mth(lo, hi)];
    const k = split(hi - lo);
    return m <= k
      ? [...subproof(m, lo, lo + k, b), mth(lo + k, hi)]
      : [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
  };
  const node = ({ level, index }: NodeId): Uint8Array => mth(index * 2 ** level, (index + 1) * 2 ** level);
  return {
    mth,
    node,
    inclusion: (m: number, n: number) => path(m, 0, n),
    consistency: (m: number, n: number) => subproof(m, 0, n, true),
  };
}

const hexOf = (hs: Uint8Array[]) => hs.map(toHex);

describe('RFC 6962 inclusion vectors', () => {
  it('found all 98 vectors', () => {
    expect(inclusionVectors.length).toBe(98);
  });

  it.each(inclusionVectors)('%s', (_name, v) => {
    const proof = (v.proof ?? []).map(fromBase64);
    const run = () =>
      verifyInclusion(v.leafIdx, v.treeSize, fromBase64(v.leafHash), proof, fromBase64(v.root));
    if (v.wantErr) {
      expect(run).toThrow(ProofError);
    } else {
      expect(run).not.toThrow();
      const root = rootFromInclusionProof(v.leafIdx, v.treeSize, fromBase64(v.leafHash), proof);
      expect(toBase64(root)).toBe(v.root);
    }
  });
});

describe('RFC 6962 consistency vectors', () => {
  it('found all 98 vectors', () => {
    expect(consistencyVectors.length).toBe(98);
  });

  it.each(consistencyVectors)('%s', (_name, v) => {
    const proof = (v.proof ?? []).map(fromBase64);
    const run = () => verifyConsistency(v.size1, v.size2, proof, fromBase64(v.root1), fromBase64(v.root2));
    if (v.wantErr) expect(run).toThrow(ProofError);
    else expect(run).not.toThrow();
  });
});

describe('reference roots (roots.json)', () => {
  const roots = JSON.parse(readFileSync(join(VECTORS, 'roots.json'), 'utf8')) as {
    leafInputsHex: string[];
    rootHashesHexForSizes1to8: string[];
  };
  const leaves = roots.leafInputsHex.map((h) => leafHash(fromHex(h)));

  it('EMPTY_ROOT is SHA-256 of the empty string', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([])).toEqual(EMPTY_ROOT);
    expect(new MerkleFrontier().root()).toEqual(EMPTY_ROOT);
  });

  it.each(roots.rootHashesHexForSizes1to8.map((h, i) => [i + 1, h] as const))('size %i', (size, want) => {
    expect(toHex(rootFromLeafHashes(leaves.slice(0, size)))).toBe(want);
    const f = new MerkleFrontier();
    for (const l of leaves.slice(0, size)) f.append(l);
    expect(f.size).toBe(size);
    expect(toHex(f.root())).toBe(want);
  });

  it('hashes leaves and nodes with the RFC 9162 domain prefixes', () => {
    const entry = utf8Encode('entry');
    expect(leafHash(entry)).toEqual(sha256(new Uint8Array([0, ...entry])));
    const a = leafHash(new Uint8Array([1]));
    const b = leafHash(new Uint8Array([2]));
    expect(nodeHash(a, b)).toEqual(sha256(new Uint8Array([1, ...a, ...b])));
  });
});

describe('range planning', () => {
  it('decomposes ranges into minimal aligned subtrees', () => {
    expect(decomposeRange(0, 0)).toEqual([]);
    expect(decomposeRange(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(decomposeRange(3, 13)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(subtreesOfPrefix(2 ** 52 + 1)).toEqual([
      { level: 52, index: 0 },
      { level: 0, index: 2 ** 52 },
    ]);
    expect(() => decomposeRange(5, 4)).toThrow(RangeError);
    expect(() => decomposeRange(-1, 4)).toThrow(RangeError);
  });

  it('covers every range exactly with aligned subtrees', () => {
    for (let start = 0; start <= 40; start++) {
      for (let end = start; end <= 70; end++) {
        let pos = start;
        for (const { level, index } of decomposeRange(start, end)) {
          expect(index * 2 ** level).toBe(pos);
          pos += 2 ** level;
        }
        expect(pos).toBe(end);
      }
    }
  });

  it('refuses out-of-range proof requests', () => {
    expect(() => inclusionProofRanges(5, 5)).toThrow(RangeError);
    expect(() => inclusionProofRanges(0, 0)).toThrow(RangeError);
    expect(() => consistencyProofRanges(3, 2)).toThrow(RangeError);
    expect(inclusionProofRanges(0, 1)).toEqual([]);
    expect(consistencyProofRanges(0, 5)).toEqual([]);
    expect(consistencyProofRanges(5, 5)).toEqual([]);
    expect(inclusionProofRanges(6, 8)).toEqual([
      [7, 8],
      [4, 6],
      [0, 4],
    ]);
    expect(consistencyProofRanges(6, 8)).toEqual([
      [4, 6],
      [6, 8],
      [0, 4],
    ]);
  });

  it('refuses ranges that are not RFC 9162 subtrees', () => {
    const get = () => EMPTY_ROOT;
    expect(() => computeRangeHashesSync([[1, 4]], get)).toThrow(RangeError);
    expect(() => computeRangeHashesSync([[3, 3]], get)).toThrow(RangeError);
    expect(computeRangeHashesSync([[4, 7]], get)).toHaveLength(1);
  });
});

const MAX = 70;
const leaves70 = randomLeaves(MAX, 70);
const ref70 = reference(leaves70);
const sizes = Array.from({ length: MAX }, (_, i) => i + 1);

describe('inclusion proofs from range planning, sizes 1..70', () => {
  it.each(sizes)('size %i, every index', (size) => {
    const root = ref70.mth(0, size);
    expect(rootFromLeafHashes(leaves70.slice(0, size))).toEqual(root);
    for (let index = 0; index < size; index++) {
      const proof = computeRangeHashesSync(inclusionProofRanges(index, size), ref70.node);
      expect(hexOf(proof)).toEqual(hexOf(ref70.inclusion(index, size)));
      expect(() => verifyInclusion(index, size, leaves70[index]!, proof, root)).not.toThrow();
    }
  });
});

describe('consistency proofs from range planning, 1 <= size1 <= size2 <= 70', () => {
  it.each(sizes)('size2 %i, every size1', (size2) => {
    const root2 = ref70.mth(0, size2);
    for (let size1 = 1; size1 <= size2; size1++) {
      const proof = computeRangeHashesSync(consistencyProofRanges(size1, size2), ref70.node);
      expect(hexOf(proof)).toEqual(hexOf(ref70.consistency(size1, size2)));
      expect(() => verifyConsistency(size1, size2, proof, ref70.mth(0, size1), root2)).not.toThrow();
    }
  });
});

describe('large trees', () => {
  it.each([1000, 4097, 65537])('size %i, random indexes and sizes', (size) => {
    const leaves = randomLeaves(size, size);
    const ref = reference(leaves);
    // Complete subtrees by level, as a storage layer would hold them.
    const layers: Uint8Array[][] = [leaves];
    for (let l = layers[0]!; l.length > 1; ) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < l.length; i += 2) next.push(nodeHash(l[i]!, l[i + 1]!));
      layers.push(next);
      l = next;
    }
    const get = ({ level, index }: NodeId) => layers[level]![index]!;
    const f = new MerkleFrontier();
    for (const l of leaves) f.append(l);
    const root = f.root();
    expect(root).toEqual(ref.mth(0, size));

    const rnd = prng(size);
    const picks = [0, size - 1, ...Array.from({ length: 6 }, () => Math.floor(rnd() * size))];
    for (const index of picks) {
      const proof = computeRangeHashesSync(inclusionProofRanges(index, size), get);
      expect(hexOf(proof)).toEqual(hexOf(ref.inclusion(index, size)));
      verifyInclusion(index, size, leaves[index]!, proof, root);
    }
    for (const size1 of [1, size - 1, ...picks.map((p) => p + 1)]) {
      const proof = computeRangeHashesSync(consistencyProofRanges(size1, size), get);
      expect(hexOf(proof)).toEqual(hexOf(ref.consistency(size1, size)));
      verifyConsistency(size1, size, proof, ref.mth(0, size1), root);
    }
  });
});

describe('computeRangeHashes', () => {
  it('fetches each needed node once, in a single call, and matches the sync variant', async () => {
    const size = 45;
    const ranges = [
      ...inclusionProofRanges(17, size),
      ...consistencyProofRanges(13, size),
      ...consistencyProofRanges(17, size),
    ];
    const calls: NodeId[][] = [];
    const hashes = await computeRangeHashes(ranges, async (nodes) => {
      calls.push(nodes);
      return nodes.map(ref70.node);
    });
    expect(calls).toHaveLength(1);
    const keys = calls[0]!.map((n) => `${n.level}:${n.index}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(hexOf(hashes)).toEqual(hexOf(computeRangeHashesSync(ranges, ref70.node)));
    expect(hexOf(hashes)).toEqual(hexOf(ranges.map(([s, e]) => ref70.mth(s, e))));
  });

  it('does not call fetch when nothing is needed and checks the answer length', async () => {
    let called = false;
    expect(
      await computeRangeHashes([], async () => {
        called = true;
        return [];
      }),
    ).toEqual([]);
    expect(called).toBe(false);
    await expect(computeRangeHashes([[0, 4]], async () => [])).rejects.toThrow(RangeError);
  });
});

describe('MerkleFrontier', () => {
  it('reports every completed interior node with the MTH of its range', () => {
    const f = new MerkleFrontier();
    const seen = new Set<string>();
    let count = 0;
    for (let i = 0; i < MAX; i++) {
      let lastLevel = 0;
      f.append(leaves70[i]!, (level, index, hash) => {
        count++;
        expect(level).toBe(lastLevel + 1);
        lastLevel = level;
        const key = `${level}:${index}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        expect((index + 1) * 2 ** level).toBe(i + 1);
        expect(toHex(hash)).toBe(toHex(ref70.node({ level, index })));
      });
      expect(f.size).toBe(i + 1);
      expect(f.root()).toEqual(ref70.mth(0, i + 1));
    }
    // A tree of n leaves has n - popcount(n) complete interior nodes.
    expect(count).toBe(MAX - 3);
  });

  it('round-trips through subtrees()/fromSubtrees() and clone()', () => {
    for (let size = 0; size <= 40; size++) {
      const f = new MerkleFrontier();
      for (const l of leaves70.slice(0, size)) f.append(l);
      const subtrees = f.subtrees();
      expect(hexOf(subtrees)).toEqual(hexOf(subtreesOfPrefix(size).map(ref70.node)));
      const g = MerkleFrontier.fromSubtrees(size, subtrees);
      const c = f.clone();
      expect(g.root()).toEqual(f.root());
      for (const l of leaves70.slice(size, MAX)) {
        f.append(l);
        g.append(l);
      }
      expect(g.root()).toEqual(ref70.mth(0, MAX));
      expect(f.root()).toEqual(g.root());
      expect(c.size).toBe(size);
      expect(c.root()).toEqual(ref70.mth(0, size));
    }
  });

  it('refuses inconsistent subtrees and non-hash leaves', () => {
    expect(() => MerkleFrontier.fromSubtrees(3, [leaves70[0]!])).toThrow(RangeError);
    expect(() => MerkleFrontier.fromSubtrees(1, [new Uint8Array(31)])).toThrow(RangeError);
    expect(() => new MerkleFrontier().append(new Uint8Array(5))).toThrow(RangeError);
  });
});

describe('tampering', () => {
  it('any flipped bit in an inclusion proof is refused', () => {
    const size = 37;
    const index = 21;
    const proof = computeRangeHashesSync(inclusionProofRanges(index, size), ref70.node);
    const root = ref70.mth(0, size);
    for (let i = 0; i < proof.length; i++) {
      for (let bit = 0; bit < 256; bit += 37) {
        const bad = proof.map((h) => h.slice());
        bad[i]![bit >> 3]! ^= 1 << (bit & 7);
        expect(() => verifyInclusion(index, size, leaves70[index]!, bad, root)).toThrow(
          expect.objectContaining({ code: 'ROOT_MISMATCH' }),
        );
      }
    }
  });

  it('any flipped bit in a consistency proof is refused', () => {
    for (const [size1, size2] of [
      [6, 8],
      [13, 45],
      [32, 70],
    ] as const) {
      const proof = computeRangeHashesSync(consistencyProofRanges(size1, size2), ref70.node);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((h) => h.slice());
        bad[i]![i % 32]! ^= 0x10;
        expect(() => verifyConsistency(size1, size2, bad, ref70.mth(0, size1), ref70.mth(0, size2))).toThrow(
          ProofError,
        );
      }
    }
  });

  it('reports stable codes', () => {
    const leaf = leaves70[0]!;
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ProofError);
        return (e as ProofError).code;
      }
      return 'none';
    };
    expect(code(() => verifyInclusion(3, 3, leaf, [], EMPTY_ROOT))).toBe('INDEX_OUT_OF_RANGE');
    expect(code(() => verifyInclusion(0, 2, new Uint8Array(31), [leaf], EMPTY_ROOT))).toBe('BAD_HASH_SIZE');
    expect(code(() => verifyInclusion(0, 2, leaf, [new Uint8Array(33)], EMPTY_ROOT))).toBe('BAD_HASH_SIZE');
    expect(code(() => verifyInclusion(0, 2, leaf, [], EMPTY_ROOT))).toBe('WRONG_PROOF_SIZE');
    expect(code(() => verifyInclusion(0, 1, leaf, [], EMPTY_ROOT))).toBe('ROOT_MISMATCH');
    expect(code(() => verifyConsistency(2, 1, [], leaf, leaf))).toBe('SIZE_ORDER');
    expect(code(() => verifyConsistency(0, 0, [], leaf, leaf))).toBe('EMPTY_TREE');
    expect(code(() => verifyConsistency(1, 2, [], leaf, leaf))).toBe('WRONG_PROOF_SIZE');
    expect(code(() => verifyConsistency(1.5, 2, [leaf], leaf, leaf))).toBe('INDEX_OUT_OF_RANGE');
  });
});

describe('encoding (used to read the vectors)', () => {
  it('base64 and hex round-trip every length against node:buffer', () => {
    const rnd = prng(7);
    for (let n = 0; n < 100; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const b64 = Buffer.from(bytes).toString('base64');
      expect(toBase64(bytes)).toBe(b64);
      expect(fromBase64(b64)).toEqual(bytes);
      expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      expect(fromHex(toHex(bytes))).toEqual(bytes);
      expect(fromHex(toHex(bytes).toUpperCase())).toEqual(bytes);
    }
  });

  it.each([
    'A',
    'AB=',
    'QR==',
    'QUJ=',
    'Q===',
    '====',
    '=AAA',
    'AA=A',
    ' AAA',
    'AAA\n',
    '-_AA',
    'AAé=',
    'AAAA====',
  ])('fromBase64 refuses %j', (s) => {
    expect(() => fromBase64(s)).toThrow(TypeError);
  });

  it('fromHex refuses bad input; bytesEqual and UTF-8 are exact', () => {
    for (const s of ['0', 'zz', '0g', 'é0', ' 00']) expect(() => fromHex(s)).toThrow(TypeError);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(utf8Decode(utf8Encode('\ufeffé€😀'))).toBe('\ufeffé€😀');
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow(TypeError);
  });
});
