// Every refusal an operator can meet, over HTTP: the stable code, a sentence to act on, and the log did not
// grow (or grew by exactly one intake.rejected, which records the refused scan).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  installA390,
  newSerial,
  newVin,
  plantTokens,
  post,
  produceBody,
  produceTested,
  receivedAtDieppe,
  shipToDieppe,
  type Tokens,
  testBody,
} from '../support/plant.js';

let t: TestApp;
let k: Tokens;
beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
});
afterAll(async () => {
  await t.close();
});

/** Send a request that must be refused with `status`/`code`; asserts the log did not grow. */
async function refused(
  token: string,
  method: 'POST' | 'PATCH',
  url: string,
  body: unknown,
  code: string,
  status = 422,
) {
  const before = await t.logSize();
  const res = await t.as(token, method, url, body);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const problem = res.json();
  expect({ status: res.statusCode, code: problem.code }).toEqual({ status, code });
  expect(problem.detail).toMatch(/\w+ \w+ \w+/);
  expect(await t.logSize()).toBe(before);
  return problem;
}

/** A scan that must be REJECTED with `code`; asserts exactly one intake.rejected was written. */
async function rejectedScan(serial: string, shipmentId: string, code: string, token = k.intake) {
  const before = await t.logSize();
  const res = await t.as(token, 'POST', '/v1/intake/scans', {
    serial,
    shipmentId,
    dock: 'D3',
    scanner: 'HH-17',
  });
  expect(res.statusCode).toBe(200);
  const v = res.json();
  expect(v).toMatchObject({ verdict: 'REJECTED', code, event: { type: 'intake.rejected' } });
  expect(v.message.length).toBeGreaterThan(20);
  expect(await t.logSize()).toBe(before + 1);
  return v;
}

describe('production at Cléon', () => {
  it('refuses a serial produced twice (SERIAL_EXISTS)', async () => {
    const s = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(s));
    await refused(k.producer, 'POST', '/v1/motors', produceBody(s), 'SERIAL_EXISTS');
  });

  it('refuses a motor type not in the catalog (UNKNOWN_MOTOR_TYPE)', async () => {
    await refused(
      k.producer,
      'POST',
      '/v1/motors',
      produceBody(newSerial(), { motorType: '9ZZ' }),
      'UNKNOWN_MOTOR_TYPE',
    );
  });

  it('refuses production recorded at an assembly plant (SITE_NOT_PRODUCTION)', async () => {
    const dieppeProducer = await t.token(['producer'], ['DIEPPE']);
    await refused(dieppeProducer, 'POST', '/v1/motors', produceBody(newSerial()), 'SITE_NOT_PRODUCTION');
  });

  it('refuses a test of an unknown motor (UNKNOWN_SERIAL)', async () => {
    await refused(k.producer, 'POST', `/v1/motors/${newSerial()}/tests`, testBody(), 'UNKNOWN_SERIAL');
  });

  it('refuses a malformed body with VALIDATION_FAILED and the field named', async () => {
    const p = await refused(
      k.producer,
      'POST',
      '/v1/motors',
      { ...produceBody(newSerial()), shift: 'night' },
      'VALIDATION_FAILED',
      400,
    );
    expect(p.detail).toMatch(/shift/);
    await refused(
      k.producer,
      'POST',
      '/v1/motors',
      { ...produceBody(newSerial()), colour: 'blue' },
      'VALIDATION_FAILED',
      400,
    );
  });
});

describe('loading a shipment', () => {
  it('refuses a motor that failed EOL (EOL_NOT_PASSED), is held (MOTOR_HELD) or already shipped (ALREADY_SHIPPED)', async () => {
    const failed = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(failed));
    await post(t, k.producer, `/v1/motors/${failed}/tests`, testBody('FAIL'));
    const load = (serials: string[]) => ({
      shipmentId: `SHP-${randomUUID().slice(0, 8)}`,
      asn: 'ASN-1',
      to: 'DIEPPE',
      racks: [{ rack: 'RK-1', serials }],
    });
    await refused(k.logisticsCleon, 'POST', '/v1/shipments', load([failed]), 'EOL_NOT_PASSED');

    const held = newSerial();
    await produceTested(t, k, [held]);
    await post(t, k.quality, '/v1/holds', {
      holdId: `HOLD-${randomUUID().slice(0, 8)}`,
      serials: [held],
      reason: 'Suspect magnet lot',
    });
    await refused(k.logisticsCleon, 'POST', '/v1/shipments', load([held]), 'MOTOR_HELD');

    const shipped = newSerial();
    await produceTested(t, k, [shipped]);
    await shipToDieppe(t, k, [shipped]);
    await refused(k.logisticsCleon, 'POST', '/v1/shipments', load([shipped]), 'ALREADY_SHIPPED');
    await refused(k.logisticsCleon, 'POST', '/v1/shipments', load([newSerial()]), 'UNKNOWN_SERIAL');
  });
});

describe('intake scanning at Dieppe', () => {
  it('rejects and records: unknown serial, unknown shipment, not on shipment, already received, held, not shipped, wrong destination', async () => {
    const [a, b] = [newSerial(), newSerial('6AM')];
    const shipmentId = await receivedAtDieppe(t, k, [a]);
    await rejectedScan(newSerial(), shipmentId, 'UNKNOWN_SERIAL');
    await rejectedScan(a, 'SHP-NOPE', 'UNKNOWN_SHIPMENT');
    await produceTested(t, k, [b]);
    await rejectedScan(b, shipmentId, 'NOT_ON_SHIPMENT');
    await rejectedScan(a, shipmentId, 'ALREADY_RECEIVED');

    const notShipped = newSerial();
    await produceTested(t, k, [notShipped]);
    const staying = await shipToDieppe(t, k, [notShipped], { depart: false });
    await rejectedScan(notShipped, staying, 'NOT_SHIPPED');

    const held = newSerial();
    await produceTested(t, k, [held]);
    const heldShipment = await shipToDieppe(t, k, [held]);
    await post(t, k.quality, '/v1/holds', {
      holdId: `HOLD-${randomUUID().slice(0, 8)}`,
      serials: [held],
      reason: 'Bench drift',
    });
    await rejectedScan(held, heldShipment, 'MOTOR_HELD');

    const toDouai = newSerial('6AM');
    await produceTested(t, k, [toDouai]);
    const douai = `SHP-${randomUUID().slice(0, 8)}`;
    await post(t, k.logisticsCleon, '/v1/shipments', {
      shipmentId: douai,
      asn: 'ASN-D',
      to: 'DOUAI',
      racks: [{ rack: 'RK-9', serials: [toDouai] }],
    });
    await post(t, k.logisticsCleon, `/v1/shipments/${douai}/departure`, {
      carrier: 'GEFCO',
      truck: 'FR-9',
      seal: 'S-9',
    });
    await rejectedScan(toDouai, douai, 'WRONG_DESTINATION');

    const view = (await t.as(k.intake, 'GET', `/v1/shipments/${shipmentId}`)).json();
    expect(view).toMatchObject({ expected: 1, scanned: 1, missing: [], shipment: { rejectedScans: 3 } });
    expect(view.unexpected.sort()).toEqual([b, expect.any(String)].sort());
  });

  it('takes a handheld’s buffered scans in one request: one verdict per scan, in order, device times kept', async () => {
    const serials = [newSerial(), newSerial(), newSerial('6AM')];
    await produceTested(t, k, serials);
    const shipmentId = await shipToDieppe(t, k, serials);
    const times = [
      '2026-11-23T11:12:31Z',
      '2026-11-23T11:12:40Z',
      '2026-11-23T11:12:52Z',
      '2026-11-23T11:13:05Z',
    ];
    const scans = [...serials, serials[0]!].map((serial, i) => ({
      id: randomUUID(),
      serial,
      shipmentId,
      dock: 'D3',
      scanner: 'HH-17',
      time: times[i],
    }));
    const before = await t.logSize();
    const res = await t.as(k.intake, 'POST', '/v1/intake/scan-batches', { scans });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.map((r: { verdict: string; code: string }) => `${r.verdict}/${r.code}`)).toEqual([
      'ACCEPTED/ACCEPTED',
      'ACCEPTED/ACCEPTED',
      'ACCEPTED/ACCEPTED',
      'REJECTED/ALREADY_RECEIVED',
    ]);
    // Each verdict shows the shipment as it stood right after that scan, not after the whole upload.
    expect(results.map((r: { shipment: { scanned: number } }) => r.shipment.scanned)).toEqual([1, 2, 3, 3]);
    const seqs = results.map((r: { event: { seq: number } }) => r.event.seq);
    expect(seqs).toEqual([before, before + 1, before + 2, before + 3]);
    const { timeline } = (await t.as(k.quality, 'GET', `/v1/motors/${serials[0]}`)).json();
    expect(
      timeline
        .filter((e: { type: string }) => e.type.startsWith('motor.received') || e.type === 'intake.rejected')
        .map((e: { time: string }) => e.time),
    ).toEqual([times[0], times[3]]);
    // Re-uploading the same buffer (the handheld did not get the answer) writes nothing and answers the same.
    const again = (await t.as(k.intake, 'POST', '/v1/intake/scan-batches', { scans })).json();
    expect(again.results.map((r: { code: string }) => r.code)).toEqual(
      results.map((r: { code: string }) => r.code),
    );
    expect(await t.logSize()).toBe(before + 4);
  });
});

describe('VIN marriage', () => {
  it('refuses a motor not received (MOTOR_NOT_RECEIVED), of the wrong type (WRONG_MOTOR_TYPE_FOR_SLOT), into an occupied slot (SLOT_OCCUPIED), already in another VIN (ALREADY_INSTALLED), held (MOTOR_HELD)', async () => {
    const vin = newVin();
    const other = newVin();
    const [rl, rr, fr, spare7, held] = [newSerial(), newSerial(), newSerial('6AM'), newSerial(), newSerial()];
    await receivedAtDieppe(t, k, [rl, rr, fr, spare7, held]);
    const install = (serial: string, slot: string, v = vin) => ({
      serial,
      model: 'A390',
      slot,
      station: 'MAR-01',
      _vin: v,
    });
    const url = (v: string) => `/v1/vehicles/${v}/motors`;
    const body = ({ _vin, ...b }: ReturnType<typeof install>) => b;

    const notReceived = newSerial();
    await produceTested(t, k, [notReceived]);
    await refused(
      k.assembly,
      'POST',
      url(vin),
      body(install(notReceived, 'REAR_LEFT')),
      'MOTOR_NOT_RECEIVED',
    );
    await refused(k.assembly, 'POST', url(vin), body(install(fr, 'REAR_LEFT')), 'WRONG_MOTOR_TYPE_FOR_SLOT');
    await post(t, k.assembly, url(vin), body(install(rl, 'REAR_LEFT')));
    await refused(k.assembly, 'POST', url(vin), body(install(rr, 'REAR_LEFT')), 'SLOT_OCCUPIED');
    await refused(k.assembly, 'POST', url(other), body(install(rl, 'REAR_LEFT')), 'ALREADY_INSTALLED');
    await post(t, k.quality, '/v1/holds', {
      holdId: `HOLD-${randomUUID().slice(0, 8)}`,
      serials: [held],
      reason: 'Noise at EOL retest',
    });
    await refused(k.assembly, 'POST', url(vin), body(install(held, 'REAR_RIGHT')), 'MOTOR_HELD');
    await refused(k.assembly, 'POST', url(vin), body(install(newSerial(), 'REAR_RIGHT')), 'UNKNOWN_SERIAL');
    await refused(
      k.assembly,
      'POST',
      url(vin),
      { ...body(install(fr, 'FRONT')), model: 'A290' },
      'VEHICLE_MODEL_MISMATCH',
    );
    await refused(k.assembly, 'POST', url(vin), body(install(rr, 'TRUNK')), 'UNKNOWN_SLOT');
  });

  it('refuses a motor received at another site (MOTOR_AT_OTHER_SITE)', async () => {
    const s = newSerial('6AM');
    await receivedAtDieppe(t, k, [s]);
    const douaiAssembly = await t.token(['assembly'], ['DOUAI']);
    await refused(
      douaiAssembly,
      'POST',
      `/v1/vehicles/${newVin('MEGANE')}/motors`,
      { serial: s, model: 'MEGANE', slot: 'FRONT', station: 'D-1' },
      'MOTOR_AT_OTHER_SITE',
    );
  });

  it('frees the slot on removal and keeps the history; a vehicle ships only with every slot filled', async () => {
    const vin = newVin();
    const [rl, rr, fr, replacement] = [newSerial(), newSerial(), newSerial('6AM'), newSerial()];
    await receivedAtDieppe(t, k, [rl, rr, fr, replacement]);
    for (const [serial, slot] of [
      [rl, 'REAR_LEFT'],
      [rr, 'REAR_RIGHT'],
      [fr, 'FRONT'],
    ] as const) {
      await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
        serial,
        model: 'A390',
        slot,
        station: 'MAR-01',
      });
    }
    await refused(
      k.assembly,
      'POST',
      `/v1/vehicles/${vin}/motors/${replacement}/removal`,
      { reason: 'rework' },
      'MOTOR_NOT_IN_VEHICLE',
    );
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors/${rr}/removal`, {
      reason: 'Connector damaged during marriage',
    });
    const p = await refused(k.assembly, 'POST', `/v1/vehicles/${vin}/shipment`, {}, 'SLOTS_NOT_FILLED');
    expect(p.emptySlots).toEqual(['REAR_RIGHT']);
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
      serial: replacement,
      model: 'A390',
      slot: 'REAR_RIGHT',
      station: 'MAR-01',
    });
    await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
    const view = (await t.as(k.assembly, 'GET', `/v1/vehicles/${vin}`)).json();
    expect(
      view.vehicle.history.map((h: { action: string; serial: string }) => `${h.action} ${h.serial}`),
    ).toEqual([
      `installed ${rl}`,
      `installed ${rr}`,
      `installed ${fr}`,
      `removed ${rr}`,
      `installed ${replacement}`,
    ]);
    expect((await t.as(k.quality, 'GET', `/v1/motors/${rr}`)).json().motor).toMatchObject({
      status: 'RECEIVED',
      vin: null,
      removals: 1,
    });
    await refused(
      k.assembly,
      'POST',
      `/v1/vehicles/${vin}/motors/${replacement}/removal`,
      { reason: 'late' },
      'VEHICLE_ALREADY_SHIPPED',
    );
  });

  it('refuses a VIN outside the ISO 3779 alphabet before anything else', async () => {
    await refused(
      k.assembly,
      'POST',
      '/v1/vehicles/VF1A390EI12345678/motors',
      { serial: newSerial(), model: 'A390', slot: 'FRONT', station: 'M' },
      'VALIDATION_FAILED',
      400,
    );
  });
});

describe('idempotency', () => {
  it('answers a retry with the same id and body with the first answer and writes nothing', async () => {
    const id = randomUUID();
    const body = { id, ...produceBody(newSerial()) };
    const first = await post(t, k.producer, '/v1/motors', body);
    const size = await t.logSize();
    const res = await t.as(k.producer, 'POST', '/v1/motors', body);
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json().event).toEqual(first.event);
    expect(await t.logSize()).toBe(size);
  });

  it('refuses the same id with another body (IDEMPOTENCY_KEY_REUSED)', async () => {
    const id = randomUUID();
    await post(t, k.producer, '/v1/motors', { id, ...produceBody(newSerial()) });
    await refused(
      k.producer,
      'POST',
      '/v1/motors',
      { id, ...produceBody(newSerial()) },
      'IDEMPOTENCY_KEY_REUSED',
      409,
    );
  });
});

describe('roles and sites on the real endpoints', () => {
  it('401 without a token, 403 for the wrong role or site, and nothing written', async () => {
    const before = await t.logSize();
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/motors',
      payload: produceBody(newSerial()),
    });
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    await refused(k.intake, 'POST', '/v1/motors', produceBody(newSerial()), 'ROLE_REQUIRED', 403);
    await refused(
      k.producer,
      'POST',
      `/v1/vehicles/${newVin()}/motors`,
      { serial: newSerial(), model: 'A390', slot: 'FRONT', station: 'M' },
      'ROLE_REQUIRED',
      403,
    );
    await refused(
      k.producer,
      'POST',
      '/v1/motors',
      { ...produceBody(newSerial()), site: 'DIEPPE' },
      'SITE_NOT_ALLOWED',
      403,
    );
    const cleonIntake = await t.token(['intake'], ['CLEON']);
    await refused(
      cleonIntake,
      'POST',
      '/v1/intake/scans',
      { serial: newSerial(), shipmentId: 'SHP-X', dock: 'D3', scanner: 'HH', site: 'DIEPPE' },
      'SITE_NOT_ALLOWED',
      403,
    );
    expect(await t.logSize()).toBe(before);
  });
});

describe('quality: holds, incidents, corrections', () => {
  it('holds and releases motors; releasing twice or an unknown hold is refused', async () => {
    const [a, b] = [newSerial(), newSerial()];
    await produceTested(t, k, [a, b]);
    const holdId = `HOLD-${randomUUID().slice(0, 8)}`;
    await refused(
      k.quality,
      'POST',
      '/v1/holds',
      { holdId, serials: [a, newSerial()], reason: 'x lot' },
      'UNKNOWN_SERIAL',
    );
    await post(t, k.quality, '/v1/holds', {
      holdId,
      serials: [a, b],
      reason: 'Suspect stator lot STA-24-090',
    });
    await refused(k.quality, 'POST', '/v1/holds', { holdId, serials: [a], reason: 'again' }, 'HOLD_EXISTS');
    expect((await t.as(k.quality, 'GET', `/v1/motors/${a}`)).json().motor.holds).toEqual([holdId]);
    await post(t, k.quality, `/v1/holds/${holdId}/release`, { serials: [a], reason: 'Cleared by lab' });
    expect((await t.as(k.quality, 'GET', `/v1/holds/${holdId}`)).json()).toMatchObject({
      status: 'ACTIVE',
      released: [a],
    });
    await post(t, k.quality, `/v1/holds/${holdId}/release`, { reason: 'Lot cleared' });
    expect((await t.as(k.quality, 'GET', `/v1/holds/${holdId}`)).json()).toMatchObject({
      status: 'RELEASED',
    });
    await refused(
      k.quality,
      'POST',
      `/v1/holds/${holdId}/release`,
      { reason: 'again' },
      'HOLD_ALREADY_RELEASED',
    );
    await refused(k.quality, 'POST', '/v1/holds/HOLD-NONE/release', { reason: 'x' }, 'UNKNOWN_HOLD');
  });

  it('opens, updates and closes an incident; a closed incident takes no update', async () => {
    const id = `INC-${randomUUID().slice(0, 8)}`;
    await post(t, k.quality, '/v1/incidents', {
      incidentId: id,
      title: 'Rear motor noise at 80 km/h',
      severity: 'HIGH',
      suspectVins: [newVin()],
    });
    await refused(
      k.quality,
      'POST',
      '/v1/incidents',
      { incidentId: id, title: 'dup', severity: 'LOW' },
      'INCIDENT_EXISTS',
    );
    await post(t, k.quality, `PATCH /v1/incidents/${id}`, {
      finding: 'All failing cars share magnet lot MAG-24-031',
    });
    await post(t, k.quality, `PATCH /v1/incidents/${id}`, {
      status: 'CLOSED',
      resolution: 'Lot scrapped, 12 motors reworked',
    });
    const inc = (await t.as(k.quality, 'GET', `/v1/incidents/${id}`)).json();
    expect(inc).toMatchObject({
      status: 'CLOSED',
      findings: [{ text: 'All failing cars share magnet lot MAG-24-031' }],
      closed: { resolution: 'Lot scrapped, 12 motors reworked' },
    });
    await refused(k.quality, 'PATCH', `/v1/incidents/${id}`, { finding: 'late' }, 'INCIDENT_CLOSED');
  });

  it('records a correction beside the original event, which stays', async () => {
    const s = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(s));
    const test = await post(t, k.producer, `/v1/motors/${s}/tests`, testBody());
    await refused(
      k.quality,
      'POST',
      '/v1/corrections',
      { targetId: randomUUID(), reason: 'no such event' },
      'UNKNOWN_EVENT',
    );
    await post(t, k.quality, '/v1/corrections', {
      targetId: test.event.id,
      reason: 'Test ran on bench EOL-4, not EOL-3',
    });
    const { timeline } = (await t.as(k.quality, 'GET', `/v1/motors/${s}`)).json();
    expect(timeline.map((e: { type: string }) => e.type)).toEqual([
      'motor.produced',
      'motor.tested',
      'correction',
    ]);
    expect(timeline[2].data).toMatchObject({
      targetId: test.event.id,
      targetSeq: test.event.seq,
      targetType: 'motor.tested',
    });
  });
});

describe('acting outside your site', () => {
  // Each of these was accepted (201) before: the domain now decides what a command acts on against the caller's
  // sites, in one place, whatever the route.
  it('refuses a DOUAI assembly token removing a motor from, or shipping, a DIEPPE vehicle', async () => {
    const douai = await t.token(['assembly'], ['DOUAI']);
    const vin = newVin();
    const [rl, rr, fr] = [newSerial(), newSerial(), newSerial('6AM')];
    await receivedAtDieppe(t, k, [rl, rr, fr]);
    await installA390(t, k, vin, [rl, rr, fr]);
    const p = await refused(
      douai,
      'POST',
      `/v1/vehicles/${vin}/motors/${rr}/removal`,
      { reason: 'rework' },
      'SITE_NOT_ALLOWED',
      403,
    );
    expect(p.detail).toContain(`VIN ${vin} is at DIEPPE`);
    await refused(douai, 'POST', `/v1/vehicles/${vin}/shipment`, {}, 'SITE_NOT_ALLOWED', 403);
    // A token for both sites that says it acts at DOUAI is refused the same way.
    const both = await t.token(['assembly'], ['DOUAI', 'DIEPPE']);
    await refused(both, 'POST', `/v1/vehicles/${vin}/shipment`, { site: 'DOUAI' }, 'SITE_NOT_ALLOWED', 403);
    // The vehicle's own site still can.
    await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
  });

  it('refuses a DOUAI logistics token departing a CLEON shipment, so the real departure still goes through', async () => {
    const douai = await t.token(['logistics'], ['DOUAI']);
    const serials = [newSerial(), newSerial()];
    await produceTested(t, k, serials);
    const shipmentId = await shipToDieppe(t, k, serials, { depart: false });
    const departure = { carrier: 'GEFCO', truck: 'FR-123-AB', seal: 'SEAL-557810' };
    await refused(douai, 'POST', `/v1/shipments/${shipmentId}/departure`, departure, 'SITE_NOT_ALLOWED', 403);
    await post(t, k.logisticsCleon, `/v1/shipments/${shipmentId}/departure`, departure);
  });

  it('refuses a DOUAI producer token recording an end-of-line test on a CLEON motor', async () => {
    const douai = await t.token(['producer'], ['DOUAI']);
    const serial = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(serial));
    await refused(douai, 'POST', `/v1/motors/${serial}/tests`, testBody('FAIL'), 'SITE_NOT_ALLOWED', 403);
    const motor = (await t.as(k.quality, 'GET', `/v1/motors/${serial}`)).json().motor;
    expect(motor.lastTest).toBeNull();
  });

  it('refuses a quality token for DIEPPE only holding motors that are at CLEON, and lets it hold its own', async () => {
    const dieppeQuality = await t.token(['quality'], ['DIEPPE']);
    const atCleon = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(atCleon));
    await refused(
      dieppeQuality,
      'POST',
      '/v1/holds',
      { holdId: `HOLD-${randomUUID().slice(0, 8)}`, serials: [atCleon], reason: 'Suspect lot' },
      'SITE_NOT_ALLOWED',
      403,
    );
    const [atDieppe] = [newSerial()];
    await receivedAtDieppe(t, k, [atDieppe]);
    await post(t, dieppeQuality, '/v1/holds', {
      holdId: `HOLD-${randomUUID().slice(0, 8)}`,
      serials: [atDieppe],
      reason: 'Suspect lot',
    });
  });
});
