// The trace explorer's analysis pages as a quality engineer uses them in an incident, on the docs demo plant:
// from the planted magnets lot to where every motor of it is and in which VINs (counts that add up, a CSV of
// every row), "hold all not yet installed" with a reason (what the page says was held and skipped, and the hold
// on the ledger), common cause of the field reports (the planted lot ranked first), and the flow page showing
// the planted anomalies at the demo's end time.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, screenshot as shoot, wcagViolations } from './support/checks.js';
import {
  launchBrowser,
  type RunningServer,
  SERVER_DBS,
  signedInContext,
  startServer,
} from './support/server.js';

interface ForwardTrace {
  total: number;
  groups: { group: string; count: number }[];
  items: { serial: string; group: string; vin: string | null }[];
}

describe.each(SERVER_DBS)('investigation, common cause and flow (%s)', (db) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let narrow: BrowserContext;
  let token: string;
  let planted: RunningServer['demo']['planted'];
  let lotUrl: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(db), launchBrowser()]);
    context = await signedInContext(browser, server, 'quality', ['*']);
    narrow = await signedInContext(browser, server, 'quality', ['*'], { width: 360, height: 740 });
    token = await server.token('quality', ['*']);
    planted = server.demo.planted;
    const { component, lot } = planted.defect;
    lotUrl = `/trace/investigate?component=${component}&lot=${lot}`;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const traceOfLot = () =>
    server.call<ForwardTrace>(token, 'POST', '/v1/trace/forward', {
      filter: { lots: { [planted.defect.component]: planted.defect.lot } },
      limit: 5000,
    });

  it('traces the planted lot: counts per state add up to its motors, its VINs listed, a CSV row per motor', async () => {
    const api = await traceOfLot();
    const page = await context.newPage();
    await page.goto(lotUrl);
    const heading = page.getByTestId('trace-total');
    await heading.waitFor();
    expect(await heading.textContent()).toContain(
      `${api.total} motors with magnets lot ${planted.defect.lot}`,
    );

    // The legend writes each state's count; together they are the lot.
    const counts = await page
      .locator('.legend .n')
      .evaluateAll((els) =>
        els.map(
          (e) => [(e as HTMLElement).dataset.group, Number(e.textContent?.replace(/\D/g, ''))] as const,
        ),
      );
    const byGroup: Record<string, number> = Object.fromEntries(counts);
    expect(Object.values(byGroup).reduce((a, b) => a + b, 0)).toBe(api.total);
    for (const g of api.groups) expect(byGroup[g.group]).toBe(g.count);
    // Each coloured part of the bar says what it is in words (its accessible name).
    const parts = await page
      .locator('.radius .seg')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(parts.every((p) => /: \d+ motors/.test(p ?? ''))).toBe(true);

    // Narrow the table to the shipped vehicles: their VINs, linking to the vehicle pages.
    await page.getByRole('button', { name: 'In a shipped vehicle', exact: true }).click();
    await page.waitForURL(/where=VEHICLE_SHIPPED/);
    const shipped = api.items.filter((m) => m.group === 'VEHICLE_SHIPPED');
    const shippedVins = new Set(shipped.map((m) => m.vin)).size;
    expect(await page.locator('.legend li', { hasText: 'In a shipped vehicle' }).textContent()).toContain(
      `in ${shippedVins} vehicles`,
    );
    await page.locator('tbody tr').first().waitFor();
    const shownVins = await page.locator('tbody a[href^="/trace/vehicles/"]').allTextContents();
    expect(shownVins).toEqual(shipped.slice(0, 50).map((m) => m.vin));
    expect(await page.locator('.pager').textContent()).toContain(`of ${shipped.length}`);
    await shoot(page, 'investigate-desktop');
    expect(await wcagViolations(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `CSV of all ${api.total} motors` }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toMatch(/^serial,/);
    expect(csv.length - 1).toBe(api.total);
    await page.close();
  });

  it('starts from the form: a shipment typed in and Enter, the criteria in the URL, the trace on screen', async () => {
    const shipmentId = planted.asnMismatch.shipmentId;
    const api = await server.call<ForwardTrace>(token, 'POST', '/v1/trace/forward', {
      filter: { shipmentId },
    });
    const page = await context.newPage();
    await page.goto('/trace/investigate');
    await page.getByLabel('Shipment').fill(shipmentId);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`shipment=${shipmentId}`));
    await page.getByTestId('trace-total').waitFor();
    expect(await page.getByTestId('trace-total').textContent()).toBe(
      `${api.total} motors with shipment ${shipmentId}`,
    );
    expect(await page.locator('tbody tr').count()).toBe(Math.min(50, api.total));
    await page.close();
  });

  it('holds every motor of the lot not yet installed, with a reason and a confirmation, and says what it skipped', async () => {
    const before = await traceOfLot();
    const holdable = before.groups
      .filter((g) => ['AT_CLEON', 'IN_TRANSIT', 'IN_BUFFER'].includes(g.group))
      .reduce((n, g) => n + g.count, 0);
    expect(holdable).toBeGreaterThan(0);
    const page = await context.newPage();
    await page.goto(lotUrl);
    await page.getByTestId('trace-total').waitFor();
    const holdId = 'HOLD-2026-032'; // each database has its own server and ledger
    await page.getByLabel('Hold id').fill(holdId);
    await page
      .getByLabel('Reason (recorded on the ledger)')
      .fill('Suspect magnet lot: field noise complaints');
    await page.getByRole('button', { name: `Hold all not yet installed (${holdable})…` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe(`Hold ${holdable} motors?`);
    expect(await wcagViolations(page)).toEqual([]);
    // Escape backs out and writes nothing; the focus starts on Cancel, so Enter alone never holds.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const none = await server.call<{ items: unknown[] }>(token, 'GET', `/v1/holds?status=ACTIVE`);
    expect(none.items).toEqual([]);
    // Again, with the keyboard only: open, move to the hold button, confirm.
    await page.getByRole('button', { name: `Hold all not yet installed (${holdable})…` }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`Hold ${holdable} motors`);
    const beforeHold = new Date().toISOString();
    await page.keyboard.press('Enter');

    const summary = page.getByTestId('held-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toBe(`Held ${holdable} · skipped ${before.total - holdable}`);
    const reasons = await page.getByTestId('skipped-reasons').textContent();
    expect(reasons).toContain('installed in a vehicle');
    expect(reasons).toContain('in a vehicle already shipped');
    // The trace is drawn again: the held ones now count as held.
    await page.waitForFunction(
      (n) => document.querySelector('.legend .n[data-group="HELD"]')?.textContent === String(n),
      holdable,
    );
    await shoot(page, 'investigate-held-desktop');

    // On the ledger: one open hold naming exactly those motors.
    const holds = await server.call<{
      items: { id: string; status: string; counts: { motors: number; held: number } }[];
    }>(token, 'GET', '/v1/holds?status=ACTIVE&limit=500');
    const mine = holds.items.find((h) => h.id === holdId);
    expect(mine).toMatchObject({ status: 'ACTIVE', counts: { motors: holdable, held: holdable } });

    // The link with "as of" just before the hold shows the lot as it stood then, and offers no hold.
    await page.goto(`${lotUrl}&asOf=${encodeURIComponent(beforeHold)}`);
    await page.getByTestId('trace-total').waitFor();
    expect(await page.locator('.legend .n[data-group="HELD"]').textContent()).toBe('0');
    expect(await page.locator('#contain-title + p').textContent()).toContain(
      'a hold acts on the motors as they are now',
    );
    await page.close();
  });

  it('ranks the planted lot first for the field reports, against the population the answer names', async () => {
    const page = await context.newPage();
    await page.goto('/trace/common-cause');
    // The field team's export, uploaded as it is: a header, a date column, quoted VINs.
    const csv = ['vin,reported_on', ...planted.fieldReports.map((v) => `"${v}",2026-09-30`)].join('\r\n');
    await page.getByLabel('Or upload a file (CSV or text)').setInputFiles({
      name: 'field-reports.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.waitForFunction(() => (document.querySelector('#units') as HTMLTextAreaElement).value !== '');
    const read = await page.locator('#units-read').textContent();
    expect(read).toContain(`Read: ${planted.fieldReports.length} VINs, 0 serials`);
    expect(read).toContain('left out: vin, reported_on');
    await page.getByRole('button', { name: 'Find the common cause' }).click();
    const first = page.locator('.cause[data-rank="1"]');
    await first.waitFor();
    expect(await first.textContent()).toContain(planted.defect.lot);
    expect(await wcagViolations(page)).toEqual([]);
    const answer = await server.call<{ populationSize: number; failingMotors: string[] }>(
      token,
      'POST',
      '/v1/analysis/common-cause',
      { vins: planted.fieldReports },
    );
    const population = await page.getByTestId('population').textContent();
    expect(population).toContain(`${answer.failingMotors.length} failing motors`);
    expect(population).toContain(`population of ${answer.populationSize.toLocaleString('en-GB')} motors`);
    // The first row links to the investigation of that lot.
    expect(await first.getByRole('link', { name: /Investigate/ }).getAttribute('href')).toBe(
      `/trace/investigate?component=${planted.defect.component}&lot=${planted.defect.lot}`,
    );
    // A short list is in the URL: the link opens the same analysis.
    await page.waitForURL(/vins=/);
    const link = page.url();
    await page.close();
    const again = await context.newPage();
    await again.goto(link);
    await again.locator('.cause[data-rank="1"]').waitFor();
    expect(await again.locator('.cause[data-rank="1"]').textContent()).toContain(planted.defect.lot);
    await shoot(again, 'common-cause-desktop', true);
    await again.close();
  });

  it('keeps a list too long for a link in the tab: no link offered, the analysis back after a reload', async () => {
    const serials = planted.defect.serials;
    expect(serials.join(',').length).toBeGreaterThan(1800);
    const page = await context.newPage();
    await page.goto('/trace/common-cause');
    await page.getByLabel('Failing VINs or motor serials').fill(serials.join(', '));
    expect(await page.locator('#units-read').textContent()).toContain(`0 VINs, ${serials.length} serials`);
    await page.getByRole('button', { name: 'Find the common cause' }).click();
    await page.locator('.cause[data-rank="1"]').waitFor();
    expect(await page.getByTestId('population').textContent()).toContain('too long for a link');
    expect(await page.getByRole('button', { name: 'Copy link' }).count()).toBe(0);
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    const first = page.locator('.cause[data-rank="1"]');
    await first.waitFor();
    expect(await first.textContent()).toContain(planted.defect.lot);
    expect(await page.getByLabel('Failing VINs or motor serials').inputValue()).toContain(serials[0]);
    await page.close();
  });

  it('shows the planted flow anomalies at the demo end time, each section counted and linked', async () => {
    const page = await context.newPage();
    await page.clock.install(); // the 30 s refresh, without waiting 30 s
    await page.goto(`/trace/flow?now=${encodeURIComponent(server.demo.endTime)}`);
    const refreshed = page.getByTestId('refreshed');
    await page.locator('#not-received').waitFor();
    const notReceived = page.locator('table', {
      has: page.locator(`a[href="/trace/motors/${planted.neverArrived.serial}"]`),
    });
    await notReceived.first().waitFor();
    await page.locator(`a[href="/trace/vehicles/${planted.incompleteVin}"]`).waitFor();
    await page.locator(`a[href="/trace/shipments/${planted.asnMismatch.shipmentId}"]`).first().waitFor();
    expect(await page.getByTestId('tile-incomplete').textContent()).toMatch(/^1\D/);
    expect(await page.getByTestId('tile-overdue').textContent()).toMatch(/^1\D/);
    const first = await refreshed.locator('time').getAttribute('datetime');
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="refreshed"] time')?.getAttribute('datetime') !== t,
      first,
    );
    // Left open, it refreshes by itself every 30 s.
    const second = await refreshed.locator('time').getAttribute('datetime');
    await page.clock.fastForward(30_000);
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="refreshed"] time')?.getAttribute('datetime') !== t,
      second,
    );
    await shoot(page, 'flow-desktop', true);
    expect(await wcagViolations(page)).toEqual([]);
    await page.close();
  });

  it.runIf(SCREENSHOTS)('fits a 360 px screen', async () => {
    const page = await narrow.newPage();
    for (const [url, name] of [
      [lotUrl, 'investigate-360'],
      [`/trace/common-cause?vins=${planted.fieldReports.join(',')}`, 'common-cause-360'],
      [`/trace/flow?now=${encodeURIComponent(server.demo.endTime)}`, 'flow-360'],
    ] as const) {
      await page.goto(url);
      await page.locator('h2').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
      await shoot(page, name, true);
    }
    await page.close();
  });
});
