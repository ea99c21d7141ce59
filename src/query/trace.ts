// Backward and forward trace (BRIEF §6). Backward: a VIN → its motors by slot, each with its production
// context, tests, shipment and transit, intake, installation, removals and holds, as of any past seq.
// Forward (blast radius): any mix of production, test and transport attributes → the motors that share them,
// grouped by where they are now (or were at a past seq), with counts, cursor pages, and CSV.
import { type Kysely, sql } from 'kysely';
import type { HoldState, MotorState, ShipmentState, VehicleState } from '../core/domain/state.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { entriesOf, replay, type TimelineEntry, vehicleEntries } from './replay.js';
import { type Scope, scopeMotor, seesBrand, visibleEntries } from './scope.js';

// ---------------------------------------------------------------------------------------------------------
// Backward trace

export interface MotorGenealogy {
  slot: string | null;
  serial: string;
  motorType: string;
  status: string;
  production: MotorState['produced'];
  tests: {
    seq: number;
    time: string;
    bench: string;
    specVersion: string;
    verdict: string;
    measurements: unknown;
  }[];
  shipment: {
    id: string;
    asn: string;
    rack: string | null;
    from: string;
    to: string;
    carrier: string | null;
    truck: string | null;
    departed: string | null;
    arrived: string | null;
    transitMinutes: number | null;
  } | null;
  intake: MotorState['received'];
  installation: MotorState['installed'];
  removals: { seq: number; time: string; vin: string; slot: string; reason: string }[];
  holds: { id: string; reason: string; status: string; incidentId: string | null; since: string }[];
  corrections: { seq: number; targetId: string; reason: string }[];
}

export interface Genealogy {
  asOfSeq: number;
  vehicle: VehicleState;
  slots: MotorGenealogy[];
  /** Motors that were in this vehicle and were removed. */
  removed: MotorGenealogy[];
}

function minutesBetween(a: string | null | undefined, b: string | null | undefined): number | null {
  if (!a || !b) return null;
  return Math.round((Date.parse(b) - Date.parse(a)) / 60000);
}

function genealogyOf(
  m: MotorState,
  slot: string | null,
  entries: readonly TimelineEntry[],
  shipments: Map<string, ShipmentState | null>,
  holds: Map<string, HoldState | null>,
): MotorGenealogy {
  const mine = entries.filter((e) => e.subjects.includes(`motor:${m.serial}`));
  const sh = m.shipmentId ? shipments.get(m.shipmentId) : null;
  return {
    slot,
    serial: m.serial,
    motorType: m.motorType,
    status: m.status,
    production: m.produced,
    tests: mine
      .filter((e) => e.type === 'motor.tested')
      .map((e) => ({
        seq: e.seq,
        time: e.time,
        bench: String(e.data.bench),
        specVersion: String(e.data.specVersion),
        verdict: String(e.data.verdict),
        measurements: e.data.measurements,
      })),
    shipment: sh
      ? {
          id: sh.id,
          asn: sh.asn,
          rack: m.rack,
          from: sh.from,
          to: sh.to,
          carrier: sh.departed?.carrier ?? null,
          truck: sh.departed?.truck ?? null,
          departed: sh.departed?.time ?? null,
          arrived: sh.arrived?.time ?? m.received?.time ?? null,
          transitMinutes: minutesBetween(sh.departed?.time, sh.arrived?.time ?? m.received?.time),
        }
      : null,
    intake: m.received,
    installation: m.installed,
    removals: mine
      .filter((e) => e.type === 'motor.removed')
      .map((e) => ({
        seq: e.seq,
        time: e.time,
        vin: String(e.data.vin),
        slot: String(e.data.slot),
        reason: String(e.data.reason),
      })),
    holds: [...holds.values()]
      .filter((h): h is HoldState => h?.serials.includes(m.serial) === true)
      .map((h) => ({
        id: h.id,
        reason: h.reason,
        status: h.released.includes(m.serial) ? 'RELEASED' : 'ACTIVE',
        incidentId: h.incidentId,
        since: h.opened.time,
      })),
    corrections: mine
      .filter((e) => e.type === 'correction')
      .map((e) => ({ seq: e.seq, targetId: String(e.data.targetId), reason: String(e.data.reason) })),
  };
}

/**
 * Backward trace of a VIN as of a seq: one query for the vehicle's and its motors' entries, one replay.
 * @example const g = await backwardTrace(db, 'VF1A390EA00012345', asOf, scope)
 */
export async function backwardTrace(
  db: Kysely<Database>,
  vin: string,
  upTo: number,
  scope: Scope,
): Promise<Genealogy> {
  const entries = await vehicleEntries(db, vin, upTo);
  const state = replay(entries);
  const vehicle = state.vehicle.get(vin);
  if (!vehicle || !seesBrand(scope, vehicle.brand)) {
    throw new NotFoundError(
      'UNKNOWN_VEHICLE',
      `VIN ${vin} has no motors in the ledger${upTo >= 0 ? ` as of seq ${upTo}` : ''}.`,
    );
  }
  const inSlots = new Set(vehicle.slots.map((s) => s.serial));
  const slots = vehicle.slots.flatMap((s) => {
    const m = s.serial ? state.motor.get(s.serial) : undefined;
    return m ? [genealogyOf(m, s.slot, entries, state.shipment, state.hold)] : [];
  });
  const removed = [...new Set(vehicle.history.map((h) => h.serial))]
    .filter((serial) => !inSlots.has(serial))
    .flatMap((serial) => {
      const m = state.motor.get(serial);
      return m ? [genealogyOf(m, null, entries, state.shipment, state.hold)] : [];
    });
  return { asOfSeq: upTo, vehicle, slots, removed };
}

/** A subject's timeline as of a seq, without the entries that concern a vehicle of a brand the reader may not see. */
export async function scopedTimeline(
  db: Kysely<Database>,
  subject: string,
  upTo: number,
  scope: Scope,
): Promise<TimelineEntry[]> {
  const entries = await entriesOf(db, [subject], upTo);
  const visible = await visibleEntries(db, scope, entries);
  // Another brand's vehicle does not exist for this reader: the same answer as a VIN never seen.
  if (visible.length === 0 || (subject.startsWith('vehicle:') && visible.length < entries.length))
    throw new NotFoundError('UNKNOWN_SUBJECT', `The ledger has no entry for ${subject} up to seq ${upTo}.`);
  return visible;
}

// ---------------------------------------------------------------------------------------------------------
// Forward trace

export interface TraceFilter {
  lots?: Record<string, string> | undefined;
  motorType?: string | undefined;
  line?: string | undefined;
  station?: string | undefined;
  shift?: string | undefined;
  operator?: string | undefined;
  workOrder?: string | undefined;
  producedFrom?: string | undefined;
  producedTo?: string | undefined;
  bench?: string | undefined;
  specVersion?: string | undefined;
  measurement?: { name: string; min?: number | undefined; max?: number | undefined } | undefined;
  shipmentId?: string | undefined;
  truck?: string | undefined;
  carrier?: string | undefined;
}

export type LocationGroup =
  | 'AT_CLEON'
  | 'IN_TRANSIT'
  | 'IN_BUFFER'
  | 'INSTALLED'
  | 'VEHICLE_SHIPPED'
  | 'HELD';
export const LOCATION_GROUPS: LocationGroup[] = [
  'AT_CLEON',
  'IN_TRANSIT',
  'IN_BUFFER',
  'INSTALLED',
  'VEHICLE_SHIPPED',
  'HELD',
];

export interface TracedMotor {
  serial: string;
  motorType: string;
  producedAt: string;
  group: LocationGroup;
  /** Where exactly: the site, the shipment, or the VIN (null for another brand's vehicle). */
  site: string | null;
  shipmentId: string | null;
  vin: string | null;
  slot: string | null;
  status: string;
  holds: string[];
}

export interface ForwardTrace {
  asOfSeq: number;
  total: number;
  groups: { group: LocationGroup; count: number; by: { key: string; count: number }[] }[];
  items: TracedMotor[];
  nextCursor: string | null;
}

const EQUALITY: [keyof TraceFilter, string][] = [
  ['motorType', 'motorType'],
  ['line', 'line'],
  ['station', 'station'],
  ['shift', 'shift'],
  ['operator', 'operator'],
  ['workOrder', 'workOrder'],
  ['bench', 'bench'],
  ['specVersion', 'specVersion'],
  ['shipmentId', 'shipment'],
  ['truck', 'truck'],
  ['carrier', 'carrier'],
];

function attributeConditions(
  f: TraceFilter,
): { attribute: string; value?: string; from?: string; to?: string }[] {
  const out: { attribute: string; value?: string; from?: string; to?: string }[] = [];
  for (const [key, attribute] of EQUALITY) {
    const v = f[key];
    if (typeof v === 'string') out.push({ attribute, value: v });
  }
  for (const [component, lot] of Object.entries(f.lots ?? {}))
    out.push({ attribute: `lot:${component}`, value: lot });
  if (f.producedFrom || f.producedTo) {
    out.push({
      attribute: 'productionDay',
      from: (f.producedFrom ?? '0000').slice(0, 10),
      to: (f.producedTo ?? '9999').slice(0, 10),
    });
  }
  return out;
}

function groupOf(m: MotorState): LocationGroup {
  if (m.holds.length > 0) return 'HELD';
  switch (m.status) {
    case 'PRODUCED':
      return 'AT_CLEON';
    case 'LOADED':
    case 'IN_TRANSIT':
    case 'ARRIVED':
      return 'IN_TRANSIT';
    case 'RECEIVED':
      return 'IN_BUFFER';
    case 'INSTALLED':
      return 'INSTALLED';
    default:
      return 'VEHICLE_SHIPPED';
  }
}

function matchesExactly(m: MotorState, f: TraceFilter): boolean {
  const t = m.produced.time;
  if (f.producedFrom && t < f.producedFrom) return false;
  if (f.producedTo && t > f.producedTo) return false;
  if (f.measurement) {
    const v = m.lastTest?.measurements[f.measurement.name];
    if (typeof v !== 'number') return false;
    if (f.measurement.min !== undefined && v < f.measurement.min) return false;
    if (f.measurement.max !== undefined && v > f.measurement.max) return false;
  }
  return true;
}

/** The serials whose recorded attributes match the filter's categorical parts, as of `upTo`. */
async function candidateSerials(
  db: Kysely<Database>,
  f: TraceFilter,
  upTo: number,
): Promise<string[] | null> {
  const conds = attributeConditions(f);
  if (conds.length === 0) return null;
  const parts = conds.map((c) =>
    c.value !== undefined
      ? sql`SELECT serial FROM motor_attribute WHERE attribute = ${c.attribute} AND value = ${c.value} AND seq <= ${upTo}`
      : sql`SELECT serial FROM motor_attribute WHERE attribute = ${c.attribute} AND value BETWEEN ${c.from} AND ${c.to} AND seq <= ${upTo}`,
  );
  const { rows } = await sql<{ serial: string }>`${sql.join(parts, sql` INTERSECT `)}`.execute(db);
  return rows.map((r) => r.serial);
}

/** Every motor matching the filter, with its location now (or as of `upTo` when it is a past seq). */
export async function traceMotors(
  db: Kysely<Database>,
  f: TraceFilter,
  upTo: number,
  current: boolean,
  scope: Scope,
): Promise<TracedMotor[]> {
  if (!f.measurement && attributeConditions(f).length === 0) {
    throw new ValidationError(
      'EMPTY_FILTER',
      'Give at least one of: lots, line, station, shift, operator, workOrder, produced window, bench, specVersion, measurement, shipment, truck, carrier.',
    );
  }
  const candidates = await candidateSerials(db, f, upTo);
  let motors: MotorState[];
  if (current) {
    const rows = candidates
      ? (
          await sql<{
            state: unknown;
          }>`SELECT state FROM motor WHERE serial = ANY(${candidates}::text[])`.execute(db)
        ).rows
      : await db.selectFrom('motor').select('state').execute();
    motors = rows.map((r) => (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as MotorState);
  } else {
    const serials =
      candidates ??
      (
        await db
          .selectFrom('motor_attribute')
          .select('serial')
          .where('attribute', '=', 'motorType')
          .where('seq', '<=', upTo)
          .execute()
      ).map((r) => r.serial);
    const state = replay(
      await entriesOf(
        db,
        serials.map((s) => `motor:${s}`),
        upTo,
      ),
    );
    motors = serials.flatMap((s) => {
      const m = state.motor.get(s);
      return m ? [m] : [];
    });
  }
  return motors
    .filter((m) => matchesExactly(m, f))
    .map((raw) => {
      const m = scopeMotor(scope, raw);
      const hidden = raw.installed !== null && m.installed === null;
      return {
        serial: m.serial,
        motorType: m.motorType,
        producedAt: m.produced.time,
        group: groupOf(raw),
        site: m.site,
        shipmentId: m.shipmentId,
        vin: m.vin,
        slot: m.slot,
        status: hidden ? `${raw.status} (another brand's vehicle)` : m.status,
        holds: m.holds,
      };
    })
    .sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}

/** Group traced motors and cut a page after `cursor` (the last serial of the previous page). */
export function pageOf(
  all: TracedMotor[],
  upTo: number,
  cursor: string | undefined,
  limit: number,
): ForwardTrace {
  const groups = LOCATION_GROUPS.map((group) => {
    const members = all.filter((m) => m.group === group);
    const by = new Map<string, number>();
    for (const m of members) {
      const key =
        group === 'IN_TRANSIT'
          ? (m.shipmentId ?? '?')
          : group === 'INSTALLED' || group === 'VEHICLE_SHIPPED'
            ? (m.vin ?? "another brand's vehicle")
            : group === 'HELD'
              ? m.holds.join(',')
              : (m.site ?? '?');
      by.set(key, (by.get(key) ?? 0) + 1);
    }
    return {
      group,
      count: members.length,
      by: [...by]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
        .slice(0, 100),
    };
  });
  const after = cursor ? decodeCursor(cursor) : '';
  const start = after ? all.findIndex((m) => m.serial > after) : 0;
  const items = start < 0 ? [] : all.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start >= 0 && start + limit < all.length;
  return {
    asOfSeq: upTo,
    total: all.length,
    groups,
    items,
    nextCursor: more && last ? encodeCursor(last.serial) : null,
  };
}

export function encodeCursor(serial: string): string {
  return Buffer.from(serial).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const s = Buffer.from(cursor, 'base64url').toString();
  if (!/^[A-Z0-9-]{1,40}$/.test(s))
    throw new ValidationError(
      'BAD_CURSOR',
      'The cursor is not one this API gave out; start again without it.',
    );
  return s;
}

/** CSV of traced motors (RFC 4180), header first. */
export function* tracedCsv(all: readonly TracedMotor[]): Generator<string> {
  yield 'serial,motor_type,produced_at,group,status,site,shipment_id,vin,slot,holds\r\n';
  const q = (v: string | null) => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  for (const m of all) {
    yield `${[m.serial, m.motorType, m.producedAt, m.group, m.status, m.site, m.shipmentId, m.vin, m.slot, m.holds.join(' ')].map(q).join(',')}\r\n`;
  }
}
