// The first minutes with PostgreSQL: a DATABASE_URL that names a database that does not exist, or a server
// that does not answer, is said in words that say what to do (not "Migration unknown failed").
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { adminUrl, hasServer } from '../support/db.js';

describe.skipIf(!hasServer)('opening PostgreSQL', () => {
  it('names a database that does not exist and how to create it', async () => {
    const url = new URL(adminUrl);
    url.pathname = '/no_such_ledger_db';
    const opening = openDatabase({ url: url.toString() });
    await expect(opening).rejects.toMatchObject({ code: 'DATABASE_MISSING' });
    await expect(opening).rejects.toThrow(
      /Database "no_such_ledger_db" does not exist .*createdb .*no_such_ledger_db/,
    );
  });

  it('says when nothing answers at the address', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r())); // a port where nothing listens
    const opening = openDatabase({
      url: `postgres://postgres@127.0.0.1:${port}/ledger`,
      connectTimeoutMs: 1000,
    });
    await expect(opening).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    await expect(opening).rejects.toThrow(/No PostgreSQL answers at .*start it, or fix DATABASE_URL/);
  });
});
