// Proofs served from stored nodes must verify with the core verifier for every shape of tree: sizes that
// cross the stored levels (4, 8, 12) and indexes at the edges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainState } from '../../src/core/domain/state.js';
import { fromBase64 } from '../../src/core/encoding.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/core/merkle.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { consistencyProof, inclusionProof, readEntry } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const SIZE = 4500; // > 4096, so level-12 nodes are stored and used
let tdb: TestDatabase;
let ledger: Ledger<DomainState>;
const roots: string[] = []; // roots[n]: root of the first n entries, as the inclusion proofs reported it

beforeAll(async () => {
  tdb = await createTestDatabase();
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
  for (let b = 0; b < SIZE; b += 500) {
    const settled = await ledger.sequencer.appendMany(
      Array.from({ length: 500 }, (_, i) =>
        rawCommand(
          aMotorEvent()
            .forSerial(serial((b + i) % 900))
            .withData({ n: b + i })
            .build(),
        ),
      ),
    );
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
  }
});
afterAll(async () => {
  await ledger.close();
  await tdb.drop();
});

function pseudoRandom(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('inclusion proofs from the database', () => {
  it('verify for every index of small trees and sampled indexes of large ones', async () => {
    const rand = pseudoRandom(7);
    const cases: [number, number][] = [];
    for (let size = 1; size <= 40; size++) for (let i = 0; i < size; i++) cases.push([i, size]);
    for (const size of [255, 256, 257, 4095, 4096, 4097, SIZE]) {
      cases.push([0, size], [size - 1, size], [Math.floor(size / 2), size]);
    }
    for (let k = 0; k < 300; k++) {
      const size = 1 + Math.floor(rand() * SIZE);
      cases.push([Math.floor(rand() * size), size]);
    }
    for (const [seq, size] of cases) {
      const p = await inclusionProof(tdb.handle.db, seq, size);
      const { body } = await readEntry(tdb.handle.db, seq);
      expect(p.leafHash).toBe(Buffer.from(leafHash(body)).toString('base64'));
      expect(() =>
        verifyInclusion(seq, size, fromBase64(p.leafHash), p.proof.map(fromBase64), fromBase64(p.root)),
      ).not.toThrow();
      roots[size] = p.root;
    }
  });

  it('match the signed checkpoint when asked without a tree size', async () => {
    const cp = await ledger.sequencer.checkpoint();
    const p = await inclusionProof(tdb.handle.db, 1234);
    expect(p.treeSize).toBe(cp.size);
    expect(p.root).toBe(cp.root);
    expect(p.checkpoint).toBe(cp.jws);
  });

  it('refuse a seq beyond the tree and a tree beyond the log with a clear code', async () => {
    await expect(inclusionProof(tdb.handle.db, 50, 50)).rejects.toMatchObject({ code: 'SEQ_BEYOND_TREE' });
    await expect(inclusionProof(tdb.handle.db, 5, SIZE + 1)).rejects.toMatchObject({
      code: 'TREE_SIZE_BEYOND_LOG',
    });
  });
});

describe('consistency proofs from the database', () => {
  it('verify between sampled pairs of sizes', async () => {
    const rand = pseudoRandom(11);
    const pairs: [number, number][] = [
      [1, 2],
      [7, 8],
      [255, 256],
      [256, 4097],
      [4096, SIZE],
    ];
    for (let k = 0; k < 200; k++) {
      const b = 2 + Math.floor(rand() * (SIZE - 1));
      pairs.push([1 + Math.floor(rand() * (b - 1)), b]);
    }
    for (const [a, b] of pairs) {
      const p = await consistencyProof(tdb.handle.db, a, b);
      expect(() =>
        verifyConsistency(a, b, p.proof.map(fromBase64), fromBase64(p.root1), fromBase64(p.root2)),
      ).not.toThrow();
      if (roots[a]) expect(p.root1).toBe(roots[a]);
      if (roots[b]) expect(p.root2).toBe(roots[b]);
    }
  });

  it('refuse from=0, from > to, and from = to (whose only proof is empty, RFC 9162 §2.1.4.2)', async () => {
    await expect(consistencyProof(tdb.handle.db, 0, 5)).rejects.toMatchObject({ code: 'BAD_PROOF_RANGE' });
    await expect(consistencyProof(tdb.handle.db, 5, 5)).rejects.toMatchObject({ code: 'BAD_PROOF_RANGE' });
    await expect(consistencyProof(tdb.handle.db, SIZE, SIZE)).rejects.toThrow(/roots are equal/);
    await expect(consistencyProof(tdb.handle.db, 9, 5)).rejects.toMatchObject({ code: 'BAD_PROOF_RANGE' });
    // The size check comes first, as before the proof became one statement.
    await expect(consistencyProof(tdb.handle.db, 5, SIZE + 1)).rejects.toMatchObject({
      code: 'TREE_SIZE_BEYOND_LOG',
      details: { to: SIZE + 1, size: SIZE },
    });
    await expect(consistencyProof(tdb.handle.db, SIZE + 2, SIZE + 1)).rejects.toMatchObject({
      code: 'TREE_SIZE_BEYOND_LOG',
    });
  });
});
