// Reads the writers need: a motor and its timeline, a shipment with its intake counts, a vehicle with its
// slots. Projections give the current state; timelines come from the log itself, each event with its seq and
// leaf hash so a reader can check it against a proof. Every read takes the reader's Scope (query/scope.ts):
// another brand's vehicle, installation and VINs are not shown.
import { type Kysely, sql } from 'kysely';
import type { MotorState, ShipmentState, VehicleState } from '../core/domain/state.js';
import { toBase64, utf8Decode } from '../core/encoding.js';
import type { Envelope } from '../core/envelope.js';
import type { Database } from '../db/schema.js';
import { type IntakeCounts, intakeCounts, loadIntakeFacts } from '../query/lists.js';
import { entriesVisible, type Scope, scopeMotor, seesBrand, visibleVins } from '../query/scope.js';

export interface TimelineEvent {
  seq: number;
  leafHash: string;
  id: string;
  type: string;
  time: string;
  recorded: string;
  actor: Envelope['actor'];
  data: Envelope['data'];
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** Current state of a hold or an incident (its suspect VINs limited to the reader's brands), or undefined. */
export async function readHoldOrIncident(
  db: Kysely<Database>,
  table: 'hold' | 'incident',
  id: string,
  scope: Scope,
): Promise<unknown> {
  const row = await db.selectFrom(table).select('state').where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const state = parse<Record<string, unknown>>(row.state);
  if (Array.isArray(state.suspectVins))
    state.suspectVins = await visibleVins(db, scope, state.suspectVins as string[]);
  return state;
}

/** Current state of a motor as the reader may see it, or undefined. */
export async function readMotor(
  db: Kysely<Database>,
  serial: string,
  scope: Scope,
): Promise<MotorState | undefined> {
  const row = await db.selectFrom('motor').select('state').where('serial', '=', serial).executeTakeFirst();
  return row ? scopeMotor(scope, parse<MotorState>(row.state)) : undefined;
}

/** The events of a subject (motor:…, shipment:…, vehicle:…) the reader may see, in log order. */
export async function motorTimeline(
  db: Kysely<Database>,
  subject: string,
  scope: Scope,
  asOfSeq?: number,
): Promise<TimelineEvent[]> {
  const { rows } = await sql<{ seq: number; leaf_hash: Uint8Array; body: Uint8Array }>`
    SELECT e.seq, e.leaf_hash, e.body FROM ledger_subject s JOIN ledger_entry e ON e.seq = s.seq
    WHERE s.subject = ${subject} ${asOfSeq === undefined ? sql`` : sql`AND s.seq <= ${asOfSeq}`}
    ORDER BY s.seq
  `.execute(db);
  const all = rows.map((r) => ({ r, e: JSON.parse(utf8Decode(r.body)) as Envelope }));
  const visible = await entriesVisible(
    db,
    scope,
    all.map(({ e }) => e),
  );
  return all
    .filter((_, i) => visible[i])
    .map(({ r, e }) => ({
      seq: Number(r.seq),
      leafHash: toBase64(r.leaf_hash),
      id: e.id,
      type: e.type,
      time: e.time,
      recorded: e.recorded,
      actor: e.actor,
      data: e.data,
    }));
}

export interface ShipmentView extends Omit<IntakeCounts, 'missing' | 'unexpected'> {
  shipment: ShipmentState;
  /** Serials on the ASN not scanned yet and not held. */
  missing: string[];
  /** Serials scanned against this shipment that are not on it. */
  unexpected: string[];
}

/**
 * A shipment with its intake reconciliation, counted as GET /v1/shipments counts it (query/lists.ts,
 * intakeCounts): expected vs scanned (accepted or quarantined), held, and the missing and unexpected serials.
 */
export async function readShipment(db: Kysely<Database>, id: string): Promise<ShipmentView | undefined> {
  const row = await db.selectFrom('shipment').select('state').where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const shipment = parse<ShipmentState>(row.state);
  const { counts, missing } = intakeCounts(shipment, await loadIntakeFacts(db, [shipment]));
  return { shipment, ...counts, missing, unexpected: shipment.unexpected };
}

export interface VehicleView {
  vehicle: VehicleState;
  slots: {
    slot: string;
    serial: string | null;
    motor: Pick<MotorState, 'serial' | 'motorType' | 'status' | 'holds'> | null;
  }[];
}

/** A vehicle with each slot and the motor in it; undefined when unknown or of a brand the reader may not see. */
export async function readVehicle(
  db: Kysely<Database>,
  vin: string,
  scope: Scope,
): Promise<VehicleView | undefined> {
  const row = await db.selectFrom('vehicle').select('state').where('vin', '=', vin).executeTakeFirst();
  if (!row) return undefined;
  const vehicle = parse<VehicleState>(row.state);
  if (!seesBrand(scope, vehicle.brand) || !vehicle.brand) return undefined;
  const serials = vehicle.slots.flatMap((x) => (x.serial ? [x.serial] : []));
  const motors = serials.length
    ? await db.selectFrom('motor').select('state').where('serial', 'in', serials).execute()
    : [];
  const bySerial = new Map(
    motors.map((m) => [parse<MotorState>(m.state).serial, parse<MotorState>(m.state)]),
  );
  return {
    vehicle,
    slots: vehicle.slots.map(({ slot, serial }) => {
      const m = serial ? bySerial.get(serial) : undefined;
      return {
        slot,
        serial,
        motor: m ? { serial: m.serial, motorType: m.motorType, status: m.status, holds: m.holds } : null,
      };
    }),
  };
}
