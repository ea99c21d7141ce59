// The request-body rules of src/http/input.ts on their own: the exactness rule and the duplicate-member scan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInexact, firstDuplicateMember } from '../../src/http/input.js';

describe('firstDuplicateMember', () => {
  it.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"a":{"b":1,"c":{"d":[1,{"e":1,"e":2}]}}}', '/a/c/d/1/e'],
    ['{"a":1,"\\u0061":2}', '/a'],
    ['[{"x":1},{"x":2},{"y":1,"y":1}]', '/2/y'],
    ['{"a/b":1,"a/b":1}', '/a~1b'],
  ])('finds %s at %s', (text, at) => {
    expect(firstDuplicateMember(text)).toBe(at);
  });

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":1}]',
    '{"s":"a\\",\\"a\\":{","a":"}[,"}',
    '"just a string"',
    '{"a":"\\\\","b":"\\\\\\""}',
  ])('finds none in %s', (text) => {
    expect(firstDuplicateMember(text)).toBeUndefined();
  });

  it('scans in linear time: a batch of 5,000 scans takes milliseconds', () => {
    const scan = { serial: '7DL-000123', shipmentId: 'SHP-20261123-01', dock: 'D3', scanner: 'HH-17' };
    const batch = JSON.stringify({ scans: Array.from({ length: 5000 }, () => scan) });
    const started = performance.now();
    expect(firstDuplicateMember(batch)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('agrees with JSON.parse on random JSON: no duplicate where none can be', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(firstDuplicateMember(JSON.stringify(value))).toBeUndefined();
      }),
    );
  });
});

describe('findInexact', () => {
  it.each([
    [{ a: 'x\u0000' }, '/a'],
    [{ a: ['ok', '\ud800'] }, '/a/1'],
    [{ '\udc00': 1 }, '/\udc00'],
    [{ n: -0 }, '/n'],
    [{ n: Number.POSITIVE_INFINITY }, '/n'],
    [{ n: 2 ** 53 }, '/n'],
    [{ n: 1e300 }, '/n'], // an integer too, as far as a double can tell: send it as a string
    [-(2 ** 53), ''],
  ])('refuses %j at %s', (value, path) => {
    expect(findInexact(value)?.path).toBe(path);
  });

  it('keeps what JSON can carry exactly', () => {
    expect(
      findInexact({
        a: 'Cléon → Dieppe 🚗',
        n: 2 ** 53 - 1,
        m: -(2 ** 53 - 1),
        x: 0.1,
        y: 5e12,
        z: 0,
        w: 1.5e-300,
      }),
    ).toBeUndefined();
  });

  it('walks a deep value without exhausting the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findInexact(deep)?.reason).toMatch(/U\+0000/);
  });
});
