// The EPCIS 2.0 query interface over the A390 journey recorded through the native API: a partner asking for one
// 7DL by its EPC gets the motor's events in log order, each with the ledger's seq and leaf hash, in an
// EPCISQueryDocument the GS1 schema accepts; the other filters, paging by the Link header, one event by its
// hash id, brand scoping and the refusal of a bad parameter are what a client of the binding would notice.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epcisNamespace, motorUri, rackUri, vinUri } from '../../src/core/epcis/ids.js';
import { indexEpcisEvents } from '../../src/epcis/event-index.js';
import { loadEpcisValidator } from '../../src/epcis/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  installA390,
  newSerial,
  newVin,
  plantTokens,
  post,
  produceBody,
  produceTested,
  scan,
  shipToDieppe,
  type Tokens,
} from '../support/plant.js';

type Event = Record<string, unknown> & { eventID: string; 'ml:seq': number; 'ml:leafHash': string };

let t: TestApp;
let k: Tokens;
let auditor: string;
const ns = epcisNamespace({ base: 'https://id.cleon-dieppe.example/' });
const vin = newVin('A390');
const [rl, rr, fr] = [newSerial(), newSerial(), newSerial('6AM')];

beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  auditor = await t.token(['auditor'], ['*']);
  await produceTested(t, k, [rl, rr, fr]);
  const shipmentId = await shipToDieppe(t, k, [rl, rr, fr]);
  await post(t, k.logisticsDieppe, `/v1/shipments/${shipmentId}/arrival`, { dock: 'D3' });
  for (const s of [rl, rr, fr]) expect((await scan(t, k, s, shipmentId)).verdict).toBe('ACCEPTED');
  await installA390(t, k, vin, [rl, rr, fr]);
  await post(t, k.assembly, `/v1/vehicles/${vin}/shipment`, {});
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** GET an EPCIS query and return the answer, its events and the next page's URL (from the Link header). */
async function query(search: string, token = auditor) {
  const res = await t.as(token, 'GET', `/epcis/events${search}`);
  expect(res.statusCode, res.payload.slice(0, 300)).toBe(200);
  const doc = res.json();
  const link = res.headers.link as string | undefined;
  const next = link ? /^<https?:\/\/[^/]+(\/epcis\/events\?[^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
  if (link) expect(next, link).toBeDefined();
  return { doc, events: doc.epcisBody.queryResults.resultsBody.eventList as Event[], next };
}

const enc = encodeURIComponent;

describe('GET /epcis/events', () => {
  it('gives one 7DL’s events in order by MATCH_epc, each with the ledger’s seq and leaf hash, in a valid document', async () => {
    const { doc, events, next } = await query(`?MATCH_epc=${enc(motorUri(ns, rl))}`);
    expect(next).toBeUndefined();
    expect(doc.type).toBe('EPCISQueryDocument');
    expect(loadEpcisValidator().validateDocument(doc)).toEqual({ valid: true });
    expect(events.map((e) => e.bizStep)).toEqual([
      'commissioning',
      'inspecting',
      'loading',
      'shipping',
      'arriving',
      'receiving',
      'installing',
    ]);
    const seqs = events.map((e) => e['ml:seq']);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const e of events) {
      const entry = await t.as(auditor, 'GET', `/v1/ledger/entries/${e['ml:seq']}`);
      expect(entry.statusCode).toBe(200);
      expect(e['ml:leafHash']).toBe(entry.headers['x-leaf-hash']);
      expect(e.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    }
    // The installing event names the VIN as the parent; the motor is one of the EPCs of every event.
    expect(events.at(-1)).toMatchObject({ type: 'AssociationEvent', parentID: vinUri(ns, vin) });
    for (const e of events) expect([...((e.epcList ?? e.childEPCs) as string[])]).toContain(motorUri(ns, rl));
  });

  it('gives the VIN’s three installs by MATCH_parentID, and the vehicle’s shipping too by MATCH_anyEPC', async () => {
    const { events } = await query(`?MATCH_parentID=${enc(vinUri(ns, vin))}`);
    expect(events.map((e) => e.bizStep)).toEqual(['installing', 'installing', 'installing']);
    expect(events.map((e) => (e.childEPCs as string[])[0])).toEqual([rl, rr, fr].map((s) => motorUri(ns, s)));
    const any = await query(`?MATCH_anyEPC=${enc(vinUri(ns, vin))}`);
    expect(any.events.map((e) => e.bizStep)).toEqual(['installing', 'installing', 'installing', 'shipping']);
  });

  it('filters by EQ_bizStep (bare word or CBV URI), EQ_disposition, EQ_readPoint and a time window', async () => {
    const epc = enc(`${motorUri(ns, rl)}|${motorUri(ns, rr)}`);
    const loading = await query(`?MATCH_epc=${epc}&EQ_bizStep=loading`);
    expect(loading.events).toHaveLength(1); // one rack holds both
    const urn = await query(
      `?MATCH_epc=${epc}&EQ_bizStep=${enc('https://ref.gs1.org/cbv/BizStep-receiving')}`,
    );
    expect(urn.events.map((e) => e.bizStep)).toEqual(['receiving', 'receiving']);
    const conformant = await query(`?MATCH_epc=${epc}&EQ_disposition=conformant`);
    expect(conformant.events.map((e) => e.bizStep)).toEqual(['inspecting', 'inspecting']);
    // The plant's tests are at 06:42:10 on 23 November 2026, its production at 06:15.
    const window = await query(
      `?MATCH_epc=${enc(motorUri(ns, rl))}&GE_eventTime=2026-11-23T06:30:00Z&LT_eventTime=${enc('2026-11-23T08:00:00+01:00')}`,
    );
    expect(window.events.map((e) => e.bizStep)).toEqual(['inspecting']);
    const readPoint = (window.events[0]!.readPoint as { id: string }).id;
    const atBench = await query(`?EQ_readPoint=${enc(readPoint)}`);
    expect(atBench.events.map((e) => e.bizStep)).toEqual(['inspecting', 'inspecting', 'inspecting']);
    const recorded = await query(`?MATCH_epc=${enc(motorUri(ns, rl))}&LT_recordTime=2000-01-01T00:00:00Z`);
    expect(recorded.events).toEqual([]);
  });

  it('finds a rack’s loading by MATCH_parentID, and nothing for an EPC no event names', async () => {
    const rack = await query(`?MATCH_parentID=${enc(rackUri(ns, 'RK-0042'))}`);
    expect(rack.events.map((e) => [e.bizStep, e.parentID])).toEqual([['loading', rackUri(ns, 'RK-0042')]]);
    expect(rack.events[0]?.childEPCs).toEqual([rl, rr, fr].map((s) => motorUri(ns, s)));
    expect((await query(`?MATCH_epc=${enc(rackUri(ns, 'RK-0042'))}`)).events).toEqual([]);
    expect((await query(`?MATCH_epc=${enc('urn:epc:id:sgtin:0614141.107346.2018')}`)).events).toEqual([]);
    expect((await query(`?MATCH_epc=${enc(`https://id.other.example/motor/${rl}`)}`)).events).toEqual([]);
  });

  it('pages with perPage=2 through the Link header, every event exactly once, as the whole log', async () => {
    const all = (await query('?perPage=1000')).events;
    // 3 × (commissioning, inspecting, receiving, installing) + loading, shipping, arriving + the VIN's shipping.
    expect(all).toHaveLength(16);
    const paged: Event[] = [];
    let url: string | undefined = '/epcis/events?perPage=2';
    let pages = 0;
    while (url) {
      const res = await t.as(auditor, 'GET', url);
      expect(res.statusCode, res.payload).toBe(200);
      const events = res.json().epcisBody.queryResults.resultsBody.eventList as Event[];
      expect(events.length).toBeLessThanOrEqual(2);
      paged.push(...events);
      url = /<https?:\/\/[^/]+([^>]+)>; rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
      pages++;
    }
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(paged.map((e) => `${e['ml:seq']}/${e.eventID}`)).toEqual(
      all.map((e) => `${e['ml:seq']}/${e.eventID}`),
    );
    expect(new Set(paged.map((e) => e.eventID)).size).toBe(paged.length);
  });

  it('refuses a bad parameter with 400 problem+json naming it', async () => {
    for (const [search, parameter] of [
      ['?GE_eventTime=yesterday', 'GE_eventTime'],
      ['?LT_recordTime=2026-11-23T06:00:00', 'LT_recordTime'],
      ['?perPage=0', 'perPage'],
      ['?perPage=1001', 'perPage'],
      ['?nextPageToken=not-a-token', 'nextPageToken'],
      ['?MATCH_epc=a||b', 'MATCH_epc'],
      ['?EQ_action=ADD', 'EQ_action'],
    ]) {
      const res = await t.as(auditor, 'GET', `/epcis/events${search}`);
      expect(res.statusCode, search).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'EPCIS_QUERY_PARAMETER', parameter });
      expect(res.json().detail).toContain(parameter);
    }
  });

  it('is refused to a role that does not read the ledger', async () => {
    const res = await t.as(k.producer, 'GET', '/epcis/events');
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /epcis/events/{eventID}', () => {
  it('returns the same event by its URL-encoded hash id; an unknown id is 404', async () => {
    const { events } = await query(`?MATCH_epc=${enc(motorUri(ns, fr))}&EQ_bizStep=installing`);
    const [installing] = events;
    const res = await t.as(auditor, 'GET', `/epcis/events/${enc(installing!.eventID)}`);
    expect(res.statusCode, res.payload).toBe(200);
    const doc = res.json();
    expect(loadEpcisValidator().validateDocument(doc)).toEqual({ valid: true });
    expect(doc.epcisBody.queryResults.resultsBody.eventList).toEqual([installing]);
    const unknown = await t.as(
      auditor,
      'GET',
      `/epcis/events/${enc(`ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`)}`,
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('EPCIS_EVENT_NOT_FOUND');
  });

  it('finds it through the index of hashes once the follower has mapped the log, and a newer event in the tail', async () => {
    const db = t.tdb.handle.db;
    while ((await indexEpcisEvents(db, ns)) > 0);
    const all = (await query('?perPage=1000')).events;
    const indexed = await sql<{ hash: string; seq: string }>`
      SELECT encode(event_hash, 'hex') AS hash, seq FROM epcis_event_index`.execute(db);
    // One row per event and entry: the journey's events, a correction's restatements under the same hashes.
    const expected = new Set(all.map((e) => `${/;([0-9a-f]{64})\?/.exec(e.eventID)![1]} ${e['ml:seq']}`));
    expect(new Set(indexed.rows.map((r) => `${r.hash} ${r.seq}`))).toEqual(expected);
    // The index is what answers: an index row pointing elsewhere would be followed (and the event not found).
    const [first] = all;
    await sql`DELETE FROM epcis_event_index WHERE seq = ${first!['ml:seq']}`.execute(db);
    expect((await t.as(auditor, 'GET', `/epcis/events/${enc(first!.eventID)}`)).statusCode).toBe(404);
    await sql`INSERT INTO epcis_event_index VALUES (decode(${/;([0-9a-f]{64})/.exec(first!.eventID)![1]}, 'hex'), ${first!['ml:seq']})`.execute(
      db,
    );
    expect(
      (await t.as(auditor, 'GET', `/epcis/events/${enc(first!.eventID)}`)).json().epcisBody.queryResults
        .resultsBody.eventList,
    ).toEqual([first]);
    // An event written after the index's last batch is found in the tail, at once.
    const late = newSerial();
    await post(t, k.producer, '/v1/motors', produceBody(late));
    const [commissioning] = (await query(`?MATCH_epc=${enc(motorUri(ns, late))}`)).events;
    expect((await t.as(auditor, 'GET', `/epcis/events/${enc(commissioning!.eventID)}`)).statusCode).toBe(200);
  });
});

describe('brand scoping', () => {
  it('gives a Renault-only reader none of the Alpine VIN’s events, and the motors’ upstream ones still', async () => {
    const renault = await t.token(['auditor'], ['*'], { brands: ['Renault'] });
    expect((await query(`?MATCH_parentID=${enc(vinUri(ns, vin))}`, renault)).events).toEqual([]);
    expect((await query(`?MATCH_anyEPC=${enc(vinUri(ns, vin))}`, renault)).events).toEqual([]);
    const motor = await query(`?MATCH_epc=${enc(motorUri(ns, rl))}`, renault);
    expect(motor.events.map((e) => e.bizStep)).toEqual([
      'commissioning',
      'inspecting',
      'loading',
      'shipping',
      'arriving',
      'receiving',
    ]);
    const whole = await query('?perPage=1000', renault);
    expect(JSON.stringify(whole.doc)).not.toContain(vin);
    const { events } = await query(`?MATCH_parentID=${enc(vinUri(ns, vin))}`);
    const one = await t.as(renault, 'GET', `/epcis/events/${enc(events[0]!.eventID)}`);
    expect(one.statusCode).toBe(404);
  });
});

describe('a page boundary inside one entry', () => {
  it('splits a two-rack loading (one entry, two AggregationEvents) across pages without loss', async () => {
    const [a, b] = [newSerial(), newSerial()];
    await produceTested(t, k, [a, b]);
    await post(t, k.logisticsCleon, '/v1/shipments', {
      shipmentId: 'SHP-TWORACKS',
      asn: 'ASN-TWORACKS',
      to: 'DIEPPE',
      racks: [
        { rack: 'RK-0101', serials: [a] },
        { rack: 'RK-0102', serials: [b] },
      ],
    });
    const search = `?MATCH_epc=${enc(`${motorUri(ns, a)}|${motorUri(ns, b)}`)}&EQ_bizStep=loading&perPage=1`;
    const first = await query(search);
    expect(first.events).toHaveLength(1);
    expect(first.next).toBeDefined();
    const second = await query(first.next!.replace('/epcis/events', ''));
    expect(second.events).toHaveLength(1);
    expect(second.next).toBeUndefined();
    const [x, y] = [first.events[0]!, second.events[0]!];
    expect(x['ml:seq']).toBe(y['ml:seq']);
    expect([x.parentID, y.parentID]).toEqual(['RK-0101', 'RK-0102'].map((r) => `${ns.base}rack/${r}`));
  });
});

describe('GET /epcis/epcs/{epc}/events', () => {
  it('gives the events of MATCH_anyEPC for that EPC, filtered and paged the same way', async () => {
    const any = await query(`?MATCH_anyEPC=${enc(vinUri(ns, vin))}`);
    const res = await t.as(auditor, 'GET', `/epcis/epcs/${enc(vinUri(ns, vin))}/events`);
    expect(res.statusCode, res.payload).toBe(200);
    expect(loadEpcisValidator().validateDocument(res.json())).toEqual({ valid: true });
    expect(res.json().epcisBody.queryResults.resultsBody.eventList).toEqual(any.events);
    // Paged by two through the Link, which names the same resource; a filter still applies.
    const paged: Event[] = [];
    let url: string | undefined = `/epcis/epcs/${enc(motorUri(ns, rr))}/events?perPage=2`;
    while (url) {
      const page = await t.as(auditor, 'GET', url);
      expect(page.statusCode, page.payload).toBe(200);
      paged.push(...page.json().epcisBody.queryResults.resultsBody.eventList);
      const link = String(page.headers.link ?? '');
      url = /<https?:\/\/[^/]+([^>]+)>; rel="next"/.exec(link)?.[1];
      if (url) expect(url.startsWith(`/epcis/epcs/${enc(motorUri(ns, rr))}/events?`), url).toBe(true);
    }
    expect(paged).toEqual((await query(`?MATCH_anyEPC=${enc(motorUri(ns, rr))}&perPage=1000`)).events);
    expect(paged.length).toBeGreaterThan(2);
    const shipping = await t.as(
      auditor,
      'GET',
      `/epcis/epcs/${enc(motorUri(ns, rr))}/events?EQ_bizStep=shipping`,
    );
    expect(shipping.json().epcisBody.queryResults.resultsBody.eventList.map((e: Event) => e.bizStep)).toEqual(
      ['shipping'],
    );
  });

  it('answers an empty list for an EPC the ledger does not know, and refuses a second MATCH_anyEPC', async () => {
    const none = await t.as(
      auditor,
      'GET',
      `/epcis/epcs/${enc('urn:epc:id:sgtin:0614141.107346.2018')}/events`,
    );
    expect(none.statusCode).toBe(200);
    expect(none.json().epcisBody.queryResults.resultsBody.eventList).toEqual([]);
    const twice = await t.as(
      auditor,
      'GET',
      `/epcis/epcs/${enc(motorUri(ns, rl))}/events?MATCH_anyEPC=${enc(motorUri(ns, rr))}`,
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({ code: 'EPCIS_QUERY_PARAMETER', parameter: 'MATCH_anyEPC' });
  });
});

describe('the other top-level resources’ events', () => {
  it('answer /epcis/{eventTypes,bizSteps,dispositions,bizLocations,readPoints}/{value}/events as the query parameter', async () => {
    const events = async (path: string) => {
      const res = await t.as(auditor, 'GET', path);
      expect(res.statusCode, res.payload).toBe(200);
      return res.json().epcisBody.queryResults.resultsBody.eventList as Event[];
    };
    const ofVin = `?MATCH_parentID=${enc(vinUri(ns, vin))}`;
    const installs = await events(`/epcis/eventTypes/AssociationEvent/events${ofVin}`);
    expect(installs.map((e) => e.bizStep)).toEqual(['installing', 'installing', 'installing']);
    expect(await events(`/epcis/events?eventType=AssociationEvent${ofVin.replace('?', '&')}`)).toEqual(
      installs,
    );
    const received = await events(`/epcis/bizSteps/${enc('urn:epcglobal:cbv:bizstep:receiving')}/events`);
    expect(received.map((e) => (e.epcList as string[])[0])).toEqual([rl, rr, fr].map((s) => motorUri(ns, s)));
    const inTransit = await events('/epcis/dispositions/in_transit/events?EQ_bizStep=arriving');
    expect(inTransit.map((e) => e.bizStep)).toEqual(['arriving']);
    const dock = await events(
      `/epcis/readPoints/${enc(`${ns.base}site/DIEPPE/dock/D3`)}/events?perPage=1000`,
    );
    expect(new Set(dock.map((e) => e.bizStep))).toEqual(new Set(['arriving', 'receiving']));
    const locations = (await t.as(auditor, 'GET', '/epcis/bizLocations')).json().member as string[];
    expect(locations).toEqual(expect.arrayContaining([`${ns.base}site/CLEON`, `${ns.base}site/DIEPPE`]));
    const dieppe = await events(`/epcis/bizLocations/${enc(`${ns.base}site/DIEPPE`)}/events?perPage=1000`);
    expect(dieppe.length).toBeGreaterThan(0);
    for (const e of dieppe) expect(e.bizLocation).toEqual({ id: `${ns.base}site/DIEPPE` });
    const twice = await t.as(auditor, 'GET', '/epcis/bizSteps/receiving/events?EQ_bizStep=shipping');
    expect(twice.json()).toMatchObject({ code: 'EPCIS_QUERY_PARAMETER', parameter: 'EQ_bizStep' });
  });
});

describe('GET /epcis/bizSteps, /epcis/dispositions, /epcis/eventTypes', () => {
  it('list, as Collections, the vocabulary the ledger’s events carry, including every one the journey used', async () => {
    const get = async (path: string) => {
      const res = await t.as(auditor, 'GET', path);
      expect(res.statusCode, res.payload).toBe(200);
      expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
      const body = res.json() as { '@context': unknown[]; type: string; member: string[] };
      expect(body.type).toBe('Collection');
      expect(body['@context']).toContain('https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld');
      expect(new Set(body.member).size).toBe(body.member.length);
      return body.member;
    };
    const [steps, dispositions, types] = [
      await get('/epcis/bizSteps'),
      await get('/epcis/dispositions'),
      await get('/epcis/eventTypes'),
    ];
    const all = (await query('?perPage=1000')).events;
    for (const e of all) {
      expect(steps).toContain(e.bizStep);
      if (e.disposition) expect(dispositions).toContain(e.disposition);
      expect(types).toContain(e.type);
    }
    expect(steps).toEqual(
      expect.arrayContaining(['commissioning', 'holding', `${ns.vocab}bizstep/releasing`]),
    );
    expect(dispositions).toEqual(
      expect.arrayContaining(['non_conformant', `${ns.vocab}disp/on_hold`, `${ns.vocab}disp/quarantined`]),
    );
    expect([...types].sort()).toEqual([
      'AggregationEvent',
      'AssociationEvent',
      'ObjectEvent',
      'TransactionEvent',
      'TransformationEvent',
    ]);
    expect((await t.as(k.producer, 'GET', '/epcis/bizSteps')).statusCode).toBe(403);
  });
});

describe('EXISTS_errorDeclaration', () => {
  it('gives only the events restated by a correction, with their error declaration', async () => {
    expect((await query('?EXISTS_errorDeclaration=true&perPage=1000')).events).toEqual([]);
    const [produced] = (await query(`?MATCH_epc=${enc(motorUri(ns, rl))}&EQ_bizStep=commissioning`)).events;
    const entry = await t.as(auditor, 'GET', `/v1/ledger/entries/${produced!['ml:seq']}`);
    await post(t, k.quality, '/v1/corrections', { targetId: entry.json().id, reason: 'Wrong line' });
    const declared = await query('?EXISTS_errorDeclaration=true&perPage=1000');
    expect(declared.events).toHaveLength(1);
    expect(declared.events[0]).toMatchObject({
      eventID: produced!.eventID,
      bizStep: 'commissioning',
      errorDeclaration: expect.objectContaining({ declarationTime: expect.any(String) }),
    });
    // false, or absent: every event, the restatement included.
    const all = (await query('?perPage=1000')).events;
    expect((await query('?EXISTS_errorDeclaration=false&perPage=1000')).events).toEqual(all);
    expect(all.filter((e) => e.errorDeclaration)).toEqual(declared.events);
    const bad = await t.as(auditor, 'GET', '/epcis/events?EXISTS_errorDeclaration=yes');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'EPCIS_QUERY_PARAMETER', parameter: 'EXISTS_errorDeclaration' });
  });
});

describe('with the plant’s GS1 keys configured (EPCIS_GS1_KEYS_FILE)', () => {
  it('names the rack by its SSCC and the dock by its GLN, and finds their events by those Digital Links', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-gs1-'));
    const file = join(dir, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify({ sscc: { 'RK-0042': '030123450000000420' }, gln: { 'DIEPPE/D3': '3012345000024' } }),
    );
    const app = await startTestApp({ EPCIS_GS1_KEYS_FILE: file });
    try {
      const tokens = await plantTokens(app);
      const serial = newSerial();
      await produceTested(app, tokens, [serial]);
      const shipmentId = await shipToDieppe(app, tokens, [serial]);
      await post(app, tokens.logisticsDieppe, `/v1/shipments/${shipmentId}/arrival`, { dock: 'D3' });
      const reader = await app.token(['auditor'], ['*']);
      const get = async (search: string) =>
        (await app.as(reader, 'GET', `/epcis/events${search}`)).json().epcisBody.queryResults.resultsBody
          .eventList as Event[];
      const sscc = 'https://id.gs1.org/00/030123450000000420';
      const loading = await get(`?MATCH_parentID=${enc(sscc)}`);
      expect(loading.map((e) => [e.bizStep, e.parentID])).toEqual([['loading', sscc]]);
      const gln = 'https://id.gs1.org/414/3012345000024';
      const arriving = await get(`?EQ_readPoint=${enc(gln)}`);
      expect(arriving.map((e) => e.bizStep)).toEqual(['arriving']);
    } finally {
      await app.close();
    }
  });
});
