// Opens the database: PostgreSQL through a pg Pool when a URL is given, else embedded PGlite under a data
// directory. Both sit behind the same Kysely interface and run the same migrations and code paths.
//
// A database that goes away is not the caller's fault and must not take the process with it: the pool's idle
// connections that PostgreSQL closes (restart, failover, pg_terminate_backend) are dropped quietly and
// replaced on the next query, and every error that means "no database right now" becomes one
// UnavailableError (503 DATABASE_UNAVAILABLE) through databaseUnavailable(). The embedded directory is held by
// one process at a time (data-dir-lock.ts).
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { LedgerError, UnavailableError } from '../core/errors.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import { seedDataDir } from './pglite-seed.js';
import type { Database } from './schema.js';
import { isDatabaseUnavailable } from './unavailable.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Where it lives, for messages: the URL without password, or the data directory. */
  readonly location: string;
  /** The embedded directory's lock (absent for PostgreSQL and in-memory PGlite). */
  readonly lock?: DataDirLock | undefined;
  /** PostgreSQL: the pool's connections now (open, idle, requests waiting for one), for the metrics. */
  readonly poolStats?: (() => { total: number; idle: number; waiting: number }) | undefined;
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
  /** Longest wait for a new PostgreSQL connection (ms) before the request is answered 503; default 5 s. */
  connectTimeoutMs?: number | undefined;
  /** What this process is (serve, demo, export…), named to a second opener of the same embedded directory. */
  command?: string | undefined;
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
      // Without a bound, a request waits forever for a connection to a database that does not answer.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // An idle client whose server closed it emits 'error' on the pool; unheard, that event ends the process.
    // The pool has already dropped the client; the next query opens a new one (or fails with a 503).
    // Said as a JSON log line (pino's shape, level warn), as everything the server says.
    pool.on('error', (err) =>
      process.stderr.write(
        `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg: 'a pooled database connection failed and was dropped', err: { message: err.message } })}\n`,
      ),
    );
    // A client checked out (inside a transaction, between two statements) that loses its server emits 'error'
    // on itself, where the pool does not listen: hear it here. The statement in flight, if any, fails on its
    // own, and the pool discards the dead client when it is released.
    pool.on('connect', (client) => {
      client.on('error', () => {});
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
    const location = redactUrl(options.url);
    try {
      await sql`SELECT 1`.execute(db);
    } catch (err) {
      await db.destroy();
      throw connectFailure(err, options.url, location);
    }
    return {
      db,
      kind: 'postgres',
      location,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => db.destroy(),
    };
  }
  const lock = options.dataDir
    ? await lockDataDir(options.dataDir, options.command ?? process.argv[2] ?? 'motor-ledger')
    : undefined;
  try {
    if (options.dataDir) seedDataDir(options.dataDir);
    const pglite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      location: options.dataDir ? `embedded PGlite at ${options.dataDir}` : 'embedded PGlite in memory',
      lock,
      close: async () => {
        try {
          await db.destroy();
        } finally {
          await lock?.release();
        }
      },
    };
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

// Why a first connection failed, in words that say what to do.
function connectFailure(err: unknown, url: string, location: string): LedgerError {
  const e = err as { code?: string; message?: string };
  let database = '';
  let host = '';
  try {
    const u = new URL(url);
    database =
      decodeURIComponent(u.pathname.slice(1)) || (u.username ? decodeURIComponent(u.username) : 'postgres');
    host = u.host;
  } catch {}
  if (e.code === '3D000')
    return new LedgerError(
      'DATABASE_MISSING',
      `Database "${database}" does not exist on ${host}: create it (createdb -h ${host.split(':')[0]} ${database}) or fix DATABASE_URL.`,
    );
  if (e.code === '28P01' || e.code === '28000')
    return new LedgerError(
      'DATABASE_AUTH_FAILED',
      `PostgreSQL at ${host} refused the login: ${e.message}. Fix DATABASE_URL.`,
    );
  if (isDatabaseUnavailable(err))
    return new UnavailableError(
      'DATABASE_UNAVAILABLE',
      `No PostgreSQL answers at ${location} (${e.code ?? e.message}): start it, or fix DATABASE_URL.`,
    );
  return new LedgerError('DATABASE_CONNECT_FAILED', `Could not use ${location}: ${e.message ?? String(err)}`);
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
