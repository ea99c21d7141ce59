// The verifier enforces the rules of docs/log-format.md by default (one rule set with the writer), and blames the
// right entry: a changed link names the entry holding it, a swap is a reorder, a checkpoint fault names the
// checkpoint by its size. Entries are made here as the sequencer makes them (encodeEnvelope), no database.
import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalText } from '../../src/core/canonical.js';
import { CheckpointKeyRing } from '../../src/core/checkpoint.js';
import { toBase64, utf8Encode } from '../../src/core/encoding.js';
import { type Envelope, encodeEnvelope } from '../../src/core/envelope.js';
import { leafHash, rootFromLeafHashes } from '../../src/core/merkle.js';
import { type AnchorCheckpoint, LogVerifier } from '../../src/core/verifier.js';
import { generateSigningJwk, signerFromJwk } from '../../src/ledger/signing.js';
import { producer, serial } from '../support/builders.js';

const ORIGIN = 'motor-ledger.test/cleon-dieppe';

// n entries over `motors` motors, linked as the sequencer links them.
function makeLog(n: number, motors = 4): { envelopes: Envelope[]; lines: string[] } {
  return makeLogOf(Array.from({ length: n }, (_, seq) => [`motor:${serial(seq % motors)}`]));
}

// One entry per item, with those subjects (sorted), linked as the sequencer links them.
function makeLogOf(subjectsOf: string[][]): { envelopes: Envelope[]; lines: string[] } {
  const heads = new Map<string, { seq: number; hash: string }>();
  const envelopes: Envelope[] = [];
  const lines: string[] = [];
  for (let seq = 0; seq < subjectsOf.length; seq++) {
    const subjects = [...subjectsOf[seq]!].sort();
    const prev: Record<string, { seq: number; hash: string }> = {};
    for (const s of subjects) {
      const h = heads.get(s);
      if (h) prev[s] = h;
    }
    const envelope: Envelope = {
      v: 1,
      seq,
      id: `0196f3c2-8a1e-7c3b-9d4f-${String(seq).padStart(12, '0')}`,
      type: 'motor.tested',
      time: '2026-11-23T06:15:00Z',
      recorded: '2026-11-23T06:15:01.002Z',
      actor: { ...producer },
      subjects,
      prev,
      data: { step: seq },
    };
    const bytes = encodeEnvelope(envelope);
    for (const subject of subjects) heads.set(subject, { seq, hash: toBase64(leafHash(bytes)) });
    envelopes.push(envelope);
    lines.push(new TextDecoder().decode(bytes));
  }
  return { envelopes, lines };
}

async function signedAt(lines: string[], sizes: number[]) {
  const signer = await signerFromJwk(await generateSigningJwk());
  const leaves = lines.map((l) => leafHash(utf8Encode(l)));
  const ring = await CheckpointKeyRing.from({ keys: [signer.publicJwk] }, 'export');
  const checkpoints: AnchorCheckpoint[] = [];
  for (const size of sizes) {
    const jws = await signer.sign({ origin: ORIGIN, size, root: rootFromLeafHashes(leaves.slice(0, size)) });
    checkpoints.push(await ring.verify(jws));
  }
  return checkpoints;
}

function verify(lines: string[], checkpoints: AnchorCheckpoint[] = [], strict = true) {
  const v = new LogVerifier({ checkpoints, strictCanonical: strict });
  for (const l of lines) v.add(utf8Encode(l));
  return v.finish();
}

// Re-serialize entry `i` after `edit`, keeping the JSON shape (not canonical unless edit keeps it so).
function edited(lines: string[], i: number, edit: (e: Record<string, unknown>) => void): string[] {
  const out = [...lines];
  const e = JSON.parse(out[i]!) as Record<string, unknown>;
  edit(e);
  out[i] = JSON.stringify(e);
  return out;
}

describe('the format rules are enforced by default', () => {
  const { lines } = makeLog(12);

  it('passes what the writer writes', () => {
    expect(verify(lines)).toMatchObject({ entries: 12, uncovered: 12 });
  });

  // Each of these broke no hash a verifier recomputes from the export alone (they are made before hashing).
  const cases: [string, (e: Record<string, unknown>) => void, string][] = [
    ['an extra top-level member', (e) => Object.assign(e, { zz: 1 }), 'MALFORMED_ENTRY'],
    ['an upper-case id', (e) => Object.assign(e, { id: String(e.id).toUpperCase() }), 'MALFORMED_ENTRY'],
    [
      'a time with an offset',
      (e) => Object.assign(e, { time: '2026-11-23T07:15:00+01:00' }),
      'MALFORMED_ENTRY',
    ],
    [
      'recorded without milliseconds',
      (e) => Object.assign(e, { recorded: '2026-11-23T06:15:01Z' }),
      'MALFORMED_ENTRY',
    ],
    [
      'an extra member in a prev link',
      (e) => {
        const prev = e.prev as Record<string, Record<string, unknown>>;
        for (const k of Object.keys(prev)) prev[k]!.note = 'x';
      },
      'MALFORMED_ENTRY',
    ],
    [
      'an actor with an extra member',
      (e) => Object.assign(e, { actor: { ...producer, x: 1 } }),
      'MALFORMED_ENTRY',
    ],
    ['empty subjects', (e) => Object.assign(e, { subjects: [], prev: {} }), 'MALFORMED_ENTRY'],
    [
      'a subject of no known kind',
      (e) => Object.assign(e, { subjects: ['truck:T1'], prev: {} }),
      'MALFORMED_ENTRY',
    ],
  ];
  it.each(cases)('refuses %s', (_name, edit, code) => {
    // Entry 9 has a link (motor 1's third entry); re-link the chain after it is not needed: the format fails first.
    const bad = edited(lines, 9, edit);
    expect(() => verify(bad)).toThrow(expect.objectContaining({ code, seq: 9 }));
  });

  it('refuses duplicate member names by default, and says --no-strict skips only that kind of check', () => {
    const bad = [...lines];
    bad[3] = bad[3]!.replace('"data":{', '"data":{"step":7,');
    expect(() => verify(bad)).toThrow(expect.objectContaining({ code: 'NOT_CANONICAL', seq: 3 }));
    // Non-strict skips the RFC 8785 check alone; the duplicate then parses to step 7 and later links fail on hash.
    const dup = [...lines.slice(0, 4)];
    dup[3] = dup[3]!.replace('"data":{', '"data":{"step":7,');
    expect(verify(dup, [], false)).toMatchObject({ entries: 4 });
  });
});

describe('the verdict names the right entry', () => {
  it('a changed prev hash names the entry whose link is wrong when a checkpoint attests the linked entry', async () => {
    const { lines } = makeLog(12);
    const checkpoints = await signedAt(lines, [8, 12]);
    // Entry 9 (motor 1) links entry 5, which the checkpoint of size 8 covers.
    const bad = edited(lines, 9, (e) => {
      const prev = e.prev as Record<string, { hash: string }>;
      for (const k of Object.keys(prev)) prev[k]!.hash = toBase64(new Uint8Array(32).fill(1));
    });
    expect(() => verify(bad, checkpoints)).toThrow(
      expect.objectContaining({ code: 'BROKEN_PREV_LINK', seq: 9 }),
    );
  });

  const corruptLink = (e: Record<string, unknown>) => {
    const prev = e.prev as Record<string, { hash: string }>;
    for (const k of Object.keys(prev)) prev[k]!.hash = toBase64(new Uint8Array(32).fill(1));
  };

  it('a link signed wrong: the checkpoint after both entries attests them as they are, so the link is named', async () => {
    const { lines } = makeLog(12);
    const bad = edited(lines, 9, corruptLink); // motor 1's last entry: nothing links it
    const checkpoints = await signedAt(bad, [12]);
    expect(() => verify(bad, checkpoints)).toThrow(
      expect.objectContaining({ code: 'BROKEN_PREV_LINK', seq: 9 }),
    );
  });

  it('an entry of two subjects: a second link to it settles whether it or the first link changed', () => {
    // Entry 1 is a loading of motor 0 onto shipment S1; entry 2 links it for the motor, entry 3 for the shipment.
    const subjects = [
      ['motor:7DL-000000'],
      ['motor:7DL-000000', 'shipment:S1'],
      ['motor:7DL-000000'],
      ['shipment:S1'],
    ];
    const { lines } = makeLogOf(subjects);
    expect(verify(lines)).toMatchObject({ entries: 4 });
    expect(() => verify(edited(lines, 2, corruptLink))).toThrow(
      expect.objectContaining({ code: 'BROKEN_PREV_LINK', seq: 2 }),
    );
    const altered = [...lines];
    altered[1] = altered[1]!.replace('"step":1', '"step":7');
    expect(() => verify(altered)).toThrow(expect.objectContaining({ code: 'LEAF_HASH_MISMATCH', seq: 1 }));
  });

  it('an edited entry is still named by the link its successor recorded', () => {
    const { lines } = makeLog(12);
    const bad = [...lines];
    bad[5] = bad[5]!.replace('"step":5', '"step":55');
    expect(() => verify(bad)).toThrow(expect.objectContaining({ code: 'LEAF_HASH_MISMATCH', seq: 5 }));
  });

  it('two swapped lines are REORDERED_ENTRY, a removed one MISSING_ENTRY', () => {
    const { lines } = makeLog(12);
    const swapped = [...lines];
    [swapped[6], swapped[7]] = [swapped[7]!, swapped[6]!];
    expect(() => verify(swapped)).toThrow(expect.objectContaining({ code: 'REORDERED_ENTRY', seq: 6 }));
    const removed = lines.filter((_, i) => i !== 6);
    expect(() => verify(removed)).toThrow(expect.objectContaining({ code: 'MISSING_ENTRY', seq: 6 }));
  });

  it('checkpoint faults name the checkpoint by its size, never seq -1', async () => {
    const { lines } = makeLog(12);
    const [cp] = await signedAt(lines, [8]);
    const wrong = { ...cp!, root: new Uint8Array(32) };
    expect(() => verify(lines, [wrong])).toThrow(
      expect.objectContaining({
        code: 'ROOT_MISMATCH',
        checkpointSize: 8,
        seq: undefined,
        where: 'checkpoint of size 8',
      }),
    );
    expect(() => verify(lines.slice(0, 5), [cp!])).toThrow(
      expect.objectContaining({ code: 'MISSING_ENTRY', seq: 5, checkpointSize: 8 }),
    );
    expect(() => new LogVerifier({ checkpoints: [cp!, { ...cp!, origin: 'elsewhere' }] })).toThrow(
      expect.objectContaining({ code: 'WRONG_ORIGIN', checkpointSize: 8 }),
    );
  });
});

describe('the RFC 8785 check has a fast path that agrees with re-serializing', () => {
  // Seeded (mulberry32), so a failure is reproducible.
  let seed = 8785;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const KEYS = ['a', 'b', 'B', '1', '10', '9', '01', 'é', '😀', '\u0000', 'toJSON', '__proto__', 'a b', '-1'];
  const STRINGS = ['', 'x', 'é€😀', '\ud800', '\udc00x', '"\\/', '\n\t\u001f', '\u2028'];
  const NUMBERS = [0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53, 0.1 + 0.2, -0];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.35) return pick<unknown>([...STRINGS, ...NUMBERS, true, null]);
    if (r < 0.55) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 4); i > 0; i--) o[pick(KEYS)] = value(depth + 1);
    return o;
  };
  // Escape the first letter of a string or member name (a letter right after a quote opens one).
  const escapeOne = (t: string) =>
    t.replace(/"([a-zé😀])/u, (_m, c: string) =>
      c.length === 2
        ? `"\\u${c.charCodeAt(0).toString(16)}\\u${c.charCodeAt(1).toString(16)}`
        : `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  const reference = (parsed: unknown, text: string) => {
    try {
      return canonicalJson(parsed) === text;
    } catch {
      return false;
    }
  };

  it('on thousands of random texts, canonical or not', () => {
    let canonical = 0;
    for (let i = 0; i < 4000; i++) {
      const v = value(0);
      const texts = [
        JSON.stringify(v),
        escapeOne(JSON.stringify(v)),
        JSON.stringify(v, null, rand() < 0.1 ? 1 : 0),
      ];
      try {
        texts.push(canonicalJson(v));
      } catch {
        // no canonical form (a lone surrogate, -0)
      }
      for (const text of texts) {
        const parsed = JSON.parse(text) as unknown;
        const expected = reference(parsed, text);
        if (expected) canonical++;
        expect(isCanonicalText(parsed, text), text).toBe(expected);
      }
    }
    expect(canonical).toBeGreaterThan(1000);
  });
});
