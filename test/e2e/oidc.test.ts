// Signing in through the plant's identity provider: a real OpenID Connect provider (panva's oidc-provider, the
// certified implementation) started by the test, the screens' authorization code + PKCE flow in Chromium, and the
// server verifying the provider's access token against its JWKS. No dev key, no dev login.
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser, type RunningServer, startServer } from './support/server.js';

const CLIENT_ID = 'motor-ledger-screens';

/** Who may sign in at the test provider, and what their access token grants. */
const ACCOUNTS: Record<string, { roles: string[]; sites: string[]; brands: string[] }> = {
  'qe-lemoine': { roles: ['quality'], sites: ['*'], brands: ['*'] },
  'dock-op-117': { roles: ['intake'], sites: ['DIEPPE'], brands: ['*'] },
};

describe('sign-in with an OIDC provider (authorization code + PKCE)', () => {
  let server: RunningServer;
  let browser: Browser;
  let idp: ReturnType<Provider['listen']>;
  let issuer: string;

  beforeAll(async () => {
    const [idpPort, appPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${idpPort}`;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${appUrl}/login/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'idp-1' }] },
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:motor-ledger',
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'openid',
            audience: 'motor-ledger',
            accessTokenFormat: 'jwt',
            accessTokenTTL: 3600,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
      extraTokenClaims: async (_ctx, token) => {
        const account = 'accountId' in token ? ACCOUNTS[String(token.accountId)] : undefined;
        return account ?? { roles: [], sites: [], brands: [] };
      },
    });
    idp = provider.listen(idpPort);
    [server, browser] = await Promise.all([
      startServer('embedded', {
        port: appPort,
        demo: false,
        env: {
          AUTH_JWKS_URL: `${issuer}/jwks`,
          AUTH_ISSUER: issuer,
          AUTH_AUDIENCE: 'motor-ledger',
          OIDC_ISSUER: issuer,
          OIDC_CLIENT_ID: CLIENT_ID,
          OIDC_SCOPE: 'openid',
        },
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    idp?.close();
  });

  async function signInAtProvider(account: string, startAt: string) {
    const page = await browser.newPage({ baseURL: server.url });
    await page.goto(startAt);
    await page.getByRole('button', { name: 'Sign in with the identity provider' }).click();
    // The provider's own pages (oidc-provider's development interactions): login, then consent.
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.locator('input[name=login]').fill(account);
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.locator('button[type=submit]').click();
    return page;
  }

  it('offers no dev sign-in: the login page sends the person to the provider', async () => {
    const res = await fetch(`${server.url}/v1/session/config`);
    expect(await res.json()).toMatchObject({ mode: 'oidc', oidc: { issuer, clientId: CLIENT_ID } });
    const mint = await fetch(`${server.url}/v1/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin', sites: ['*'] }),
    });
    expect(mint.status).toBe(404);
  });

  it('comes back from the provider signed in, on the page asked for, with a token the API accepts', async () => {
    const page = await signInAtProvider('qe-lemoine', '/trace/holds');
    await page.waitForURL(`${server.url}/trace/holds`);
    const token = await page.evaluate(() => localStorage.getItem('motor-ledger.session'));
    expect(token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: issuer, aud: 'motor-ledger', sub: 'qe-lemoine', roles: ['quality'] });
    // The server verifies the provider's token (its JWKS), and the role it carries is applied.
    const holds = await fetch(`${server.url}/v1/holds`, { headers: { authorization: `Bearer ${token}` } });
    expect(holds.status).toBe(200);
    const scan = await fetch(`${server.url}/v1/intake/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ serial: '7DL-000001', shipmentId: 'SHP-1', dock: 'D3', scanner: 'HH-1' }),
    });
    expect(scan.status).toBe(403);
    await page.close();
  });

  it('opens the dock for an intake operator signed in at the provider', async () => {
    const page = await signInAtProvider('dock-op-117', '/login');
    await page.waitForURL(`${server.url}/dock`);
    await page.close();
  });

  it('refuses a callback that this tab did not start (a forged or replayed code), saying what to do', async () => {
    const page = await browser.newPage({ baseURL: server.url });
    await page.goto('/login/callback?code=forged&state=forged');
    await page.getByText('sign in again', { exact: false }).first().waitFor();
    expect(await page.evaluate(() => localStorage.getItem('motor-ledger.session'))).toBeNull();
    await page.close();
  });
});
