// Requests generated from the served OpenAPI description, for property-based tests: every write route, its
// path parameters and its body, mostly shaped like the schema (so the domain rules run, not just the
// validator) and sometimes hostile (wrong types, lone surrogates, U+0000, 1e400, -0, integers past 2^53,
// unknown members, hostile path segments). Bodies are sent as text so the hostile numbers reach the server
// as written.
import fc from 'fast-check';

/** A number token sent as written, e.g. 1e400 or -0, which JSON.stringify cannot produce. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a generated value, with RawNumber tokens verbatim. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Schema = Record<string, unknown>;
export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface WriteRoute {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** OpenAPI path template, e.g. /v1/motors/{serial}/tests. */
  path: string;
  params: Record<string, Schema>;
  body: Schema | undefined;
}

/** Every GET operation of the description, with its path and query parameters. */
export function readRoutes(spec: OpenApi): (WriteRoute & { query: Record<string, Schema> })[] {
  const routes: (WriteRoute & { query: Record<string, Schema> })[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    const op = ops.get;
    if (!op) continue;
    const of = (where: string) =>
      Object.fromEntries(
        (op.parameters ?? []).filter((p) => p.in === where).map((p) => [p.name, p.schema ?? {}]),
      );
    routes.push({ method: 'GET' as never, path, params: of('path'), query: of('query'), body: undefined });
  }
  return routes;
}

/** A query string for the parameters: each present or not, shaped like its schema or hostile. */
export function queryFor(
  query: Record<string, Schema>,
  spec: OpenApi,
  known: readonly string[],
): fc.Arbitrary<string> {
  const names = Object.keys(query);
  const value = (name: string) => {
    const schema = resolve(query[name], spec);
    const shaped =
      schema.type === 'integer' || schema.type === 'number'
        ? (shapedFor(schema, spec, known, 0) as fc.Arbitrary<number>).map(String)
        : schema.type === 'string' && !schema.enum
          ? stringFor(schema, known)
          : (shapedFor(schema, spec, known, 0) as fc.Arbitrary<unknown>).map(String);
    return fc.option(
      fc.oneof(
        { weight: 6, arbitrary: shaped.map(safeEncode) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS, '1e400', '', '0x10', '-1') },
      ),
      { freq: 3 },
    );
  };
  return fc.tuple(...names.map(value)).map((values) =>
    names
      .map((n, i) => (values[i] === null ? '' : `${n}=${values[i]}`))
      .filter(Boolean)
      .join('&'),
  );
}

/** Every operation of the description that can write: POST, PATCH, PUT and DELETE. */
export function writeRoutes(spec: OpenApi): WriteRoute[] {
  const routes: WriteRoute[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      if (m !== 'POST' && m !== 'PATCH' && m !== 'PUT' && m !== 'DELETE') continue;
      const params = Object.fromEntries(
        (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p.schema ?? {}]),
      );
      routes.push({ method: m, path, params, body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return routes;
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  'Suspect \ud800 lot',
  '\udc00',
  'a\u0000b',
  '\u0000',
  '🚗 Cléon → Dieppe',
  "'; DROP TABLE ledger_entry; --",
  '../../etc/passwd',
  'x'.repeat(5000),
  '1e400',
  'null',
  '\u2028\u2029',
];
const HOSTILE_NUMBERS = [
  '1e400',
  '-1e400',
  '9007199254740993',
  '-9007199254740993',
  '99999999999999999999',
  '-0',
  '0.1',
  '1e-400',
  '2147483648',
  '-1',
  '1.5',
].map((t) => new RawNumber(t));

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...HOSTILE_STRINGS, ...HOSTILE_NUMBERS, null, true, false, [], {}, ['PASS']),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/**
 * Arbitrary values for a schema: three in four shaped like the schema (so they reach the domain rules), the
 * rest the same with one hostile change: a value replaced by a hostile one, or a member the schema does not
 * know.
 */
export function valueFor(
  schema: Schema | undefined,
  spec: OpenApi,
  known: readonly string[],
): fc.Arbitrary<unknown> {
  const shaped = shapedFor(schema, spec, known, 0);
  const mutated = fc
    .tuple(shaped, fc.nat(), hostileLeaf, fc.boolean())
    .map(([value, at, hostile, asMember]) => mutate(value, at, hostile, asMember));
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: mutated });
}

/** The value with its `at`-th node (in a walk of the tree) replaced by `hostile`, or given it as a new member. */
function mutate(value: unknown, at: number, hostile: unknown, asMember: boolean): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[] | undefined; key: string | number }[] = [];
  const walk = (v: unknown, parent: (typeof nodes)[number]['parent'], key: string | number) => {
    nodes.push({ parent, key });
    if (v !== null && typeof v === 'object' && !(v instanceof RawNumber)) {
      for (const [k, child] of Object.entries(v))
        walk(child, v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k);
    }
  };
  const copy = structuredClone(value);
  walk(copy, undefined, '');
  const node = nodes[at % nodes.length]!;
  if (node.parent === undefined)
    return asMember && isObject(copy) ? { ...copy, unexpected: hostile } : hostile;
  const target = (node.parent as Record<string | number, unknown>)[node.key];
  if (asMember && isObject(target)) (target as Record<string, unknown>).unexpected = hostile;
  else (node.parent as Record<string | number, unknown>)[node.key] = hostile;
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RawNumber);

function resolve(schema: Schema | undefined, spec: OpenApi): Schema {
  let s = schema ?? {};
  while (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = spec.components?.schemas?.[name] ?? {};
  }
  return s;
}

function shapedFor(
  raw: Schema | undefined,
  spec: OpenApi,
  known: readonly string[],
  depth: number,
): fc.Arbitrary<unknown> {
  const schema = resolve(raw, spec);
  const sub = (s: unknown) => shapedFor(s as Schema, spec, known, depth + 1);
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return fc.oneof(...variants.map(sub));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sub(v)]));
      const record = fc.record(model, { requiredKeys: required.filter((k) => k in props) });
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object' && Object.keys(props).length === 0) {
        const key = fc.oneof(
          { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z]{1,12}$/) },
          { weight: 1, arbitrary: fc.constantFrom('a\ud800', '\u0000', '', 'x'.repeat(100)) },
        );
        return fc.dictionary(key, sub(extra), { maxKeys: depth > 2 ? 1 : 5 });
      }
      return record;
    }
    case 'array': {
      const max = Math.min(Number(schema.maxItems ?? 4), depth > 1 ? 2 : 4);
      return fc.array(sub(schema.items), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.max(max, 1),
      });
    }
    case 'string':
      return stringFor(schema, known);
    case 'integer': {
      const min = Math.max(Number(schema.minimum ?? -1000), -1e6);
      const max = Math.min(Number(schema.maximum ?? 1e6), 1e6);
      return fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) });
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 });
    case 'boolean':
      return fc.boolean();
    default:
      return hostileLeaf;
  }
}

function stringFor(schema: Schema, known: readonly string[]): fc.Arbitrary<string> {
  const choices: { weight: number; arbitrary: fc.Arbitrary<string> }[] = [];
  if (schema.format === 'uuid') {
    choices.push({ weight: 4, arbitrary: fc.uuid() });
  } else if (typeof schema.pattern === 'string' && schema.format !== 'date-time') {
    choices.push({ weight: 4, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) });
  } else if (schema.format === 'date-time') {
    choices.push({
      weight: 4,
      arbitrary: fc
        .date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') })
        .map((d) => d.toISOString()),
    });
  } else {
    const maxLength = Math.min(Number(schema.maxLength ?? 60), 60);
    choices.push({
      weight: 4,
      arbitrary: fc.string({ maxLength, minLength: Number(schema.minLength ?? 0) }),
    });
  }
  const examples = [schema.example, ...((schema.examples as unknown[]) ?? [])].filter(
    (e): e is string => typeof e === 'string',
  );
  if (examples.length > 0) choices.push({ weight: 2, arbitrary: fc.constantFrom(...examples) });
  // Ids of the seeded plant, where the schema admits them: the request then names a real motor, shipment…
  const fits =
    typeof schema.format === 'string'
      ? []
      : typeof schema.pattern === 'string'
        ? known.filter((k) => new RegExp(schema.pattern as string).test(k))
        : known;
  if (fits.length > 0) choices.push({ weight: 4, arbitrary: fc.constantFrom(...fits) });
  return fc.oneof(...choices);
}

const HOSTILE_SEGMENTS = [
  '%ED%A0%80',
  '%00',
  'Infinity',
  '99999999999999999999',
  '..',
  '%E0%A4%A',
  'a%2Fb',
  '-0',
];

/** A path for the route: each parameter shaped like its schema, or a hostile segment (sent as is). */
export function pathFor(route: WriteRoute, spec: OpenApi, known: readonly string[]): fc.Arbitrary<string> {
  const names = Object.keys(route.params);
  const segment = (name: string) =>
    fc.oneof(
      { weight: 10, arbitrary: stringFor(resolve(route.params[name], spec), known).map(safeEncode) },
      { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    );
  return fc
    .tuple(...names.map(segment))
    .map((values) => names.reduce((p, name, i) => p.replace(`{${name}}`, values[i]!), route.path));
}

// encodeURIComponent throws on a lone surrogate; such a segment is sent as the bytes of U+FFFD instead.
function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%EF%BF%BD';
  }
}
