// EPCIS 2.0 capture as a partner meets it: every example document of the standard accepted and queried back equal
// (same members, same event hash); a document the GS1 schema refuses answered 400 with the pointer and rule, and
// nothing stored; an event captured twice written once; a carrier's arrival decided by the plant's own rules
// (NOT_SHIPPED for a motor that never left Cléon); rollback and proceed; the job read back; a job a stopped server
// left unfinished run again without writing twice.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHashId, listDocumentEvents } from '../../src/core/epcis/event-hash.js';
import { dockUri, epcisNamespace, motorUri } from '../../src/core/epcis/ids.js';
import { loadCatalog } from '../../src/domain/domain.js';
import { CaptureJobs } from '../../src/epcis/capture-jobs.js';
import { loadEpcisValidator } from '../../src/epcis/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newSerial, plantTokens, produceTested, shipToDieppe, type Tokens } from '../support/plant.js';

// biome-ignore lint/suspicious/noExplicitAny: EPCIS documents as a partner writes them, read member by member
type Json = Record<string, any>;

const EXAMPLES = join(import.meta.dirname, '../vectors/epcis/gs1-examples');
const ns = epcisNamespace({ base: 'https://id.cleon-dieppe.example/' });
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];

let t: TestApp;
let k: Tokens;
let partner: string;
let auditor: string;

beforeAll(async () => {
  t = await startTestApp();
  k = await plantTokens(t);
  partner = await t.token(['partner'], ['DIEPPE'], { sub: 'carrier-gefco' });
  auditor = await t.token(['auditor'], ['*']);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesIn(join(dir, f)) : [join(dir, f)]))
    .filter((f) => f.endsWith('.jsonld'))
    .sort();
}

/** POST a document for capture; `wait` asks for the finished job (Prefer: wait=N). */
async function capture(doc: unknown, options: { token?: string; behaviour?: string; wait?: boolean } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    headers: {
      authorization: `Bearer ${options.token ?? partner}`,
      'content-type': 'application/ld+json',
      ...(options.wait === false ? {} : { prefer: 'wait=30' }),
      ...(options.behaviour ? { 'gs1-capture-error-behaviour': options.behaviour } : {}),
    },
    payload: JSON.stringify(doc),
  });
}

/** Capture and expect the finished job (201). */
async function captured(doc: unknown, options: { behaviour?: string; token?: string } = {}): Promise<Json> {
  const res = await capture(doc, options);
  expect(res.statusCode, res.payload.slice(0, 600)).toBe(201);
  const job = res.json();
  expect(res.headers.location).toBe(`/epcis/capture/${job.captureID}`);
  expect(job.running).toBe(false);
  return job;
}

const documentOf = (events: Json[], context: unknown[] = CONTEXT): Json => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-29T10:00:00Z',
  epcisBody: { eventList: events },
});

/** A supplier's lot of magnets commissioned: an event about nothing of the plant's. */
const magnetLot = (lot: string): Json => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-20T08:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: `urn:epc:class:lgtin:4012345.012345.${lot}`, quantity: 2400, uom: 'H87' }],
  readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
});

/** A carrier's arrival of motors at a Dieppe dock. */
const arriving = (serials: string[], dock = 'D3'): Json => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-24T09:30:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  action: 'OBSERVE',
  bizStep: 'arriving',
  disposition: 'in_transit',
  epcList: serials.map((s) => motorUri(ns, s)),
  readPoint: { id: dockUri(ns, 'DIEPPE', dock) },
});

/** GET one event by id, as an auditor; the answer's events and its document. */
async function eventById(id: string) {
  const res = await t.as(auditor, 'GET', `/epcis/events/${encodeURIComponent(id)}`);
  expect(res.statusCode, `${id}: ${res.payload.slice(0, 300)}`).toBe(200);
  const doc = res.json();
  return { doc, events: doc.epcisBody.queryResults.resultsBody.eventList as Json[] };
}

/** An event as given back, without what the ledger adds (recordTime, its place in the log, an eventID it made). */
function asSent(back: Json, sent: Json): Json {
  const { recordTime, 'ml:seq': _s, 'ml:leafHash': _h, 'ml:capturedBy': by, ...rest } = back;
  expect(by).toBe('carrier-gefco'); // who sent it, beside the event
  const copy: Json = { ...rest };
  if (sent.recordTime !== undefined) copy.recordTime = sent.recordTime;
  if (sent.eventID === undefined) delete copy.eventID;
  if (sent['@context'] === undefined) delete copy['@context'];
  return copy;
}

describe('POST /epcis/capture', () => {
  it('accepts every example document of the standard, and each event comes back equal with the same event hash', async () => {
    const files = filesIn(EXAMPLES);
    expect(files.length).toBeGreaterThanOrEqual(40);
    // Some examples restate another's event (a comment added: CBV's hash leaves comments out): the same event,
    // written once, given back as it was first sent.
    const firstSent = new Map<string, Json>();
    for (const file of files) {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
      const job = await captured(doc);
      const name = file.slice(EXAMPLES.length + 1);
      expect(job.success, `${name}: ${JSON.stringify(job.errors).slice(0, 400)}`).toBe(true);
      const sent = listDocumentEvents(doc);
      expect(job['ml:events']).toHaveLength(sent.length);
      for (const [i, { event, context, options }] of sent.entries()) {
        const hash = eventHashId(event, context, options);
        const outcome = job['ml:events'][i];
        expect(outcome.eventID, name).toBe(hash);
        expect(outcome.seq, name).toBeTypeOf('number');
        // An error declaration hashes as the event it declares: it is written beside it, not instead.
        const key = `${hash} ${event.errorDeclaration !== undefined}`;
        if (!firstSent.has(key)) expect(outcome.duplicate, name).toBeUndefined();
        const original = firstSent.get(key) ?? event;
        firstSent.set(key, original);
        // Back by its hash: the event as sent, member for member, and the same hash from the query document.
        const back = await eventById(hash);
        const mine = back.events.filter((e) => e['ml:seq'] === outcome.seq);
        expect(mine, name).toHaveLength(1);
        expect(asSent(mine[0]!, original), name).toEqual(original);
        const again = listDocumentEvents(back.doc).find((x) => x.event['ml:seq'] === outcome.seq)!;
        expect(eventHashId(again.event, again.context, again.options), name).toBe(hash);
        expect(loadEpcisValidator().validateDocument(back.doc), name).toEqual({ valid: true });
      }
    }
  }, 120_000);

  it('writes an event captured twice once, and says so in the second job', async () => {
    const doc = documentOf([magnetLot('L-DUP-1'), magnetLot('L-DUP-2')]);
    const first = await captured(doc);
    const size = await t.logSize();
    const second = await captured(doc);
    expect(await t.logSize()).toBe(size);
    expect(second['ml:events'].map((e: Json) => [e.seq, e.duplicate])).toEqual(
      first['ml:events'].map((e: Json) => [e.seq, true]),
    );
  });

  it('queries a supplier’s lot back by MATCH_epc of its EPC class, and a plant motor’s partner events by its EPC', async () => {
    await captured(documentOf([magnetLot('L-Q-7')]));
    const res = await t.as(
      auditor,
      'GET',
      `/epcis/events?EQ_bizStep=${encodeURIComponent('urn:epcglobal:cbv:bizstep:commissioning')}&perPage=1000`,
    );
    const lots = (res.json().epcisBody.queryResults.resultsBody.eventList as Json[]).filter(
      (e) => e.quantityList?.[0]?.epcClass === 'urn:epc:class:lgtin:4012345.012345.L-Q-7',
    );
    expect(lots).toHaveLength(1);
  });

  const malformed: [string, (doc: Json) => void, string][] = [
    ['missing @context', (d) => delete d['@context'], ''],
    ['a wrong action', (d) => (d.epcisBody.eventList[0].action = 'REMOVE'), '/epcisBody/eventList/0/action'],
    [
      'a bad eventTime',
      (d) => (d.epcisBody.eventList[0].eventTime = '24/11/2026 09:30'),
      '/epcisBody/eventList/0/eventTime',
    ],
    [
      'a quantity as text',
      (d) => (d.epcisBody.eventList[0].quantityList[0].quantity = '2400'),
      '/epcisBody/eventList/0/quantityList/0/quantity',
    ],
    [
      'an unknown member where the schema forbids it',
      (d) => (d.epcisBody.eventList[0].colour = 'red'),
      '/epcisBody/eventList/0',
    ],
  ];
  it.each(malformed)(
    'refuses a document with %s: 400 EPCIS_SCHEMA naming the pointer and rule, nothing stored',
    async (_name, breakIt, pointer) => {
      const doc = documentOf([magnetLot('L-BAD-1')]);
      breakIt(doc);
      const size = await t.logSize();
      const jobs = await t.tdb.handle.db.selectFrom('epcis_capture_job').select('id').execute();
      const res = await capture(doc);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = res.json();
      expect(problem.code).toBe('EPCIS_SCHEMA');
      expect(problem.problems.map((p: Json) => p.pointer)).toContain(pointer);
      expect(problem.problems[0].rule).toMatch(/^[a-zA-Z]+$/);
      expect(await t.logSize()).toBe(size);
      expect(await t.tdb.handle.db.selectFrom('epcis_capture_job').select('id').execute()).toHaveLength(
        jobs.length,
      );
    },
  );
});

describe('a carrier’s arrival', () => {
  it('refuses the arrival of a motor never shipped with NOT_SHIPPED, as the native API would, writing nothing', async () => {
    const [never, loaded] = [newSerial(), newSerial()];
    await produceTested(t, k, [never, loaded]);
    await shipToDieppe(t, k, [loaded], { depart: false });
    const size = await t.logSize();
    for (const serial of [never, loaded]) {
      const job = await captured(documentOf([arriving([serial])]));
      expect(job.success).toBe(false);
      expect(job.errors).toHaveLength(1);
      expect(job.errors[0]).toMatchObject({
        code: 'NOT_SHIPPED',
        instance: '#/epcisBody/eventList/0',
        status: 422,
      });
    }
    expect(await t.logSize()).toBe(size);
  });

  it('arrives a departed shipment through the domain: the motors are ARRIVED, and the event is the ledger’s arriving', async () => {
    const serials = [newSerial(), newSerial()];
    await produceTested(t, k, serials);
    const shipmentId = await shipToDieppe(t, k, serials);
    const job = await captured(documentOf([arriving(serials, 'D4')]));
    expect(job.success, JSON.stringify(job.errors)).toBe(true);
    const { seq } = job['ml:events'][0];
    const entry = await t.as(auditor, 'GET', `/v1/ledger/entries/${seq}`);
    expect(entry.json()).toMatchObject({
      type: 'shipment.arrived',
      actor: { sub: 'carrier-gefco', role: 'partner', site: 'DIEPPE' },
      data: { shipmentId, dock: 'D4', site: 'DIEPPE' },
    });
    const motor = await t.as(k.quality, 'GET', `/v1/motors/${serials[0]}`);
    expect(motor.json().motor.status).toBe('ARRIVED');
    // The partner's hash finds the ledger's reading of it; captured again, nothing more is written.
    const back = await eventById(job['ml:events'][0].eventID);
    expect(back.events.map((e) => [e.bizStep, e['ml:seq']])).toEqual([['arriving', seq]]);
    const size = await t.logSize();
    expect((await captured(documentOf([arriving(serials, 'D4')])))['ml:events'][0]).toMatchObject({
      seq,
      duplicate: true,
    });
    expect(await t.logSize()).toBe(size);
  });

  it('refuses an arrival at a site the partner’s token does not name, and a step only the plant records', async () => {
    const serials = [newSerial()];
    await produceTested(t, k, serials);
    await shipToDieppe(t, k, serials);
    const cleonOnly = await t.token(['partner'], ['CLEON'], { sub: 'carrier-other' });
    const job = await captured(documentOf([arriving(serials)]), { token: cleonOnly });
    expect(job.errors[0]).toMatchObject({ code: 'SITE_NOT_ALLOWED', status: 403 });
    const commissioning = {
      ...magnetLot('x'),
      quantityList: undefined,
      epcList: [motorUri(ns, serials[0]!)],
    };
    delete commissioning.quantityList;
    const plantStep = await captured(documentOf([commissioning]));
    expect(plantStep.errors[0]).toMatchObject({ code: 'EPCIS_PLANT_STEP' });
    expect(plantStep.errors[0].detail).toContain('recorded by the plant itself');
  });
});

describe('what a partner may not do', () => {
  it('cannot pass a plant step in another spelling, nor put a plant motor on hold, nor start a motor’s history', async () => {
    const [serial] = [newSerial()];
    await produceTested(t, k, [serial]);
    const onMotor = (over: Json): Json => ({
      ...magnetLot('x'),
      quantityList: undefined,
      epcList: [motorUri(ns, serial)],
      ...over,
    });
    const strip = (e: Json) => {
      delete e.quantityList;
      return e;
    };
    const size = await t.logSize();
    const job = await captured(
      documentOf(
        [
          strip(onMotor({ bizStep: 'cbv:BizStep-commissioning' })),
          strip(onMotor({ bizStep: 'transporting', persistentDisposition: { set: ['ml:disp/on_hold'] } })),
          strip(onMotor({ bizStep: 'transporting', disposition: `${ns.vocab}disp/quarantined` })),
          strip({ ...onMotor({ bizStep: 'transporting' }), epcList: [motorUri(ns, '7DL-0000001')] }),
        ],
        [...CONTEXT, { ml: ns.vocab }],
      ),
      { behaviour: 'proceed' },
    );
    expect(job['ml:events'].map((e: Json) => e.error?.code)).toEqual([
      'EPCIS_PLANT_STEP',
      'EPCIS_PLANT_STEP',
      'EPCIS_PLANT_STEP',
      'UNKNOWN_SERIAL',
    ]);
    expect(await t.logSize()).toBe(size);
  });

  it('cannot make its event show beside another’s by sending that event’s hash as its eventID', async () => {
    const [serial] = [newSerial()];
    await produceTested(t, k, [serial]);
    const plant = (
      await t.as(auditor, 'GET', `/epcis/events?MATCH_epc=${encodeURIComponent(motorUri(ns, serial))}`)
    ).json().epcisBody.queryResults.resultsBody.eventList[0] as Json;
    const forged = {
      ...magnetLot('L-FORGED'),
      eventID: plant.eventID,
      errorDeclaration: { declarationTime: '2026-11-25T00:00:00Z', reason: 'incorrect_data' },
    };
    const job = await captured(documentOf([forged]));
    expect(job.success).toBe(true); // kept as sent, under its own hash
    expect(job['ml:events'][0].eventID).not.toBe(plant.eventID);
    const back = await eventById(plant.eventID);
    expect(back.events.map((e) => e['ml:seq'])).toEqual([plant['ml:seq']]);
  });

  it('cannot declare wrong an event another partner sent', async () => {
    const lot = magnetLot('L-OWNED');
    await captured(documentOf([lot]));
    const other = await t.token(['partner'], ['DIEPPE'], { sub: 'supplier-other' });
    const declared = {
      ...lot,
      errorDeclaration: { declarationTime: '2026-11-25T00:00:00Z', reason: 'did_not_occur' },
    };
    const job = await captured(documentOf([declared]), { token: other });
    expect(job.errors[0]).toMatchObject({ code: 'EPCIS_NOT_YOURS' });
    const mine = await captured(documentOf([declared]));
    expect(mine.success).toBe(true);
  });
});

describe('capture jobs', () => {
  it('writes nothing of a document with one refused event (rollback), and the rest with proceed', async () => {
    const [never] = [newSerial()];
    await produceTested(t, k, [never]);
    const doc = documentOf([magnetLot('L-RB-1'), arriving([never]), magnetLot('L-RB-2')]);
    const size = await t.logSize();
    const rolled = await captured(doc);
    expect(rolled.success).toBe(false);
    expect(rolled.captureErrorBehaviour).toBe('rollback');
    expect(rolled['ml:events'].map((e: Json) => e.rolledBack ?? e.error?.code)).toEqual([
      true,
      'NOT_SHIPPED',
      true,
    ]);
    expect(await t.logSize()).toBe(size);
    const proceeded = await captured(doc, { behaviour: 'proceed' });
    expect(proceeded.captureErrorBehaviour).toBe('proceed');
    expect(proceeded['ml:events'].map((e: Json) => e.error?.code ?? typeof e.seq)).toEqual([
      'number',
      'NOT_SHIPPED',
      'number',
    ]);
    expect(await t.logSize()).toBe(size + 2);
  });

  it('answers 202 with the job’s Location at once; the job is read there by its partner only', async () => {
    const res = await capture(documentOf([magnetLot('L-ASYNC')]), { wait: false });
    expect(res.statusCode).toBe(202);
    const location = res.headers.location as string;
    let job: Json;
    do job = (await t.as(partner, 'GET', location)).json();
    while (job.running);
    expect(job).toMatchObject({ success: true, captureErrorBehaviour: 'rollback', errors: [] });
    const other = await t.token(['partner'], ['DIEPPE'], { sub: 'supplier-magnets' });
    expect((await t.as(other, 'GET', location)).json().code).toBe('EPCIS_CAPTURE_NOT_FOUND');
    expect((await t.as(partner, 'GET', `/epcis/capture/${'-'.repeat(36)}`)).json().code).toBe(
      'EPCIS_CAPTURE_NOT_FOUND',
    );
    const list = (await t.as(partner, 'GET', '/epcis/capture')).json() as Json[];
    expect(list[0]?.captureID).toBe(job.captureID);
    expect((await t.as(k.quality, 'POST', '/epcis/capture', documentOf([]))).json().code).toBe(
      'ROLE_REQUIRED',
    );
    const bad = await capture(documentOf([magnetLot('x')]), { behaviour: 'all' });
    expect(bad.json().code).toBe('EPCIS_CAPTURE_BEHAVIOUR');
  });

  it('runs again at start a job a stopped server left unfinished, writing each event once', async () => {
    const doc = documentOf([magnetLot('L-RESUME-1'), magnetLot('L-RESUME-2')]);
    // The first run wrote the first event, then the server stopped before the job was marked finished.
    const firstOnly = await captured(documentOf([magnetLot('L-RESUME-1')]));
    const id = '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3b';
    await t.tdb.handle.db
      .insertInto('epcis_capture_job')
      .values({
        id,
        sub: 'carrier-gefco',
        created_at: new Date(),
        behaviour: 'rollback',
        principal: JSON.stringify({
          sub: 'carrier-gefco',
          roles: ['partner'],
          sites: ['DIEPPE'],
          brands: ['*'],
        }),
        document: new TextEncoder().encode(JSON.stringify(doc)),
      })
      .execute();
    const size = await t.logSize();
    const jobs = new CaptureJobs(
      { db: t.tdb.handle.db, sequencer: t.ledger.sequencer, catalog: loadCatalog(), ns },
      (err) => {
        throw err;
      },
    );
    expect(await jobs.resume()).toBe(1);
    await jobs.close();
    const job = (await t.as(partner, 'GET', `/epcis/capture/${id}`)).json();
    expect(job.running).toBe(false);
    expect(job['ml:events'].map((e: Json) => [e.seq, e.duplicate ?? false])).toEqual([
      [firstOnly['ml:events'][0].seq, true],
      [size, false],
    ]);
    expect(await t.logSize()).toBe(size + 1);
    expect(await jobs.resume()).toBe(0);
  });
});
