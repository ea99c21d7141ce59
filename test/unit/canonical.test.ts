// Tests of src/core/canonical.ts: the RFC 8785 examples (§3.2.2-§3.2.4, Appendix B) and the values it refuses.
import { describe, expect, it } from 'vitest';
import {
  CanonicalizationError,
  canonicalBytes,
  canonicalJson,
  isCanonical,
} from '../../src/core/canonical.js';
import { fromHex, toHex, utf8Encode } from '../../src/core/encoding.js';

function refusal(value: unknown): CanonicalizationError {
  try {
    canonicalJson(value);
  } catch (e) {
    expect(e).toBeInstanceOf(CanonicalizationError);
    return e as CanonicalizationError;
  }
  throw new Error('expected a CanonicalizationError');
}

function fromIeee754(hex: string): number {
  return new DataView(fromHex(hex).buffer).getFloat64(0);
}

describe('RFC 8785 examples', () => {
  // §3.2.2 input, kept as JSON text so its escapes and number spellings reach the parser untouched.
  const SAMPLE = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  const SAMPLE_CANONICAL = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

  it('canonicalizes the §3.2.2 sample', () => {
    expect(canonicalJson(JSON.parse(SAMPLE))).toBe(SAMPLE_CANONICAL);
  });

  it('produces the §3.2.4 UTF-8 bytes', () => {
    const rfcHex = `
      7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
      75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
      5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
      65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
      5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
      30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`.replace(/\s+/g, '');
    expect(toHex(canonicalBytes(JSON.parse(SAMPLE)))).toBe(rfcHex);
  });

  it('sorts members by UTF-16 code units (§3.2.3)', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const want =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(canonicalJson(JSON.parse(input))).toBe(want);
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 2 }], a: { y: null, x: 'é' } })).toBe(
      '{"a":{"x":"é","y":null},"b":[3,{"a":2,"z":1}]}',
    );
  });

  // Appendix B: IEEE 754 bit patterns and their serialization.
  it.each([
    ['0000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B %s -> %s', (hex, want) => {
    const n = fromIeee754(hex);
    expect(canonicalJson(n)).toBe(want);
    expect(canonicalJson({ n })).toBe(`{"n":${want}}`);
  });

  it.each([
    ['8000000000000000', '-0'],
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
  ])('Appendix B %s (%s) is refused', (hex) => {
    expect(refusal(fromIeee754(hex)).code).toBe('NOT_CANONICALIZABLE');
  });

  it.each([
    [0, '0'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [9007199254740992, '9007199254740992'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [333333333.3333333, '333333333.3333333'],
    [-1.5, '-1.5'],
  ])('number %d -> %s', (n, want) => {
    expect(canonicalJson(n)).toBe(want);
  });
});

describe('refusals name the JSON path', () => {
  it.each([
    ['-0', { data: { measurements: [1, 2, -0] } }, 'data.measurements[2]', /-0/],
    ['NaN', { data: { measurements: [Number.NaN] } }, 'data.measurements[0]', /NaN/],
    ['Infinity', { data: { t: Number.POSITIVE_INFINITY } }, 'data.t', /Infinity/],
    ['-Infinity', { t: [Number.NEGATIVE_INFINITY] }, 't[0]', /-Infinity/],
    ['undefined member', { data: { a: undefined } }, 'data.a', /undefined/],
    ['undefined element', { a: [1, undefined] }, 'a[1]', /undefined/],
    ['array hole', { a: Object.assign(new Array<number>(3), { 0: 1, 2: 3 }) }, 'a[1]', /undefined/],
    ['bigint', { big: 1n }, 'big', /bigint/],
    ['function', { f: () => 1 }, 'f', /function/],
    ['toJSON', { d: { toJSON: () => 'x' } }, 'd.toJSON', /function/],
    ['symbol', { s: Symbol('s') }, 's', /symbol/],
    ['Date', { data: { at: new Date(0) } }, 'data.at', /Date is not a plain object/],
    ['Map', { m: new Map() }, 'm', /Map is not a plain object/],
    ['class instance', { x: new (class Reading {})() }, 'x', /Reading is not a plain object/],
    ['custom prototype', { x: Object.create({ a: 1 }) }, 'x', /custom prototype/],
    ['typed array', { x: new Uint8Array(2) }, 'x', /Uint8Array/],
    ['lone surrogate', { data: { name: 'a\ud800b' } }, 'data.name', /lone surrogate/],
    ['lone low surrogate', ['\udc00'], '[0]', /lone surrogate/],
    ['lone surrogate key', { data: { 'k\ud83d': 1 } }, 'data["k\\ud83d"]', /lone surrogate/],
    ['odd key', { 'a b': { 'c-d': Number.NaN } }, '["a b"]["c-d"]', /NaN/],
    ['symbol key', { [Symbol('k')]: 1 }, 'the value', /symbol-keyed/],
  ])('%s', (_name, value, path, reason) => {
    const e = refusal(value);
    expect(e.code).toBe('NOT_CANONICALIZABLE');
    expect(e.message).toContain(`Cannot canonicalize ${path}:`);
    expect(e.message).toMatch(reason);
  });

  it('refuses a bare undefined and circular references, and accepts shared ones', () => {
    expect(refusal(undefined).message).toContain('the value');
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    expect(refusal(loop).message).toContain('self.back');
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"v":1},"b":[{"v":1}]}');
  });

  it('accepts null-prototype objects and well-formed surrogate pairs', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = '😀';
    o.a = '\ud83d\ude00';
    expect(canonicalJson(o)).toBe('{"a":"😀","b":"😀"}');
    expect(canonicalBytes(o)).toEqual(utf8Encode('{"a":"😀","b":"😀"}'));
  });
});

describe('isCanonical', () => {
  it.each(['{}', '[]', '"x"', '1e+21', '{"a":1,"b":[true,null]}', '{"\\r":"€","é":"\\u001f"}', 'null'])(
    'accepts %s',
    (text) => {
      expect(isCanonical(utf8Encode(text))).toBe(true);
    },
  );

  it.each([
    '{"b":1,"a":2}',
    '{"a": 1}',
    '{"a":1}\n',
    '1.0',
    '1E30',
    '-0',
    '1e400',
    '{"a":1,"a":1}',
    '"\\u00e9"',
    '"\\u001F"',
    '"\\/"',
    '',
    'NaN',
    '\ufeff{}',
  ])('refuses %j', (text) => {
    expect(isCanonical(utf8Encode(text))).toBe(false);
  });

  it('refuses invalid UTF-8', () => {
    expect(isCanonical(new Uint8Array([0x22, 0xff, 0x22]))).toBe(false);
    expect(isCanonical(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBe(false);
  });
});
