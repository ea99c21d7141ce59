// A synthetic export without a database, for working on the verifier: `node dist/bench/make-export.js <dir>
// [entries]` writes entries.ndjson, checkpoints.jws and jwks.json as `motor-ledger export` would for a log of
// the bench's events (same envelope code, real prev links, a signed checkpoint every 1,000 entries and at the
// end). Then `node dist/bench/verify-child.js <dir> verify` measures verifyExport on it.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../src/core/canonical.js';
import { toBase64 } from '../src/core/encoding.js';
import { type Envelope, envelopeJson, normalizeSubjects, type PrevLink } from '../src/core/envelope.js';
import { leafHash, MerkleFrontier } from '../src/core/merkle.js';
import { generateSigningJwk, signerFromJwk } from '../src/ledger/signing.js';
import { installNodeSha256 } from '../src/verify/node-sha256.js';
import { EventGenerator } from './events.js';

installNodeSha256();

async function main(): Promise<void> {
  const [dir, count = '1000000'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: make-export <dir> [entries]');
  const n = Number(count.replaceAll('_', ''));
  mkdirSync(dir, { recursive: true });
  const signer = await signerFromJwk(await generateSigningJwk());
  const origin = 'bench.local/synthetic';
  const gen = new EventGenerator(20261123);
  const frontier = new MerkleFrontier();
  const heads = new Map<string, PrevLink>();
  const out = createWriteStream(join(dir, 'entries.ndjson'));
  const jwses: string[] = [];
  const recorded = '2026-11-23T06:15:01.002Z';
  let pending: string[] = [];
  const flush = async () => {
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (let seq = 0; seq < n; seq++) {
    const { draft } = gen.next();
    const subjects = normalizeSubjects(draft.subjects);
    const prev: Record<string, PrevLink> = {};
    for (const s of subjects) {
      const h = heads.get(s);
      if (h) prev[s] = h;
    }
    const envelope: Envelope = {
      v: 1,
      seq,
      id: uuidv7(),
      type: draft.type,
      time: draft.time,
      recorded,
      actor: { ...draft.actor },
      subjects,
      prev,
      data: draft.data,
    };
    const text = envelopeJson(envelope, canonicalJson(draft.data, 'data'));
    const leaf = leafHash(Buffer.from(text));
    frontier.append(leaf);
    const link = { seq, hash: toBase64(leaf) };
    for (const s of subjects) heads.set(s, link);
    pending.push(`${text}\n`);
    if (frontier.size % 1000 === 0 || seq === n - 1) {
      jwses.push(await signer.sign({ origin, size: frontier.size, root: frontier.root() }));
      await flush();
    }
  }
  await flush();
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  writeFileSync(join(dir, 'checkpoints.jws'), jwses.map((j) => `${j}\n`).join(''));
  writeFileSync(join(dir, 'jwks.json'), `${JSON.stringify({ keys: [signer.publicJwk] }, null, 2)}\n`);
  process.stdout.write(`${n} entries, ${jwses.length} checkpoints, root ${toBase64(frontier.root())}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`make-export: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
