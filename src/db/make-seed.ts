// `node dist/src/db/make-seed.js` (run by `npm run build`): write the embedded database seed (pglite-seed.ts).
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrateToLatest } from './connect.js';
import { PGliteDialect } from './pglite-dialect.js';
import { SEED_FILE } from './pglite-seed.js';
import type { Database } from './schema.js';

const pglite = await PGlite.create();
const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
await migrateToLatest(db);
const blob = await pglite.dumpDataDir('gzip');
writeFileSync(SEED_FILE, Buffer.from(await blob.arrayBuffer()));
await db.destroy();
console.log(
  `motor-ledger: embedded database seed written to ${SEED_FILE} (${Math.round(blob.size / 1024)} KiB)`,
);
