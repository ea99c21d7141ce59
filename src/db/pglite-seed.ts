// A fresh embedded database starts from a seed: the data directory of an empty, fully migrated PGlite, made
// once at build time (`npm run build`, which `npm install` runs) and copied into a new DATA_DIR. PGlite's initdb
// in WASM takes ~10 s on this class of machine (and unpacking a dumped tarball ~2 s); a native copy of the
// directory takes a fraction of a second, so a new DATA_DIR opens as fast as an existing one. Migrations still
// run on every open, so a seed is only ever a head start; without one, a directory is initialised the slow way.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the seed: dist/pglite-seed/ (beside dist/src). */
export const SEED_DIR = fileURLToPath(new URL('../../pglite-seed', import.meta.url));

// Run from source (tsx, tests), this file is src/db/pglite-seed.ts and the build's seed is under dist/. A seed
// older than the source's migrations is still a good start: the migrations run after it on every open.
const CANDIDATES = [SEED_DIR, fileURLToPath(new URL('../../dist/pglite-seed', import.meta.url))];

/**
 * Copy the seed into `dataDir` when it holds no database yet and a seed was built; true when it did.
 * @example seedDataDir('./.motor-ledger'); const pglite = await PGlite.create({ dataDir: './.motor-ledger' });
 */
export function seedDataDir(dataDir: string): boolean {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return false;
  const seed = CANDIDATES.find((d) => existsSync(join(d, 'PG_VERSION')));
  if (!seed) return false;
  for (const name of readdirSync(seed)) cpSync(join(seed, name), join(dataDir, name), { recursive: true });
  return true;
}
