// The screens as the server hands them out: every page path answers the app shell with a strict
// Content-Security-Policy (this server, and the identity provider when there is one), hashed assets are cached
// for good and the shell never, and a path that is neither a page nor a file is a problem+json 404.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWebRoot } from '../../src/http/web.js';
import { startTestApp, type TestApp } from '../support/app.js';

const root = findWebRoot();

describe('the screens, served', () => {
  let t: TestApp;
  let oidc: TestApp;
  beforeAll(async () => {
    if (root === undefined)
      throw new Error('The screens are not built: npm test builds them first (npm run build).');
    t = await startTestApp();
    oidc = await startTestApp({
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks',
      AUTH_ISSUER: 'https://idp.plant.example',
      OIDC_ISSUER: 'https://idp.plant.example/realms/cleon',
      OIDC_CLIENT_ID: 'motor-ledger-screens',
    });
  });
  afterAll(async () => {
    await t?.close();
    await oidc?.close();
  });

  it('answers the app shell at every page path, never cached, with a CSP that allows only this server', async () => {
    for (const path of [
      '/',
      '/login',
      '/dock',
      '/dock/SHP-1',
      '/station/VF1A390EA00012345',
      '/trace/motors/7DL-1',
      '/audit',
    ]) {
      const res = await t.app.inject(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.payload).toContain('<div id="app">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("connect-src 'self';");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it("lets the pages reach the identity provider's origin when one is configured, and nothing else", async () => {
    const res = await oidc.app.inject('/login');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' https://idp.plant.example;");
  });

  it('caches the hashed assets for a year; an unknown path is a problem+json 404', async () => {
    const asset = readdirSync(join(root!, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await t.app.inject(`/assets/${asset}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    const missing = await t.app.inject('/assets/nothing-here.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
