import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical.js';
import { type Envelope, encodeEnvelope, normalizeSubjects, validateDraft } from '../../src/core/envelope.js';
import { aMotorEvent } from '../support/builders.js';

const envelope = (over: Partial<Envelope> = {}): Envelope => ({
  v: 1,
  seq: 41,
  id: '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a',
  type: 'motor.tested',
  time: '2026-11-23T06:15:00.250Z',
  recorded: '2026-11-23T06:15:01.002Z',
  actor: { sub: 'badge-4711', role: 'producer', site: 'CLEON' },
  subjects: ['motor:7DL-000001', 'shipment:SHP-20261123-01'],
  prev: { 'motor:7DL-000001': { seq: 40, hash: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=' } },
  data: {
    bench: 'EOL-3',
    verdict: 'PASS',
    measurements: { torqueNm: 412.5, resistanceMilliOhm: 12, notes: 'é€😀 "quoted"\n' },
  },
  ...over,
});

describe('encodeEnvelope', () => {
  it('is byte for byte the RFC 8785 form of the whole envelope', () => {
    for (const e of [
      envelope(),
      envelope({ prev: {} }),
      envelope({ data: {} }),
      envelope({ seq: 0, data: { a: [1e21, 1e-7, -5, true, null] } }),
    ]) {
      expect(Buffer.from(encodeEnvelope(e)).toString()).toBe(Buffer.from(canonicalBytes(e)).toString());
    }
  });

  it('refuses a payload that has no exact canonical form', () => {
    expect(() => encodeEnvelope(envelope({ data: { torque: Number.NaN } }))).toThrow(/data.torque/);
  });
});

describe('validateDraft', () => {
  it('accepts a realistic draft', () => {
    expect(() => validateDraft(aMotorEvent().build())).not.toThrow();
  });

  it.each([
    ['a type not of the form a.b', aMotorEvent().ofType('Motor Produced').build(), /type/],
    ['a local time without zone', aMotorEvent().at('2026-11-23T06:15:00').build(), /RFC 3339/],
    ['an impossible date', aMotorEvent().at('2026-13-45T06:15:00Z').build(), /RFC 3339/],
    ['no subject', aMotorEvent().withSubjects().build(), /at least one subject/],
    ['an unknown subject kind', aMotorEvent().withSubjects('pallet:1').build(), /kind one of/],
  ])('refuses %s', (_name, draft, message) => {
    expect(() => validateDraft(draft)).toThrow(message);
  });

  it('sorts and de-duplicates subjects', () => {
    expect(normalizeSubjects(['vehicle:VF1AAAAA123456789', 'motor:B', 'motor:A', 'motor:B'])).toEqual([
      'motor:A',
      'motor:B',
      'vehicle:VF1AAAAA123456789',
    ]);
  });
});
