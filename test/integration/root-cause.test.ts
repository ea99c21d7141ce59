// Root-cause analysis on generated plant data with known ground truth: common cause ranks the planted cause
// first; the forward trace of that cause returns exactly the generator's affected set, grouped by location;
// as-of answers match a replay of the log prefix; reconciliation finds each planted anomaly and nothing else;
// brand scoping hides what it must.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, emptyState } from '../../src/core/domain/state.js';
import type { Envelope } from '../../src/core/envelope.js';
import { type DemoReport, generateDemo } from '../../src/demo/generator.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { streamEntries } from '../../src/ledger/reader.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { hasServer } from '../support/db.js';

let t: TestApp;
let report: DemoReport;
let quality: string;
const MOTORS = hasServer ? 2000 : 600;

beforeAll(async () => {
  t = await startTestApp();
  report = await generateDemo(t.ledger, loadCatalog(), { motors: MOTORS, seed: 42 });
  quality = await t.token(['quality'], ['*'], { brands: ['*'] });
}, 240_000);
afterAll(async () => {
  await t.close();
});

const post = async (token: string, url: string, body: unknown) => {
  const res = await t.as(token, 'POST', url, body);
  if (res.statusCode >= 300) expect.fail(`${url} answered ${res.statusCode}: ${res.payload}`);
  return res.json();
};
const get = async (token: string, url: string) => {
  const res = await t.as(token, 'GET', url);
  if (res.statusCode >= 300) expect.fail(`${url} answered ${res.statusCode}: ${res.payload}`);
  return res.json();
};

describe('common cause', () => {
  it('ranks the planted magnets lot first among everything the failing cars share', async () => {
    const vins = [...report.planted.failingVins, ...report.planted.noiseVins];
    const cc = await post(quality, '/v1/analysis/common-cause', { vins, limit: 10 });
    expect(cc.shared[0]).toMatchObject({ attribute: 'lot:magnets', value: report.planted.defect.lot });
    expect(cc.shared[0].lift).toBeGreaterThan(3); // the lot is 225 of 2,000 motors here: lift ≤ 8.9
    expect(cc.shared[0].pValue).toBeLessThan(1e-6);
    expect(cc.shared[0].pValue).toBeLessThan(cc.shared[1].pValue);
    expect(cc.populationSize).toBe(report.motors);
  });
});

describe('forward trace of the planted cause', () => {
  const filter = () => ({ lots: { magnets: report.planted.defect.lot } });

  it('returns exactly the affected motors, grouped by where they are', async () => {
    const trace = await post(quality, '/v1/trace/forward', { filter: filter(), limit: 5000 });
    expect(trace.total).toBe(report.planted.defect.serials.length);
    expect(trace.items.map((m: { serial: string }) => m.serial).sort()).toEqual(
      [...report.planted.defect.serials].sort(),
    );
    const counts = Object.fromEntries(
      trace.groups.map((g: { group: string; count: number }) => [g.group, g.count]),
    );
    expect(counts).toEqual({
      AT_CLEON: report.defectLocations.AT_CLEON,
      IN_TRANSIT: report.defectLocations.IN_TRANSIT,
      IN_BUFFER: report.defectLocations.IN_BUFFER,
      INSTALLED: report.defectLocations.INSTALLED,
      VEHICLE_SHIPPED: report.defectLocations.VEHICLE_SHIPPED,
      HELD: 0,
    });
    const installed = trace.items.filter(
      (m: { group: string }) => m.group === 'INSTALLED' || m.group === 'VEHICLE_SHIPPED',
    );
    expect(
      installed.every((m: { vin: string | null }) => typeof m.vin === 'string' && m.vin.length === 17),
    ).toBe(true);
  });

  it('pages by cursor without gaps or repeats, and exports the same set as CSV', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await post(quality, '/v1/trace/forward', {
        filter: filter(),
        limit: 37,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((m: { serial: string }) => m.serial));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...report.planted.defect.serials].sort());
    const csv = await t.app.inject({
      method: 'POST',
      url: '/v1/trace/forward?format=csv',
      headers: { authorization: `Bearer ${quality}` },
      payload: { filter: filter() },
    });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.payload.trim().split('\r\n');
    expect(lines[0]).toBe('serial,motor_type,produced_at,group,status,site,shipment_id,vin,slot,holds');
    expect(lines).toHaveLength(report.planted.defect.serials.length + 1);
  });

  it('where-used of the lot gives the same answer', async () => {
    const used = await get(quality, `/v1/lots/magnets/${report.planted.defect.lot}/where-used?limit=5000`);
    expect(used.total).toBe(report.planted.defect.serials.length);
  });
});

describe('as of a past seq', () => {
  it('matches a replay of the whole log prefix, for a vehicle and for the forward trace', async () => {
    const vin = report.planted.failingVins[0]!;
    const timeline = await get(quality, `/v1/vehicles/${vin}/timeline`);
    const shipped = timeline.entries.find((e: { type: string }) => e.type === 'vehicle.shipped');
    const at = shipped.seq - 1;
    // An independent answer: fold every entry up to `at`, not only the vehicle's own timeline.
    const prefix = emptyState();
    for await (const e of streamEntries(t.tdb.handle.db, { to: at + 1 })) {
      applyEvent(prefix, JSON.parse(Buffer.from(e.body).toString()) as Envelope);
    }
    const before = await get(quality, `/v1/vehicles/${vin}/genealogy?asOfSeq=${at}`);
    expect(before.vehicle).toEqual(prefix.vehicle.get(vin));
    expect(before.vehicle.status).toBe('IN_ASSEMBLY');
    for (const slot of before.slots) expect(slot.status).toBe(prefix.motor.get(slot.serial)?.status);
    const after = await get(quality, `/v1/vehicles/${vin}/genealogy?asOfSeq=${shipped.seq}`);
    expect(after.vehicle.status).toBe('SHIPPED');

    const trace = await post(quality, '/v1/trace/forward', {
      filter: { lots: { magnets: report.planted.defect.lot } },
      asOfSeq: at,
      limit: 5000,
    });
    const expected = [...prefix.motor.values()].filter(
      (m) => m?.produced.lots.magnets === report.planted.defect.lot,
    );
    expect(trace.total).toBe(expected.length);
    const statusBySerial = new Map(expected.map((m) => [m!.serial, m!.status]));
    for (const m of trace.items) expect(m.status).toBe(statusBySerial.get(m.serial));
  });

  it('answers with nothing for a time before the first entry was recorded', async () => {
    const res = await t.as(
      quality,
      'GET',
      `/v1/vehicles/${report.planted.failingVins[0]}/genealogy?asOfTime=2000-01-01T00:00:00Z`,
    );
    expect(res.json()).toMatchObject({ status: 404, code: 'UNKNOWN_VEHICLE' });
  });
});

describe('reconciliation at the end of the generated period', () => {
  it('finds each planted anomaly and nothing else', async () => {
    const r = await get(
      quality,
      `/v1/flow/reconciliation?now=${report.endTime}&notReceivedAfterHours=24&notInstalledAfterDays=5&incompleteAfterDays=2`,
    );
    expect(r.shippedNotReceived.map((x: { serial: string }) => x.serial)).toEqual([
      report.planted.neverArrived.serial,
    ]);
    expect(r.receivedNotInstalled).toEqual([]);
    expect(
      r.incompleteVehicles.map((x: { vin: string; emptySlots: string[] }) => [x.vin, x.emptySlots]),
    ).toEqual([[report.planted.incompleteVin, ['FRONT']]]);
    expect(r.duplicateSlots).toEqual([]);
    const mismatches = Object.fromEntries(
      r.asnMismatches.map((m: { shipmentId: string; missing: string[]; unexpected: string[] }) => [
        m.shipmentId,
        m,
      ]),
    );
    expect(Object.keys(mismatches).sort()).toEqual(
      [...new Set([report.planted.asnMismatch.shipmentId, report.planted.unexpectedScan.shipmentId])].sort(),
    );
    expect(mismatches[report.planted.asnMismatch.shipmentId].missing).toEqual(
      report.planted.asnMismatch.missing,
    );
    expect(mismatches[report.planted.unexpectedScan.shipmentId].unexpected).toContain(
      report.planted.unexpectedScan.serial,
    );
    expect(r.daily.length).toBeGreaterThan(0);
    expect(r.daily.some((d: { produced: number }) => d.produced > 0)).toBe(true);
  });
});

describe('brand scoping', () => {
  it('hides another brand’s vehicles and their motors’ downstream data', async () => {
    const renault = await t.token(['quality'], ['*'], { brands: ['Renault'] });
    let alpineVin = '';
    for (const vin of report.planted.failingVins) {
      if ((await get(quality, `/v1/vehicles/${vin}/genealogy`)).vehicle.brand === 'Alpine') {
        alpineVin = vin;
        break;
      }
    }
    expect(alpineVin).not.toBe('');
    expect((await t.as(renault, 'GET', `/v1/vehicles/${alpineVin}/genealogy`)).json()).toMatchObject({
      status: 404,
    });
    expect(
      (await t.as(renault, 'POST', '/v1/analysis/common-cause', { vins: [alpineVin] })).json(),
    ).toMatchObject({ status: 404 });
    const trace = await post(renault, '/v1/trace/forward', {
      filter: { lots: { magnets: report.planted.defect.lot } },
      limit: 5000,
    });
    expect(trace.total).toBe(report.planted.defect.serials.length); // the motors are Ampere's: still counted
    const alpineInstalled = trace.items.filter((m: { status: string }) =>
      m.status.includes("another brand's vehicle"),
    );
    expect(alpineInstalled.length).toBeGreaterThan(0);
    expect(alpineInstalled.every((m: { vin: string | null }) => m.vin === null)).toBe(true);
    const serial = alpineInstalled[0].serial;
    const timeline = await get(renault, `/v1/motors/${serial}/timeline`);
    expect(timeline.entries.map((e: { type: string }) => e.type)).not.toContain('motor.installed');
    const full = await get(quality, `/v1/motors/${serial}/timeline`);
    expect(full.entries.map((e: { type: string }) => e.type)).toContain('motor.installed');
  });
});

describe('hold of everything not yet installed, in one call', () => {
  it('holds the affected motors still at Cléon, on the road or in the buffer, through the normal hold command', async () => {
    const before = await t.logSize();
    const res = await post(quality, '/v1/trace/forward/hold', {
      filter: { lots: { magnets: report.planted.defect.lot } },
      holdId: 'HOLD-DEMO-1',
      reason: 'Suspect magnet lot',
    });
    const notInstalled =
      report.defectLocations.AT_CLEON + report.defectLocations.IN_TRANSIT + report.defectLocations.IN_BUFFER;
    expect(res.held).toBe(notInstalled);
    expect(res.event.type).toBe('motor.held');
    expect(await t.logSize()).toBe(before + 1);
    const trace = await post(quality, '/v1/trace/forward', {
      filter: { lots: { magnets: report.planted.defect.lot } },
      limit: 5000,
    });
    expect(trace.groups.find((g: { group: string }) => g.group === 'HELD').count).toBe(notInstalled);
  });
});
