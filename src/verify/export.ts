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
