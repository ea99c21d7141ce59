// What a partner's EPCIS event means to the ledger, as the pure reading decides it: the plant's motors arriving at
// a plant dock (in any of CBV's spellings of the step), a step only the plant records, anything else kept as sent;
// and the idempotency key made from the event hash.
import { describe, expect, it } from 'vitest';
import { captureKey, eventSubject, ownContext, readCapturedEvent } from '../../src/core/epcis/capture.js';
import { dockUri, epcisNamespace, motorUri, rackUri, stationUri, vinUri } from '../../src/core/epcis/ids.js';

const ns = epcisNamespace({ base: 'https://id.cleon-dieppe.example/' });
const HASH = `ni:///sha-256;${'ab'.repeat(32)}?ver=CBV2.0`;

const arriving = (over: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-24T09:30:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  action: 'OBSERVE',
  bizStep: 'arriving',
  epcList: [motorUri(ns, '7DL-000123'), motorUri(ns, '7DL-000124')],
  readPoint: { id: dockUri(ns, 'DIEPPE', 'D3') },
  ...over,
});

describe('readCapturedEvent', () => {
  it('reads the plant’s motors arriving at a plant dock as the arrival, whichever CBV spelling of the step', () => {
    for (const bizStep of [
      'arriving',
      'urn:epcglobal:cbv:bizstep:arriving',
      'https://ref.gs1.org/cbv/BizStep-arriving',
    ]) {
      expect(readCapturedEvent(arriving({ bizStep }), ns)).toEqual({
        kind: 'arrival',
        serials: ['7DL-000123', '7DL-000124'],
        site: 'DIEPPE',
        dock: 'D3',
      });
    }
    expect(readCapturedEvent(arriving({ 'ml:shipmentId': 'SHP-1' }), ns)).toMatchObject({
      shipmentId: 'SHP-1',
    });
  });

  it('refuses an arrival without a plant dock, and the steps only the plant records about its motors and VINs', () => {
    expect(
      readCapturedEvent(arriving({ readPoint: { id: stationUri(ns, 'DIEPPE', 'MAR-01') } }), ns),
    ).toMatchObject({
      kind: 'refuse',
      code: 'EPCIS_ARRIVAL_DOCK',
    });
    for (const over of [
      { bizStep: 'commissioning', action: 'ADD' },
      { bizStep: 'urn:epcglobal:cbv:bizstep:receiving' },
      { bizStep: 'shipping' },
      {
        type: 'AssociationEvent',
        bizStep: 'installing',
        parentID: vinUri(ns, 'VF1A390E000000001'),
        epcList: undefined,
        childEPCs: [motorUri(ns, '7DL-1')],
      },
      { epcList: [vinUri(ns, 'VF1A390E000000001')] },
      { errorDeclaration: { declarationTime: '2026-11-25T00:00:00Z' } },
    ]) {
      expect(readCapturedEvent(arriving(over), ns), JSON.stringify(over)).toMatchObject({
        kind: 'refuse',
        code: 'EPCIS_PLANT_STEP',
      });
    }
  });

  it('reads a step as the hash does: a cbv: CURIE is the step, and a plant disposition or a persistent one is refused', () => {
    const gs1 = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
    expect(readCapturedEvent(arriving({ bizStep: 'cbv:BizStep-commissioning' }), ns, gs1)).toMatchObject({
      kind: 'refuse',
      code: 'EPCIS_PLANT_STEP',
    });
    const own = [{ x: 'https://ref.gs1.org/cbv/' }];
    expect(readCapturedEvent(arriving({ bizStep: 'x:BizStep-loading' }), ns, own)).toMatchObject({
      code: 'EPCIS_PLANT_STEP',
    });
    expect(readCapturedEvent(arriving({ bizStep: 'cbv:BizStep-arriving' }), ns, gs1)).toMatchObject({
      kind: 'arrival',
    });
    for (const over of [
      { bizStep: 'transporting', persistentDisposition: { set: ['https://ref.gs1.org/cbv/Disp-damaged'] } },
      { bizStep: 'transporting', disposition: `${ns.vocab}disp/on_hold` },
      { bizStep: undefined, disposition: `${ns.vocab}disp/quarantined` },
    ]) {
      expect(readCapturedEvent(arriving(over), ns), JSON.stringify(over)).toMatchObject({
        code: 'EPCIS_PLANT_STEP',
      });
    }
    expect(
      readCapturedEvent(arriving({ bizStep: 'transporting', disposition: 'in_transit' }), ns),
    ).toMatchObject({
      kind: 'record',
    });
  });

  it('names no subject for an id no motor can have, and refuses an event naming too many of the plant’s', () => {
    expect(
      readCapturedEvent(arriving({ bizStep: 'transporting', epcList: [`${ns.base}motor/A%00B`] }), ns),
    ).toEqual({
      kind: 'record',
      subjects: [],
    });
    const many = Array.from({ length: 501 }, (_, i) => motorUri(ns, `7DL-${i}`));
    expect(readCapturedEvent(arriving({ bizStep: 'transporting', epcList: many }), ns)).toMatchObject({
      code: 'EPCIS_TOO_MANY_IDS',
    });
  });

  it('keeps anything else as sent, about the plant’s motors and VINs it names', () => {
    expect(readCapturedEvent(arriving({ epcList: ['urn:epc:id:sgtin:0614141.107346.2018'] }), ns)).toEqual({
      kind: 'record',
      subjects: [],
    });
    const transporting = arriving({ bizStep: 'transporting', epcList: [motorUri(ns, '7DL-9')] });
    expect(readCapturedEvent(transporting, ns)).toEqual({ kind: 'record', subjects: ['motor:7DL-9'] });
    const noStep = arriving({
      bizStep: undefined,
      epcList: [motorUri(ns, '7DL-9'), vinUri(ns, 'VF1A390E000000001')],
    });
    expect(readCapturedEvent(noStep, ns)).toEqual({
      kind: 'record',
      subjects: ['motor:7DL-9', 'vehicle:VF1A390E000000001'],
    });
    // A rack is the plant's but no subject: an observation of it is a record.
    expect(readCapturedEvent(arriving({ epcList: [rackUri(ns, 'RK-1')] }), ns)).toEqual({
      kind: 'record',
      subjects: [],
    });
  });
});

describe('captureKey', () => {
  it('is a version 8 UUID made from the hash: the same for the same event, another for its error declaration', () => {
    const key = captureKey(HASH, false);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(captureKey(HASH, false)).toBe(key);
    expect(captureKey(HASH, true)).not.toBe(key);
    expect(captureKey(HASH.replace('ab', 'ac'), false)).not.toBe(key);
  });

  it('names the event’s subject by its hash, and keeps only a document’s own context entries', () => {
    expect(eventSubject(HASH)).toBe(`epcis:${'ab'.repeat(32)}`);
    const gs1 = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
    expect(ownContext([gs1, { ex: 'https://ex.com/' }])).toEqual([{ ex: 'https://ex.com/' }]);
    expect(ownContext(gs1)).toBeUndefined();
  });
});
