// The whole A390 journey over HTTP: two 7DL and one 6AM produced and tested at Cléon, loaded, trucked,
// scanned at the Dieppe dock, married to the right slots of a VIN, the vehicle shipped; then the log exports
// and verifies. A 6AM goes into an A290 on the same rules.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/core/encoding.js';
import { verifyInclusion } from '../../src/core/merkle.js';
import { exportLedger } from '../../src/verify/export.js';
import { verifyExport } from '../../src/verify/verify.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  newSerial,
  newVin,
  plantTokens,
  post,
  produceTested,
  scan,
  shipToDieppe,
  type Tokens,
} from '../support/plant.js';

let t: TestApp;
let k: Tokens;
beforeAll(async () => {
  t = await startTestApp({ LEDGER_PUBLIC: 'true' });
  k = await plantTokens(t);
});
afterAll(async () => {
  await t.close();
});

describe('the A390 journey from Cléon to a shipped vehicle', () => {
  const rearLeft = newSerial('7DL');
  const rearRight = newSerial('7DL');
  const front = newSerial('6AM');
  const vin = newVin('A390');
  let shipmentId: string;

  it('produces and tests three motors at Cléon', async () => {
    await produceTested(t, k, [rearLeft, rearRight, front]);
    const res = await t.as(k.quality, 'GET', `/v1/motors/${rearLeft}`);
    expect(res.json().motor).toMatchObject({
      serial: rearLeft,
      motorType: '7DL',
      status: 'PRODUCED',
      site: 'CLEON',
      lastTest: { verdict: 'PASS' },
    });
  });

  it('loads them on a shipment with its ASN and sends the truck', async () => {
    shipmentId = await shipToDieppe(t, k, [rearLeft, rearRight, front]);
    const view = (await t.as(k.intake, 'GET', `/v1/shipments/${shipmentId}`)).json();
    expect(view).toMatchObject({
      expected: 3,
      scanned: 0,
      missing: [rearLeft, rearRight, front],
      unexpected: [],
    });
    expect(view.shipment).toMatchObject({
      status: 'DEPARTED',
      from: 'CLEON',
      to: 'DIEPPE',
      departed: { truck: 'FR-123-AB' },
    });
    const motor = (await t.as(k.quality, 'GET', `/v1/motors/${front}`)).json().motor;
    expect(motor).toMatchObject({ status: 'IN_TRANSIT', site: null, shipmentId });
  });

  it('records the arrival and accepts each scan at the Dieppe dock', async () => {
    await post(t, k.logisticsDieppe, `/v1/shipments/${shipmentId}/arrival`, { dock: 'D3' });
    for (const s of [rearLeft, rearRight, front]) {
      const v = await scan(t, k, s, shipmentId);
      expect(v).toMatchObject({
        verdict: 'ACCEPTED',
        code: 'ACCEPTED',
        motor: { serial: s, status: 'RECEIVED' },
        shipment: { id: shipmentId },
      });
      expect(v.event).toMatchObject({ type: 'motor.received' });
    }
    const view = (await t.as(k.intake, 'GET', `/v1/shipments/${shipmentId}`)).json();
    expect(view).toMatchObject({ expected: 3, scanned: 3, missing: [], unexpected: [] });
  });

  it('installs each motor in the slot its type fits and ships the vehicle', async () => {
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
      serial: rearLeft,
      model: 'A390',
      slot: 'REAR_LEFT',
      station: 'MAR-01',
    });
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
      serial: rearRight,
      model: 'A390',
      slot: 'REAR_RIGHT',
      station: 'MAR-01',
    });
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
      serial: front,
      model: 'A390',
      slot: 'FRONT',
      station: 'MAR-02',
    });
    await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
    const view = (await t.as(k.assembly, 'GET', `/v1/vehicles/${vin}`)).json();
    expect(view.vehicle).toMatchObject({ vin, model: 'A390', brand: 'Alpine', status: 'SHIPPED' });
    expect(view.slots).toEqual([
      {
        slot: 'REAR_LEFT',
        serial: rearLeft,
        motor: { serial: rearLeft, motorType: '7DL', status: 'VEHICLE_SHIPPED', holds: [] },
      },
      {
        slot: 'REAR_RIGHT',
        serial: rearRight,
        motor: { serial: rearRight, motorType: '7DL', status: 'VEHICLE_SHIPPED', holds: [] },
      },
      {
        slot: 'FRONT',
        serial: front,
        motor: { serial: front, motorType: '6AM', status: 'VEHICLE_SHIPPED', holds: [] },
      },
    ]);
  });

  it('shows a motor’s ordered timeline, each event with a seq and leaf hash that prove against the log', async () => {
    const { timeline } = (await t.as(k.quality, 'GET', `/v1/motors/${rearLeft}`)).json();
    expect(timeline.map((e: { type: string }) => e.type)).toEqual([
      'motor.produced',
      'motor.tested',
      'shipment.loaded',
      'shipment.departed',
      'shipment.arrived',
      'motor.received',
      'motor.installed',
      'vehicle.shipped',
    ]);
    const seqs = timeline.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const last = timeline[timeline.length - 1];
    const proof = (await t.app.inject(`/v1/ledger/proof/inclusion?seq=${last.seq}`)).json();
    expect(proof.leafHash).toBe(last.leafHash);
    expect(() =>
      verifyInclusion(
        last.seq,
        proof.treeSize,
        fromBase64(proof.leafHash),
        proof.proof.map(fromBase64),
        fromBase64(proof.root),
      ),
    ).not.toThrow();
  });

  it('puts a 6AM into an A290 on the same rules', async () => {
    const sixAm = newSerial('6AM');
    const a290 = newVin('A290');
    await produceTested(t, k, [sixAm]);
    const shp = await shipToDieppe(t, k, [sixAm]);
    expect((await scan(t, k, sixAm, shp)).verdict).toBe('ACCEPTED');
    const wrongSlot = await t.as(k.assembly, 'POST', `/v1/vehicles/${a290}/motors`, {
      serial: sixAm,
      model: 'A290',
      slot: 'REAR_LEFT',
      station: 'MAR-05',
    });
    expect(wrongSlot.json()).toMatchObject({ status: 422, code: 'UNKNOWN_SLOT' });
    await post(t, k.assembly, `/v1/vehicles/${a290}/motors`, {
      serial: sixAm,
      model: 'A290',
      slot: 'FRONT',
      station: 'MAR-05',
    });
    await post(t, k.assembly, `/v1/vehicles/${a290}/shipment`, {});
    expect((await t.as(k.assembly, 'GET', `/v1/vehicles/${a290}`)).json().vehicle).toMatchObject({
      model: 'A290',
      status: 'SHIPPED',
    });
  });

  it('exports a log that verifies offline', async () => {
    await t.ledger.sequencer.checkpoint();
    const dir = mkdtempSync(join(tmpdir(), 'ml-journey-'));
    const counts = await exportLedger(t.tdb.handle.db, dir);
    const summary = await verifyExport({
      entries: join(dir, 'entries.ndjson'),
      checkpoints: join(dir, 'checkpoints.jws'),
      jwks: join(dir, 'jwks.json'),
    });
    expect(summary).toMatchObject({ entries: counts.entries, uncovered: 0 });
    expect(summary.entries).toBe(await t.logSize());
  });
});
