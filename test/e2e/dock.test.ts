// The Dieppe dock handheld as an operator meets it, at 360 px: choose the truck, scan with a keyboard-wedge
// scanner (keystrokes + Enter into whatever has the focus), read the verdict; and the network dropping in the
// middle of a truck: scans wait on the device, survive a reload, and reach the ledger exactly once.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceBody, testBody } from '../support/plant.js';
import { scan, verdict } from './support/handheld.js';
import {
  launchBrowser,
  type RunningServer,
  SERVER_DBS,
  signedInContext,
  startServer,
} from './support/server.js';

const TRUCK = 'SHP-20261123-01';
const HANDHELD = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const shots = process.env.SCREENSHOTS === '1';

describe.each(SERVER_DBS)('dock handheld (%s)', (db) => {
  let server: RunningServer;
  let browser: Browser;
  let intake: string;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(db), launchBrowser()]);
    intake = await server.token('intake', ['DIEPPE']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scans the docs truck through to complete: 3 / 3 and a green verdict for each motor', async () => {
    if (shots && db === 'embedded') {
      const desk = await signedInContext(browser, server, 'intake', ['DIEPPE'], DESKTOP);
      await desk.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
      const p = await desk.newPage();
      await p.goto('/dock');
      await p.locator(`a.truck-row[data-shipment="${TRUCK}"]`).waitFor();
      await p.screenshot({ path: 'docs/screens/dock-trucks-desktop.png' });
      await desk.close();
    }
    const context = await signedInContext(browser, server, 'intake', ['DIEPPE'], HANDHELD);
    const page = await context.newPage();
    await page.goto('/dock');
    const row = page.locator(`a.truck-row[data-shipment="${TRUCK}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('0 / 3');
    await page.getByLabel('This handheld is at dock').fill('D3');
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-trucks-360.png' });
    await row.click();
    await page.waitForURL(`**/dock/${TRUCK}`);
    await page.getByText('0 / 3').waitFor();

    for (const [i, serial] of ['7DL-000123', '7DL-000124', '6AM-000311'].entries()) {
      await scan(page, serial); // no click: the scan field has the focus, and keeps it after each verdict
      const v = await verdict(page, 'ACCEPTED', serial);
      expect(v.tone).toBe('ok');
      expect(v.text).toContain('Put it in the buffer.');
      await page
        .getByTestId('scanned')
        .filter({ hasText: `${i + 1} / 3` })
        .waitFor();
    }
    await page
      .getByTestId('missing')
      .filter({ hasText: /^missing 0$/ })
      .waitFor(); // read right after the answer
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan');
    const last = await page
      .locator('[data-testid="last-scans"] li')
      .evaluateAll((li) =>
        li.map((l) => `${l.getAttribute('data-serial')} ${l.getAttribute('data-status')}`),
      );
    expect(last).toEqual(['6AM-000311 ACCEPTED', '7DL-000124 ACCEPTED', '7DL-000123 ACCEPTED']);
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-accepted-360.png' });

    const ledger = await server.call<{ accepted: number; missing: string[] }>(
      intake,
      'GET',
      `/v1/shipments/${TRUCK}`,
    );
    expect(ledger).toMatchObject({ expected: 3, scanned: 3, accepted: 3, missing: [] });
    await context.close();
  });

  it('refuses a motor that is not on the truck: red, the code in words and what to do, recorded', async () => {
    const context = await signedInContext(browser, server, 'intake', ['DIEPPE'], HANDHELD);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
    const page = await context.newPage();
    await page.goto(`/dock/${TRUCK}`);
    await page.locator('#scan').waitFor();
    await scan(page, '7DL-000125'); // on SHP-20261123-02, already in the Dieppe buffer
    const v = await verdict(page, 'REJECTED', '7DL-000125');
    expect(v.tone).toBe('bad');
    expect(v.text).toContain('Not on this truck');
    expect(v.text).toContain('Put it on the quarantine rack and call logistics.');
    expect(v.text).toContain('(it is on SHP-20261123-02)');
    expect(v.text).toContain('NOT_ON_SHIPMENT');
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-rejected-360.png' });

    const ledger = await server.call<{ unexpected: string[] }>(intake, 'GET', `/v1/shipments/${TRUCK}`);
    expect(ledger.unexpected).toContain('7DL-000125');

    if (shots && db === 'embedded') {
      const desk = await signedInContext(browser, server, 'intake', ['DIEPPE'], DESKTOP);
      await desk.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
      const p = await desk.newPage();
      await p.goto(`/dock/${TRUCK}`);
      await p.locator('#scan').waitFor();
      await scan(p, '7DL-000123');
      await verdict(p, 'REJECTED', '7DL-000123');
      await p.screenshot({ path: 'docs/screens/dock-rejected-desktop.png' });
      await desk.close();
    }
    await context.close();
  });

  /** A truck of `n` new motors on the road to Dieppe, made over the API as Cléon would. */
  async function truckOf(n: number): Promise<{ shipmentId: string; serials: string[] }> {
    const [producer, logistics] = await Promise.all([
      server.token('producer', ['CLEON']),
      server.token('logistics', ['CLEON']),
    ]);
    const base = 900_000 + Math.floor(Math.random() * 90_000);
    const serials = Array.from({ length: n }, (_, i) => `7DL-${base + i}`);
    for (const s of serials) {
      await server.call(producer, 'POST', '/v1/motors', produceBody(s));
      await server.call(producer, 'POST', `/v1/motors/${s}/tests`, testBody('PASS'));
    }
    const shipmentId = `SHP-E2E-${base}`;
    await server.call(logistics, 'POST', '/v1/shipments', {
      shipmentId,
      asn: `ASN-${base}`,
      to: 'DIEPPE',
      racks: [{ rack: 'RK-0042', serials }],
    });
    await server.call(logistics, 'POST', `/v1/shipments/${shipmentId}/departure`, {
      carrier: 'GEFCO',
      truck: 'FR-123-AB',
      seal: `SEAL-${base}`,
    });
    return { shipmentId, serials };
  }

  it('shows a held motor apart from the missing ones, and sends it to quarantine when scanned', async () => {
    const { shipmentId, serials } = await truckOf(2);
    const [held, good] = serials as [string, string];
    const quality = await server.token('quality', ['*']);
    await server.call(quality, 'POST', '/v1/holds', {
      holdId: `HOLD-${shipmentId}`,
      serials: [held],
      reason: 'Suspect magnet lot',
    });
    const context = await signedInContext(browser, server, 'intake', ['DIEPPE'], HANDHELD);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
    const page = await context.newPage();
    await page.goto(`/dock/${shipmentId}`);
    await page.getByTestId('held').filter({ hasText: 'held 1' }).waitFor();
    expect(await page.getByTestId('missing').textContent()).toBe('missing 1');

    await scan(page, held);
    const v = await verdict(page, 'REJECTED', held);
    expect(v.tone).toBe('bad');
    expect(v.text).toContain('On quality hold');
    expect(v.text).toContain('Put it in the quarantine area. Do not install it.');
    expect(v.text).toContain(`HOLD-${shipmentId}`);
    await page.getByTestId('quarantined').filter({ hasText: 'quarantined 1' }).waitFor();
    expect(await page.getByTestId('held').textContent()).toBe('held 0');
    expect(await page.getByTestId('missing').textContent()).toBe('missing 1');
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-held-360.png' });

    await scan(page, good);
    await verdict(page, 'ACCEPTED', good);
    await page
      .getByTestId('missing')
      .filter({ hasText: /^missing 0$/ })
      .waitFor();
    const ledger = await server.call(intake, 'GET', `/v1/shipments/${shipmentId}`);
    expect(ledger).toMatchObject({
      expected: 2,
      scanned: 2,
      accepted: 1,
      quarantined: 1,
      held: 0,
      missing: [],
    });
    await context.close();
  });

  it('sends a scan whose answer was lost again with the same id: one verdict, recorded once', async () => {
    const { shipmentId, serials } = await truckOf(1);
    const serial = serials[0]!;
    const context = await signedInContext(browser, server, 'intake', ['DIEPPE'], HANDHELD);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
    const page = await context.newPage();
    await page.goto(`/dock/${shipmentId}`);
    await page.getByTestId('scanned').filter({ hasText: '0 / 1' }).waitFor();
    // The request reaches the server (which records the scan) but the answer never comes back.
    let sentId = '';
    await page.route('**/v1/intake/scans', async (route) => {
      sentId = JSON.parse(route.request().postData() ?? '{}').id;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await scan(page, serial);
    await verdict(page, 'PENDING', serial);
    await page.getByTestId('connection').filter({ hasText: '○ offline · 1 pending' }).waitFor();
    await page.unroute('**/v1/intake/scans');
    let resentId = '';
    await page.route('**/v1/intake/scan-batches', async (route) => {
      resentId = JSON.parse(route.request().postData() ?? '{}').scans[0].id;
      await route.continue();
    });
    // The network comes back: the waiting scan goes again, same id; the server answers its first verdict.
    await context.setOffline(true);
    await context.setOffline(false);
    await page
      .locator(`[data-testid="offline-scans"] li[data-serial="${serial}"][data-status="ACCEPTED"]`)
      .waitFor();
    expect(resentId).toBe(sentId);
    const m = await server.call<{ timeline: { type: string }[] }>(intake, 'GET', `/v1/motors/${serial}`);
    expect(m.timeline.filter((e) => e.type === 'motor.received')).toHaveLength(1);
    await context.close();
  });

  it('keeps 20 scans made offline across a reload, then uploads them once, in order', async () => {
    const { shipmentId, serials } = await truckOf(20);
    const context: BrowserContext = await signedInContext(browser, server, 'intake', ['DIEPPE'], HANDHELD);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.dock', 'D3'));
    const page = await context.newPage();
    await page.goto(`/dock/${shipmentId}`);
    await page.getByTestId('scanned').filter({ hasText: '0 / 20' }).waitFor();
    // One online visit installs the service worker that keeps the app shell.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: 20_000,
    });

    await context.setOffline(true);
    for (const s of serials) {
      await scan(page, s);
      await verdict(page, 'PENDING', s);
    }
    const pendingRows = page.locator('[data-testid="offline-scans"] li[data-status="PENDING"]');
    await page.getByTestId('connection').filter({ hasText: '○ offline · 20 pending' }).waitFor();
    expect(await pendingRows.count()).toBe(20);
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-offline-360.png' });

    await page.reload(); // still offline: the service worker serves the page, IndexedDB the scans
    await page.getByTestId('connection').filter({ hasText: '○ offline · 20 pending' }).waitFor();
    expect(await pendingRows.count()).toBe(20);
    const order = await pendingRows.evaluateAll((li) => li.map((l) => l.getAttribute('data-serial')));
    expect(order).toEqual([...serials].reverse());

    await context.setOffline(false);
    const accepted = page.locator('[data-testid="offline-scans"] li[data-status="ACCEPTED"]');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="offline-scans"] li[data-status="ACCEPTED"]').length === 20,
      undefined,
      { timeout: 30_000 },
    );
    expect(await accepted.count()).toBe(20);
    await page
      .getByTestId('connection')
      .filter({ hasText: /^● online$/ })
      .waitFor();
    await page.getByTestId('scanned').filter({ hasText: '20 / 20' }).waitFor();
    const panel = await verdict(page, 'UPLOADED', '20 scans made offline: all accepted');
    expect(panel.tone).toBe('ok');
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/dock-uploaded-360.png' });

    // The ledger: exactly one motor.received per serial, none twice.
    let received = 0;
    for (const s of serials) {
      const m = await server.call<{ timeline: { type: string }[] }>(intake, 'GET', `/v1/motors/${s}`);
      received += m.timeline.filter((e) => e.type === 'motor.received').length;
    }
    expect(received).toBe(20);
    const truck = await server.call<{ accepted: number }>(intake, 'GET', `/v1/shipments/${shipmentId}`);
    expect(truck).toMatchObject({ expected: 20, accepted: 20, missing: [] });
    await context.close();
  });
});
