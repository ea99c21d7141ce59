// A fresh database for one bench run (ml_bench_<random>) on the server of the admin URL, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  /** Server facts for the report (version and the settings that decide commit cost). */
  server: Record<string, string>;
  drop(): Promise<void>;
}

const SETTINGS = [
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'commit_delay',
  'full_page_writes',
  'shared_buffers',
  'max_wal_size',
  'max_connections',
];

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `ml_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'motor-ledger-bench-admin' });
  await admin.connect();
  const server: Record<string, string> = {};
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const { rows } = await admin.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [SETTINGS],
    );
    for (const r of rows) server[r.name] = r.unit ? `${r.setting} × ${r.unit}` : r.setting;
    const v = await admin.query<{ server_version: string }>('SHOW server_version');
    server.server_version = v.rows[0]?.server_version ?? 'unknown';
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: u.toString(),
    server,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: adminUrl, application_name: 'motor-ledger-bench-admin' });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
