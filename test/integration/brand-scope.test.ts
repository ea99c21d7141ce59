// Nobody reads outside their brand: with a token for Alpine only, every read route the OpenAPI lists is walked
// with the identifiers of a Renault vehicle (its VIN, its motor, its entries, the incident naming it) and no
// answer may carry that VIN, its model, its brand or one of its entries. A route added later is walked too.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  installA390,
  newSerial,
  newVin,
  plantTokens,
  post,
  receivedAtDieppe,
  type Tokens,
} from '../support/plant.js';

let t: TestApp;
let k: Tokens;
const alpineVin = newVin('A390');
const renaultVin = newVin('MEGANE');
const [rl, rr, fr, renaultMotor] = [newSerial(), newSerial(), newSerial('6AM'), newSerial('6AM')];
const holdId = `HOLD-${randomUUID().slice(0, 8)}`;
const incidentId = `INC-${randomUUID().slice(0, 8)}`;
let shipmentId = '';
/** Entry ids that concern the Renault vehicle: none may reach an Alpine-only reader. */
const renaultEntryIds: string[] = [];
const renaultSeqs: number[] = [];

beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  shipmentId = await receivedAtDieppe(t, k, [rl, rr, fr, renaultMotor]);
  await installA390(t, k, alpineVin, [rl, rr, fr]);
  const installed = await post(t, k.assembly, `/v1/vehicles/${renaultVin}/motors`, {
    serial: renaultMotor,
    model: 'MEGANE',
    slot: 'FRONT',
    station: 'MAR-02',
  });
  const shipped = await post(t, k.assembly, `/v1/vehicles/${renaultVin}/shipment`, {});
  const opened = await post(t, k.quality, '/v1/incidents', {
    incidentId,
    title: 'Noise at 80 km/h',
    severity: 'HIGH',
    suspectVins: [alpineVin, renaultVin],
    suspectSerials: [rl],
  });
  await post(t, k.quality, '/v1/holds', { holdId, serials: [rl], reason: 'Suspect lot', incidentId });
  for (const e of [installed, shipped, opened]) {
    renaultEntryIds.push(e.event.id);
    renaultSeqs.push(e.event.seq);
  }
});
afterAll(async () => {
  await t?.close();
});

const FORBIDDEN = () => [renaultVin, 'MEGANE', 'Renault', ...renaultEntryIds];

/** The answer carries nothing of the Renault vehicle beyond what the request itself sent (a 404 echoes its URL). */
function assertNothingOfRenault(what: string, payload: string, sent = ''): void {
  for (const f of FORBIDDEN()) {
    if (sent.includes(f)) continue;
    if (payload.includes(f)) expect.fail(`${what} disclosed ${f}: ${payload.slice(0, 400)}`);
  }
}

describe('a token for Alpine only', () => {
  it('finds no Renault VIN, model, brand or entry on any read route of the OpenAPI', async () => {
    const alpine = await t.token(
      ['quality', 'auditor', 'assembly', 'intake', 'logistics', 'producer'],
      ['*'],
      {
        brands: ['Alpine'],
      },
    );
    const size = await t.logSize();
    const values: Record<string, string[]> = {
      vin: [renaultVin, alpineVin],
      serial: [renaultMotor, rl],
      id: [shipmentId, holdId, incidentId],
      seq: Array.from({ length: size }, (_, i) => String(i)),
      site: ['DIEPPE'],
      component: ['magnets'],
      lot: ['MAG-24-031'],
      eventID: [`ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`],
      captureID: ['0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a'],
      eventType: ['AssociationEvent'],
      bizStep: ['installing'],
      disposition: ['in_transit'],
      bizLocation: ['https://id.cleon-dieppe.example/site/DIEPPE'],
      readPoint: ['https://id.cleon-dieppe.example/site/DIEPPE/station/MAR-01'],
      // EPCIS EPCs of the default namespace: the Renault motor and an Alpine one.
      epc: [renaultMotor, rl].map((s) => `https://id.cleon-dieppe.example/motor/${s}`),
    };
    const spec = (await t.app.inject('/docs/json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    let walked = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      if (!('get' in methods)) continue;
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      let urls = [path];
      for (const p of params) {
        const vs = values[p];
        if (!vs) expect.fail(`the walk has no value for {${p}} of ${path}: add one`);
        urls = urls.flatMap((u) => vs.map((v) => u.replace(`{${p}}`, encodeURIComponent(v))));
      }
      for (const url of urls) {
        const res = await t.as(alpine, 'GET', url);
        expect(res.statusCode, `${url}: ${res.payload.slice(0, 200)}`).toBeLessThan(500);
        assertNothingOfRenault(`GET ${url}`, res.payload, url);
        // The Renault vehicle does not exist for this reader.
        if (url.includes(renaultVin)) expect(res.statusCode, url).toBe(404);
        walked++;
      }
    }
    // The read routes that take a body.
    for (const [url, body] of [
      ['/v1/trace/forward', { filter: { lots: { magnets: 'MAG-24-031' } } }],
      ['/v1/analysis/common-cause', { serials: [renaultMotor, rl, rr], minSupport: 1 }],
      ['/v1/analysis/common-cause', { vins: [alpineVin], minSupport: 1 }],
    ] as const) {
      const res = await t.as(alpine, 'POST', url, body);
      expect(res.statusCode, `${url}: ${res.payload.slice(0, 200)}`).toBeLessThan(500);
      assertNothingOfRenault(`POST ${url}`, res.payload, JSON.stringify(body));
      walked++;
    }
    expect(walked).toBeGreaterThan(30);
  });

  it('still sees its own vehicle, the Renault motor’s upstream history, and the Renault entries as leaf hashes', async () => {
    const alpine = await t.token(['quality', 'auditor'], ['*'], { brands: ['Alpine'] });
    expect((await t.as(alpine, 'GET', `/v1/vehicles/${alpineVin}`)).statusCode).toBe(200);
    const motor = (await t.as(alpine, 'GET', `/v1/motors/${renaultMotor}`)).json();
    expect(motor.motor).toMatchObject({ serial: renaultMotor, vin: null });
    expect(motor.timeline.map((e: { type: string }) => e.type)).toContain('motor.received');
    const incident = (await t.as(alpine, 'GET', `/v1/incidents/${incidentId}`)).json();
    expect(incident.suspectVins).toEqual([alpineVin]);
    for (const seq of renaultSeqs) {
      const entry = await t.as(alpine, 'GET', `/v1/ledger/entries/${seq}`);
      expect(entry.statusCode).toBe(403);
      expect(entry.json().code).toBe('ENTRY_OF_ANOTHER_BRAND');
      expect(entry.headers['x-leaf-hash']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    const exported = await t.as(alpine, 'GET', '/v1/ledger/export');
    expect(exported.statusCode).toBe(403);
    expect(exported.json().code).toBe('ALL_BRANDS_REQUIRED');
  });
});

describe('a token with no brands', () => {
  it('sees no brand’s vehicle (no silent "all"), with or without the claim', async () => {
    for (const extra of [{ brands: [] as string[] }, { brands: undefined }]) {
      const none = await t.token(['quality', 'auditor'], ['*'], extra);
      const res = await t.as(none, 'GET', `/v1/vehicles/${alpineVin}`);
      expect(res.statusCode).toBe(404);
      const motor = (await t.as(none, 'GET', `/v1/motors/${rl}`)).json();
      expect(motor.motor.vin).toBeNull();
      assertNothingOfRenault('motor', JSON.stringify(motor));
      expect(JSON.stringify(motor)).not.toContain(alpineVin);
    }
  });
});
