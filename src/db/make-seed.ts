// `node dist/src/db/make-seed.js` (run by `npm run build`): write the embedded database seed (pglite-seed.ts).
import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrateToLatest } from './connect.js';
import { PGliteDialect } from './pglite-dialect.js';
import { SEED_DIR } from './pglite-seed.js';
import type { Database } from './schema.js';

rmSync(SEED_DIR, { recursive: true, force: true });
const pglite = await PGlite.create({ dataDir: SEED_DIR });
const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
await migrateToLatest(db);
await db.destroy(); // closes PGlite: the directory is left as a clean shutdown leaves it
console.log(`motor-ledger: embedded database seed written to ${SEED_DIR}`);
