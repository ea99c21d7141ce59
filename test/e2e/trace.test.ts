// The trace explorer's core as a quality engineer uses it, on the docs scenario: one search box to a motor (where
// it is now, its timeline with production lots, EOL measurements and the correction beside the test it
// corrects, each entry with its verified badge), the genealogy graph to its vehicle (three slots, each a link
// to its motor), a lot's where-used paged by its URL, holds and incidents filtered by their URL, a search that
// finds nothing said in words, and a CSV holding exactly the rows on screen; axe-core finds no WCAG A/AA
// problem on any of these pages.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_SCENARIO } from '../../src/demo/docs-scenario.js';
import { SCREENSHOTS as SHOTS, screenshot, wcagViolations } from './support/checks.js';
import {
  launchBrowser,
  type RunningServer,
  SERVER_DBS,
  signedInContext,
  startServer,
} from './support/server.js';

const Q = DOCS_SCENARIO.quality;
const [REAR_LEFT, REAR_RIGHT, FRONT] = Q.serials;
const CORRECTION = 'Test ran on bench EOL-4, not EOL-3';

interface Entry {
  seq: number;
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** The whole page with its badges checked, and what axe-core finds on it (expected: nothing). */
async function shoot(page: Page, name: string): Promise<string[]> {
  if (!SHOTS) return wcagViolations(page);
  // Verified badges start when their entry comes into view: scroll once through the page, wait for them.
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 400) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  await page
    .waitForFunction(
      () =>
        document.querySelector('.x-verify > .badge.neutral') === null &&
        document.querySelector('.vbadge[data-status="checking"]') === null,
      null,
      { timeout: 15_000 },
    )
    .catch(() => undefined);
  await screenshot(page, name, true);
  return wcagViolations(page);
}

/** The facts (dt: dd) of one timeline entry, as "Line: L2". */
async function facts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} dt`, (dts) =>
    dts.map((dt) => `${dt.textContent}: ${(dt.nextElementSibling?.textContent ?? '').trim()}`),
  );
}

/** Each row's cells as text, header row included. */
async function tableText(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tr`, (rows) =>
    rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
  );
}

describe.each(SERVER_DBS)('trace explorer: search, motor, vehicle, lot, holds, incidents (%s)', (db) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let narrow: BrowserContext;
  let token: string;
  let correctionSeq: number;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(db), launchBrowser()]);
    context = await signedInContext(browser, server, 'quality', ['*']);
    narrow = await signedInContext(browser, server, 'quality', ['*'], { width: 360, height: 740 });
    token = await server.token('quality', ['*'], 'qe-lemoine');
    // What docs/quality-engineer.md does: an incident, a hold under it, a second hold released, the correction.
    await server.call(token, 'POST', '/v1/incidents', {
      incidentId: 'INC-2026-017',
      title: 'Rear motor noise at 80 km/h',
      severity: 'HIGH',
      suspectVins: [Q.vin],
    });
    await server.call(token, 'POST', '/v1/holds', {
      holdId: 'HOLD-2026-031',
      serials: [Q.holdSerial],
      reason: 'Suspect magnet lot MAG-24-031',
      incidentId: 'INC-2026-017',
    });
    await server.call(token, 'POST', '/v1/holds', {
      holdId: 'HOLD-2026-030',
      serials: [DOCS_SCENARIO.assembly.serials[0]],
      reason: 'Label check',
    });
    await server.call(token, 'POST', '/v1/holds/HOLD-2026-030/release', { reason: 'Label is right' });
    // The carrier's data logger reports the truck's temperature for the motor (EPCIS capture, kept as sent).
    const carrier = await server.token('partner', ['*'], 'carrier-gefco');
    await server.call(
      carrier,
      'POST',
      '/epcis/capture',
      {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-11-24T09:00:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2026-11-24T08:30:00.000+01:00',
              eventTimeZoneOffset: '+01:00',
              action: 'OBSERVE',
              bizStep: 'transporting',
              epcList: [`https://id.cleon-dieppe.example/motor/${REAR_LEFT}`],
              readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
              sensorElementList: [
                {
                  sensorMetadata: { time: '2026-11-24T08:30:00.000+01:00' },
                  sensorReport: [{ type: 'gs1:Temperature', value: 21.5, uom: 'CEL' }],
                },
              ],
            },
          ],
        },
      },
      { prefer: 'wait=30' },
    );
    const c = await server.call<{ event: { seq: number } }>(token, 'POST', '/v1/corrections', {
      targetId: Q.testEntryId,
      reason: CORRECTION,
    });
    correctionSeq = c.event.seq;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds a motor from the search box: where it is, its lots, its measurements, the correction beside its test', async () => {
    const { timeline } = await server.call<{ timeline: Entry[] }>(token, 'GET', `/v1/motors/${REAR_LEFT}`);
    const test = timeline.find((e) => e.id === Q.testEntryId)!;
    const correction = timeline.find((e) => e.type === 'correction')!;
    expect(correction).toMatchObject({ seq: correctionSeq, data: { targetSeq: test.seq } });

    const page = await context.newPage();
    await page.goto('/trace');
    await page.getByRole('heading', { name: 'Trace explorer' }).waitFor();
    expect(await shoot(page, 'trace-search-desktop')).toEqual([]);
    await page.getByLabel('Find').fill(REAR_LEFT);
    await page.getByLabel('Find').press('Enter');
    await page.waitForURL(`**/trace/motors/${REAR_LEFT}`);
    const where = page.locator('.x-where');
    await where.waitFor();
    expect(await where.textContent()).toMatch(new RegExp(`In vehicle ${Q.vin}, slot REAR_LEFT`));

    // One timeline entry per ledger entry, in order, each with its seq and a badge for that seq.
    const entries = page.locator('li.x-entry');
    expect(await entries.count()).toBe(timeline.length);
    expect(await page.$$eval('li.x-entry', (els) => els.map((e) => e.id))).toEqual(
      timeline.map((e) => `seq-${e.seq}`),
    );
    // The badge of an entry starts checking when the entry comes into view.
    await page.locator(`#seq-${timeline[0]!.seq}`).scrollIntoViewIfNeeded();
    await page.locator(`#seq-${timeline[0]!.seq} .vbadge[data-seq="${timeline[0]!.seq}"]`).waitFor();
    await page.waitForFunction(
      (seq) => document.querySelector(`#seq-${seq} .vbadge`)?.getAttribute('data-status') === 'verified',
      timeline[0]!.seq,
      { timeout: 20_000 },
    );

    // Production with its line, station, shift and each lot as a link to its lot page.
    const produced = page.locator('li.x-entry[data-type="motor.produced"]');
    expect(await facts(page, 'li.x-entry[data-type="motor.produced"]')).toEqual(
      expect.arrayContaining(['Line: L2', 'Station: L2-ST40', 'Shift: A', 'magnets lot: MAG-24-031']),
    );
    expect(await produced.getByRole('link', { name: 'MAG-24-031' }).getAttribute('href')).toBe(
      '/trace/lots/magnets/MAG-24-031',
    );

    // The EOL test with its measurements (units in words), the correction beside it, and in its own place.
    const tested = page.locator(`#seq-${test.seq}`);
    const measurements = test.data.measurements as Record<string, number>;
    expect(await facts(page, `#seq-${test.seq} .x-measures`)).toEqual(
      expect.arrayContaining([
        `Torque: ${measurements.torqueNm} N·m`,
        `Insulation: ${measurements.insulationMOhm} MΩ`,
        `Back EMF: ${measurements.backEmfV} V`,
      ]),
    );
    // The partner's event kept as sent, in words: who sent it, the step, its reading.
    expect(await facts(page, 'li.x-entry[data-type="epcis.captured"]')).toEqual(
      expect.arrayContaining([
        'Sent by: carrier-gefco',
        'EPCIS: ObjectEvent OBSERVE',
        'Temperature: 21.5 CEL',
      ]),
    );
    expect(await page.locator('li.x-entry[data-type="epcis.captured"]').textContent()).toContain(
      'Partner event: transporting',
    );
    const beside = tested.locator('aside.x-correction');
    expect(await beside.textContent()).toContain(CORRECTION);
    expect(await beside.getByRole('link', { name: `#${correctionSeq}` }).count()).toBe(1);
    expect(await page.locator(`#seq-${correctionSeq}`).textContent()).toContain(`entry #${test.seq}`);
    expect(await shoot(page, 'trace-motor-desktop')).toEqual([]);
    await page.close();
  });

  it('goes from the genealogy graph to the vehicle: three slots from the catalog, each a link to its motor', async () => {
    const catalog = await server.call<{ models: Record<string, { slots: Record<string, string> }> }>(
      token,
      'GET',
      '/v1/catalog',
    );
    expect(Object.keys(catalog.models.A390!.slots)).toEqual(['REAR_LEFT', 'REAR_RIGHT', 'FRONT']);
    const page = await context.newPage();
    await page.goto(`/trace/motors/${REAR_LEFT}`);
    await page
      .locator('figure.x-graph')
      .getByRole('link', { name: `VIN ${Q.vin}` })
      .click();
    await page.waitForURL(`**/trace/vehicles/${Q.vin}`);
    await page.locator('ul.x-car').waitFor();
    const slots = await page.$$eval('li.x-slot', (els) =>
      els.map((e) => ({
        slot: e.getAttribute('data-slot'),
        motor: e.querySelector('a')?.textContent,
        href: e.querySelector('a')?.getAttribute('href'),
      })),
    );
    expect(slots).toEqual([
      { slot: 'REAR_LEFT', motor: REAR_LEFT, href: `/trace/motors/${REAR_LEFT}` },
      { slot: 'REAR_RIGHT', motor: REAR_RIGHT, href: `/trace/motors/${REAR_RIGHT}` },
      { slot: 'FRONT', motor: FRONT, href: `/trace/motors/${FRONT}` },
    ]);
    // The vehicle's own timeline, entry for entry.
    const { entries } = await server.call<{ entries: Entry[] }>(
      token,
      'GET',
      `/v1/vehicles/${Q.vin}/timeline`,
    );
    expect(await page.$$eval('li.x-entry', (els) => els.map((e) => e.id))).toEqual(
      entries.map((e) => `seq-${e.seq}`),
    );
    expect(await shoot(page, 'trace-vehicle-desktop')).toEqual([]);
    await page.locator('li.x-slot[data-slot="FRONT"] a').click();
    await page.waitForURL(`**/trace/motors/${FRONT}`);
    await page.close();
  });

  it('follows a lot to its where-used page, lists its motors, and the CSV holds the rows on screen', async () => {
    const api = await server.call<{ total: number; items: { serial: string; group: string }[] }>(
      token,
      'GET',
      '/v1/lots/magnets/MAG-24-031/where-used',
    );
    const page = await context.newPage();
    await page.goto(`/trace/motors/${REAR_LEFT}`);
    await page
      .locator('li.x-entry[data-type="motor.produced"]')
      .getByRole('link', { name: 'MAG-24-031' })
      .click();
    await page.waitForURL('**/trace/lots/magnets/MAG-24-031');
    await page.locator('table.data').waitFor();
    const rows = (await tableText(page, 'table.data')).slice(1);
    expect(rows.map((r) => r[0]!.split(' ')[0])).toEqual(api.items.map((m) => m.serial));
    expect(await page.getByRole('link', { name: 'Investigate this lot' }).getAttribute('href')).toBe(
      '/trace/investigate?component=magnets&lot=MAG-24-031',
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV: download the motors on this page' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('magnets-MAG-24-031-motors.csv');
    const csv = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv[0]).toBe('serial,type,produced,where,site,shipment,vin,slot,holds');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(rows.map((r) => r[0]!.split(' ')[0]));
    expect(csv.slice(1).map((l) => l.split(',')[3])).toEqual(api.items.map((m) => m.group));
    expect(await shoot(page, 'trace-lot-desktop')).toEqual([]);
    await page.close();
  });

  it("pages the planted lot's motors 100 at a time with the page in the URL, and exports all of them", async () => {
    const { component, lot, serials } = server.demo.planted.defect;
    type Page100 = { total: number; items: { serial: string }[]; nextCursor: string | null };
    const first = await server.call<Page100>(
      token,
      'GET',
      `/v1/lots/${component}/${lot}/where-used?limit=100`,
    );
    const second = await server.call<Page100>(
      token,
      'GET',
      `/v1/lots/${component}/${lot}/where-used?limit=100&cursor=${first.nextCursor}`,
    );
    expect(first.total).toBe(serials.length);
    const page = await context.newPage();
    await page.goto(`/trace/lots/${component}/${lot}`);
    await page.locator('table.data tbody tr').first().waitFor();
    const onScreen = async () =>
      (await tableText(page, 'table.data')).slice(1).map((r) => r[0]!.split(' ')[0]);
    expect(await onScreen()).toEqual(first.items.map((m) => m.serial));
    await page.getByRole('link', { name: 'Next page »' }).click();
    await page.waitForURL(`**/trace/lots/${component}/${lot}?cursor=${first.nextCursor}`);
    await page.waitForFunction(
      (serial) => document.querySelector('table.data tbody tr td a')?.textContent === serial,
      second.items[0]!.serial,
    );
    expect(await onScreen()).toEqual(second.items.map((m) => m.serial));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `⤓ CSV of all ${serials.length}` }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split(/\r?\n/);
    expect(csv.length).toBe(serials.length + 1);
    await page.close();
  });

  it('lists holds and incidents with filters kept in the URL', async () => {
    const page = await context.newPage();
    await page.goto('/trace/holds');
    await page.locator('table.data').waitFor();
    expect((await tableText(page, 'table.data')).slice(1).map((r) => r[0])).toEqual([
      'HOLD-2026-030',
      'HOLD-2026-031',
    ]);
    await page.getByLabel('Status').selectOption('RELEASED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL('**/trace/holds?status=RELEASED');
    await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 1);
    const released = await server.call<{ items: { id: string }[] }>(
      token,
      'GET',
      '/v1/holds?status=RELEASED',
    );
    expect((await tableText(page, 'table.data')).slice(1).map((r) => r[0])).toEqual(
      released.items.map((h) => h.id),
    );
    // The URL is the filter: reloading it shows the same list.
    await page.reload();
    await page.locator('table.data tbody tr').first().waitFor();
    expect(await page.locator('table.data tbody tr').count()).toBe(1);

    await page.goto('/trace/incidents?status=CLOSED');
    await page.getByText('No incident matches this filter.').waitFor();
    await page.goto('/trace/incidents?status=OPEN');
    await page.getByRole('link', { name: 'INC-2026-017' }).click();
    await page.waitForURL('**/trace/incidents/INC-2026-017');
    await page.getByRole('link', { name: `VIN ${Q.vin}` }).waitFor();
    expect(await page.locator('table.data').textContent()).toContain('HOLD-2026-031');
    expect(await shoot(page, 'trace-incident-desktop')).toEqual([]);
    await page.close();
  });

  it('searches a lot (alone or with its component), a truck, a VIN, a shipment and a hold, and says so when nothing matches', async () => {
    const page = await context.newPage();
    const search = async (text: string) => {
      await page.getByLabel('Find').fill(text);
      await page.getByLabel('Find').press('Enter');
    };
    await page.goto('/trace/holds');
    await search('MAG-24-031');
    await page.waitForURL('**/trace/lots/magnets/MAG-24-031');
    await search('stator STA-24-090');
    await page.waitForURL('**/trace/lots/stator/STA-24-090');
    await search('truck FR-118-KD');
    await page.waitForURL(`**/trace/shipments/${Q.shipmentId}`);
    await search(Q.vin.toLowerCase());
    await page.waitForURL(`**/trace/vehicles/${Q.vin}`);
    await search(Q.shipmentId);
    await page.waitForURL(`**/trace/shipments/${Q.shipmentId}`);
    await page.locator('ul.x-counts').waitFor();
    expect(await page.locator('ul.x-counts').textContent()).toContain('3 accepted');
    await search('HOLD-2026-031');
    await page.waitForURL('**/trace/holds?id=HOLD-2026-031');
    await page.getByRole('link', { name: `${Q.holdSerial} · held` }).waitFor();
    await search('NOPE-0000');
    await page.getByRole('heading', { name: 'Nothing found for “NOPE-0000”' }).waitFor();
    expect(page.url()).toContain('/trace?q=NOPE-0000');
    await page.close();
  });

  it.runIf(SHOTS && db === 'embedded')('screenshots at 360 px', async () => {
    const page = await narrow.newPage();
    for (const [name, url] of [
      ['trace-search-360', '/trace'],
      ['trace-motor-360', `/trace/motors/${REAR_LEFT}`],
      ['trace-vehicle-360', `/trace/vehicles/${Q.vin}`],
      ['trace-lot-360', '/trace/lots/magnets/MAG-24-031'],
      ['trace-incident-360', '/trace/incidents/INC-2026-017'],
    ] as const) {
      await page.goto(url);
      await page.locator('.x-page').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await shoot(page, name)).toEqual([]);
    }
    const wide = await context.newPage();
    for (const [name, url] of [
      ['trace-shipment-desktop', `/trace/shipments/${Q.shipmentId}`],
      ['trace-holds-desktop', '/trace/holds?id=HOLD-2026-031'],
    ] as const) {
      await wide.goto(url);
      await wide.locator('table.data').first().waitFor();
      await wide.waitForLoadState('networkidle');
      expect(await shoot(wide, name)).toEqual([]);
    }
  });
});
