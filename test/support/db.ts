// One database per test file (BRIEF §7): a fresh PostgreSQL database on the run's server, or an in-memory
// PGlite when there is no server. `needsServer` marks the tests that PGlite cannot run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/db/connect.js';

export const adminUrl = inject('adminUrl');
/** True when tests run against a PostgreSQL server (roles, concurrent connections, restarts). */
export const hasServer = adminUrl !== '';

export interface TestDatabase {
  /** URL of this file's database (undefined on PGlite). */
  url: string | undefined;
  handle: DatabaseHandle;
  config: Config;
  /** Open another handle on the same database (PostgreSQL only): a second "process". */
  openAnother(options?: { role?: string; poolSize?: number }): Promise<DatabaseHandle>;
  /** Run SQL as the superuser (tamper tests). */
  superuser<T extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<T>>;
  drop(): Promise<void>;
}

/** Create, migrate and open a fresh database for this test file. */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const baseConfig = (url: string | undefined) =>
    loadConfig({
      DATABASE_URL: url,
      CHECKPOINT_INTERVAL_MS: '0',
      CHECKPOINT_EVERY: '1000',
      MIGRATE_ON_START: 'true',
    });
  if (!hasServer) {
    const handle = await openDatabase({});
    await migrateToLatest(handle.db);
    return {
      url: undefined,
      handle,
      config: baseConfig(undefined),
      openAnother: async () => {
        throw new Error('needs a PostgreSQL server');
      },
      superuser: async () => {
        throw new Error('needs a PostgreSQL server');
      },
      drop: () => handle.close(),
    };
  }
  const name = `ml_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = await openDatabase({ url, poolSize: options.poolSize ?? 10 });
  await migrateToLatest(handle.db);
  const su = new pg.Pool({ connectionString: url, max: 2 });
  const others: DatabaseHandle[] = [];
  return {
    url,
    handle,
    config: baseConfig(url),
    openAnother: async (o = {}) => {
      const h = await openDatabase({ url, poolSize: o.poolSize ?? 10, role: o.role });
      others.push(h);
      return h;
    },
    superuser: (text, values) => su.query(text, values),
    drop: async () => {
      await Promise.allSettled([handle.close(), su.end(), ...others.map((o) => o.close())]);
      // pg's pool.end() resolves before its sockets have closed; let them go before FORCE terminates stragglers.
      await new Promise((r) => setTimeout(r, 200));
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
