// Signing in from the browser: the dev login page mints a token for a role and sites and opens that role's
// screen; a page opened without a session goes to the login and comes back after it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, startServer } from './support/server.js';

describe('login (dev mode, embedded default)', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer('embedded'), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a person without a session to sign in, then to the page they asked for', async () => {
    const page = await browser.newPage({ baseURL: server.url });
    await page.goto('/trace');
    await page.waitForURL(/\/login\?next=%2Ftrace/);
    await page.getByLabel('quality').check();
    await page.getByRole('button', { name: 'Sign in as quality' }).click();
    await page.waitForURL(/\/trace$/);
    const session = await page.evaluate(() => localStorage.getItem('motor-ledger.session'));
    const claims = JSON.parse(Buffer.from(session!.split('.')[1]!, 'base64url').toString());
    expect(claims.roles).toEqual(['quality']);
    await page.close();
  });

  it("opens an intake operator's handheld on the dock screen with a DIEPPE token", async () => {
    const page = await browser.newPage({ baseURL: server.url, viewport: { width: 360, height: 740 } });
    await page.goto('/');
    await page.waitForURL(/\/login/);
    await page.getByRole('button', { name: 'Sign in as intake' }).click();
    await page.waitForURL(/\/dock/);
    const session = await page.evaluate(() => localStorage.getItem('motor-ledger.session'));
    const claims = JSON.parse(Buffer.from(session!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ roles: ['intake'], sites: ['DIEPPE'] });
    await page.close();
  });

  it('refuses a role that does not exist with a sentence, and mints nothing', async () => {
    const res = await fetch(`${server.url}/v1/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'superuser', sites: ['DIEPPE'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_ROLE' });
  });
});
