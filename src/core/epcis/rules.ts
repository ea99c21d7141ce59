// How each ledger event type reads in EPCIS 2.0, as data: the EPCIS event type, action, business step and
// disposition it becomes, and the kinds of identifiers it is about. The export reads the table forwards
// (map.ts); capture reads it backwards (ledgerTypesOf). Pure and portable; docs/epcis.md is this table in words.
import type { Envelope, JsonObject } from '../envelope.js';
import { type EpcisNamespace, type IdKind, parseIdUri, plantTerm } from './ids.js';

/** The GS1 EPCIS 2.0 JSON-LD context every document names first. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export type EpcisEventType = 'ObjectEvent' | 'AggregationEvent' | 'AssociationEvent';
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';
/** An EPCIS event as JSON. */
export type EpcisEvent = JsonObject;

/** A ledger entry as the export reads it: its envelope, seq and base64 leaf hash. */
export interface LedgerEntry {
  seq: number;
  leafHash: string;
  envelope: Envelope;
}

/**
 * How one ledger event type reads in EPCIS. Terms are CBV 2.0 short names ('commissioning') or plant terms
 * ('ml:disp/quarantined', a URI under the namespace's vocab).
 */
export interface EpcisRule {
  /**
   * 'restated': the target entry's own events, restated with an errorDeclaration; 'captured': the partner's
   * event kept as sent (capture.ts); null: no EPCIS meaning.
   */
  eventType: EpcisEventType | 'restated' | 'captured' | null;
  action?: EpcisAction;
  bizStep?: string;
  disposition?: string;
  /** The disposition by the value of a data member, where it depends on one (the test verdict). */
  dispositionBy?: { member: string; values: Readonly<Record<string, string>> };
  persistentDisposition?: { set?: readonly string[]; unset?: readonly string[] };
  /** What the event is about: the kind of identifier in epcList / childEPCs, and of parentID. */
  epcs?: 'motor' | 'vin';
  parent?: 'rack' | 'vin';
}

/** The persistent disposition a hold sets and its release unsets. */
export const HOLD_DISPOSITION = 'ml:disp/on_hold';
/** A motor set aside in the quarantine area: refused at intake, or held by quality. */
export const QUARANTINED = 'ml:disp/quarantined';

/** One rule on one line: event type, action, business step, disposition, then the rest. */
const rule = (
  eventType: EpcisEventType,
  action: EpcisAction,
  bizStep: string,
  disposition: string | undefined,
  rest: Partial<EpcisRule>,
): EpcisRule => ({ eventType, action, bizStep, ...(disposition ? { disposition } : {}), ...rest });
const motors = { epcs: 'motor' } as const;
const VERDICT = { member: 'verdict', values: { PASS: 'conformant', FAIL: 'non_conformant' } };
// An incident is the quality team's investigation record, not something that happened to an object.
const NONE: EpcisRule = { eventType: null };

/** Every ledger event type and its EPCIS reading (docs/epcis.md says why each). */
export const EPCIS_RULES: Readonly<Record<string, EpcisRule>> = {
  'motor.produced': rule('ObjectEvent', 'ADD', 'commissioning', 'active', motors),
  'motor.tested': rule('ObjectEvent', 'OBSERVE', 'inspecting', undefined, {
    ...motors,
    dispositionBy: VERDICT,
  }),
  // One event per rack: the rack is the parent its motors are loaded in.
  'shipment.loaded': rule('AggregationEvent', 'ADD', 'loading', 'in_progress', { ...motors, parent: 'rack' }),
  'shipment.departed': rule('ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', motors),
  // At the dock but not yet received: in transit until intake accepts each motor.
  'shipment.arrived': rule('ObjectEvent', 'OBSERVE', 'arriving', 'in_transit', motors),
  'motor.received': rule('ObjectEvent', 'OBSERVE', 'receiving', 'in_progress', motors),
  // Set aside in the quarantine area; CBV non_conformant would claim it fails its specification.
  'intake.rejected': rule('ObjectEvent', 'OBSERVE', 'receiving', QUARANTINED, motors),
  'motor.installed': rule('AssociationEvent', 'ADD', 'installing', undefined, { ...motors, parent: 'vin' }),
  'motor.removed': rule('AssociationEvent', 'DELETE', 'removing', undefined, { ...motors, parent: 'vin' }),
  'motor.held': rule('ObjectEvent', 'OBSERVE', 'holding', QUARANTINED, {
    ...motors,
    persistentDisposition: { set: [HOLD_DISPOSITION] },
  }),
  // CBV has no step for lifting a hold: a plant term; the persistent disposition says what changed.
  'motor.released': rule('ObjectEvent', 'OBSERVE', 'ml:bizstep/releasing', undefined, {
    ...motors,
    persistentDisposition: { unset: [HOLD_DISPOSITION] },
  }),
  'vehicle.shipped': rule('ObjectEvent', 'OBSERVE', 'shipping', 'in_transit', { epcs: 'vin' }),
  'incident.opened': NONE,
  'incident.updated': NONE,
  'incident.closed': NONE,
  // EPCIS declares an error by restating the wrong event (same eventID) with an errorDeclaration.
  correction: { eventType: 'restated' },
  // A partner's event the ledger keeps as it was sent (capture.ts).
  'epcis.captured': { eventType: 'captured' },
};

/**
 * A test measurement's GS1 measurement type and UN/CEFACT unit, read from the unit suffix of its name
 * (`torqueNm`, `backEmfV`, `insulationMOhm`). A name with no known suffix gets a plant measurement type.
 */
export const MEASUREMENT_UNITS: readonly { suffix: string; type: string; uom: string }[] = [
  { suffix: 'MilliOhm', type: 'Resistance', uom: 'E45' },
  { suffix: 'MOhm', type: 'Resistance', uom: 'B75' },
  { suffix: 'Ohm', type: 'Resistance', uom: 'OHM' },
  { suffix: 'Nm', type: 'Torque', uom: 'NU' },
  { suffix: 'Kw', type: 'Power', uom: 'KWT' },
  { suffix: 'W', type: 'Power', uom: 'WTT' },
  { suffix: 'V', type: 'Voltage', uom: 'VLT' },
  { suffix: 'A', type: 'ElectricCurrent', uom: 'AMP' },
  { suffix: 'Hz', type: 'Frequency', uom: 'HTZ' },
  { suffix: 'C', type: 'Temperature', uom: 'CEL' },
  { suffix: 'Ms', type: 'Time', uom: 'C26' },
  { suffix: 'Kg', type: 'Mass', uom: 'KGM' },
].sort((a, b) => b.suffix.length - a.suffix.length);

/**
 * The ledger event types an EPCIS event can be read as (the capture direction of EPCIS_RULES): same event type,
 * action, business step and disposition, and identifiers of the rule's kind.
 * @example ledgerTypesOf({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: [motorUri(ns, '7DL-1')] }, ns) // → ['motor.produced']
 */
export function ledgerTypesOf(event: EpcisEvent, ns: EpcisNamespace): string[] {
  const ids = (member: string): string[] => (Array.isArray(event[member]) ? (event[member] as string[]) : []);
  const isKind = (uri: unknown, kind: IdKind) =>
    typeof uri === 'string' && parseIdUri(ns, uri)?.kind === kind;
  return Object.entries(EPCIS_RULES)
    .filter(([, rule]) => {
      if (rule.eventType !== event.type || rule.action !== event.action) return false;
      if ((rule.bizStep && plantTerm(ns, rule.bizStep)) !== event.bizStep) return false;
      const dispositions = rule.dispositionBy ? Object.values(rule.dispositionBy.values) : [rule.disposition];
      if (!dispositions.some((t) => (t && plantTerm(ns, t)) === event.disposition)) return false;
      if (rule.parent && !isKind(event.parentID, rule.parent)) return false;
      const epcs = rule.parent ? ids('childEPCs') : ids('epcList');
      return !rule.epcs || epcs.every((uri) => isKind(uri, rule.epcs!));
    })
    .map(([type]) => type);
}
