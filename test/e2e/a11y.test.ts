// Every screen, checked by axe-core (Deque's engine, the reference for automated WCAG checks) for WCAG 2.1 A and
// AA: contrast, names of controls, landmarks, keyboard focus order problems axe can see. Plus keyboard-only use
// of the login: a person with no mouse signs in and lands on their screen.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, screenshot, wcagViolations as violations } from './support/checks.js';
import { launchBrowser, type RunningServer, signedInContext, startServer } from './support/server.js';

describe('accessibility (WCAG 2.1 AA, axe-core)', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer('embedded'), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const SCREENS: [string, string, string[], string, { width: number; height: number }][] = [
    ['dock, truck list', 'intake', ['DIEPPE'], '/dock', { width: 360, height: 740 }],
    ['dock, a truck', 'intake', ['DIEPPE'], '/dock/SHP-20261123-01', { width: 360, height: 740 }],
    ['marriage station', 'assembly', ['DIEPPE'], '/station', { width: 1024, height: 768 }],
    ['explorer search', 'quality', ['*'], '/trace', { width: 1280, height: 800 }],
    ['motor page', 'quality', ['*'], '/trace/motors/7DL-000101', { width: 1280, height: 800 }],
    ['vehicle page', 'quality', ['*'], '/trace/vehicles/VF1A390EA00012301', { width: 1280, height: 800 }],
    ['holds', 'quality', ['*'], '/trace/holds', { width: 1280, height: 800 }],
    ['flow', 'quality', ['*'], '/trace/flow', { width: 1280, height: 800 }],
    ['verification', 'auditor', ['*'], '/audit', { width: 1280, height: 800 }],
  ];

  it.each(SCREENS)(
    '%s has no WCAG A/AA violation axe can find',
    async (_name, role, sites, path, viewport) => {
      const context = await signedInContext(browser, server, role, sites, viewport);
      const page = await context.newPage();
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect(await violations(page)).toEqual([]);
      // Nothing wider than the screen: the handheld never scrolls sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} is ${overflow} px wider than ${viewport.width} px`).toBeLessThanOrEqual(0);
      await context.close();
    },
  );

  it('the login page has no violation and signs a person in with the keyboard alone', async () => {
    const page = await browser.newPage({ baseURL: server.url });
    await page.goto('/login');
    await page.getByRole('button', { name: /Sign in as/ }).waitFor();
    expect(await violations(page)).toEqual([]);
    // Tab to the "quality" role, choose it with the arrow keys / space, tab to the button, Enter.
    await page.getByLabel('quality').focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const name = await page.evaluate(() => document.activeElement?.textContent ?? '');
      if (name.startsWith('Sign in as')) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/trace$/);
    await page.close();
  });

  // The pages no other test draws at both widths (SCREENSHOTS=1 only: they are the docs' pictures).
  it.runIf(SCREENSHOTS)(
    'draws the login, lists, shipment and consistency pages at desktop and 360 px',
    async () => {
      // Something to list: an incident, and a hold under it on the docs scenario's buffered motor.
      const quality = await server.token('quality', ['*']);
      await server.call(quality, 'POST', '/v1/incidents', {
        incidentId: 'INC-2026-031',
        title: 'Rear motor whine at 80 km/h',
        severity: 'HIGH',
        suspectVins: ['VF1A390EA00012301'],
      });
      await server.call(quality, 'POST', '/v1/holds', {
        holdId: 'HOLD-2026-031',
        serials: ['7DL-000128'],
        reason: 'Same magnets lot as the whining car',
        incidentId: 'INC-2026-031',
      });
      const PAGES: [string, string, string[], string, string][] = [
        ['login', 'quality', ['*'], '/login', 'button'],
        ['trace-holds', 'quality', ['*'], '/trace/holds', 'main h1'],
        ['trace-incidents', 'quality', ['*'], '/trace/incidents', 'main h1'],
        ['trace-shipment', 'quality', ['*'], '/trace/shipments/SHP-20261122-01', 'main h1'],
        ['audit-consistency', 'auditor', ['*'], '/audit/consistency?from=1000&to=8000', '.verdict'],
      ];
      for (const [name, role, sites, path, ready] of PAGES) {
        for (const [suffix, viewport] of [
          ['desktop', { width: 1280, height: 800 }],
          ['360', { width: 360, height: 740 }],
        ] as const) {
          const context =
            name === 'login'
              ? await browser.newContext({ baseURL: server.url, viewport })
              : await signedInContext(browser, server, role, sites, viewport);
          const page = await context.newPage();
          await page.goto(path);
          await page.locator(ready).first().waitFor();
          await page.waitForLoadState('networkidle');
          await screenshot(page, `${name}-${suffix}`);
          await context.close();
        }
      }
    },
  );
});
