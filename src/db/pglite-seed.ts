// A fresh embedded database starts from a seed: the data directory of an empty, fully migrated PGlite, made
// once at build time (`npm run build`, which `npm install` runs). PGlite's initdb in WASM takes ~10 s on this
// class of machine; unpacking the seed takes ~2 s, so `npm start` on an empty DATA_DIR is ready in seconds.
// Migrations still run on every open, so a seed is only ever a head start; without one, a directory is
// initialised the slow way.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the seed: dist/pglite-seed.tar.gz (beside dist/src). */
export const SEED_FILE = fileURLToPath(new URL('../../pglite-seed.tar.gz', import.meta.url));

// Run from source (tsx, tests), this file is src/db/pglite-seed.ts and the build's seed is under dist/. A seed
// older than the source's migrations is still a good start: the migrations run after it on every open.
const CANDIDATES = [SEED_FILE, fileURLToPath(new URL('../../dist/pglite-seed.tar.gz', import.meta.url))];

/** The seed to initialise `dataDir` from, when it is empty and a seed was built; else undefined. */
export function seedFor(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  const file = CANDIDATES.find((f) => existsSync(f));
  return file ? new Blob([readFileSync(file)]) : undefined;
}
