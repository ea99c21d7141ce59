// The lists the browser screens show: trucks with their intake counts, holds and incidents, newest first, in
// pages. What a user notices: the counts after scans (the same as the single read), the filters, every row once
// across pages, who may call them, and a 400 with a stable code for a filter the list does not know.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  t = await startTestApp();
  k = await plantTokens(t);
});
afterAll(async () => {
  await t.close();
});

async function get(token: string, url: string, status = 200) {
  const res = await t.as(token, 'GET', url);
  if (res.statusCode !== status) expect.fail(`${url} answered ${res.statusCode}: ${res.payload}`);
  return res.json();
}

/** Every item of a list, page after page of `limit`; asserts each page has at most `limit` items. */
async function allPages(token: string, url: string, limit: number) {
  const items: { id: string; [key: string]: unknown }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const page = await get(token, `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

async function badRequest(token: string, url: string, code: string) {
  const res = await t.as(token, 'GET', url);
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const problem = res.json();
  expect(problem.code).toBe(code);
  expect(problem.detail.length).toBeGreaterThan(20);
  return problem;
}

const hold = (holdId: string, serials: string[], incidentId?: string) =>
  post(t, k.quality, '/v1/holds', {
    holdId,
    serials,
    reason: 'Suspect magnet lot MAG-24-031',
    ...(incidentId ? { incidentId } : {}),
  });

describe('GET /v1/shipments', () => {
  let truck: string;
  let loadedOnly: string;
  let toDouai: string;
  const [accepted1, accepted2, rejected, held, missing] = [
    newSerial(),
    newSerial(),
    newSerial(),
    newSerial(),
    newSerial('6AM'),
  ];

  beforeAll(async () => {
    await produceTested(t, k, [accepted1, accepted2, rejected, held, missing]);
    truck = await shipToDieppe(t, k, [accepted1, accepted2, rejected, held, missing]);
    await hold('HOLD-SHP-1', [rejected, held]);
    await scan(t, k, accepted1, truck);
    await scan(t, k, accepted2, truck);
    expect((await scan(t, k, rejected, truck)).code).toBe('MOTOR_HELD');
    expect((await scan(t, k, newSerial(), truck)).code).toBe('UNKNOWN_SERIAL');

    const waiting = newSerial();
    await produceTested(t, k, [waiting]);
    loadedOnly = await shipToDieppe(t, k, [waiting], { depart: false });

    const douaiMotor = newSerial('6AM');
    await produceTested(t, k, [douaiMotor]);
    toDouai = 'SHP-DOUAI-01';
    await post(t, k.logisticsCleon, '/v1/shipments', {
      shipmentId: toDouai,
      asn: 'ASN-D1',
      to: 'DOUAI',
      racks: [{ rack: 'RK-9', serials: [douaiMotor] }],
    });
    await post(t, k.logisticsCleon, `/v1/shipments/${toDouai}/departure`, {
      carrier: 'GEFCO',
      truck: 'FR-9',
      seal: 'S-9',
    });
    // Scanned at the wrong plant: not part of the Douai truck's intake.
    expect((await scan(t, k, douaiMotor, toDouai)).code).toBe('WRONG_DESTINATION');
  });

  it('shows the dock what became of each motor of a truck: accepted, quarantined, held, missing', async () => {
    const list = await get(k.intake, '/v1/shipments?to=DIEPPE');
    const item = list.items.find((s: { id: string }) => s.id === truck);
    expect(item).toMatchObject({
      id: truck,
      from: 'CLEON',
      to: 'DIEPPE',
      status: 'DEPARTED',
      departed: { carrier: 'GEFCO', truck: 'FR-123-AB' },
      arrived: null,
      expected: 5,
      scanned: 3,
      accepted: 2,
      quarantined: 1,
      held: 1,
      missing: 1,
      unexpected: 1,
      rejectedScans: 2,
    });
  });

  it('counts a truck the same in the list and in GET /v1/shipments/{id}', async () => {
    const list = await get(k.intake, '/v1/shipments');
    for (const item of list.items) {
      const one = await get(k.intake, `/v1/shipments/${item.id}`);
      for (const key of ['expected', 'scanned', 'accepted', 'quarantined', 'held'])
        expect(one[key], `${item.id} ${key}`).toBe(item[key]);
      expect(one.missing.length).toBe(item.missing);
      expect(one.unexpected.length).toBe(item.unexpected);
    }
    const one = await get(k.intake, `/v1/shipments/${truck}`);
    expect(one.missing).toEqual([missing]);
    const douai = list.items.find((s: { id: string }) => s.id === toDouai);
    expect(douai).toMatchObject({ expected: 1, scanned: 0, quarantined: 0, missing: 1 });
  });

  it('filters by destination, origin and one or more statuses (any case), newest first', async () => {
    const toDieppe = await get(k.intake, '/v1/shipments?to=DIEPPE');
    expect(toDieppe.items.map((s: { id: string }) => s.id)).toEqual([loadedOnly, truck]);
    expect((await get(k.intake, '/v1/shipments?to=DOUAI')).items.map((s: { id: string }) => s.id)).toEqual([
      toDouai,
    ]);
    expect((await get(k.intake, '/v1/shipments?from=DIEPPE')).items).toEqual([]);
    const loaded = await get(k.intake, '/v1/shipments?status=loaded');
    expect(loaded.items.map((s: { id: string }) => s.id)).toEqual([loadedOnly]);
    const both = await get(k.intake, '/v1/shipments?status=LOADED,DEPARTED&to=DIEPPE');
    expect(both.items.map((s: { status: string }) => s.status)).toEqual(['LOADED', 'DEPARTED']);
    expect((await get(k.intake, '/v1/shipments?status=ARRIVED')).items).toEqual([]);
  });

  it('refuses a status that does not exist, a bad site code, a bad cursor or limit with a 400 naming it', async () => {
    const p = await badRequest(k.intake, '/v1/shipments?status=DEPARTED,GONE', 'UNKNOWN_STATUS');
    expect(p).toMatchObject({ field: 'querystring/status' });
    expect(p.detail).toContain('LOADED, DEPARTED, ARRIVED');
    expect((await badRequest(k.intake, '/v1/shipments?to=dieppe', 'VALIDATION_FAILED')).field).toBe(
      'querystring/to',
    );
    await badRequest(k.intake, '/v1/shipments?cursor=bm90LWEtY3Vyc29y', 'BAD_CURSOR');
    await badRequest(k.intake, '/v1/shipments?limit=501', 'VALIDATION_FAILED');
    await badRequest(k.intake, '/v1/shipments?limit=0', 'VALIDATION_FAILED');
    await badRequest(k.intake, '/v1/shipments?truck=FR-9', 'VALIDATION_FAILED');
  });

  it('is scoped as GET /v1/shipments/{id}: a Dieppe intake token lists what it may read by id, no more', async () => {
    const asIntake = await get(k.intake, '/v1/shipments');
    const asQuality = await get(k.quality, '/v1/shipments');
    expect(asIntake).toEqual(asQuality);
    for (const item of asIntake.items) await get(k.intake, `/v1/shipments/${item.id}`);
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/shipments' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'TOKEN_MISSING' });
  });

  it('pages newest first: every shipment exactly once, whatever the page size', async () => {
    for (let i = 0; i < 5; i++) {
      const s = newSerial();
      await produceTested(t, k, [s]);
      await shipToDieppe(t, k, [s], { depart: false });
    }
    const whole = await get(k.quality, '/v1/shipments?limit=500');
    expect(whole.next).toBeNull();
    expect(whole.items.length).toBe(8);
    const seqs = whole.items.map((s: { loaded: { seq: number } }) => s.loaded.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    for (const limit of [1, 3, 8]) {
      const { items, pages } = await allPages(k.quality, '/v1/shipments', limit);
      expect(items.map((s) => s.id)).toEqual(whole.items.map((s: { id: string }) => s.id));
      expect(pages).toBe(Math.ceil(8 / limit));
    }
    const filtered = await allPages(k.quality, '/v1/shipments?status=LOADED', 2);
    expect(filtered.items.length).toBe(6);
    expect(new Set(filtered.items.map((s) => s.id)).size).toBe(6);
  });
});

describe('GET /v1/holds', () => {
  const [a, b, c] = [newSerial(), newSerial(), newSerial()];

  beforeAll(async () => {
    await produceTested(t, k, [a, b, c]);
    await post(t, k.quality, '/v1/incidents', {
      incidentId: 'INC-H-1',
      title: 'Rear motor noise at 80 km/h',
      severity: 'HIGH',
    });
    await hold('HOLD-H-1', [a, b]);
    await hold('HOLD-H-2', [c], 'INC-H-1');
    await post(t, k.quality, '/v1/holds/HOLD-H-1/release', { reason: 'Lab report LR-8812: lot compliant' });
  });

  const ids = (page: { items: { id: string }[] }) => page.items.map((h) => h.id);

  it('lists holds newest first, with who placed and who released them and their counts', async () => {
    const page = await get(k.quality, '/v1/holds?incident=INC-H-1');
    expect(page).toMatchObject({
      items: [
        {
          id: 'HOLD-H-2',
          status: 'ACTIVE',
          incidentId: 'INC-H-1',
          counts: { motors: 1, held: 1, released: 0 },
          opened: { by: 'test-quality' },
          releasedAt: null,
        },
      ],
      next: null,
    });
    const released = await get(k.quality, '/v1/holds?status=released');
    const one = released.items.find((h: { id: string }) => h.id === 'HOLD-H-1');
    expect(one).toMatchObject({
      status: 'RELEASED',
      reason: 'Suspect magnet lot MAG-24-031',
      incidentId: null,
      counts: { motors: 2, held: 0, released: 2 },
      releasedAt: { by: 'test-quality', seq: one.lastSeq },
    });
    expect(one.releasedAt.seq).toBeGreaterThan(one.opened.seq);
  });

  it('filters by status (OPEN is ACTIVE), by serial and by incident', async () => {
    expect(ids(await get(k.quality, '/v1/holds?status=open'))).not.toContain('HOLD-H-1');
    expect(ids(await get(k.quality, '/v1/holds?status=open'))).toContain('HOLD-H-2');
    expect(ids(await get(k.quality, '/v1/holds?status=ACTIVE,RELEASED'))).toEqual(
      ids(await get(k.quality, '/v1/holds')),
    );
    expect(ids(await get(k.quality, `/v1/holds?serial=${b}`))).toEqual(['HOLD-H-1']);
    expect(ids(await get(k.quality, `/v1/holds?serial=${c}&status=RELEASED`))).toEqual([]);
    expect(ids(await get(k.quality, '/v1/holds?incident=INC-NONE'))).toEqual([]);
  });

  it('agrees with GET /v1/holds/{id}, for every role that may read a hold', async () => {
    const list = await get(k.quality, '/v1/holds');
    for (const token of [k.intake, k.assembly, k.logisticsDieppe])
      expect(await get(token, '/v1/holds')).toEqual(list);
    for (const item of list.items) {
      const one = await get(k.intake, `/v1/holds/${item.id}`);
      expect(one).toMatchObject({ id: item.id, status: item.status, opened: item.opened });
      expect(one.serials.length).toBe(item.counts.motors);
      expect(one.released.length).toBe(item.counts.released);
    }
    expect((await t.as(k.producer, 'GET', '/v1/holds')).json()).toMatchObject({ code: 'ROLE_REQUIRED' });
  });

  it('refuses a status that does not exist and pages every hold exactly once', async () => {
    const p = await badRequest(k.quality, '/v1/holds?status=closed', 'UNKNOWN_STATUS');
    expect(p.detail).toContain('ACTIVE, RELEASED');
    await badRequest(k.quality, '/v1/holds?serial=not%20a%20serial', 'VALIDATION_FAILED');
    const whole = await get(k.quality, '/v1/holds?limit=500');
    const { items } = await allPages(k.quality, '/v1/holds', 1);
    expect(items.map((h) => h.id)).toEqual(ids(whole));
    expect(new Set(items.map((h) => h.id)).size).toBe(items.length);
  });
});

describe('GET /v1/incidents', () => {
  const unknownVin = newVin();
  const suspect = newSerial();

  beforeAll(async () => {
    await produceTested(t, k, [suspect]);
    await post(t, k.quality, '/v1/incidents', {
      incidentId: 'INC-I-1',
      title: 'Inverter fault code P0A1F',
      severity: 'MEDIUM',
      suspectVins: [unknownVin],
      suspectSerials: [suspect],
    });
    await hold('HOLD-I-1', [suspect], 'INC-I-1');
    await post(t, k.quality, 'PATCH /v1/incidents/INC-I-1', { finding: 'Fault reproduced on bench EOL-3' });
    await post(t, k.quality, '/v1/incidents', {
      incidentId: 'INC-I-2',
      title: 'Label misprint',
      severity: 'LOW',
    });
    await post(t, k.quality, 'PATCH /v1/incidents/INC-I-2', { status: 'CLOSED', resolution: 'Reprinted' });
  });

  it('lists incidents newest first with their suspects, findings and holds counted', async () => {
    const page = await get(k.quality, '/v1/incidents');
    const [second, first] = page.items.filter((i: { id: string }) => i.id.startsWith('INC-I-'));
    expect(second).toMatchObject({ id: 'INC-I-2', status: 'CLOSED', closed: { resolution: 'Reprinted' } });
    expect(first).toMatchObject({
      id: 'INC-I-1',
      title: 'Inverter fault code P0A1F',
      severity: 'MEDIUM',
      status: 'OPEN',
      opened: { by: 'test-quality' },
      closed: null,
      counts: { suspectVins: 1, suspectSerials: 1, findings: 1, holds: 1, activeHolds: 1, motorsHeld: 1 },
    });
  });

  it('filters by status, refuses an unknown one, and pages every incident once', async () => {
    const open = await get(k.quality, '/v1/incidents?status=OPEN');
    expect(open.items.every((i: { status: string }) => i.status === 'OPEN')).toBe(true);
    expect(open.items.map((i: { id: string }) => i.id)).toContain('INC-I-1');
    const closed = await get(k.quality, '/v1/incidents?status=closed');
    expect(closed.items.map((i: { id: string }) => i.id)).toEqual(['INC-I-2']);
    await badRequest(k.quality, '/v1/incidents?status=RESOLVED', 'UNKNOWN_STATUS');
    const whole = await get(k.quality, '/v1/incidents');
    const { items } = await allPages(k.quality, '/v1/incidents', 1);
    expect(items.map((i) => i.id)).toEqual(whole.items.map((i: { id: string }) => i.id));
  });

  it('is scoped as GET /v1/incidents/{id}: same roles, suspect VINs only of the reader’s brands', async () => {
    const alpineOnly = await t.token(['quality'], ['*'], { brands: ['Alpine'] });
    const page = await get(alpineOnly, '/v1/incidents');
    const item = page.items.find((i: { id: string }) => i.id === 'INC-I-1');
    expect(item.counts).toMatchObject({ suspectVins: 0, suspectSerials: 1 });
    expect((await get(alpineOnly, '/v1/incidents/INC-I-1')).suspectVins).toEqual([]);
    expect((await t.as(k.intake, 'GET', '/v1/incidents')).json()).toMatchObject({ code: 'ROLE_REQUIRED' });
    const auditor = await t.token(['auditor'], []);
    expect((await get(auditor, '/v1/incidents')).items.length).toBe(page.items.length);
  });
});

// Last: it adds a truck, which the shipment lists above would count.
describe('the scan verdict', () => {
  it("gives the dock the truck's counts in each scan's verdict, as the list counts them", async () => {
    const [ok, stopped] = [newSerial(), newSerial()];
    await produceTested(t, k, [ok, stopped]);
    const id = await shipToDieppe(t, k, [ok, stopped]);
    await hold('HOLD-VERDICT-1', [stopped]);
    const refused = await scan(t, k, stopped, id);
    expect(refused.code).toBe('MOTOR_HELD');
    expect(refused.shipment).toMatchObject({ expected: 2, scanned: 1, accepted: 0, quarantined: 1 });
    const accepted = await scan(t, k, ok, id);
    expect(accepted.shipment).toMatchObject({ expected: 2, scanned: 2, accepted: 1, quarantined: 1 });
    const one = await get(k.intake, `/v1/shipments/${id}`);
    expect(one).toMatchObject({ scanned: 2, accepted: 1, quarantined: 1, held: 0, missing: [] });
    // Released and scanned again: out of quarantine, into the buffer.
    await post(t, k.quality, '/v1/holds/HOLD-VERDICT-1/release', { reason: 'Measured within tolerance' });
    const again = await scan(t, k, stopped, id);
    expect(again.verdict).toBe('ACCEPTED');
    expect(again.shipment).toMatchObject({ expected: 2, scanned: 2, accepted: 2, quarantined: 0 });
    expect(await get(k.intake, `/v1/shipments/${id}`)).toMatchObject({ accepted: 2, quarantined: 0 });
  });
});
