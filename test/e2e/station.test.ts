// The marriage station as the line meets it: scan the VIN, the build sheet from the catalog, each motor scanned
// into its slot or refused full screen in words (a 6AM offered to a 7DL slot), a motor taken out with its
// reason and replaced; the site's buffer as a pick list (oldest first, a held motor apart and never offered,
// a tap installs); what the screen showed checked against what the ledger recorded.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, verdict } from './support/handheld.js';
import {
  launchBrowser,
  type RunningServer,
  SERVER_DBS,
  signedInContext,
  startServer,
} from './support/server.js';

const VIN = 'VF1A390EA00012345';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };
const shots = process.env.SCREENSHOTS === '1';

interface BufferMotor {
  serial: string;
  motorType: string;
  holds: string[];
}

/** The buffer of a site as the API lists it, every page. */
async function bufferOf(server: RunningServer, token: string, site: string): Promise<BufferMotor[]> {
  const all: BufferMotor[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: BufferMotor[]; next: string | null } = await server.call(
      token,
      'GET',
      `/v1/sites/${site}/buffer?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    all.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return all;
}

/** The serials the pick list offers (buttons), in order. */
const offered = (page: Page) =>
  page.locator('.pick-rows li').evaluateAll((li) => li.map((l) => l.getAttribute('data-serial')));

/** "More" until `serial` is in the list. */
async function moreUntil(page: Page, serial: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await page.locator(`.pick-rows li[data-serial="${serial}"]`).count()) > 0) return;
    const before = await page.locator('.pick-rows li').count();
    await page.getByRole('button', { name: /^More/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.pick-rows li').length > n, before);
  }
  throw new Error(`${serial} never showed in the pick list`);
}

const tiles = (page: Page) =>
  page
    .locator('.slot-tile')
    .evaluateAll((li) =>
      li.map((l) => `${l.getAttribute('data-slot')}=${l.getAttribute('data-serial') ?? '-'}`),
    );

describe.each(SERVER_DBS)('marriage station (%s)', (db) => {
  let server: RunningServer;
  let browser: Browser;
  let assembly: string;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(db), launchBrowser()]);
    assembly = await server.token('assembly', ['DIEPPE']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('picks from the buffer of DIEPPE: oldest first, the docs motors listed, a held motor apart and never offered, a tap installs', async () => {
    const vin = 'VF1A390EA00054321';
    const quality = await server.token('quality', ['*']);
    const before = await bufferOf(server, assembly, 'DIEPPE');
    const serials = before.map((m) => m.serial);
    for (const s of ['7DL-000125', '7DL-000126', '7DL-000127', '6AM-000312']) expect(serials).toContain(s);
    const sevens = before.filter((m) => m.motorType === '7DL' && m.holds.length === 0).map((m) => m.serial);
    const sixes = before.filter((m) => m.motorType === '6AM' && m.holds.length === 0).map((m) => m.serial);
    // Quality holds the oldest 7DL, the one that would have been the next pick.
    const [oldest, second, third] = sevens as [string, string, string];
    await server.call(quality, 'POST', '/v1/holds', {
      holdId: 'HOLD-E2E-PICK',
      serials: [oldest],
      reason: 'Suspect connector: pick list test',
    });

    const context = await signedInContext(browser, server, 'assembly', ['DIEPPE'], DESKTOP);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.station', 'MAR-01'));
    const page = await context.newPage();
    await page.goto(`/station/${vin}`);
    await page.locator('.slot-active[data-slot="REAR_LEFT"]').waitFor();
    // The rear left slot takes a 7DL: the 7DLs, oldest first; the held one apart, marked, not offered.
    await page.locator('.picklist[data-type="7DL"] .pick-next').waitFor();
    await page.locator(`.pick-held li[data-serial="${oldest}"]`).waitFor();
    expect(await page.locator(`.pick-held li[data-serial="${oldest}"]`).textContent()).toContain(
      'on hold — do not install',
    );
    expect(await page.locator('.pick-held').textContent()).toContain('HOLD-E2E-PICK');
    expect(await page.locator('.pick-next').getAttribute('data-serial')).toBe(second);
    expect(await page.locator('.pick-next').textContent()).toContain('Next pick');
    // The first page of 10 from the API, less the held one.
    expect(await offered(page)).toEqual(sevens.slice(1, 10));
    await page
      .getByTestId('count-7DL')
      .filter({ hasText: String(sevens.length - 1) })
      .waitFor();
    expect(await page.getByTestId('count-6AM').textContent()).toBe(String(sixes.length));
    expect(await page.locator('.pick-type[data-type="7DL"]').textContent()).toContain('1 held');
    expect(await page.locator('.pick-rows button').first().textContent()).toContain('waiting');

    // Page by page to the docs motors, received last: in the order they came off the truck.
    await moreUntil(page, '7DL-000128');
    expect(await page.getByRole('button', { name: /^More/ }).count()).toBe(0);
    const listed = await offered(page);
    expect(listed).toEqual(sevens.slice(1));
    expect(listed.slice(-4)).toEqual(['7DL-000125', '7DL-000126', '7DL-000127', '7DL-000128']);
    // The 6AMs are there to look at (the next slot takes a 7DL), 6AM-000312 among them, none offered.
    await page.locator('.pick-type[data-type="6AM"]').click();
    await page.locator('.picklist[data-type="6AM"] .pick-rows li').first().waitFor();
    await moreUntil(page, '6AM-000312');
    expect(await page.locator('.pick-rows button').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Fill front next' }).count()).toBe(1);
    await page.locator('.pick-type[data-type="7DL"]').click();
    await page.locator('.picklist[data-type="7DL"] .pick-next').waitFor();

    // Enter on the next pick installs it in rear left, as a scan would; it leaves the list, the scan field
    // keeps the focus, the count goes down.
    await page.locator(`.pick-rows li[data-serial="${second}"] button`).focus();
    await page.keyboard.press('Enter');
    let v = await verdict(page, 'INSTALLED', second);
    expect(v.tone).toBe('ok');
    expect(v.text).toContain('In rear left (REAR_LEFT)');
    await page.locator(`.pick-rows li[data-serial="${second}"]`).waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan');
    await page
      .getByTestId('count-7DL')
      .filter({ hasText: String(sevens.length - 2) })
      .waitFor();
    expect(await page.locator('.pick-next').getAttribute('data-serial')).toBe(third);
    if (shots && db === 'embedded') {
      await page.locator(`.pick-held li[data-serial="${oldest}"]`).waitFor();
      await page.screenshot({ path: 'docs/screens/station-picklist-desktop.png' });
    }
    // A tap on the next one: rear right. The held motor is still not offered.
    await page.locator(`.pick-rows li[data-serial="${third}"] button`).click();
    v = await verdict(page, 'INSTALLED', third);
    expect(v.text).toContain('In rear right (REAR_RIGHT)');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan');
    await page.locator('.picklist[data-type="6AM"] .pick-next').waitFor(); // the front slot is next
    expect(await tiles(page)).toEqual([`REAR_LEFT=${second}`, `REAR_RIGHT=${third}`, 'FRONT=-']);

    // The ledger: both in the VIN, out of the buffer; the held motor still in the buffer, still held.
    const vehicle = await server.call<{ slots: { slot: string; serial: string }[] }>(
      assembly,
      'GET',
      `/v1/vehicles/${vin}`,
    );
    expect(vehicle.slots.filter((s) => s.serial).map((s) => `${s.slot}=${s.serial}`)).toEqual([
      `REAR_LEFT=${second}`,
      `REAR_RIGHT=${third}`,
    ]);
    const after = await bufferOf(server, assembly, 'DIEPPE');
    expect(after.map((m) => m.serial)).not.toContain(second);
    expect(after.map((m) => m.serial)).not.toContain(third);
    expect(after.find((m) => m.serial === oldest)?.holds).toEqual(['HOLD-E2E-PICK']);
    await context.close();

    if (shots && db === 'embedded') {
      const phone = await signedInContext(browser, server, 'assembly', ['DIEPPE'], PHONE);
      await phone.addInitScript(() => localStorage.setItem('motor-ledger.station', 'MAR-01'));
      const small = await phone.newPage();
      await small.goto('/station/VF1A390EA00077777');
      await small.locator('#model').waitFor();
      await small.locator('.picklist[data-type="7DL"] .pick-next').waitFor();
      await small.locator('.picklist[data-type="7DL"] .pick-held').waitFor();
      await small.screenshot({ path: 'docs/screens/station-picklist-360.png', fullPage: true });
      await phone.close();
    }
  });

  it('marries the docs VIN: three motors in their slots, a 6AM refused for a 7DL slot, a rework', async () => {
    const context = await signedInContext(browser, server, 'assembly', ['DIEPPE'], DESKTOP);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.station', 'MAR-01'));
    const page = await context.newPage();
    await page.goto('/station');
    await page.locator('#vin-scan').waitFor();
    await scan(page, VIN);
    await page.waitForURL(`**/station/${VIN}`);
    // A new VIN: the model read from it (A390), its slots from the catalog.
    await page.locator('.slot-tile').first().waitFor();
    expect(await page.locator('#model').inputValue()).toBe('A390');
    expect(await tiles(page)).toEqual(['REAR_LEFT=-', 'REAR_RIGHT=-', 'FRONT=-']);
    expect(await page.locator('.slot-active').getAttribute('data-slot')).toBe('REAR_LEFT');

    await scan(page, '7DL-000125');
    let v = await verdict(page, 'INSTALLED', '7DL-000125');
    expect(v.tone).toBe('ok');
    expect(v.text).toContain('In rear left (REAR_LEFT)');
    await page.locator('.slot-filled[data-slot="REAR_LEFT"][data-serial="7DL-000125"]').waitFor();

    await scan(page, '6AM-000312'); // the next slot is REAR_RIGHT, a 7DL slot
    v = await verdict(page, 'REFUSED', '6AM-000312');
    expect(v.tone).toBe('bad');
    expect(v.text).toContain('Wrong motor type for this slot');
    expect(v.text).toContain('This slot takes a 7DL: take a 7DL from the buffer.');
    expect(v.text).toContain('Slot REAR_RIGHT of an A390 takes a 7DL; motor 6AM-000312 is a 6AM.');
    expect(v.text).toContain('WRONG_MOTOR_TYPE_FOR_SLOT');
    expect(await tiles(page)).toEqual(['REAR_LEFT=7DL-000125', 'REAR_RIGHT=-', 'FRONT=-']);
    if (shots && db === 'embedded')
      await page.screenshot({ path: 'docs/screens/station-refused-desktop.png' });

    await scan(page, '7DL-000126');
    await verdict(page, 'INSTALLED', '7DL-000126');
    await scan(page, '6AM-000312');
    v = await verdict(page, 'INSTALLED', '6AM-000312');
    expect(v.text).toContain('Every slot is filled.');
    await page.getByTestId('filled').filter({ hasText: '3 / 3' }).waitFor();
    expect(await tiles(page)).toEqual(['REAR_LEFT=7DL-000125', 'REAR_RIGHT=7DL-000126', 'FRONT=6AM-000312']);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan');

    // Rework: 7DL-000126 comes out with its reason, 7DL-000127 goes in.
    await page.locator('.slot-tile[data-slot="REAR_RIGHT"]').getByRole('button', { name: 'Remove…' }).click();
    await page.getByLabel('Connector damaged during marriage').check();
    if (shots && db === 'embedded')
      await page.screenshot({ path: 'docs/screens/station-removal-desktop.png' });
    await page.getByRole('button', { name: 'Remove the motor' }).click();
    v = await verdict(page, 'REMOVED', '7DL-000126');
    expect(v.text).toContain('Connector damaged during marriage');
    await page.locator('.slot-active[data-slot="REAR_RIGHT"]').waitFor();
    await page.locator('#scan').waitFor();
    await scan(page, '7DL-000127');
    await verdict(page, 'INSTALLED', '7DL-000127');
    expect(await tiles(page)).toEqual(['REAR_LEFT=7DL-000125', 'REAR_RIGHT=7DL-000127', 'FRONT=6AM-000312']);
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/station-desktop.png' });

    // The ledger: the slots as shown, the removal and its reason kept in the vehicle's history.
    const vehicle = await server.call<{
      vehicle: { model: string; history: { action: string; serial: string; reason?: string }[] };
      slots: { slot: string; serial: string }[];
    }>(assembly, 'GET', `/v1/vehicles/${VIN}`);
    expect(vehicle.vehicle.model).toBe('A390');
    expect(vehicle.slots.map((s) => `${s.slot}=${s.serial}`)).toEqual([
      'REAR_LEFT=7DL-000125',
      'REAR_RIGHT=7DL-000127',
      'FRONT=6AM-000312',
    ]);
    expect(vehicle.vehicle.history).toContainEqual(
      expect.objectContaining({
        action: 'removed',
        serial: '7DL-000126',
        reason: 'Connector damaged during marriage',
      }),
    );
    expect(vehicle.vehicle.history.filter((h) => h.action === 'installed')).toHaveLength(4);
    await context.close();
  });

  it('at 360 px, refuses a motor not received at the dock, and records nothing', async () => {
    const context = await signedInContext(browser, server, 'assembly', ['DIEPPE'], PHONE);
    await context.addInitScript(() => localStorage.setItem('motor-ledger.station', 'MAR-01'));
    const page = await context.newPage();
    const vin = 'VF1A390EA00099999';
    await page.goto(`/station/${vin}`);
    await page.locator('.slot-active[data-slot="REAR_LEFT"]').waitFor();
    await scan(page, '7DL-000123'); // still on the truck to Dieppe in the docs scenario
    const v = await verdict(page, 'REFUSED', '7DL-000123');
    expect(v.tone).toBe('bad');
    expect(v.text).toContain('Not received at the dock');
    expect(v.text).toContain('MOTOR_NOT_RECEIVED');
    if (shots && db === 'embedded') await page.screenshot({ path: 'docs/screens/station-refused-360.png' });
    const res = await fetch(`${server.url}/v1/vehicles/${vin}`, {
      headers: { authorization: `Bearer ${assembly}` },
    });
    expect(res.status).toBe(404);
    if (shots && db === 'embedded') {
      await page.goto(`/station/${VIN}`);
      await page.locator('.slot-filled[data-slot="FRONT"]').waitFor();
      await page.screenshot({ path: 'docs/screens/station-360.png', fullPage: true });
    }
    await context.close();
  });
});
