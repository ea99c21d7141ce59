// Writing an auditor's export: entries.ndjson (one entry per line, exactly the stored bytes), checkpoints.jws
// (one compact JWS per line, in size order) and jwks.json (every key that ever signed).
import { createWriteStream, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { listCheckpoints, streamEntries } from '../ledger/reader.js';
import { readJwks } from '../ledger/signing.js';

const NEWLINE = Buffer.from('\n');

/**
 * Sign a checkpoint of everything committed now, so that an export ends on a signed size (the CLI export and the
 * HTTP export both call it first). An empty log has nothing to sign: that is not an error here.
 * @example await signTailCheckpoint(ledger.sequencer); const lines = entriesAsNdjson(db);
 */
export async function signTailCheckpoint(sequencer: { checkpoint(): Promise<unknown> }): Promise<void> {
  try {
    await sequencer.checkpoint();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EMPTY_LOG') throw err;
  }
}

/** The export as an NDJSON byte stream (the HTTP export endpoint and the CLI share it). */
export function entriesAsNdjson(
  db: Kysely<Database>,
  range: { from?: number; to?: number } = {},
  onEntry?: (count: number) => void,
): Readable {
  return Readable.from(
    (async function* () {
      let n = 0;
      for await (const e of streamEntries(db, range)) {
        yield Buffer.concat([e.body, NEWLINE]);
        onEntry?.(++n);
      }
    })(),
  );
}

/** Write the three export files into `dir`; returns the counts. */
export async function exportLedger(
  db: Kysely<Database>,
  dir: string,
  onProgress?: (done: number) => void,
): Promise<{ entries: number; checkpoints: number }> {
  await mkdir(dir, { recursive: true });
  let entries = 0;
  await pipeline(
    entriesAsNdjson(db, {}, (n) => {
      entries = n;
      if (n % 10_000 === 0) onProgress?.(n);
    }),
    createWriteStream(join(dir, 'entries.ndjson')),
  );
  onProgress?.(entries);
  // Checkpoints are read after the entries: each one covers entries already written (the log only grows).
  const checkpoints = (await listCheckpoints(db, -1, Number.MAX_SAFE_INTEGER)).filter(
    (c) => c.size <= entries,
  );
  writeFileSync(join(dir, 'checkpoints.jws'), checkpoints.map((c) => `${c.jws}\n`).join(''));
  writeFileSync(join(dir, 'jwks.json'), `${JSON.stringify(await readJwks(db), null, 2)}\n`);
  return { entries, checkpoints: checkpoints.length };
}

/**
 * The same three files, fetched from a running server's API (the CLI's export when a server holds the embedded
 * directory). The server's export signs a checkpoint of the tail first; checkpoints are read page by page after
 * the entries, and only those the entries cover are kept, as exportLedger does.
 * @example await exportOverHttp('http://127.0.0.1:3000', token, './audit-2026-11');
 */
export async function exportOverHttp(
  baseUrl: string,
  token: string,
  dir: string,
): Promise<{ entries: number; checkpoints: number }> {
  const get = async (path: string): Promise<Response> => {
    const res = await fetch(new URL(path, baseUrl), { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return res;
  };
  await mkdir(dir, { recursive: true });
  const exported = await get('/v1/ledger/export');
  if (!exported.body) throw new Error('/v1/ledger/export answered no body.');
  let entries = 0;
  const counted = Readable.fromWeb(exported.body as import('node:stream/web').ReadableStream).on(
    'data',
    (b: Buffer) => {
      for (const byte of b) if (byte === 0x0a) entries++;
    },
  );
  await pipeline(counted, createWriteStream(join(dir, 'entries.ndjson')));
  const jws: string[] = [];
  for (let after = -1; ; ) {
    const page = (await (await get(`/v1/ledger/checkpoints?after=${after}&limit=10000`)).json()) as {
      checkpoints: { size: number; jws: string }[];
      next?: number;
    };
    for (const c of page.checkpoints) if (c.size <= entries) jws.push(c.jws);
    if (page.next === undefined) break;
    after = page.next;
  }
  writeFileSync(join(dir, 'checkpoints.jws'), jws.map((j) => `${j}\n`).join(''));
  const jwks = await (await get('/.well-known/jwks.json')).json();
  writeFileSync(join(dir, 'jwks.json'), `${JSON.stringify(jwks, null, 2)}\n`);
  return { entries, checkpoints: jws.length };
}
