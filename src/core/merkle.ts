// The RFC 9162 §2.1 Merkle tree of the log: leaf and node hashing, the append-only frontier the sequencer keeps,
// proof planning (which subtree hashes a proof needs, so storage can fetch them in one read) and proof
// verification with the semantics of transparency-dev/merkle proof/verify.go. Pure and portable.
import { bytesEqual } from './encoding.js';
import { LedgerError } from './errors.js';
import { sha256 } from './hash.js';

export const HASH_SIZE = 32;

/** MTH of the empty tree: SHA-256 of the empty string. Shared instance: do not mutate. */
export const EMPTY_ROOT: Uint8Array = sha256();

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** RFC 9162 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, entry);
}

/** RFC 9162 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH over leaf hashes by the recursive definition of RFC 9162 §2.1.1 (reference; O(n) hashes). */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Uint8Array {
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leaves[lo]!;
    const k = largestPowerOfTwoBelow(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return leaves.length === 0 ? EMPTY_ROOT : mth(0, leaves.length);
}

// Indexes and sizes are plain numbers up to 2^53: JS bit operators are 32-bit, so the helpers below use
// arithmetic or split the value into 32-bit halves.
const TWO_32 = 2 ** 32;

function assertSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name} must be a non-negative safe integer, got ${n}.`);
}

/** Largest power of two strictly below n (n >= 2): the split point k of RFC 9162. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function bitLength(n: number): number {
  const hi = Math.floor(n / TWO_32);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(n >>> 0);
}

function popCount32(x: number): number {
  let v = x >>> 0;
  let c = 0;
  while (v !== 0) {
    v &= v - 1;
    c++;
  }
  return c;
}

function popCount(n: number): number {
  return popCount32(Math.floor(n / TWO_32)) + popCount32(n >>> 0);
}

function trailingZeros(n: number): number {
  let z = 0;
  let v = n;
  while (v % 2 === 0 && v !== 0) {
    v /= 2;
    z++;
  }
  return z;
}

function xor(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  return hi * TWO_32 + ((a ^ b) >>> 0);
}

function shiftRight(n: number, bits: number): number {
  return Math.floor(n / 2 ** bits);
}

function bitAt(n: number, bit: number): number {
  return shiftRight(n, bit) % 2;
}

/**
 * The compact range [0, size) of the append-only tree: one complete subtree hash per set bit of size, largest
 * (leftmost) first. Enough to append and to compute the root without reading older nodes.
 */
export class MerkleFrontier {
  #size: number;
  #hashes: Uint8Array[];

  constructor() {
    this.#size = 0;
    this.#hashes = [];
  }

  /** Rebuild from the subtree roots listed by subtreesOfPrefix(size), left to right. */
  static fromSubtrees(size: number, hashes: readonly Uint8Array[]): MerkleFrontier {
    assertSize('size', size);
    if (hashes.length !== popCount(size)) {
      throw new RangeError(
        `A tree of size ${size} has ${popCount(size)} subtrees, got ${hashes.length} hashes.`,
      );
    }
    for (const h of hashes) {
      if (h.length !== HASH_SIZE)
        throw new RangeError(`Subtree hashes must be ${HASH_SIZE} bytes, got ${h.length}.`);
    }
    const f = new MerkleFrontier();
    f.#size = size;
    f.#hashes = [...hashes];
    return f;
  }

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  /**
   * Append a leaf hash; `onNode` sees every interior node completed by it (level >= 1, index at that level), bottom
   * up, so storage can persist the nodes later proofs will read.
   */
  append(leaf: Uint8Array, onNode?: (level: number, index: number, hash: Uint8Array) => void): void {
    if (leaf.length !== HASH_SIZE)
      throw new RangeError(`A leaf hash must be ${HASH_SIZE} bytes, got ${leaf.length}.`);
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError('Tree size would exceed 2^53 - 1.');
    let hash = leaf;
    let level = 0;
    let index = this.#size;
    // Each trailing 1 bit of the old size is a complete sibling on the left that now gets its right half.
    while (index % 2 === 1) {
      hash = nodeHash(this.#hashes.pop()!, hash);
      level++;
      index = (index - 1) / 2;
      onNode?.(level, index, hash);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /** MTH of the whole tree (EMPTY_ROOT when empty). */
  root(): Uint8Array {
    const n = this.#hashes.length;
    if (n === 0) return EMPTY_ROOT;
    let h = this.#hashes[n - 1]!;
    for (let i = n - 2; i >= 0; i--) h = nodeHash(this.#hashes[i]!, h);
    return h;
  }

  /** The complete subtree roots, left (largest) to right, as ordered by subtreesOfPrefix(size). */
  subtrees(): Uint8Array[] {
    return [...this.#hashes];
  }

  /** An independent copy (hash arrays are shared and never mutated). */
  clone(): MerkleFrontier {
    return MerkleFrontier.fromSubtrees(this.#size, this.#hashes);
  }
}

/** A complete, aligned subtree: leaves [index * 2^level, (index + 1) * 2^level); level 0 is a leaf. */
export type NodeId = { level: number; index: number };

/** Minimal list of complete aligned subtrees covering [start, end), left to right. */
export function decomposeRange(start: number, end: number): NodeId[] {
  assertSize('start', start);
  assertSize('end', end);
  if (start > end) throw new RangeError(`Range start ${start} is after its end ${end}.`);
  const out: NodeId[] = [];
  let pos = start;
  while (pos < end) {
    let level = 0;
    let width = 1;
    while (pos % (width * 2) === 0 && pos + width * 2 <= end) {
      width *= 2;
      level++;
    }
    out.push({ level, index: pos / width });
    pos += width;
  }
  return out;
}

/** The complete subtrees of the tree of this size (one per set bit), largest first. */
export function subtreesOfPrefix(size: number): NodeId[] {
  return decomposeRange(0, size);
}

/**
 * Leaf ranges whose MTHs, in order, are the inclusion proof PATH(index, D[0:size]) of RFC 9162 §2.1.3.1
 * (sibling of the leaf first, root's child last). Throws RangeError if index >= size.
 */
export function inclusionProofRanges(index: number, size: number): Array<[number, number]> {
  assertSize('index', index);
  assertSize('size', size);
  if (index >= size) throw new RangeError(`Leaf index ${index} is not in a tree of size ${size}.`);
  const out: Array<[number, number]> = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
    }
  }
  return out.reverse();
}

/**
 * Leaf ranges whose MTHs, in order, are the consistency proof PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1.
 * Returns [] when size1 === size2 and, though RFC 9162 defines no proof from the empty tree, when size1 === 0
 * (verifyConsistency refuses that case). Throws RangeError if size1 > size2.
 */
export function consistencyProofRanges(size1: number, size2: number): Array<[number, number]> {
  assertSize('size1', size1);
  assertSize('size2', size2);
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}.`);
  if (size1 === 0) return [];
  const out: Array<[number, number]> = [];
  let lo = 0;
  let hi = size2;
  // `complete` is SUBPROOF's b flag: true while the old tree is still a left prefix of the current subtree.
  let complete = true;
  while (size1 !== hi) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (size1 - lo <= k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
      complete = false;
    }
  }
  if (!complete) out.push([lo, hi]);
  return out.reverse();
}

// A proof range is always a node of the RFC 9162 tree shape: its start is aligned to the next power of two of its
// length. Only for those is the right fold of the aligned decomposition equal to the range's MTH.
function assertTreeRange([start, end]: [number, number]): void {
  assertSize('start', start);
  assertSize('end', end);
  if (end <= start) throw new RangeError(`Range [${start}, ${end}) is empty.`);
  let width = 1;
  while (width < end - start) width *= 2;
  if (start % width !== 0)
    throw new RangeError(`Range [${start}, ${end}) is not a subtree of an RFC 9162 tree.`);
}

function foldRange(nodes: readonly NodeId[], hashOf: (n: NodeId) => Uint8Array): Uint8Array {
  let h = hashOf(nodes[nodes.length - 1]!);
  for (let i = nodes.length - 2; i >= 0; i--) h = nodeHash(hashOf(nodes[i]!), h);
  return h;
}

const nodeKey = (n: NodeId): string => `${n.level}:${n.index}`;

/**
 * MTH of each proof range from stored complete-subtree hashes, with a single `fetch` of the de-duplicated nodes
 * (skipped when no range is given). Ranges must come from inclusionProofRanges/consistencyProofRanges.
 */
export async function computeRangeHashes(
  ranges: ReadonlyArray<[number, number]>,
  fetch: (nodes: NodeId[]) => Promise<Uint8Array[]>,
): Promise<Uint8Array[]> {
  const plans = ranges.map((r) => {
    assertTreeRange(r);
    return decomposeRange(r[0], r[1]);
  });
  const unique = new Map<string, NodeId>();
  for (const plan of plans) for (const n of plan) unique.set(nodeKey(n), n);
  if (unique.size === 0) return [];
  const nodes = [...unique.values()];
  const hashes = await fetch(nodes);
  if (hashes.length !== nodes.length) {
    throw new RangeError(`fetch returned ${hashes.length} hashes for ${nodes.length} nodes.`);
  }
  const byKey = new Map<string, Uint8Array>(nodes.map((n, i) => [nodeKey(n), hashes[i]!]));
  return plans.map((plan) => foldRange(plan, (n) => byKey.get(nodeKey(n))!));
}

/** Synchronous computeRangeHashes: `get` returns the hash of one complete subtree. */
export function computeRangeHashesSync(
  ranges: ReadonlyArray<[number, number]>,
  get: (node: NodeId) => Uint8Array,
): Uint8Array[] {
  return ranges.map((r) => {
    assertTreeRange(r);
    return foldRange(decomposeRange(r[0], r[1]), get);
  });
}

/**
 * Why a proof was refused. Codes:
 * - INDEX_OUT_OF_RANGE: leaf index >= tree size, or an index/size that is not a non-negative safe integer;
 * - SIZE_ORDER: consistency with size1 > size2;
 * - EMPTY_TREE: consistency from size 0 (meaningless, always refused);
 * - WRONG_PROOF_SIZE: not the number of hashes the sizes imply (including empty proofs where one is needed);
 * - BAD_HASH_SIZE: a leaf hash, proof hash, or (for size1 < size2) root that is not 32 bytes;
 * - ROOT_MISMATCH: the proof does not lead to the expected root.
 */
export type ProofErrorCode =
  | 'INDEX_OUT_OF_RANGE'
  | 'SIZE_ORDER'
  | 'EMPTY_TREE'
  | 'WRONG_PROOF_SIZE'
  | 'BAD_HASH_SIZE'
  | 'ROOT_MISMATCH';

/** An inclusion or consistency proof that does not verify; `code` is one of ProofErrorCode. */
export class ProofError extends LedgerError {
  declare readonly code: ProofErrorCode;

  constructor(code: ProofErrorCode, message: string) {
    super(code, message);
  }
}

function checkIndex(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ProofError('INDEX_OUT_OF_RANGE', `${name} must be a non-negative safe integer, got ${n}.`);
  }
}

function checkHashes(proof: readonly Uint8Array[]): void {
  proof.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new ProofError('BAD_HASH_SIZE', `Proof hash ${i} is ${h.length} bytes, expected ${HASH_SIZE}.`);
    }
  });
}

function checkRoot(calculated: Uint8Array, expected: Uint8Array, what: string): void {
  if (!bytesEqual(calculated, expected))
    throw new ProofError('ROOT_MISMATCH', `The proof does not lead to ${what}.`);
}

// Number of proof hashes below the point where the paths to `index` and `size - 1` meet (inner), and above it,
// where all siblings are on the left (border).
function decompose(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(xor(index, size - 1));
  return { inner, border: popCount(shiftRight(index, inner)) };
}

function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: number): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    h = bitAt(index, i) === 0 ? nodeHash(h, p) : nodeHash(p, h);
  });
  return h;
}

// Like chainInner but skips right siblings: yields the hash of the same subtree as it was in the older tree.
function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: number): Uint8Array {
  let h = seed;
  proof.forEach((p, i) => {
    if (bitAt(index, i) === 1) h = nodeHash(p, h);
  });
  return h;
}

function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = seed;
  for (const p of proof) h = nodeHash(p, h);
  return h;
}

/** Root implied by an inclusion proof (RFC 9162 §2.1.3.2); throws ProofError if the proof is malformed. */
export function rootFromInclusionProof(
  leafIdx: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkIndex('leafIdx', leafIdx);
  checkIndex('treeSize', treeSize);
  if (leafIdx >= treeSize) {
    throw new ProofError('INDEX_OUT_OF_RANGE', `Leaf index ${leafIdx} is not in a tree of size ${treeSize}.`);
  }
  if (leafHash.length !== HASH_SIZE) {
    throw new ProofError('BAD_HASH_SIZE', `Leaf hash is ${leafHash.length} bytes, expected ${HASH_SIZE}.`);
  }
  const { inner, border } = decompose(leafIdx, treeSize);
  if (proof.length !== inner + border) {
    throw new ProofError(
      'WRONG_PROOF_SIZE',
      `Inclusion proof has ${proof.length} hashes, expected ${inner + border}.`,
    );
  }
  checkHashes(proof);
  return chainBorderRight(chainInner(leafHash, proof.slice(0, inner), leafIdx), proof.slice(inner));
}

/** Check that leafHash is entry leafIdx of the tree of size treeSize with this root; throws ProofError if not. */
export function verifyInclusion(
  leafIdx: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkRoot(rootFromInclusionProof(leafIdx, treeSize, leafHash, proof), root, 'the expected root');
}

/**
 * Check that the tree of size2 with root2 extends the tree of size1 with root1 (RFC 9162 §2.1.4.2); throws
 * ProofError if not. Equal sizes need an empty proof and equal roots (compared as bytes, any length, as the
 * reference verifier does); size1 = 0 is always refused.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkIndex('size1', size1);
  checkIndex('size2', size2);
  if (size2 < size1) throw new ProofError('SIZE_ORDER', `size2 ${size2} is smaller than size1 ${size1}.`);
  if (size1 === 0)
    throw new ProofError('EMPTY_TREE', 'A consistency proof from the empty tree is meaningless.');
  if (size1 === size2) {
    if (proof.length > 0)
      throw new ProofError('WRONG_PROOF_SIZE', 'Sizes are equal but the proof is not empty.');
    checkRoot(root1, root2, 'root2: equal sizes with different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('WRONG_PROOF_SIZE', 'Sizes differ but the proof is empty.');
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) {
    throw new ProofError('BAD_HASH_SIZE', `Roots must be ${HASH_SIZE} bytes.`);
  }
  const d = decompose(size1 - 1, size2);
  const shift = trailingZeros(size1);
  const inner = d.inner - shift;
  // The proof starts with the hash of the subtree of size 2^shift holding leaf size1-1, unless that subtree is
  // the whole old tree, whose hash the verifier already has as root1.
  const seedIsRoot1 = size1 === 2 ** shift;
  const start = seedIsRoot1 ? 0 : 1;
  if (proof.length !== start + inner + d.border) {
    throw new ProofError(
      'WRONG_PROOF_SIZE',
      `Consistency proof has ${proof.length} hashes, expected ${start + inner + d.border}.`,
    );
  }
  checkHashes(proof);
  const seed = seedIsRoot1 ? root1 : proof[0]!;
  const rest = proof.slice(start);
  const mask = shiftRight(size1 - 1, shift);
  const innerPart = rest.slice(0, inner);
  const borderPart = rest.slice(inner);
  checkRoot(chainBorderRight(chainInnerRight(seed, innerPart, mask), borderPart), root1, 'root1');
  checkRoot(chainBorderRight(chainInner(seed, innerPart, mask), borderPart), root2, 'root2');
}
