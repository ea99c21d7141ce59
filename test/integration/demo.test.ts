// The demo generator over the real command path: 2,000 motors from Cléon to shipped cars, every command
// accepted by the plant's rules, and the planted truth (defect lot, field failures, flow anomalies) is what the
// projections and the log say — and nothing else trips the reconciliation thresholds at the report's endTime.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DomainState, MotorState, ShipmentState, VehicleState } from '../../src/core/domain/state.js';
import type { Envelope } from '../../src/core/envelope.js';
import {
  type DemoReport,
  generateDemo,
  LOCATION_GROUPS,
  type LocationGroup,
} from '../../src/demo/generator.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { verifyDatabase } from '../../src/verify/verify.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const MOTORS = 2000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let tdb: TestDatabase;
let ledger: Ledger<DomainState>;
let report: DemoReport;
const progress: number[] = [];

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const rows = async <T>(query: ReturnType<typeof sql>) => (await query.execute(tdb.handle.db)).rows as T[];

beforeAll(async () => {
  tdb = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ml-demo-')),
    CHECKPOINT_INTERVAL_MS: '0',
  });
  ledger = await openLedger({ config, handle: tdb.handle, ownsHandle: false, migrate: false });
  report = await generateDemo(ledger, loadCatalog(), {
    motors: MOTORS,
    seed: 42,
    onProgress: (done) => progress.push(done),
  });
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  await tdb?.drop();
});

describe('the demo plant (2,000 motors, seed 42)', () => {
  it('appends one entry per event it reports, in business-time order within the period', async () => {
    expect(report.motors).toBe(MOTORS);
    expect(await logSize(tdb.handle.db)).toBe(report.events);
    const times = await rows<{ time: string }>(
      sql`SELECT convert_from(body, 'UTF8')::jsonb->>'time' AS time FROM ledger_entry ORDER BY seq`,
    );
    const ms = times.map((r) => Date.parse(r.time));
    expect(ms.every((t, i) => i === 0 || t >= ms[i - 1]!)).toBe(true);
    expect(ms[0]).toBeGreaterThanOrEqual(Date.parse(report.startTime));
    expect(ms[ms.length - 1]).toBeLessThanOrEqual(Date.parse(report.endTime));
    expect(progress.at(-1)).toBe(MOTORS);
  });

  it('reports where every motor is, as the motor projection says', async () => {
    const byStatus = await rows<{ status: string; n: number }>(
      sql`SELECT status, count(*)::int AS n FROM motor GROUP BY status`,
    );
    const group: Record<string, LocationGroup> = {
      PRODUCED: 'AT_CLEON',
      LOADED: 'IN_TRANSIT',
      IN_TRANSIT: 'IN_TRANSIT',
      ARRIVED: 'IN_TRANSIT',
      RECEIVED: 'IN_BUFFER',
      INSTALLED: 'INSTALLED',
      VEHICLE_SHIPPED: 'VEHICLE_SHIPPED',
    };
    const counted = Object.fromEntries(LOCATION_GROUPS.map((g) => [g, 0])) as Record<LocationGroup, number>;
    for (const r of byStatus) counted[group[r.status]!] += r.n;
    expect(counted).toEqual(report.locations);
    expect(Object.values(report.locations).reduce((a, b) => a + b, 0)).toBe(MOTORS);
  });

  it('plants a magnets lot whose motors are everywhere: at Cléon, on trucks, in the buffer, installed, shipped', async () => {
    const { lot, serials } = report.planted.defect;
    const inLot = await rows<{ serial: string }>(
      sql`SELECT serial FROM motor WHERE state->'produced'->'lots'->>'magnets' = ${lot}`,
    );
    expect(inLot.map((r) => r.serial).sort()).toEqual([...serials].sort());
    for (const g of LOCATION_GROUPS) expect(report.defectLocations[g], g).toBeGreaterThan(0);
    // The signature is subtle: louder by about 2.5 dB on average, yet within the noise limit of the spec.
    const noise = await rows<{ defect: boolean; shift: number; over: number }>(sql`
      SELECT (state->'produced'->'lots'->>'magnets' = ${lot}) AS defect,
             avg((state->'lastTest'->'measurements'->>'noiseDb')::float8
                 - CASE state->>'motorType' WHEN '7DL' THEN 67.8 ELSE 66.4 END) AS shift,
             count(*) FILTER (WHERE (state->'lastTest'->'measurements'->>'noiseDb')::float8
                 > CASE state->>'motorType' WHEN '7DL' THEN 74.5 ELSE 72.5 END)::int AS over
      FROM motor GROUP BY 1`);
    const byDefect = Object.fromEntries(noise.map((r) => [String(r.defect), r]));
    const shift = byDefect.true!.shift - byDefect.false!.shift;
    expect(shift).toBeGreaterThan(2);
    expect(shift).toBeLessThan(3);
    expect(byDefect.true!.over).toBe(0);
  });

  it('reports field failures in shipped cars that carry a motor of that lot, plus a few that do not', async () => {
    const { failingVins, noiseVins, defect } = report.planted;
    expect(failingVins).toHaveLength(25);
    expect(noiseVins).toHaveLength(3);
    const inLot = new Set(defect.serials);
    const vehicles = await rows<{ vin: string; state: unknown }>(
      sql`SELECT vin, state FROM vehicle WHERE vin = ANY(${[...failingVins, ...noiseVins]}::text[])`,
    );
    const byVin = new Map(vehicles.map((r) => [r.vin, parse<VehicleState>(r.state)]));
    for (const vin of failingVins) {
      const v = byVin.get(vin)!;
      expect(v.status, vin).toBe('SHIPPED');
      expect(
        v.slots.some((x) => x.serial && inLot.has(x.serial)),
        vin,
      ).toBe(true);
    }
    for (const vin of noiseVins) {
      const v = byVin.get(vin)!;
      expect(v.status, vin).toBe('SHIPPED');
      expect(
        v.slots.some((x) => x.serial && inLot.has(x.serial)),
        vin,
      ).toBe(false);
    }
  });

  it('plants exactly the flow anomalies, and nothing else crosses the reconciliation thresholds', async () => {
    const { neverArrived, unexpectedScan, incompleteVin, asnMismatch } = report.planted;
    const now = Date.parse(report.endTime);

    const motor = parse<MotorState>(
      (await rows<{ state: unknown }>(sql`SELECT state FROM motor WHERE serial = ${neverArrived.serial}`))[0]!
        .state,
    );
    expect(['ARRIVED', 'IN_TRANSIT']).toContain(motor.status);
    expect(motor.shipmentId).toBe(neverArrived.shipmentId);
    expect(asnMismatch).toEqual({ shipmentId: neverArrived.shipmentId, missing: [neverArrived.serial] });

    // Shipped but not received after 24 h: only the truck of the never-scanned motor.
    const shipments = (await rows<{ state: unknown }>(sql`SELECT state FROM shipment`)).map((r) =>
      parse<ShipmentState>(r.state),
    );
    const late = shipments.filter(
      (s) =>
        s.departed && Date.parse(s.departed.time) < now - 24 * HOUR && s.received.length < s.serials.length,
    );
    expect(late.map((s) => s.id)).toEqual([neverArrived.shipmentId]);
    const truck = late[0]!;
    expect(truck.status).toBe('ARRIVED');
    expect(Date.parse(truck.arrived!.time)).toBeLessThanOrEqual(now - 3 * DAY);
    expect(truck.serials.filter((s) => !truck.received.includes(s))).toEqual([neverArrived.serial]);
    // Some trucks are on the road at the end, all younger than 24 h.
    expect(shipments.some((s) => s.status !== 'ARRIVED')).toBe(true);

    // The one scan against the wrong shipment, rejected and logged; the motor was then scanned right.
    const rejected = await rows<{ body: Uint8Array }>(
      sql`SELECT body FROM ledger_entry WHERE type = 'intake.rejected'`,
    );
    expect(rejected).toHaveLength(1);
    const scan = JSON.parse(new TextDecoder().decode(rejected[0]!.body)) as Envelope;
    expect(scan.data).toMatchObject({
      serial: unexpectedScan.serial,
      shipmentId: unexpectedScan.shipmentId,
      code: 'NOT_ON_SHIPMENT',
      site: 'DIEPPE',
    });
    const wrong = shipments.find((s) => s.id === unexpectedScan.shipmentId)!;
    expect(wrong.unexpected).toEqual([unexpectedScan.serial]);

    // Received but not installed after 5 days: none.
    const stale = await rows<{ serial: string }>(sql`
      SELECT serial FROM motor WHERE status = 'RECEIVED'
        AND (state->'received'->>'time')::timestamptz < ${new Date(now - 5 * DAY).toISOString()}::timestamptz`);
    expect(stale).toEqual([]);

    // VINs with an empty slot 2 days after their first install: only the A390 without its front motor.
    const vehicles = (
      await rows<{ state: unknown }>(sql`SELECT state FROM vehicle WHERE status = 'IN_ASSEMBLY'`)
    ).map((r) => parse<VehicleState>(r.state));
    const incomplete = vehicles.filter(
      (v) => v.slots.some((x) => !x.serial) && Date.parse(v.history[0]!.time) < now - 2 * DAY,
    );
    expect(incomplete.map((v) => v.vin)).toEqual([incompleteVin]);
    const a390 = incomplete[0]!;
    expect(a390.model).toBe('A390');
    expect(a390.slots.find((x) => x.slot === 'FRONT')!.serial).toBeNull();
    expect(Date.parse(a390.history[0]!.time)).toBeLessThanOrEqual(now - 3 * DAY);
  });

  it('leaves a log that verifies end to end', async () => {
    await ledger.sequencer.checkpoint();
    const summary = await verifyDatabase(tdb.handle.db);
    expect(summary).toMatchObject({ entries: report.events, uncovered: 0 });
  });
});
