// Tests of src/epcis/schema.ts: the GS1 examples and the event-hash documents pass the official EPCIS 2.0 JSON
// Schema; malformed documents are refused with the JSON pointer, the rule and a sentence naming the field.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import {
  type EpcisSchemaFailure,
  type EpcisSchemaResult,
  findEpcisSchemaDir,
  loadEpcisValidator,
  MAX_PROBLEMS,
  toValidationError,
} from '../../src/epcis/schema.js';
import { toProblem } from '../../src/http/problem.js';

const CONFORMANCE = join(import.meta.dirname, '../vectors/epcis');

/** Every file under dir whose name ends with ext, as paths relative to dir. */
function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .sort();
}

type EpcisEvent = Record<string, unknown>;
interface EpcisDocument {
  [member: string]: unknown;
  epcisBody: { eventList?: EpcisEvent[]; queryResults?: { resultsBody: { eventList: EpcisEvent[] } } };
}

function readDocument(path: string): EpcisDocument {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function eventsOf(doc: EpcisDocument): EpcisEvent[] {
  return doc.epcisBody.eventList ?? doc.epcisBody.queryResults?.resultsBody.eventList ?? [];
}

/** A copy of the standard's Example 9.6.1 (two ObjectEvents); `edit` changes it, its events given apart. */
function aDocument(edit: (doc: EpcisDocument, events: EpcisEvent[]) => void = () => {}): EpcisDocument {
  const doc = readDocument(join(CONFORMANCE, 'gs1-examples/Example_9.6.1-ObjectEvent.jsonld'));
  edit(doc, eventsOf(doc));
  return doc;
}

function refused(result: EpcisSchemaResult): EpcisSchemaFailure {
  if (result.valid) throw new Error('expected the schema to refuse the document');
  return result;
}

const validator = loadEpcisValidator();

describe('documents the standard says are valid', () => {
  const examples = filesUnder(join(CONFORMANCE, 'gs1-examples'), '.jsonld');
  const hashDocuments = filesUnder(join(CONFORMANCE, 'event-hash'), '.jsonld');

  it('finds the conformance material', () => {
    expect(examples.length).toBeGreaterThanOrEqual(40);
    expect(hashDocuments).toHaveLength(19);
  });

  it.each(examples)('accepts gs1-examples/%s', (file) => {
    expect(validator.validateDocument(readDocument(join(CONFORMANCE, 'gs1-examples', file)))).toEqual({
      valid: true,
    });
  });

  it.each(hashDocuments)('accepts event-hash/%s', (file) => {
    expect(validator.validateDocument(readDocument(join(CONFORMANCE, 'event-hash', file)))).toEqual({
      valid: true,
    });
  });

  it('accepts every event of the examples on its own, with or without its @context', () => {
    for (const file of examples) {
      const doc = readDocument(join(CONFORMANCE, 'gs1-examples', file));
      for (const event of eventsOf(doc)) {
        expect(validator.validateEvent(event), file).toEqual({ valid: true });
        expect(validator.validateEvent({ '@context': doc['@context'], ...event }), file).toEqual({
          valid: true,
        });
      }
    }
  });

  it('ships the official schema files unchanged', () => {
    const shipped = findEpcisSchemaDir();
    const official = join(CONFORMANCE, 'gs1-json-schema');
    const files = filesUnder(shipped, '.json');
    expect(files).toContain('EPCIS-JSON-Schema-root.json');
    expect(files).toContain(join('schemas', 'ObjectEvent-JSON-Schema.json'));
    for (const file of files) {
      expect(readFileSync(join(shipped, file), 'utf8'), relative(shipped, join(shipped, file))).toBe(
        readFileSync(join(official, file), 'utf8'),
      );
    }
  });
});

describe('malformed documents', () => {
  it('refuses a document without @context', () => {
    const result = refused(validator.validateDocument(aDocument((d) => delete d['@context'])));
    expect(result.problems).toContainEqual({
      pointer: '',
      rule: 'required',
      message: "must have required property '@context'",
    });
    expect(result.summary).toBe('The document lacks the required member "@context".');
  });

  it('refuses an action that is not OBSERVE, ADD or DELETE, without the anyOf noise', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[1]!.action = 'ADDED';
        }),
      ),
    );
    expect(result.problems).toEqual([
      {
        pointer: '/epcisBody/eventList/1/action',
        rule: 'enum',
        message: 'must be one of "OBSERVE", "ADD", "DELETE"',
      },
    ]);
    expect(result.summary).toBe('eventList/1/action must be one of "OBSERVE", "ADD", "DELETE".');
  });

  it('refuses an eventTime that is not a date-time', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.eventTime = 'yesterday';
        }),
      ),
    );
    expect(result.problems).toEqual([
      {
        pointer: '/epcisBody/eventList/0/eventTime',
        rule: 'format',
        message: 'must match format "date-time"',
      },
    ]);
    expect(result.summary).toBe(
      'eventList/0/eventTime must be a date-time (RFC 3339), e.g. 2026-11-23T11:12:31.000+01:00.',
    );
  });

  it('refuses a quantity written as text', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.quantityList = [
            { epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: '12', uom: 'KGM' },
          ];
        }),
      ),
    );
    expect(result.problems).toEqual([
      { pointer: '/epcisBody/eventList/0/quantityList/0/quantity', rule: 'type', message: 'must be number' },
    ]);
    expect(result.summary).toMatch(/^eventList\/0\/quantityList\/0\/quantity must be a JSON number/);
  });

  it('refuses an unknown member of a quantity element (additionalProperties false)', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.quantityList = [
            { epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 12, colour: 'red' },
          ];
        }),
      ),
    );
    expect(result.problems).toEqual([
      {
        pointer: '/epcisBody/eventList/0/quantityList/0',
        rule: 'additionalProperties',
        message: 'must NOT have the member "colour"',
      },
    ]);
    expect(result.summary).toContain('eventList/0/quantityList/0 has a member "colour"');
  });

  it('refuses an unknown member of an event without a namespace prefix, and accepts it with one', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.colour = 'red';
        }),
      ),
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ pointer: '/epcisBody/eventList/0', rule: 'propertyNames' });
    expect(result.problems[0]?.message).toContain('"colour"');
    expect(result.summary).toContain('eventList/0 has a member "colour"');
    expect(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!['example:colour'] = 'red';
        }),
      ),
    ).toEqual({ valid: true });
  });

  it('refuses an event type that does not exist', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.type = 'ShippingEvent';
        }),
      ),
    );
    expect(result.problems).toEqual([
      { pointer: '/epcisBody/eventList/0/type', rule: 'format', message: 'must match format "uri"' },
    ]);
    expect(result.summary).toMatch(/^eventList\/0\/type must be an EPCIS event type \(ObjectEvent, /);
  });

  it('offers the CBV words when a bizStep is misspelt', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.bizStep = 'shiping';
        }),
      ),
    );
    expect(result.problems.map((p) => p.rule).sort()).toEqual(['enum', 'format']);
    expect(result.summary).toMatch(/^eventList\/0\/bizStep must be one of .*"shipping".* or a URI/);
  });

  it('names the bad EPC, not the lists an event could have had instead', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.epcList = ['motor 7DL-000123'];
        }),
      ),
    );
    expect(result.problems).toEqual([
      { pointer: '/epcisBody/eventList/0/epcList/0', rule: 'format', message: 'must match format "uri"' },
    ]);
    expect(result.summary).toMatch(/^eventList\/0\/epcList\/0 must be a URI/);
  });

  it('asks for one of epcList, quantityList or sensorElementList when an ObjectEvent has none', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          delete events[0]!.epcList;
        }),
      ),
    );
    expect(result.problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/epcisBody/eventList/0', 'required'],
      ['/epcisBody/eventList/0', 'required'],
      ['/epcisBody/eventList/0', 'required'],
    ]);
    expect(result.summary).toBe(
      'eventList/0 needs one of the members "epcList", "quantityList", "sensorElementList".',
    );
  });

  it('says what a time zone offset looks like', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.eventTimeZoneOffset = '+1h';
        }),
      ),
    );
    expect(result.problems).toMatchObject([
      { pointer: '/epcisBody/eventList/0/eventTimeZoneOffset', rule: 'pattern' },
    ]);
    expect(result.summary).toBe(
      'eventList/0/eventTimeZoneOffset must be a time zone offset, e.g. +01:00 or -06:00.',
    );
  });

  it('refuses what is not a JSON object, or not a document', () => {
    for (const type of ['toString', '__proto__', 42]) {
      const result = refused(validator.validateDocument({ ...aDocument(), type }));
      expect(result.problems).toContainEqual(expect.objectContaining({ pointer: '/type' }));
    }
    for (const value of [null, [], 'EPCISDocument']) {
      const result = refused(validator.validateDocument(value));
      expect(result.problems).toEqual([{ pointer: '', rule: 'type', message: 'must be object' }]);
      expect(result.summary).toBe('The document must be a JSON object.');
    }
  });

  it('points into the results of a query document', () => {
    const doc = readDocument(join(CONFORMANCE, 'gs1-examples/EPCISQueryDocument.jsonld'));
    eventsOf(doc)[1]!.eventTime = 'yesterday';
    const result = refused(validator.validateDocument(doc));
    expect(result.problems).toEqual([
      {
        pointer: '/epcisBody/queryResults/resultsBody/eventList/1/eventTime',
        rule: 'format',
        message: 'must match format "date-time"',
      },
    ]);
    expect(result.summary).toMatch(/^eventList\/1\/eventTime must be a date-time/);
  });

  it('refuses an event list that is not a list', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((d, [event]) => {
          d.epcisBody.eventList = event as unknown as EpcisEvent[];
        }),
      ),
    );
    expect(result.problems).toEqual([
      { pointer: '/epcisBody/eventList', rule: 'type', message: 'must be array' },
    ]);
  });

  it('refuses a bare event given as a document', () => {
    const doc = aDocument();
    const result = refused(validator.validateDocument({ '@context': doc['@context'], ...eventsOf(doc)[0] }));
    expect(result.problems).toContainEqual({
      pointer: '/type',
      rule: 'enum',
      message: 'must be one of "EPCISDocument", "EPCISQueryDocument"',
    });
    expect(result.summary).toBe('type must be one of "EPCISDocument", "EPCISQueryDocument".');
  });

  it('lists at most 20 problems, in document order, and counts them all', () => {
    const doc = aDocument((d, [event]) => {
      d.epcisBody.eventList = Array.from({ length: 30 }, () => ({ ...event, eventTime: 'yesterday' }));
    });
    const result = refused(validator.validateDocument(doc));
    expect(result.problemCount).toBe(30);
    expect(result.problems).toHaveLength(MAX_PROBLEMS);
    expect(result.problems.map((p) => p.pointer)).toEqual(
      Array.from({ length: MAX_PROBLEMS }, (_, i) => `/epcisBody/eventList/${i}/eventTime`),
    );
  });

  it('refuses a single event and names its field', () => {
    const event = { ...eventsOf(aDocument())[0], eventTime: 'yesterday' };
    const result = refused(validator.validateEvent(event));
    expect(result.problems).toEqual([
      { pointer: '/eventTime', rule: 'format', message: 'must match format "date-time"' },
    ]);
    expect(result.summary).toMatch(/^eventTime must be a date-time/);
  });
});

describe('the error a route answers with', () => {
  it('is a 400 problem+json with code EPCIS_SCHEMA naming the pointer and the rule', () => {
    const result = refused(
      validator.validateDocument(
        aDocument((_, events) => {
          events[0]!.eventTime = 'yesterday';
        }),
      ),
    );
    const error = toValidationError(result);
    expect(error).toBeInstanceOf(ValidationError);
    const problem = toProblem(error);
    expect(problem).toMatchObject({
      status: 400,
      code: 'EPCIS_SCHEMA',
      detail: result.summary,
      problems: [{ pointer: '/epcisBody/eventList/0/eventTime', rule: 'format' }],
    });
  });

  it('compiles the schema once per process', () => {
    expect(loadEpcisValidator()).toBe(validator);
  });
});
