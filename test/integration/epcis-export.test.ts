// `motor-ledger export --epcis FILE` as the plant operator runs it for a partner or an 8D report, after the A390
// journey recorded through the native API: the file is an EPCISDocument the GS1 schema accepts, holding the
// scope's events in log order (the same events GET /epcis/events answers), each with the ledger's seq and leaf
// hash; a missing or muddled scope is refused with nothing written. The CLI reaches this file's PostgreSQL
// database by its URL, so these tests need a server.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epcisNamespace, motorUri, vinUri } from '../../src/core/epcis/ids.js';
import { loadEpcisValidator } from '../../src/epcis/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { cliRunner } from '../support/cli.js';
import { hasServer } from '../support/db.js';
import {
  installA390,
  newSerial,
  newVin,
  plantTokens,
  post,
  produceBody,
  receivedAtDieppe,
  type Tokens,
  testBody,
} from '../support/plant.js';

type Event = Record<string, unknown> & { eventID: string; 'ml:seq': number; 'ml:leafHash': string };

const outDir = mkdtempSync(join(tmpdir(), 'ml-epcis-export-'));
let t: TestApp;
let k: Tokens;
let auditor: string;
// The server's default namespace: the CLI reads EPCIS_NAMESPACE as the server does.
const ns = epcisNamespace({ base: 'https://id.cleon-dieppe.example/' });
const vin = newVin('A390');
const [rl, rr, fr, other, lone] = [newSerial(), newSerial(), newSerial('6AM'), newSerial(), newSerial()];

// The CLI reaches this file's database by its URL, known once the app has started.
const cli = cliRunner(() => ({ ...process.env, DATABASE_URL: t.tdb.url, DATA_DIR: t.config.DATA_DIR }));

/** Run the export to a new file; return the document and its events. */
async function exportEpcis(name: string, ...scope: string[]) {
  const file = join(outDir, name);
  const res = await cli('export', '--epcis', file, ...scope);
  expect(res.code, res.stderr).toBe(0);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const events = doc.epcisBody.eventList as Event[];
  expect(res.stdout).toContain(`Exported ${events.length} EPCIS events to ${file}`);
  return { doc, events };
}

/** The events GET /epcis/events answers for a query (every page). */
async function queried(search: string): Promise<Event[]> {
  const res = await t.as(auditor, 'GET', `/epcis/events?perPage=1000&${search}`);
  expect(res.statusCode, res.payload).toBe(200);
  return res.json().epcisBody.queryResults.resultsBody.eventList;
}

const enc = encodeURIComponent;

describe.skipIf(!hasServer)('motor-ledger export --epcis', () => {
  beforeAll(async () => {
    t = await startTestApp();
    k = await plantTokens(t);
    auditor = await t.token(['auditor'], ['*']);
    await receivedAtDieppe(t, k, [rl, rr, fr, other]);
    await installA390(t, k, vin, [rl, rr, fr]);
    await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
    // One motor built with magnets of a lot of its own (the others share the builder's default lots).
    const lots = { ...produceBody(lone).lots, magnets: 'MAG-26-901' };
    await post(t, k.producer, '/v1/motors', produceBody(lone, { lots }));
    await post(t, k.producer, `/v1/motors/${lone}/tests`, testBody('PASS'));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('--serial writes the motor’s events in log order, valid against the GS1 schema, each with the ledger’s leaf hash', async () => {
    const { doc, events } = await exportEpcis('serial.jsonld', '--serial', rl);
    expect(doc.type).toBe('EPCISDocument');
    expect(loadEpcisValidator().validateDocument(doc)).toEqual({ valid: true });
    expect(events.map((e) => e.bizStep)).toEqual([
      'commissioning',
      'inspecting',
      'loading',
      'shipping',
      'receiving',
      'installing',
    ]);
    const seqs = events.map((e) => e['ml:seq']);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const e of events) {
      expect([...((e.epcList ?? e.childEPCs) as string[])]).toContain(motorUri(ns, rl));
      const entry = await t.as(auditor, 'GET', `/v1/ledger/entries/${e['ml:seq']}`);
      expect(entry.statusCode).toBe(200);
      expect(e['ml:leafHash']).toBe(entry.headers['x-leaf-hash']);
    }
    // The same events, member for member and hash for hash, as the query binding gives.
    expect(events).toEqual(await queried(`MATCH_epc=${enc(motorUri(ns, rl))}`));
  }, 60_000);

  it('--vin writes the vehicle’s events and its three motors’ whole histories, nothing of another motor’s own', async () => {
    const { doc, events } = await exportEpcis('vin.jsonld', '--vin', vin);
    expect(loadEpcisValidator().validateDocument(doc)).toEqual({ valid: true });
    const motors = [rl, rr, fr].map((s) => motorUri(ns, s));
    expect(events).toEqual(await queried(`MATCH_anyEPC=${enc([vinUri(ns, vin), ...motors].join('|'))}`));
    expect(
      events.filter((e) => e.bizStep === 'commissioning').map((e) => (e.epcList as string[])[0]),
    ).toEqual(motors);
    expect(events.at(-1)).toMatchObject({ bizStep: 'shipping', epcList: [vinUri(ns, vin)] });
    // The fourth motor of the rack is in the shared loading and shipping events only, none of its own.
    expect(events.filter((e) => e.bizStep === 'receiving').map((e) => (e.epcList as string[])[0])).toEqual(
      motors,
    );
    expect(events.filter((e) => JSON.stringify(e).includes(other)).map((e) => e.bizStep)).toEqual([
      'loading',
      'shipping',
    ]);
  }, 60_000);

  it('--lot writes a lot’s blast radius: the events of every motor built with it, and no other motor’s', async () => {
    const { doc, events } = await exportEpcis('lot.jsonld', '--lot', 'magnets=MAG-26-901');
    expect(loadEpcisValidator().validateDocument(doc)).toEqual({ valid: true });
    expect(events.map((e) => [e.bizStep, (e.epcList as string[])[0]])).toEqual([
      ['commissioning', motorUri(ns, lone)],
      ['inspecting', motorUri(ns, lone)],
    ]);
    expect(events.map((e) => (e.ilmd as Record<string, unknown> | undefined)?.['ml:lots'])[0]).toMatchObject({
      'ml:magnets': 'MAG-26-901',
    });
    // The shared lot reaches the four motors of the truck: each one's history, installs included.
    const shared = await exportEpcis('lot-shared.jsonld', '--lot', 'magnets=MAG-24-031');
    expect(shared.events.filter((e) => e.bizStep === 'commissioning')).toHaveLength(4);
    expect(shared.events.filter((e) => e.bizStep === 'installing')).toHaveLength(3);
  }, 60_000);

  it('--from/--to is a window on eventTime, alone or with --serial', async () => {
    // The plant's tests are at 06:42:10 on 23 November 2026, its production at 06:15.
    const window = ['--from', '2026-11-23T06:30:00Z', '--to', '2026-11-23T08:00:00+01:00'];
    const one = await exportEpcis('window-serial.jsonld', '--serial', rl, ...window);
    expect(one.events.map((e) => e.bizStep)).toEqual(['inspecting']);
    const all = await exportEpcis('window.jsonld', ...window);
    expect(all.events.map((e) => e.bizStep)).toEqual(Array(5).fill('inspecting'));
    expect(loadEpcisValidator().validateDocument(all.doc)).toEqual({ valid: true });
  }, 60_000);

  it('refuses, exit 2 and nothing written, no scope, --serial with --vin, a --from that is not RFC 3339, and a scope without events', async () => {
    for (const [scope, message] of [
      [[], /EPCIS_EXPORT_SCOPE.*Give a scope/],
      [['--serial', rl, '--vin', vin], /EPCIS_EXPORT_SCOPE.*not several/],
      [['--lot', 'MAG-24-031'], /EPCIS_EXPORT_SCOPE.*is not COMPONENT=LOT/],
      [['--lot', 'magnets=MAG-00-000'], /EPCIS_EXPORT_EMPTY/],
      [['--serial', rl, '--from', 'yesterday'], /EPCIS_EXPORT_SCOPE.*--from: "yesterday" is not an RFC 3339/],
      [['--serial', '7DL-999999'], /EPCIS_EXPORT_EMPTY/],
      [['--from', '2030-01-01T00:00:00Z'], /EPCIS_EXPORT_EMPTY/],
    ] as const) {
      const file = join(outDir, 'refused.jsonld');
      const res = await cli('export', '--epcis', file, ...scope);
      expect(res.code, scope.join(' ')).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(existsSync(file)).toBe(false);
    }
    // Without --epcis the audit export still needs its directory.
    const bare = await cli('export');
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/required option '-o, --out <dir>'/);
  }, 60_000);
});
