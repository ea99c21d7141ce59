// verifyExport with worker threads must give exactly the verdict of the one-thread verifier (LogVerifier.add on
// every line): same summary, or same error code, seq and message, on an intact export and on hundreds of
// tampered ones, with and without the RFC 8785 check, with chunks small enough to split lines every which way.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { exportLedger } from '../../src/verify/export.js';
import { verifyExport } from '../../src/verify/verify.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let tdb: TestDatabase;
let ledger: Ledger<DomainState>;
let dir: string;
let original: Buffer;

const N = 240;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
  // Motors and shipments interleaved, so entries have one or two subjects and links reach across chunks;
  // checkpoints every 50 entries.
  for (let i = 0; i < N; i++) {
    const subjects = [`motor:${serial(i % 13)}`];
    if (i % 3 === 0) subjects.push(`shipment:SHP-${i % 7}`);
    await ledger.sequencer.append(
      rawCommand(
        aMotorEvent()
          .withSubjects(...subjects)
          .withData({ step: i, note: 'é€😀'.repeat(i % 5), pad: 'x'.repeat((i * 37) % 900) })
          .build(),
      ),
    );
    if (i % 50 === 49) await ledger.sequencer.checkpoint();
  }
  await ledger.sequencer.checkpoint();
  dir = mkdtempSync(join(tmpdir(), 'ml-verify-workers-'));
  await exportLedger(tdb.handle.db, dir);
  original = readFileSync(join(dir, 'entries.ndjson'));
}, 120_000);
afterAll(async () => {
  await ledger?.close();
  await tdb?.drop();
});

const files = () => ({
  entries: join(dir, 'entries.ndjson'),
  checkpoints: join(dir, 'checkpoints.jws'),
  jwks: join(dir, 'jwks.json'),
});

async function outcome(options: Parameters<typeof verifyExport>[1]): Promise<unknown> {
  try {
    return { ok: await verifyExport(files(), options) };
  } catch (e) {
    const err = e as { code?: string; seq?: number; message?: string };
    return { code: err.code, seq: err.seq, message: err.message };
  }
}

// The chunked path compared with one thread: inline (the workers' code on this thread, fast to start) with
// chunks of several sizes, and with `threads` also real worker threads (starting one from the TypeScript
// sources takes most of a second, so only some cases do).
const CONFIGS: readonly { workers: number; chunkBytes: number; inline: boolean }[] = [
  { workers: 1, chunkBytes: 1 << 20, inline: true },
  { workers: 2, chunkBytes: 700, inline: true },
  { workers: 3, chunkBytes: 4096, inline: true },
  { workers: 1, chunkBytes: 64, inline: true },
];
const THREADS = [{ workers: 2, chunkBytes: 900, inline: false }];

async function same(entries: Buffer, label: string, threads = false): Promise<unknown> {
  writeFileSync(files().entries, entries);
  const results: unknown[] = [];
  for (const strictCanonical of [false, true]) {
    const reference = await outcome({ workers: 0, strictCanonical });
    for (const config of threads ? [...CONFIGS, ...THREADS] : CONFIGS) {
      const got = await outcome({ ...config, strictCanonical });
      expect(got, `${label}, strict ${strictCanonical}, ${JSON.stringify(config)}`).toEqual(reference);
    }
    results.push(reference);
  }
  return results;
}

function lines(): string[] {
  return original.toString('utf8').split('\n');
}

// A small seeded PRNG, so that a failure can be replayed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('verifyExport with workers agrees with one thread', () => {
  it('on the intact export', async () => {
    const [plain] = (await same(original, 'intact', true)) as { ok: { entries: number } }[];
    expect(plain!.ok.entries).toBe(N);
  });

  it('on structural edits: lines removed, duplicated, swapped, emptied, the file cut or without its last newline', async () => {
    const edits: [string, (l: string[]) => string[]][] = [
      ['remove 0', (l) => l.slice(1)],
      ['remove 77', (l) => [...l.slice(0, 77), ...l.slice(78)]],
      ['duplicate 120', (l) => [...l.slice(0, 121), l[120]!, ...l.slice(121)]],
      ['swap 30 and 31', (l) => [...l.slice(0, 30), l[31]!, l[30]!, ...l.slice(32)]],
      ['empty line 10', (l) => [...l.slice(0, 10), '', ...l.slice(10)]],
      ['cut after 149', (l) => [...l.slice(0, 150), '']],
      ['cut mid-line', (l) => [...l.slice(0, 100), l[100]!.slice(0, 40)]],
      ['no final newline', (l) => l.slice(0, -1)],
      ['CRLF on 5', (l) => l.map((x, i) => (i === 5 ? `${x}\r` : x))],
      ['BOM on 0', (l) => l.map((x, i) => (i === 0 ? `\ufeff${x}` : x))],
    ];
    for (const [label, edit] of edits) {
      await same(
        Buffer.from(edit(lines()).join('\n')),
        label,
        label === 'remove 77' || label === 'cut mid-line',
      );
    }
  }, 120_000);

  it('on edits of fields: data, prev links, subjects, seq, version, and non-canonical but equal JSON', async () => {
    const patch = (i: number, f: (e: Record<string, unknown>) => void) => (l: string[]) => {
      const e = JSON.parse(l[i]!) as Record<string, unknown>;
      f(e);
      return l.map((x, j) => (j === i ? canonicalJson(e) : x));
    };
    const edits: [string, (l: string[]) => string[]][] = [
      ['data of 13', patch(13, (e) => ((e.data as Record<string, unknown>).step = 99))],
      [
        'prev seq of 40',
        patch(40, (e) => ((Object.values(e.prev as object)[0] as { seq: number }).seq -= 1)),
      ],
      [
        'prev hash of 41',
        patch(41, (e) => ((Object.values(e.prev as object)[0] as { hash: string }).hash = 'AAAA')),
      ],
      ['prev removed from 60', patch(60, (e) => (e.prev = {}))],
      [
        'prev null link on 61',
        patch(61, (e) => ((e.prev as Record<string, null>)[Object.keys(e.prev as object)[0]!] = null)),
      ],
      [
        'prev of a non-subject on 62',
        patch(62, (e) => ((e.prev as Record<string, unknown>)['motor:X'] = { seq: 1, hash: 'x' })),
      ],
      ['subjects unsorted on 63', patch(63, (e) => (e.subjects as string[]).reverse())],
      ['subjects empty on 64', patch(64, (e) => (e.subjects = []))],
      ['seq 66 says 67', patch(66, (e) => (e.seq = 67))],
      ['seq 66 says 65', patch(66, (e) => (e.seq = 65))],
      ['version 2 on 70', patch(70, (e) => (e.v = 2))],
      ['spaces in 80', (l) => l.map((x, i) => (i === 80 ? x.replace('{"actor":', '{ "actor":') : x))],
      [
        'keys unsorted in 81 (same bytes hash differently)',
        (l) => l.map((x, i) => (i === 81 ? x.replace(/^\{"actor":(\{[^}]*\}),"data":/, '{"data":') : x)),
      ],
      ['escaped slash in 82', (l) => l.map((x, i) => (i === 82 ? x.replace('motor:', 'motor\\u003a') : x))],
    ];
    for (const [label, edit] of edits) {
      await same(Buffer.from(edit(lines()).join('\n')), label, label === 'prev hash of 41');
    }
  }, 120_000);

  it('on 60 random byte flips, insertions and deletions', async () => {
    const rand = prng(20261123);
    for (let k = 0; k < 60; k++) {
      const b = Buffer.from(original);
      const at = Math.floor(rand() * b.length);
      const kind = k % 3;
      let tampered: Buffer;
      if (kind === 0) {
        b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
        tampered = b;
      } else if (kind === 1) {
        tampered = Buffer.concat([
          b.subarray(0, at),
          Buffer.from([Math.floor(rand() * 256)]),
          b.subarray(at),
        ]);
      } else {
        tampered = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      }
      await same(tampered, `random edit ${k} at ${at}`);
    }
  }, 300_000);
});
