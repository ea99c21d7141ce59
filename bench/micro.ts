// Micro-benchmarks of the per-event JavaScript on the write path and of the verifier, on the bench's drafts:
// `npx tsx bench/micro.ts` or `node dist/bench/micro.js` after `npm run build`. Prints microseconds per event for
// each step (median of 5 passes over the same events), so a change to canonical.ts, envelope.ts, merkle.ts or
// the sequencer's encoding can be measured without PostgreSQL.
import { canonicalJson } from '../src/core/canonical.js';
import { toBase64 } from '../src/core/encoding.js';
import {
  type Envelope,
  encodeEnvelope,
  envelopeJson,
  normalizeSubjects,
  type PrevLink,
  validateDraft,
} from '../src/core/envelope.js';
import { portableSha256, useSha256 } from '../src/core/hash.js';
import { leafHash, MerkleFrontier } from '../src/core/merkle.js';
import { LogVerifier } from '../src/core/verifier.js';
import { rawCommand } from '../src/ledger/sequencer.js';
import { EventGenerator } from './events.js';
import { median } from './stats.js';

const N = Number(process.env.MICRO_EVENTS ?? 20_000);
// Importing the sequencer installs node:crypto; MICRO_HASH=noble measures the portable @noble/hashes instead.
if (process.env.MICRO_HASH === 'noble') useSha256(portableSha256);
const PASSES = 5;

function time(label: string, n: number, fn: () => void): number {
  const runs: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    const t0 = performance.now();
    fn();
    runs.push(((performance.now() - t0) * 1000) / n);
  }
  const us = median(runs);
  process.stdout.write(`${label.padEnd(58)} ${us.toFixed(2).padStart(8)} µs/event\n`);
  return us;
}

const gen = new EventGenerator(20261123);
const drafts = Array.from({ length: N }, () => gen.next().draft);
const recorded = new Date().toISOString();
const id = '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a';

// Envelopes with real prev links, and their bytes, for the encode and verify steps.
const heads = new Map<string, PrevLink>();
const envelopes: Envelope[] = [];
const dataJsons: string[] = [];
const entries: Uint8Array[] = [];
for (let seq = 0; seq < N; seq++) {
  const draft = drafts[seq]!;
  const subjects = normalizeSubjects(draft.subjects);
  const prev: Record<string, PrevLink> = {};
  for (const s of subjects) {
    const h = heads.get(s);
    if (h) prev[s] = h;
  }
  const envelope: Envelope = {
    v: 1,
    seq,
    id,
    type: draft.type,
    time: draft.time,
    recorded,
    actor: { ...draft.actor },
    subjects,
    prev,
    data: draft.data,
  };
  const dataJson = canonicalJson(draft.data, 'data');
  const bytes = encodeEnvelope(envelope, dataJson);
  const link = { seq, hash: toBase64(leafHash(bytes)) };
  for (const s of subjects) heads.set(s, link);
  envelopes.push(envelope);
  dataJsons.push(dataJson);
  entries.push(bytes);
}
const meanBytes = entries.reduce((a, b) => a + b.length, 0) / N;
process.stdout.write(
  `${N} events, mean entry ${meanBytes.toFixed(0)} B, SHA-256 by ${process.env.MICRO_HASH === 'noble' ? '@noble/hashes' : 'node:crypto'}\n`,
);

let sink = 0;
time('rawCommand (request hash)', N, () => {
  for (const d of drafts) sink += rawCommand(d).requestHash[0]!;
});
time('validateDraft + canonicalJson(data)', N, () => {
  for (const d of drafts) {
    validateDraft(d);
    sink += canonicalJson(d.data, 'data').length;
  }
});
time('canonicalJson(whole envelope)', N, () => {
  for (const e of envelopes) sink += canonicalJson(e).length;
});
time('encodeEnvelope(envelope, dataJson)', N, () => {
  for (let i = 0; i < N; i++) sink += encodeEnvelope(envelopes[i]!, dataJsons[i]).length;
});
time('leafHash', N, () => {
  for (const b of entries) sink += leafHash(b)[0]!;
});
time('leafHash + frontier append', N, () => {
  const f = new MerkleFrontier();
  for (const b of entries) f.append(leafHash(b));
  sink += f.size;
});
// What the sequencer does per event after decide (src/ledger/sequencer.ts #runBatch), without the database.
function pipeline(encode: (text: string) => Uint8Array): () => void {
  return () => {
    const f = new MerkleFrontier();
    const hs = new Map<string, PrevLink>();
    for (let seq = 0; seq < N; seq++) {
      const draft = drafts[seq]!;
      validateDraft(draft);
      const dataJson = canonicalJson(draft.data, 'data');
      const subjects = normalizeSubjects(draft.subjects);
      const prev: Record<string, PrevLink> = {};
      for (const s of subjects) {
        const h = hs.get(s);
        if (h) prev[s] = h;
      }
      const envelope: Envelope = {
        v: 1,
        seq,
        id,
        type: draft.type,
        time: draft.time,
        recorded,
        actor: { sub: draft.actor.sub, role: draft.actor.role, site: draft.actor.site },
        subjects,
        prev,
        data: draft.data,
      };
      const bytes = encode(envelopeJson(envelope, dataJson));
      const leaf = leafHash(bytes);
      f.append(leaf);
      const link = { seq, hash: toBase64(leaf) };
      for (const s of subjects) hs.set(s, link);
    }
    sink += f.size;
  };
}
const te = new TextEncoder();
time(
  'pipeline after decide (TextEncoder)',
  N,
  pipeline((t) => te.encode(t)),
);
time(
  'pipeline after decide (Buffer.from)',
  N,
  pipeline((t) => Buffer.from(t)),
);
time('LogVerifier.add, strict RFC 8785 check', N, () => {
  const v = new LogVerifier({ checkpoints: [], strictCanonical: true });
  for (const b of entries) v.add(b);
  sink += v.finish().entries;
});
time('LogVerifier.add, no strict check', N, () => {
  const v = new LogVerifier({ checkpoints: [], strictCanonical: false });
  for (const b of entries) v.add(b);
  sink += v.finish().entries;
});
if (sink === 42) process.stdout.write('\n');
