// Realistic plant request bodies and a small driver that walks motors through the journey over HTTP.
import { expect } from 'vitest';
import type { TestApp } from './app.js';

let n = 0;
/** A fresh serial of a motor type, e.g. 7DL-104217. */
export function newSerial(type: '7DL' | '6AM' | '5A' = '7DL'): string {
  n++;
  return `${type}-${String(100000 + n + Math.floor(Math.random() * 800000))}`;
}

/** A fresh 17-character VIN (ISO 3779 alphabet). */
export function newVin(model = 'A390'): string {
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  return `VF1${model
    .replace(/[^0-9A-HJ-NPR-Z]/g, 'X')
    .padEnd(4, 'X')
    .slice(0, 4)}E${digits}`
    .slice(0, 17)
    .padEnd(17, '0');
}

export const produceBody = (serial: string, over: Record<string, unknown> = {}) => ({
  serial,
  motorType: serial.split('-')[0],
  line: 'L2',
  station: 'ST-40',
  shift: 'A',
  operator: 'OP-7731',
  workOrder: 'WO-2026-11-0042',
  lots: {
    rotor: 'ROT-24-118',
    stator: 'STA-24-090',
    magnets: 'MAG-24-031',
    bearing: 'BRG-24-377',
    inverter: 'INV-24-012',
  },
  time: '2026-11-23T06:15:00Z',
  ...over,
});

export const testBody = (verdict: 'PASS' | 'FAIL' = 'PASS') => ({
  bench: 'EOL-3',
  specVersion: 'SPEC-4.2',
  verdict,
  measurements: { torqueNm: 412.5, backEmfV: 231.2, insulationMOhm: 850 },
  time: '2026-11-23T06:42:10Z',
});

export interface Tokens {
  producer: string;
  logisticsCleon: string;
  logisticsDieppe: string;
  intake: string;
  assembly: string;
  quality: string;
}

export async function plantTokens(t: TestApp): Promise<Tokens> {
  return {
    producer: await t.token(['producer'], ['CLEON']),
    logisticsCleon: await t.token(['logistics'], ['CLEON']),
    logisticsDieppe: await t.token(['logistics'], ['DIEPPE']),
    intake: await t.token(['intake'], ['DIEPPE']),
    assembly: await t.token(['assembly'], ['DIEPPE']),
    quality: await t.token(['quality'], ['*']),
  };
}

/** POST and expect a status, returning the JSON body. */
export async function post(
  t: TestApp,
  token: string,
  url: string,
  body: unknown,
  status = 201,
): Promise<Record<string, any>> {
  const res = await t.as(
    token,
    url.startsWith('PATCH ') ? 'PATCH' : 'POST',
    url.replace(/^PATCH /, ''),
    body,
  );
  if (res.statusCode !== status) expect.fail(`${url} answered ${res.statusCode}: ${res.payload}`);
  return res.json();
}

/** Produce and pass EOL for each serial. */
export async function produceTested(t: TestApp, k: Tokens, serials: string[]): Promise<void> {
  for (const s of serials) {
    await post(t, k.producer, '/v1/motors', produceBody(s));
    await post(t, k.producer, `/v1/motors/${s}/tests`, testBody('PASS'));
  }
}

/** Load the serials on a new shipment to Dieppe and send the truck; returns the shipment id. */
export async function shipToDieppe(
  t: TestApp,
  k: Tokens,
  serials: string[],
  options: { depart?: boolean } = {},
): Promise<string> {
  const shipmentId = `SHP-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  await post(t, k.logisticsCleon, '/v1/shipments', {
    shipmentId,
    asn: `ASN-${shipmentId.slice(4)}`,
    to: 'DIEPPE',
    racks: [{ rack: 'RK-0042', serials }],
  });
  if (options.depart !== false) {
    await post(t, k.logisticsCleon, `/v1/shipments/${shipmentId}/departure`, {
      carrier: 'GEFCO',
      truck: 'FR-123-AB',
      seal: 'SEAL-557810',
    });
  }
  return shipmentId;
}

export async function scan(
  t: TestApp,
  k: Tokens,
  serial: string,
  shipmentId: string,
  extra: Record<string, unknown> = {},
) {
  return post(
    t,
    k.intake,
    '/v1/intake/scans',
    { serial, shipmentId, dock: 'D3', scanner: 'HH-17', ...extra },
    200,
  );
}

/** Produce, test, ship and receive: the motors end in the Dieppe buffer. */
export async function receivedAtDieppe(t: TestApp, k: Tokens, serials: string[]): Promise<string> {
  await produceTested(t, k, serials);
  const shipmentId = await shipToDieppe(t, k, serials);
  for (const s of serials) expect((await scan(t, k, s, shipmentId)).verdict).toBe('ACCEPTED');
  return shipmentId;
}

/** Install three motors into an A390 at MAR-01: rear left, rear right (7DL), front (6AM). */
export async function installA390(
  t: TestApp,
  k: Tokens,
  vin: string,
  [rearLeft, rearRight, front]: [string, string, string],
): Promise<void> {
  for (const [serial, slot] of [
    [rearLeft, 'REAR_LEFT'],
    [rearRight, 'REAR_RIGHT'],
    [front, 'FRONT'],
  ] as const)
    await post(t, k.assembly, `/v1/vehicles/${vin}/motors`, {
      serial,
      model: 'A390',
      slot,
      station: 'MAR-01',
    });
}
