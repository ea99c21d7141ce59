// The schema gate of EPCIS 2.0: an EPCISDocument (captured from a partner, or exported by us) and a single event
// checked against the official GS1 JSON Schema shipped in schemas/epcis/. Owns the compiled validators (built
// once per process) and the translation of ajv's errors into problems a partner can act on: the JSON pointer,
// the rule that failed, and one sentence naming the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from '../core/errors.js';

/** One way a document breaks the GS1 schema: where (JSON pointer), which rule (ajv keyword), and ajv's words. */
export interface EpcisSchemaProblem {
  pointer: string;
  rule: string;
  message: string;
}

/** The verdict of the schema: valid, or the problems (at most MAX_PROBLEMS, by pointer) and one sentence. */
export type EpcisSchemaResult = { valid: true } | EpcisSchemaFailure;

/** A refusal: `summary` is one sentence naming the field to fix; `problemCount` counts beyond the listed ones. */
export interface EpcisSchemaFailure {
  valid: false;
  summary: string;
  problems: EpcisSchemaProblem[];
  problemCount: number;
}

export interface EpcisValidator {
  /** An EPCISDocument or EPCISQueryDocument, as captured or exported. */
  validateDocument(doc: unknown): EpcisSchemaResult;
  /** One event as it appears in a document's eventList (its own `@context` is allowed, not required). */
  validateEvent(event: unknown): EpcisSchemaResult;
}

/** Problems listed in a result (the summary sentence speaks of the most useful one). */
export const MAX_PROBLEMS = 20;

const ROOT_ID = 'https://gs1.github.io/EPCIS/JSON-Schema/EPCIS-JSON-Schema.json';
const EVENT_REF =
  'https://gs1.github.io/EPCIS/JSON-Schema/EPCIS-Event-JSON-Schema.json#/definitions/EPCIS-Document-Event';
// The root schema also accepts a bare event (it dispatches on `type`): a document must say it is one.
const DOCUMENT_SCHEMA = {
  $id: 'https://motor-ledger.dev/schemas/epcis-document.json',
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['EPCISDocument', 'EPCISQueryDocument'] } },
  allOf: [{ $ref: ROOT_ID }],
};

/**
 * The folder of the GS1 schema files: schemas/epcis at the repository root, two levels above src/epcis and
 * three above dist/src/epcis.
 * @example findEpcisSchemaDir() // '/srv/motor-ledger/schemas/epcis'
 */
export function findEpcisSchemaDir(): string {
  const candidates = ['../../schemas/epcis', '../../../schemas/epcis'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(join(dir, 'EPCIS-JSON-Schema-root.json')));
  if (found === undefined) throw new Error(`EPCIS JSON Schema not found at ${candidates.join(' or ')}`);
  return found;
}

let cached: EpcisValidator | undefined;

/**
 * Compile the GS1 EPCIS 2.0 JSON Schema (once per process; later calls return the same validator).
 * @example
 * const result = loadEpcisValidator().validateDocument(JSON.parse(body));
 * if (!result.valid) throw toValidationError(result);
 */
export function loadEpcisValidator(): EpcisValidator {
  if (cached !== undefined) return cached;
  const dir = findEpcisSchemaDir();
  // The official files $ref each other by id, so every one is added before compiling. Strict mode off: it
  // refuses valid draft-07 that the files use (a `required` naming a member its own branch does not define).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const files = [...jsonFilesIn(dir), ...jsonFilesIn(join(dir, 'schemas'))];
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')));
  const document = ajv.compile(DOCUMENT_SCHEMA);
  const event = ajv.compile({ $ref: EVENT_REF });
  cached = {
    validateDocument: (doc) => resultOf(documentErrors(document, event, doc), 'the document'),
    validateEvent: (ev) => resultOf(errorsOf(event, ev, ''), 'the event'),
  };
  return cached;
}

const EVENT_LISTS = new Map<unknown, string[]>([
  ['EPCISDocument', ['epcisBody', 'eventList']],
  ['EPCISQueryDocument', ['epcisBody', 'queryResults', 'resultsBody', 'eventList']],
]);

/**
 * The document's errors: its header and body with an empty event list, then each event on its own (the same
 * schema the list's items $ref). ajv's error collection is superlinear on one big value (a 10,000-event
 * document with three faults per event took 4 s in one call); event by event it stays linear.
 */
function documentErrors(document: ValidateFunction, event: ValidateFunction, doc: unknown): ErrorObject[] {
  const path = EVENT_LISTS.get((doc as { type?: unknown } | null)?.type);
  const list = path === undefined ? undefined : valueAt(doc, path);
  if (path === undefined || !Array.isArray(list)) return errorsOf(document, doc, '');
  const errors = errorsOf(document, withEmptyList(doc, path), '');
  const pointer = `/${path.join('/')}`;
  list.forEach((ev, i) => {
    for (const e of errorsOf(event, ev, `${pointer}/${i}`)) errors.push(e);
  });
  return errors;
}

function errorsOf(validate: ValidateFunction, value: unknown, prefix: string): ErrorObject[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => (prefix ? { ...e, instancePath: prefix + e.instancePath } : e));
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
    value,
  );
}

/** A shallow copy of value down the path, whose last member is an empty list. */
function withEmptyList(value: unknown, path: string[]): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return [];
  const object = value as Record<string, unknown>;
  return { ...object, [key]: withEmptyList(object[key], rest) };
}

function jsonFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
}

/**
 * The error a route or the CLI throws for a document the schema refuses: 400 problem+json, code EPCIS_SCHEMA,
 * the summary as its detail and the problems beside it.
 * @example if (!result.valid) throw toValidationError(result);
 */
export function toValidationError(result: EpcisSchemaFailure): ValidationError {
  return new ValidationError('EPCIS_SCHEMA', result.summary, {
    problems: result.problems,
    problemCount: result.problemCount,
  });
}

function resultOf(raw: ErrorObject[], whole: string): EpcisSchemaResult {
  if (raw.length === 0) return { valid: true };
  const errors = usefulErrors(raw);
  const problems = new Map<string, EpcisSchemaProblem>(); // one per pointer and message
  for (const e of errors) {
    const problem = { pointer: e.instancePath, rule: e.keyword, message: messageOf(e) };
    problems.set(`${problem.pointer}\u0000${problem.message}`, problem);
  }
  const sorted = [...problems.values()].sort((a, b) => comparePointers(a.pointer, b.pointer));
  const best = mostUseful(errors);
  return {
    valid: false,
    summary: best
      ? sentenceOf(best, errors, whole)
      : `${capitalize(whole)} does not match the EPCIS 2.0 schema.`,
    problems: sorted.slice(0, MAX_PROBLEMS),
    problemCount: sorted.length,
  };
}

// Keywords that only say "a branch failed": their branches' own errors say where and why.
const COMBINATORS = new Set(['if', 'anyOf', 'oneOf', 'allOf', 'not']);
const BRANCH = /\/(anyOf|oneOf)\/\d+\//;

/**
 * ajv reports every failed branch of every anyOf, if/then and propertyNames on the way down; keep what a person
 * should read. Dropped: "must match then"; a branch-failed error where something more precise was said at or
 * under its pointer; a branch's "must have X" where members that are there are wrong themselves; a pattern or
 * const beside an enum at the same pointer (an `action` of "ADDED" breaks the enum, the anyOf's "^ADD$",
 * "^OBSERVE$"… patterns add nothing); for an unknown member, all but the propertyNames error (the enum and uri
 * formats under it are about the member's name, not its value). Linear in the errors: a refused document of
 * 10,000 events must not cost more than its validation.
 */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const namesRefused = new Set(
    errors.filter((e) => e.keyword === 'propertyNames').map((e) => e.instancePath),
  );
  const kept = errors.filter((e) => {
    if (e.keyword === 'if') return false;
    if (namesRefused.has(e.instancePath) && e.keyword !== 'propertyNames' && !('missingProperty' in e.params))
      return e.keyword === 'additionalProperties';
    return true;
  });
  const preciseAtOrAbove = new Set<string>(); // pointers with a precise error at or under them
  const errorBelow = new Set<string>(); // pointers with an error strictly under them
  const enumAt = new Set<string>();
  for (const e of kept) {
    const ancestors = ancestorsOf(e.instancePath);
    for (const a of ancestors) errorBelow.add(a);
    if (!COMBINATORS.has(e.keyword)) for (const a of [e.instancePath, ...ancestors]) preciseAtOrAbove.add(a);
    if (e.keyword === 'enum') enumAt.add(e.instancePath);
  }
  return kept.filter((e) => {
    if (COMBINATORS.has(e.keyword)) return !preciseAtOrAbove.has(e.instancePath);
    if (e.keyword === 'pattern' || e.keyword === 'const') return !enumAt.has(e.instancePath);
    // "epcList or quantityList or sensorElementList": with a bad epcList item, the other branches' "must have
    // quantityList" mislead; the error inside the member that is there is the one to fix.
    if (e.keyword === 'required' && BRANCH.test(e.schemaPath)) return !errorBelow.has(e.instancePath);
    return true;
  });
}

/** '/a/b/c' → ['/a/b', '/a', '']. */
function ancestorsOf(pointer: string): string[] {
  const ancestors: string[] = [];
  for (let i = pointer.lastIndexOf('/'); i >= 0; i = pointer.lastIndexOf('/', i - 1)) {
    ancestors.push(pointer.slice(0, i));
    if (i === 0) break;
  }
  return ancestors;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `must NOT have the member "${String(p.additionalProperty)}"`;
    case 'propertyNames':
      return `member "${String(p.propertyName)}" is not an EPCIS 2.0 member here (extension members need a namespace prefix)`;
    case 'enum': {
      const values = p.allowedValues as unknown[];
      return values.length <= 10
        ? `must be one of ${listOf(values)}`
        : (e.message ?? 'is not an allowed value');
    }
    default:
      return e.message ?? 'is invalid';
  }
}

/** Pointers in document order: segments compared one by one, array indexes as numbers. */
function comparePointers(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

// The one a person should fix first: the deepest pointer, then a precise rule over a vaguer one (for a value that
// is neither in an enum nor a URI, the enum lists the words to choose from), then the first in document order.
const PREFERENCE = ['required', 'additionalProperties', 'propertyNames', 'type', 'enum', 'const', 'format'];
function mostUseful(errors: ErrorObject[]): ErrorObject | undefined {
  const depth = (e: ErrorObject) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length - 1);
  const rank = (e: ErrorObject) => {
    const i = PREFERENCE.indexOf(e.keyword);
    return COMBINATORS.has(e.keyword) ? 100 : i === -1 ? 50 : i;
  };
  const better = (a: ErrorObject, b: ErrorObject) =>
    depth(b) - depth(a) || rank(a) - rank(b) || comparePointers(a.instancePath, b.instancePath);
  return errors.reduce<ErrorObject | undefined>(
    (best, e) => (best && better(best, e) <= 0 ? best : e),
    undefined,
  );
}

/** The pointer as a person reads it: from the event list on, or the document's own member. */
function fieldOf(pointer: string, whole: string): string {
  if (pointer === '') return capitalize(whole);
  const path = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('/');
  const at = path.indexOf('eventList/');
  return at === -1 ? path : path.slice(at);
}

const FORMATS: Record<string, string> = {
  'date-time': 'a date-time (RFC 3339), e.g. 2026-11-23T11:12:31.000+01:00',
  uri: 'a URI, e.g. urn:epc:id:sgtin:0614141.107346.2017 or https://id.example.com/motor/7DL-000123',
};
// The schema's patterns, said in words (the last member of the pointer names the field).
const PATTERNS: Record<string, string> = {
  eventTimeZoneOffset: 'a time zone offset, e.g. +01:00 or -06:00',
  uom: 'a UN/CEFACT unit code (2 or 3 capitals or digits), e.g. KGM',
  schemaVersion: 'a version number, e.g. 2.0',
};
const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'AssociationEvent',
  'TransformationEvent',
  'TransactionEvent',
];

function sentenceOf(e: ErrorObject, all: ErrorObject[], whole: string): string {
  const field = fieldOf(e.instancePath, whole);
  const p = e.params as Record<string, unknown>;
  const alsoUri = all.some(
    (o) => o.instancePath === e.instancePath && o.keyword === 'format' && o.params.format === 'uri',
  );
  switch (e.keyword) {
    case 'required': {
      // Branches of one anyOf each asking for a member: any one of them will do.
      const anyOf = e.schemaPath.match(/^(.*\/(anyOf|oneOf))\/\d+\/required$/)?.[1];
      const choices = all
        .filter((o) => o.keyword === 'required' && o.instancePath === e.instancePath)
        .filter((o) => anyOf !== undefined && o.schemaPath.startsWith(`${anyOf}/`))
        .map((o) => o.params.missingProperty);
      return choices.length > 1
        ? `${field} needs one of the members ${listOf(choices)}.`
        : `${field} lacks the required member "${String(p.missingProperty)}".`;
    }
    case 'additionalProperties':
      return `${field} has a member "${String(p.additionalProperty)}" that the EPCIS 2.0 schema does not allow there; remove it.`;
    case 'propertyNames':
      return `${field} has a member "${String(p.propertyName)}" that EPCIS 2.0 does not define there; an extension member needs a namespace prefix declared in @context (e.g. "example:${String(p.propertyName)}").`;
    case 'format':
      // Unknown event types fall to the schema's extension event, whose type must be a URI.
      if (p.format === 'uri' && /(^|\/)eventList\/\d+\/type$/.test(e.instancePath))
        return `${field} must be an EPCIS event type (${EVENT_TYPES.join(', ')}) or the URI of an extension event type.`;
      return `${field} must be ${FORMATS[String(p.format)] ?? `in the format "${String(p.format)}"`}.`;
    case 'enum':
      return `${field} must be one of ${listOf(p.allowedValues as unknown[])}${alsoUri ? ' or a URI of your own vocabulary' : ''}.`;
    case 'pattern': {
      const words = PATTERNS[e.instancePath.slice(e.instancePath.lastIndexOf('/') + 1)];
      return words ? `${field} must be ${words}.` : `${field} ${e.message ?? 'is invalid'}.`;
    }
    case 'type':
      return `${field} must be a JSON ${String(p.type).replaceAll(',', ' or ')}${p.type === 'number' ? ' (write 12, not "12")' : ''}.`;
    default:
      return `${field} ${e.message ?? 'is invalid'}.`;
  }
}

function listOf(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
