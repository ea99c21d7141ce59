// The marriage station as the line meets it: scan the VIN, the build sheet from the catalog, each motor scanned
// into its slot or refused full screen in words (a 6AM offered to a 7DL slot), a motor taken out with its
// reason and replaced; what the screen showed checked against what the ledger recorded.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** A barcode gun: keystrokes into the focused field, then Enter. */
async function scan(page: Page, value: string): Promise<void> {
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

async function verdict(page: Page, word: string, serial: string) {
  await page.waitForFunction(
    ([w, s]) => {
      const el = document.querySelector('.verdict');
      return (
        !!el && el.querySelector('.verdict-word')?.textContent?.includes(w!) && el.textContent?.includes(s!)
      );
    },
    [word, serial],
  );
  const panel = page.locator('.verdict');
  return { tone: await panel.getAttribute('data-tone'), text: (await panel.textContent()) ?? '' };
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
