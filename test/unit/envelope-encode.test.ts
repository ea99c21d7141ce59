// encodeEnvelope writes the fixed fields directly: on envelopes of every odd shape it must still produce
// exactly canonicalJson of the whole envelope, or the refusal the field-by-field encoder it replaced gave
// (`reference` below: canonicalJson of each field, so paths are relative to the field, as they always were).
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalJson } from '../../src/core/canonical.js';
import { utf8Decode } from '../../src/core/encoding.js';
import { type Envelope, encodeEnvelope, envelopeJson } from '../../src/core/envelope.js';

const base = (): Envelope => ({
  v: 1,
  seq: 41,
  id: '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a',
  type: 'motor.tested',
  time: '2026-11-23T06:15:00.250Z',
  recorded: '2026-11-23T06:15:01.002Z',
  actor: { sub: 'badge-4711', role: 'producer', site: 'CLEON' },
  subjects: ['motor:7DL-000001', 'shipment:SHP-20261123-01'],
  prev: {
    'shipment:SHP-20261123-01': { seq: 3, hash: 'AAAA' },
    'motor:7DL-000001': { seq: 40, hash: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=' },
  },
  data: { verdict: 'PASS', t: 1.5 },
});

function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(CanonicalizationError);
    return `error: ${(e as Error).message}`;
  }
}

const odd: [string, (e: Envelope) => void][] = [
  ['as built', () => {}],
  ['seq 0', (e) => (e.seq = 0)],
  ['seq -0', (e) => (e.seq = -0)],
  ['seq 1.5', (e) => (e.seq = 1.5)],
  ['seq NaN', (e) => (e.seq = Number.NaN)],
  ['seq 2^60', (e) => (e.seq = 2 ** 60)],
  ['v as string', (e) => ((e as unknown as { v: string }).v = '1')],
  ['actor with a fourth member', (e) => ((e.actor as unknown as Record<string, string>).extra = 'x')],
  ['actor missing a member', (e) => delete (e.actor as Partial<Envelope['actor']>).site],
  ['actor member not a string', (e) => ((e.actor as unknown as { sub: number }).sub = 5)],
  ['actor with a lone surrogate', (e) => (e.actor.sub = 'a\ud800')],
  ['actor with escapes', (e) => (e.actor.sub = 'quote " back \\ tab \t é 😀')],
  ['actor as a class instance', (e) => (e.actor = Object.assign(new (class A {})(), e.actor))],
  ['actor with a null prototype', (e) => (e.actor = Object.assign(Object.create(null), e.actor))],
  ['empty subjects', (e) => (e.subjects = [])],
  ['subject not a string', (e) => ((e.subjects as unknown[])[1] = 7)],
  ['subject undefined', (e) => ((e.subjects as unknown[])[1] = undefined)],
  ['subject with a lone surrogate', (e) => (e.subjects[0] = '\udc00')],
  ['empty prev', (e) => (e.prev = {})],
  ['prev link with an extra member', (e) => ((e.prev['motor:7DL-000001'] as unknown as { x: number }).x = 1)],
  ['prev link seq -0', (e) => (e.prev['motor:7DL-000001']!.seq = -0)],
  [
    'prev link hash not a string',
    (e) => ((e.prev['motor:7DL-000001'] as unknown as { hash: number }).hash = 1),
  ],
  ['prev link null', (e) => ((e.prev as unknown as Record<string, null>)['motor:7DL-000001'] = null)],
  ['prev key that needs escaping', (e) => (e.prev['a"b\u0001'] = { seq: 1, hash: 'x' })],
  ['data with -0', (e) => (e.data = { a: [1, -0] })],
  ['time with a lone surrogate', (e) => (e.time = '\ud800')],
  ['id not a string', (e) => ((e as unknown as { id: number }).id = 12)],
];

function reference(envelope: Envelope): string {
  const c = canonicalJson;
  const data = c(envelope.data, 'data');
  return (
    `{"actor":${c(envelope.actor)},"data":${data},"id":${c(envelope.id)},"prev":${c(envelope.prev)},` +
    `"recorded":${c(envelope.recorded)},"seq":${c(envelope.seq)},"subjects":${c(envelope.subjects)},` +
    `"time":${c(envelope.time)},"type":${c(envelope.type)},"v":${c(envelope.v)}}`
  );
}

describe('encodeEnvelope fast paths', () => {
  it.each(odd)('%s: same text or same refusal as before', (_name, change) => {
    const e = base();
    change(e);
    const want = outcome(() => reference(e));
    if (!want.startsWith('error:')) expect(want).toBe(canonicalJson(e));
    expect(outcome(() => envelopeJson(e))).toBe(want);
    expect(outcome(() => utf8Decode(encodeEnvelope(e)))).toBe(want);
  });
});
