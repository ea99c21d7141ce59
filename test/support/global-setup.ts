// One PostgreSQL for the whole run (BRIEF §7): TEST_DATABASE_URL if set, else a testcontainers PostgreSQL
// when Docker answers, else none, and the suite runs on embedded PGlite, skipping what needs a server.
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

let stop: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.TEST_DATABASE_URL ?? '';
  if (!url && process.env.TEST_NO_CONTAINERS !== '1') {
    try {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15-alpine').start();
      url = container.getConnectionUri();
      stop = () => container.stop();
    } catch (err) {
      console.warn(
        `[motor-ledger tests] No TEST_DATABASE_URL and no Docker (${(err as Error).message.split('\n')[0]}): running on embedded PGlite; tests that need a PostgreSQL server are skipped.`,
      );
    }
  }
  project.provide('adminUrl', url);
}

export async function teardown(): Promise<void> {
  await stop?.();
}
