// A site's buffer as the marriage station's pick list: motors received there and not installed, oldest first,
// held ones flagged, one motor type at a time, in pages.
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
const [first, second, third, front, installed, onTruck] = [
  newSerial(),
  newSerial(),
  newSerial(),
  newSerial('6AM'),
  newSerial(),
  newSerial(),
];

beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  await produceTested(t, k, [first, second, third, front, installed, onTruck]);
  const truck = await shipToDieppe(t, k, [first, second, third, front, installed, onTruck]);
  // Received in this order; onTruck is never scanned.
  for (const s of [installed, second, first, front, third]) await scan(t, k, s, truck);
  await post(t, k.assembly, `/v1/vehicles/${newVin()}/motors`, {
    serial: installed,
    model: 'A390',
    slot: 'REAR_LEFT',
    station: 'MAR-01',
  });
  await post(t, k.quality, '/v1/holds', { holdId: 'HOLD-BUF-1', serials: [first], reason: 'Suspect lot' });
});
afterAll(async () => {
  await t?.close();
});

const get = async (token: string, url: string) => {
  const res = await t.as(token, 'GET', url);
  return { status: res.statusCode, body: res.json() };
};

describe('GET /v1/sites/{site}/buffer', () => {
  it('lists what waits in the buffer, first in first out, without what is installed or still on the truck', async () => {
    const { status, body } = await get(k.assembly, '/v1/sites/DIEPPE/buffer');
    expect(status).toBe(200);
    expect(body.items.map((m: { serial: string }) => m.serial)).toEqual([second, first, front, third]);
    expect(body.next).toBeNull();
    const held = body.items.find((m: { serial: string }) => m.serial === first);
    expect(held).toMatchObject({
      motorType: '7DL',
      holds: ['HOLD-BUF-1'],
      received: { site: 'DIEPPE', dock: 'D3' },
    });
  });

  it('keeps one motor type (a rear slot wants a 7DL) and pages every motor exactly once', async () => {
    const fronts = await get(k.assembly, '/v1/sites/DIEPPE/buffer?motorType=6AM');
    expect(fronts.body.items.map((m: { serial: string }) => m.serial)).toEqual([front]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        k.assembly,
        `/v1/sites/DIEPPE/buffer?motorType=7DL&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((m: { serial: string }) => m.serial));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toEqual([second, first, third]);
  });

  it('is empty at a site that received nothing, 404 for a site not in the catalog, 403 for the producer', async () => {
    expect((await get(k.assembly, '/v1/sites/DOUAI/buffer')).body.items).toEqual([]);
    const unknown = await get(k.assembly, '/v1/sites/LE_HAVRE/buffer');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_SITE' });
    expect((await get(k.producer, '/v1/sites/DIEPPE/buffer')).status).toBe(403);
  });
});
