// Projections are derived: replaying the log through the same evolve() must give the live tables row for row,
// after a realistic mix of journeys, rework, holds, refused scans, incidents and corrections.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildProjections } from '../../src/domain/rebuild.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { hasServer } from '../support/db.js';
import {
  newSerial,
  newVin,
  plantTokens,
  post,
  produceTested,
  receivedAtDieppe,
  scan,
  shipToDieppe,
  type Tokens,
} from '../support/plant.js';

let t: TestApp;
let k: Tokens;
beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  // Three A390s: one shipped, one with a motor removed for rework, one waiting for its front motor.
  for (let car = 0; car < 3; car++) {
    const [rl, rr, fr] = [newSerial(), newSerial(), newSerial('6AM')];
    await receivedAtDieppe(t, k, car === 2 ? [rl, rr] : [rl, rr, fr]);
    const vin = newVin();
    const slots: [string, string][] = [
      [rl, 'REAR_LEFT'],
      [rr, 'REAR_RIGHT'],
    ];
    if (car !== 2) slots.push([fr, 'FRONT']);
    for (const [serial, slot] of slots)
      await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
        serial,
        model: 'A390',
        slot,
        station: 'MAR-01',
      });
    if (car === 0) await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
    if (car === 1)
      await post(t, k.assembly, `/v1/vehicles/${vin}/motors/${rr}/removal`, { reason: 'rework' });
  }
  // Motors still at Cléon, on the road, held; refused scans; an incident and a correction.
  const atCleon = newSerial();
  await produceTested(t, k, [atCleon]);
  const onRoad = [newSerial(), newSerial('6AM')];
  await produceTested(t, k, onRoad);
  const shp = await shipToDieppe(t, k, onRoad);
  await scan(t, k, newSerial(), shp);
  await scan(t, k, onRoad[0]!, shp);
  await scan(t, k, onRoad[0]!, shp);
  const holdId = `HOLD-${randomUUID().slice(0, 8)}`;
  await post(t, k.quality, '/v1/incidents', { incidentId: 'INC-1', title: 'Noise', severity: 'HIGH' });
  await post(t, k.quality, '/v1/holds', {
    holdId,
    serials: [atCleon, onRoad[1]!],
    reason: 'Suspect lot',
    incidentId: 'INC-1',
  });
  await post(t, k.quality, `/v1/holds/${holdId}/release`, { serials: [atCleon], reason: 'Cleared' });
  const produced = await post(t, k.producer, '/v1/motors', {
    serial: newSerial(),
    motorType: '7DL',
    line: 'L1',
    station: 'S1',
    shift: 'B',
    operator: 'OP-1',
    workOrder: 'WO-1',
    lots: { rotor: 'R1' },
  });
  await post(t, k.quality, '/v1/corrections', { targetId: produced.event.id, reason: 'Wrong line' });
  await post(t, k.quality, 'PATCH /v1/incidents/INC-1', { status: 'CLOSED', resolution: 'Lot scrapped' });
});
afterAll(async () => {
  await t.close();
});

describe('rebuild', () => {
  it('replays the log into tables equal to the live projections, row for row', async () => {
    const report = await rebuildProjections(t.tdb.handle.db);
    expect(report.entries).toBe(await t.logSize());
    expect(report.differences).toEqual({
      motor: 0,
      shipment: 0,
      vehicle: 0,
      hold: 0,
      incident: 0,
      motor_attribute: 0,
      attribute_count: 0,
    });
    expect(report.rows.motor_attribute).toBeGreaterThan(100);
    expect(report.rows.motor).toBeGreaterThan(10);
    expect(report.rows.vehicle).toBe(3);
  });

  it.runIf(hasServer)(
    'finds a projection row edited behind the ledger’s back, and --swap restores it',
    async () => {
      await t.tdb.superuser(
        `UPDATE motor SET state = jsonb_set(state, '{status}', '"PRODUCED"') WHERE status = 'INSTALLED' AND serial = (SELECT min(serial) FROM motor WHERE status = 'INSTALLED')`,
      );
      const found = await rebuildProjections(t.tdb.handle.db);
      expect(found.differences.motor).toBe(2); // the edited row on one side, the true row on the other
      await rebuildProjections(t.tdb.handle.db, { swap: true });
      const again = await rebuildProjections(t.tdb.handle.db);
      expect(again.differences).toEqual({
        motor: 0,
        shipment: 0,
        vehicle: 0,
        hold: 0,
        incident: 0,
        motor_attribute: 0,
        attribute_count: 0,
      });
    },
  );
});
