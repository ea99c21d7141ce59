// An app over a fresh test database, with dev-mode auth and a token minter: the server as a client sees it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/auth/principal.js';
import { createAuthFromConfig, type TokenClaims } from '../../src/auth/tokens.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { DomainState } from '../../src/core/domain/state.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { buildApp } from '../../src/http/app.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  ledger: Ledger<DomainState>;
  tdb: TestDatabase;
  config: Config;
  /** A token for these roles and sites (brands default to all). */
  token(roles: Role[], sites: string[], extra?: Partial<TokenClaims>): Promise<string>;
  /** inject() with a bearer token. */
  as(
    token: string,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  logSize(): Promise<number>;
  close(): Promise<void>;
}

/** Start the app over a fresh database. `env` overrides configuration (e.g. LEDGER_PUBLIC). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const tdb = await createTestDatabase({ poolSize: 20 });
  const dataDir = mkdtempSync(join(tmpdir(), 'ml-app-'));
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    DATA_DIR: dataDir,
    CHECKPOINT_INTERVAL_MS: '0',
    ...env,
  });
  const ledger = await openLedger({ config, handle: tdb.handle, ownsHandle: false, migrate: false });
  const auth = await createAuthFromConfig(config);
  const app = await buildApp({
    ledger,
    catalog: loadCatalog(),
    config,
    verifier: auth.verifier,
    mintDevToken: auth.mint,
  });
  return {
    app,
    ledger,
    tdb,
    config,
    token: (roles, sites, extra = {}) =>
      auth.mint!({ sub: `test-${roles.join('-')}`, roles, sites, brands: ['*'], ...extra }),
    as: (token, method, url, payload) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      }),
    logSize: () => logSize(tdb.handle.db),
    close: async () => {
      await app.close();
      await ledger.close();
      await tdb.drop();
    },
  };
}
