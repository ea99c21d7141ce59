// Opens the database: PostgreSQL through a pg Pool when a URL is given, else embedded PGlite under a data
// directory. Both sit behind the same Kysely interface and run the same migrations and code paths.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
} from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { LedgerError } from '../core/errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Where it lives, for messages: the URL without password, or the data directory. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; absent → embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; absent with no url → in memory. */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** `SET ROLE` on every connection, e.g. motor_ledger_app (INSERT and SELECT only on the log). */
  role?: string | undefined;
}

// int8 → number: every seq, size and count we store is below 2^53, and PGlite already returns numbers;
// both drivers then give the code one type. Numeric stays a string.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Open the ledger database (PostgreSQL or embedded PGlite). */
export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      application_name: 'motor-ledger',
      // JIT compilation costs hundreds of ms and pays off only on long analytical scans; every query here is short.
      options: '-c jit=off',
    });
    const role = options.role;
    if (role && !/^[a-z_][a-z0-9_]*$/.test(role)) {
      throw new LedgerError('INVALID_CONFIG', `DATABASE_ROLE "${role}" is not a plain PostgreSQL role name.`);
    }
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool,
        onCreateConnection: role
          ? async (conn) => {
              await conn.executeQuery(CompiledQuery.raw(`SET ROLE "${role}"`));
            }
          : undefined,
      }),
    });
    return { db, kind: 'postgres', location: redactUrl(options.url), close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    location: options.dataDir ? `embedded PGlite at ${options.dataDir}` : 'embedded PGlite in memory',
    close: () => db.destroy(),
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

const provider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => migrations,
};

/** Apply every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db: db as Kysely<unknown>, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new LedgerError('MIGRATION_FAILED', `Migration ${failed} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
