// The ledger in EPCIS 2.0: the A390 journey (produce, test, load, depart, arrive, receive, install three motors
// into a VIN, a removal, a hold placed and released, the vehicle shipped, a correction), decided by the plant's
// rules and written as the sequencer writes entries (no database), then mapped to EPCIS events: the right event
// types and CBV terms in order, identifiers as URIs of the plant (or GS1 keys where configured), every event
// with its ledger seq and leaf hash, and every document valid against GS1's JSON Schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../src/core/domain/catalog.js';
import { type CommandBody, type DistributiveOmit, decide, withSites } from '../../src/core/domain/decide.js';
import { applyEvent, emptyState } from '../../src/core/domain/state.js';
import { toBase64 } from '../../src/core/encoding.js';
import { type Envelope, encodeEnvelope, normalizeSubjects, type PrevLink } from '../../src/core/envelope.js';
import { eventHashId, listDocumentEvents } from '../../src/core/epcis/event-hash.js';
import {
  dockUri,
  epcisNamespace,
  idUri,
  isGs1Key,
  motorUri,
  parseDockUri,
  parseIdUri,
  parseMotorUri,
  parseRackUri,
  parseSiteUri,
  parseStationUri,
  parseTruckUri,
  parseVinUri,
  rackUri,
  siteUri,
  stationUri,
  truckUri,
  vinUri,
} from '../../src/core/epcis/ids.js';
import {
  EPCIS_CONTEXT_URL,
  EPCIS_RULES,
  type EpcisEvent,
  type EpcisMapOptions,
  type LedgerEntry,
  ledgerTypesOf,
  toEpcisDocument,
  toEpcisEvents,
} from '../../src/core/epcis/map.js';
import { leafHash } from '../../src/core/merkle.js';
import { loadEpcisValidator } from '../../src/epcis/schema.js';

const ROOT = join(import.meta.dirname, '../..');
const catalog = validateCatalog(JSON.parse(readFileSync(join(ROOT, 'catalog/default.json'), 'utf8')));

const BASE = 'https://id.cleon-dieppe.example/';
const SSCC_R42 = '030123450000000420';
const GLN_DOCK_D3 = '3012345000024';
const PGLN_CLEON = '3012345000017';
const ns = epcisNamespace({
  base: BASE,
  gs1: { sscc: { 'R-0042': SSCC_R42 }, gln: { 'DIEPPE/D3': GLN_DOCK_D3 }, pgln: { CLEON: PGLN_CLEON } },
});

const VIN = 'VF1A390E000000042';
const REAR_LEFT = '7DL-000101';
const REAR_RIGHT = '7DL-000102';
const FRONT = '6AM-000201';
const actor = (role: string, site: string) => ({ sub: `badge-${role}`, role, site });

/** A ledger in memory: each command decided by the plant's rules and written as the sequencer writes it. */
class Journey {
  readonly entries: LedgerEntry[] = [];
  #state = emptyState();
  #heads = new Map<string, PrevLink>();
  #minute = 0;

  post(body: DistributiveOmit<CommandBody, 'time'>): LedgerEntry {
    const time = new Date(Date.UTC(2026, 10, 23, 6, 0) + this.#minute++ * 60_000).toISOString();
    const draft = decide(this.#state, catalog, withSites({ ...body, time } as CommandBody, ['*']));
    const seq = this.entries.length;
    const subjects = normalizeSubjects(draft.subjects);
    const envelope: Envelope = {
      v: 1,
      seq,
      id: `0196f3c2-8a1e-7c3b-9d4f-${String(seq).padStart(12, '0')}`,
      type: draft.type,
      time: draft.time,
      recorded: new Date(Date.parse(draft.time) + 1_250).toISOString(),
      actor: draft.actor,
      subjects,
      prev: Object.fromEntries(
        subjects.flatMap((s) => (this.#heads.has(s) ? [[s, this.#heads.get(s)!]] : [])),
      ),
      data: draft.data,
    };
    const entry = { seq, leafHash: toBase64(leafHash(encodeEnvelope(envelope))), envelope };
    for (const s of subjects) this.#heads.set(s, { seq, hash: entry.leafHash });
    applyEvent(this.#state, envelope);
    this.#state.entries.set(envelope.id, { seq, type: envelope.type, subjects });
    this.entries.push(entry);
    return entry;
  }

  byId = (id: string) => this.entries.find((x) => x.envelope.id === id);
}

function a390Journey(): Journey {
  const j = new Journey();
  const producer = actor('producer', 'CLEON');
  const lots = { rotor: 'ROT-24-118', stator: 'STA-24-090', magnets: 'MAG-24-031', bearing: 'BRG-24-377' };
  for (const serial of [REAR_LEFT, REAR_RIGHT, FRONT]) {
    j.post({
      kind: 'produceMotor',
      actor: producer,
      serial,
      motorType: serial.slice(0, 3),
      line: 'L2',
      station: 'ST-40',
      shift: 'A',
      operator: 'OP-7731',
      workOrder: 'WO-2026-11-0042',
      lots,
    });
  }
  const measurements = { torqueNm: 412.5, backEmfV: 231.2, insulationMOhm: 850 };
  for (const serial of [REAR_LEFT, REAR_RIGHT, FRONT]) {
    j.post({
      kind: 'testMotor',
      actor: producer,
      serial,
      bench: 'EOL-3',
      specVersion: 'SPEC-4.2',
      verdict: 'PASS',
      measurements,
    });
  }
  j.post({
    kind: 'testMotor',
    actor: producer,
    serial: REAR_LEFT,
    bench: 'EOL-4',
    specVersion: 'SPEC-4.2',
    verdict: 'PASS',
    measurements: { ...measurements, torqueNm: 409.8, vibrationGrade: 'B' },
  });
  j.post({
    kind: 'loadShipment',
    actor: actor('logistics', 'CLEON'),
    shipmentId: 'SHP-20261123-01',
    asn: 'ASN-2026-1123-01',
    to: 'DIEPPE',
    racks: [
      { rack: 'R-0042', serials: [REAR_LEFT, REAR_RIGHT] },
      { rack: 'R-0043', serials: [FRONT] },
    ],
  });
  j.post({
    kind: 'departShipment',
    actor: actor('logistics', 'CLEON'),
    shipmentId: 'SHP-20261123-01',
    carrier: 'Transports Leroux',
    truck: 'GT-512-KX',
    seal: 'SEAL-99812',
  });
  j.post({
    kind: 'arriveShipment',
    actor: actor('logistics', 'DIEPPE'),
    shipmentId: 'SHP-20261123-01',
    dock: 'D3',
  });
  const intake = actor('intake', 'DIEPPE');
  for (const serial of [REAR_LEFT, REAR_RIGHT, FRONT, REAR_LEFT]) {
    j.post({
      kind: 'scanIntake',
      actor: intake,
      serial,
      shipmentId: 'SHP-20261123-01',
      dock: 'D3',
      scanner: 'HH-07',
    });
  }
  const assembly = actor('assembly', 'DIEPPE');
  const install = (serial: string, slot: string) =>
    j.post({
      kind: 'installMotor',
      actor: assembly,
      vin: VIN,
      model: 'A390',
      slot,
      serial,
      station: 'ASM-12',
    });
  install(REAR_LEFT, 'REAR_LEFT');
  install(REAR_RIGHT, 'REAR_RIGHT');
  install(FRONT, 'FRONT');
  j.post({ kind: 'removeMotor', actor: assembly, vin: VIN, serial: FRONT, reason: 'connector pin bent' });
  install(FRONT, 'FRONT');
  const quality = actor('quality', 'CLEON');
  j.post({
    kind: 'openIncident',
    actor: quality,
    incidentId: 'INC-7',
    title: 'EOL-3 torque drift',
    severity: 'MAJOR',
    suspectVins: [],
    suspectSerials: [REAR_LEFT],
  });
  j.post({
    kind: 'holdMotors',
    actor: quality,
    holdId: 'H-1',
    serials: [REAR_LEFT, REAR_RIGHT],
    reason: 'EOL-3 torque drift',
    incidentId: 'INC-7',
  });
  j.post({ kind: 'releaseHold', actor: quality, holdId: 'H-1', reason: 'retest on EOL-4 in spec' });
  j.post({ kind: 'shipVehicle', actor: assembly, vin: VIN });
  const [firstTest, retest] = j.entries.filter(
    (x) => x.envelope.type === 'motor.tested' && x.envelope.data.serial === REAR_LEFT,
  );
  j.post({
    kind: 'correct',
    actor: quality,
    targetId: firstTest!.envelope.id,
    correctiveIds: [retest!.envelope.id],
    reason: 'EOL-3 torque sensor out of calibration',
  });
  return j;
}

const journey = a390Journey();
const options: EpcisMapOptions = { timeZone: 'Europe/Paris', entryById: journey.byId };
const mapped = journey.entries.map((entry) => ({ entry, events: toEpcisEvents(entry, ns, options) }));
const events = mapped.flatMap((m) => m.events);
const eventsOf = (type: string) =>
  mapped.filter((m) => m.entry.envelope.type === type).flatMap((m) => m.events);
const one = (type: string) => {
  const [event] = eventsOf(type);
  expect(event, type).toBeDefined();
  return event!;
};

describe('the A390 journey in EPCIS 2.0', () => {
  it('maps each ledger event to the EPCIS event type, action, business step and disposition of the table, in order', () => {
    const VOC = `${BASE}voc/`;
    const summary = mapped.flatMap(({ entry, events }) =>
      events.map((e) => [entry.envelope.type, e.type, e.action, e.bizStep, e.disposition ?? '-'].join(' ')),
    );
    expect(summary).toEqual([
      ...Array(3).fill('motor.produced ObjectEvent ADD commissioning active'),
      ...Array(4).fill('motor.tested ObjectEvent OBSERVE inspecting conformant'),
      'shipment.loaded AggregationEvent ADD loading in_progress',
      'shipment.loaded AggregationEvent ADD loading in_progress',
      'shipment.departed ObjectEvent OBSERVE shipping in_transit',
      'shipment.arrived ObjectEvent OBSERVE arriving in_transit',
      ...Array(3).fill('motor.received ObjectEvent OBSERVE receiving in_progress'),
      `intake.rejected ObjectEvent OBSERVE receiving ${VOC}disp/quarantined`,
      ...Array(3).fill('motor.installed AssociationEvent ADD installing -'),
      'motor.removed AssociationEvent DELETE removing -',
      'motor.installed AssociationEvent ADD installing -',
      `motor.held ObjectEvent OBSERVE holding ${VOC}disp/quarantined`,
      `motor.released ObjectEvent OBSERVE ${VOC}bizstep/releasing -`,
      'vehicle.shipped ObjectEvent OBSERVE shipping in_transit',
      'correction ObjectEvent OBSERVE inspecting conformant', // the wrong test, restated
    ]);
    expect(eventsOf('incident.opened')).toEqual([]);
  });

  it('gives every event its business time, its zone offset, the recorded time, and the ledger seq and leaf hash', () => {
    for (const { entry, events } of mapped) {
      for (const e of events) {
        expect(e['ml:seq']).toBe(entry.seq);
        expect(e['ml:leafHash']).toBe(entry.leafHash);
        const restated = journey.entries[Number(e['ml:targetSeq'] ?? entry.seq)]!; // a correction restates its target
        expect(e.eventTime).toBe(restated.envelope.time);
        expect(e.recordTime).toBe(entry.envelope.recorded);
        expect(e.eventTimeZoneOffset).toBe('+01:00'); // Paris in November
      }
    }
    expect(toEpcisEvents(journey.entries[0]!, ns)[0]).toMatchObject({ eventTimeZoneOffset: '+00:00' });
  });

  it('identifies every event by its CBV 2.0 event hash, which a partner recomputes from the document', () => {
    const doc = toEpcisDocument(events, ns);
    const restated = eventsOf('correction');
    // The ledger's own members (its place in the log) are named by the document as fields the hash ignores,
    // as the reference generator reads them: a restated event hashes as the event it restates.
    expect(doc['ml:ignoreFields']).toEqual(['ml:seq', 'ml:leafHash', 'ml:targetSeq', 'ml:capturedBy']);
    const recomputed = listDocumentEvents(doc).map(({ event, context, options }) =>
      eventHashId(event, context, options),
    );
    for (const [i, e] of events.entries()) {
      expect(e.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
      expect(e.eventID).toBe(recomputed[i]);
    }
    const own = events.filter((e) => !restated.includes(e)).map((e) => e.eventID);
    expect(new Set(own).size).toBe(own.length);
    const first = journey.entries[0]!;
    expect(toEpcisEvents(first, ns, { eventId: false })[0]).not.toHaveProperty('eventID');
    expect(
      toEpcisEvents(first, ns, { eventId: () => 'urn:uuid:0196f3c2-0000-4000-8000-000000000000' })[0],
    ).toMatchObject({
      eventID: 'urn:uuid:0196f3c2-0000-4000-8000-000000000000',
    });
  });

  it('commissions a motor with its production data as ILMD, at its station, under its work order', () => {
    expect(one('motor.produced')).toMatchObject({
      epcList: [`${BASE}motor/${REAR_LEFT}`],
      readPoint: { id: `${BASE}site/CLEON/station/ST-40` },
      bizLocation: { id: `${BASE}site/CLEON` },
      bizTransactionList: [{ type: 'prodorder', bizTransaction: `${BASE}workorder/WO-2026-11-0042` }],
      ilmd: {
        'ml:motorType': '7DL',
        'ml:line': 'L2',
        'ml:station': 'ST-40',
        'ml:shift': 'A',
        'ml:lots': {
          'ml:rotor': 'ROT-24-118',
          'ml:stator': 'STA-24-090',
          'ml:magnets': 'MAG-24-031',
          'ml:bearing': 'BRG-24-377',
        },
      },
    });
    expect(JSON.stringify(events)).not.toContain('OP-7731'); // the operator's badge stays in the plant
  });

  it('reports each EOL measurement as a sensor report: GS1 types and units, plant types for the rest', () => {
    const retest = eventsOf('motor.tested')[3]!;
    expect(retest.readPoint).toEqual({ id: `${BASE}site/CLEON/bench/EOL-4` });
    expect(retest.sensorElementList).toEqual([
      {
        sensorMetadata: {
          time: retest.eventTime,
          deviceID: `${BASE}site/CLEON/bench/EOL-4`,
          bizRules: `${BASE}spec/SPEC-4.2`,
        },
        sensorReport: [
          { type: 'Torque', value: 409.8, uom: 'NU', 'ml:measurement': 'torqueNm' },
          { type: 'Voltage', value: 231.2, uom: 'VLT', 'ml:measurement': 'backEmfV' },
          { type: 'Resistance', value: 850, uom: 'B75', 'ml:measurement': 'insulationMOhm' },
          {
            type: `${BASE}voc/measurement/vibrationGrade`,
            stringValue: 'B',
            'ml:measurement': 'vibrationGrade',
          },
        ],
      },
    ]);
  });

  it('loads each rack as an aggregation under the ASN, the rack named by its SSCC where it has one', () => {
    const [r42, r43] = eventsOf('shipment.loaded');
    expect(r42).toMatchObject({
      parentID: `https://id.gs1.org/00/${SSCC_R42}`,
      childEPCs: [`${BASE}motor/${REAR_LEFT}`, `${BASE}motor/${REAR_RIGHT}`],
      bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}asn/ASN-2026-1123-01` }],
      sourceList: [
        { type: 'owning_party', source: `https://id.gs1.org/417/${PGLN_CLEON}` },
        { type: 'location', source: `${BASE}site/CLEON` },
      ],
      destinationList: [{ type: 'location', destination: `${BASE}site/DIEPPE` }],
      'ml:shipmentId': 'SHP-20261123-01',
    });
    expect(r43).toMatchObject({ parentID: `${BASE}rack/R-0043`, childEPCs: [`${BASE}motor/${FRONT}`] });
  });

  it('ships the motors in transit on the truck (no business location), and they arrive at the dock', () => {
    const departed = one('shipment.departed');
    expect(departed).toMatchObject({
      epcList: [FRONT, REAR_LEFT, REAR_RIGHT].map((s) => `${BASE}motor/${s}`),
      readPoint: { id: `${BASE}site/CLEON` },
      'ml:truck': `${BASE}truck/GT-512-KX`,
      'ml:carrier': 'Transports Leroux',
      'ml:seal': 'SEAL-99812',
    });
    expect(departed).not.toHaveProperty('bizLocation');
    expect(departed.destinationList).toEqual([{ type: 'location', destination: `${BASE}site/DIEPPE` }]);
    expect(one('shipment.arrived')).toMatchObject({
      readPoint: { id: `https://id.gs1.org/414/${GLN_DOCK_D3}` },
      destinationList: [{ type: 'location', destination: `${BASE}site/DIEPPE` }],
    });
  });

  it('receives at the dock, and a refused scan puts the motor in the plant disposition quarantined with its code', () => {
    expect(one('motor.received')).toMatchObject({
      epcList: [`${BASE}motor/${REAR_LEFT}`],
      readPoint: { id: `https://id.gs1.org/414/${GLN_DOCK_D3}` },
      bizLocation: { id: `${BASE}site/DIEPPE` },
      'ml:shipmentId': 'SHP-20261123-01',
      'ml:scanner': 'HH-07',
    });
    expect(one('intake.rejected')).toMatchObject({
      epcList: [`${BASE}motor/${REAR_LEFT}`],
      disposition: `${BASE}voc/disp/quarantined`,
      'ml:code': 'ALREADY_RECEIVED',
    });
  });

  it('installs and removes motors as associations with the VIN, and ships the VIN', () => {
    expect(one('motor.installed')).toMatchObject({
      parentID: `${BASE}vin/${VIN}`,
      childEPCs: [`${BASE}motor/${REAR_LEFT}`],
      readPoint: { id: `${BASE}site/DIEPPE/station/ASM-12` },
      'ml:slot': 'REAR_LEFT',
      'ml:model': 'A390',
    });
    expect(one('motor.removed')).toMatchObject({
      parentID: `${BASE}vin/${VIN}`,
      childEPCs: [`${BASE}motor/${FRONT}`],
      'ml:reason': 'connector pin bent',
    });
    expect(one('vehicle.shipped')).toMatchObject({ epcList: [`${BASE}vin/${VIN}`] });
  });

  it('sets the hold as a persistent disposition of the motors, and the release unsets it', () => {
    const onHold = `${BASE}voc/disp/on_hold`;
    const motors = [`${BASE}motor/${REAR_LEFT}`, `${BASE}motor/${REAR_RIGHT}`];
    expect(one('motor.held')).toMatchObject({
      epcList: motors,
      persistentDisposition: { set: [onHold] },
      'ml:holdId': 'H-1',
      'ml:incidentId': 'INC-7',
    });
    expect(one('motor.released')).toMatchObject({
      epcList: motors,
      persistentDisposition: { unset: [onHold] },
    });
  });

  it('declares a correction by restating the wrong event with its eventID, naming the corrective event', () => {
    const [declared] = eventsOf('correction');
    const tests = mapped.filter((m) => m.entry.envelope.type === 'motor.tested');
    const original = tests[0]!.events[0]!;
    const corrective = tests[3]!.events[0]!;
    const correction = mapped.find((m) => m.entry.envelope.type === 'correction')!.entry;
    const {
      errorDeclaration,
      recordTime,
      'ml:seq': seq,
      'ml:leafHash': leaf,
      'ml:targetSeq': targetSeq,
      ...same
    } = declared!;
    expect(same).toEqual(omit(original, 'recordTime', 'ml:seq', 'ml:leafHash'));
    expect(same.eventID).toBe(original.eventID);
    expect([recordTime, seq, leaf, targetSeq]).toEqual([
      correction.envelope.recorded,
      correction.seq,
      correction.leafHash,
      tests[0]!.entry.seq,
    ]);
    expect(errorDeclaration).toEqual({
      declarationTime: correction.envelope.time,
      reason: 'incorrect_data',
      correctiveEventIDs: [corrective.eventID],
      'ml:reason': 'EOL-3 torque sensor out of calibration',
      'ml:correctiveIds': [tests[3]!.entry.envelope.id],
    });
  });

  it('refuses a correction whose target it is not given, and a ledger type it has no rule for', () => {
    const correction = journey.entries.at(-1)!;
    expect(() => toEpcisEvents(correction, ns)).toThrow(/entryById/);
    const unknown = { ...correction, envelope: { ...correction.envelope, type: 'motor.teleported' } };
    expect(() => toEpcisEvents(unknown, ns)).toThrow(/motor.teleported has no EPCIS mapping/);
  });

  it('reads each event back to the ledger type it came from with the same table (the capture direction)', () => {
    for (const { entry, events } of mapped) {
      const type = entry.envelope.type === 'correction' ? 'motor.tested' : entry.envelope.type;
      for (const e of events) expect(ledgerTypesOf(e, ns), type).toEqual([type]);
    }
  });
});

describe('the mapping table', () => {
  it('has a rule for every event type the plant decides', () => {
    const source = readFileSync(join(ROOT, 'src/core/domain/decide.ts'), 'utf8');
    const decided = new Set([...source.matchAll(/draft\(\s*c,\s*'([a-z.]+)'/g)].map((m) => m[1]!));
    expect(decided.size).toBeGreaterThanOrEqual(16);
    for (const type of decided) expect(EPCIS_RULES, type).toHaveProperty([type]);
  });
});

describe('identifiers', () => {
  it('names every thing of the plant by a URI of its namespace, and reads it back', () => {
    const plain = epcisNamespace({ base: BASE });
    expect(motorUri(plain, REAR_LEFT)).toBe(`${BASE}motor/7DL-000101`);
    expect(vinUri(plain, VIN)).toBe(`${BASE}vin/${VIN}`);
    expect(siteUri(plain, 'DIEPPE')).toBe(`${BASE}site/DIEPPE`);
    expect(dockUri(plain, 'DIEPPE', 'D3')).toBe(`${BASE}site/DIEPPE/dock/D3`);
    for (const n of [plain, ns]) {
      expect(parseMotorUri(n, motorUri(n, REAR_LEFT))).toBe(REAR_LEFT);
      expect(parseVinUri(n, vinUri(n, VIN))).toBe(VIN);
      expect(parseRackUri(n, rackUri(n, 'R-0042'))).toBe('R-0042');
      expect(parseRackUri(n, rackUri(n, 'R 43/b'))).toBe('R 43/b');
      expect(parseTruckUri(n, truckUri(n, 'GT-512-KX'))).toBe('GT-512-KX');
      expect(parseSiteUri(n, siteUri(n, 'CLEON'))).toBe('CLEON');
      expect(parseDockUri(n, dockUri(n, 'DIEPPE', 'D3'))).toEqual({ site: 'DIEPPE', dock: 'D3' });
      expect(parseStationUri(n, stationUri(n, 'CLEON', 'ST-40'))).toEqual({
        site: 'CLEON',
        station: 'ST-40',
      });
    }
    expect(rackUri(plain, 'R 43/b')).toBe(`${BASE}rack/R%2043%2Fb`);
    expect(parseMotorUri(ns, vinUri(ns, VIN))).toBeNull();
    expect(parseIdUri(ns, 'https://id.gs1.org/00/106141411234567897')).toBeNull(); // an SSCC not ours
    expect(parseIdUri(ns, 'https://id.other-plant.example/motor/7DL-000101')).toBeNull();
    expect(parseIdUri(ns, `${BASE}motor/%E0%A4%A`)).toBeNull();
    expect(idUri(ns, 'workOrder', 'WO-1')).toBe(`${BASE}workorder/WO-1`);
  });

  it('refuses a namespace that is not a base URL, or a GS1 key with a wrong check digit', () => {
    expect(isGs1Key('4006381333931', 13)).toBe(true);
    expect(isGs1Key('106141411234567897', 18)).toBe(true);
    expect(() => epcisNamespace({ base: 'https://id.cleon-dieppe.example' })).toThrow(/ending with "\/"/);
    expect(() => epcisNamespace({ base: BASE, gs1: { gln: { DIEPPE: '3012345000018' } } })).toThrow(
      /GLN of DIEPPE \(3012345000018\)/,
    );
    expect(() => epcisNamespace({ base: BASE, gs1: { sscc: { R1: '12345' } } })).toThrow(/SSCC of R1/);
  });
});

describe('the EPCIS document', () => {
  let validate: (doc: unknown) => string[];
  beforeAll(() => {
    const validator = loadEpcisValidator();
    validate = (doc) => {
      const result = validator.validateDocument(doc);
      return result.valid ? [] : result.problems.map((p) => `${p.pointer} ${p.rule} ${p.message}`);
    };
  });

  it('names the GS1 context and the plant vocabulary, and validates against the GS1 JSON Schema', () => {
    const doc = toEpcisDocument(events, ns, { creationDate: '2026-11-24T10:00:00.000Z' });
    expect(doc).toMatchObject({
      '@context': [EPCIS_CONTEXT_URL, { ml: `${BASE}voc/` }],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-11-24T10:00:00.000Z',
    });
    expect(validate(doc)).toEqual([]);
    const plain = epcisNamespace({ base: BASE });
    const withoutKeys = journey.entries.flatMap((x) => toEpcisEvents(x, plain, { entryById: journey.byId }));
    expect(validate(toEpcisDocument(withoutKeys, plain))).toEqual([]);
  });

  it('is checked by a schema that refuses a broken event', () => {
    const broken = events.map((e, i) => (i === 0 ? { ...e, action: 'COMMISSION' } : e));
    expect(validate(toEpcisDocument(broken, ns)).join('\n')).toMatch(/action/);
  });
});

function omit(o: EpcisEvent, ...keys: string[]): EpcisEvent {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}
