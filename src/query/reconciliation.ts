// Flow reconciliation (BRIEF §6): what should have happened by now and did not — motors shipped but not
// received after X hours, received but not installed after X days, VINs with a missing (or duplicate) slot,
// shipments whose scans do not match their ASN — and daily Cléon output against assembly consumption.
import { type Kysely, sql } from 'kysely';
import type { MotorState, ShipmentState, VehicleState } from '../core/domain/state.js';
import type { Database } from '../db/schema.js';
import { type Scope, seesBrand } from './scope.js';

export interface ReconciliationOptions {
  /** The moment to reconcile at (business time); default: now. */
  now: string;
  notReceivedAfterHours: number;
  notInstalledAfterDays: number;
  incompleteAfterDays: number;
  /** Days (YYYY-MM-DD) for the daily balance; default the 14 days up to `now`. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface Reconciliation {
  now: string;
  shippedNotReceived: {
    serial: string;
    shipmentId: string | null;
    truck: string | null;
    departed: string;
    hoursSince: number;
  }[];
  receivedNotInstalled: { serial: string; site: string; received: string; daysSince: number }[];
  incompleteVehicles: {
    vin: string;
    model: string;
    emptySlots: string[];
    firstInstalled: string;
    daysSince: number;
  }[];
  duplicateSlots: { vin: string; slot: string; serials: string[] }[];
  asnMismatches: {
    shipmentId: string;
    asn: string;
    to: string;
    expected: number;
    scanned: number;
    missing: string[];
    unexpected: string[];
  }[];
  daily: { day: string; produced: number; consumed: Record<string, number> }[];
}

const HOUR = 3600_000;
const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** Reconcile the flow at `now`. Reads only the pipeline (partial indexes), never the whole history. */
export async function reconcile(
  db: Kysely<Database>,
  o: ReconciliationOptions,
  scope: Scope,
): Promise<Reconciliation> {
  const now = Date.parse(o.now);
  const pipeline = (
    await sql<{
      state: unknown;
    }>`SELECT state FROM motor WHERE status IN ('LOADED', 'IN_TRANSIT', 'ARRIVED', 'RECEIVED')`.execute(db)
  ).rows.map((r) => parse<MotorState>(r.state));

  const shippedNotReceived = pipeline
    .filter((m) => m.transport && (m.status === 'IN_TRANSIT' || m.status === 'ARRIVED'))
    .map((m) => ({ m, since: (now - Date.parse(m.transport!.departed)) / HOUR }))
    .filter(({ since }) => since >= o.notReceivedAfterHours)
    .map(({ m, since }) => ({
      serial: m.serial,
      shipmentId: m.shipmentId,
      truck: m.transport?.truck ?? null,
      departed: m.transport!.departed,
      hoursSince: Math.round(since * 10) / 10,
    }));

  const receivedNotInstalled = pipeline
    .filter((m) => m.status === 'RECEIVED' && m.received)
    .map((m) => ({ m, days: (now - Date.parse(m.received!.time)) / (24 * HOUR) }))
    .filter(({ days }) => days >= o.notInstalledAfterDays)
    .map(({ m, days }) => ({
      serial: m.serial,
      site: m.received!.site,
      received: m.received!.time,
      daysSince: Math.round(days * 10) / 10,
    }));

  const vehicles = (
    await sql<{ state: unknown }>`SELECT state FROM vehicle WHERE status = 'IN_ASSEMBLY'`.execute(db)
  ).rows
    .map((r) => parse<VehicleState>(r.state))
    .filter((v) => seesBrand(scope, v.brand));
  const incompleteVehicles = vehicles.flatMap((v) => {
    const empty = v.slots.filter((s) => !s.serial).map((s) => s.slot);
    const first = v.history[0]?.time;
    if (empty.length === 0 || !first) return [];
    const days = (now - Date.parse(first)) / (24 * HOUR);
    return days >= o.incompleteAfterDays
      ? [
          {
            vin: v.vin,
            model: v.model,
            emptySlots: empty,
            firstInstalled: first,
            daysSince: Math.round(days * 10) / 10,
          },
        ]
      : [];
  });
  const duplicateSlots = vehicles.flatMap((v) => {
    const bySlot = new Map<string, string[]>();
    for (const s of v.slots)
      bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), ...(s.serial ? [s.serial] : [])]);
    return [...bySlot]
      .filter(([, serials]) => serials.length > 1)
      .map(([slot, serials]) => ({ vin: v.vin, slot, serials }));
  });

  const shipments = (
    await sql<{ state: unknown }>`
      SELECT state FROM shipment WHERE status <> 'LOADED'
        AND (jsonb_array_length(state->'received') <> jsonb_array_length(state->'serials') OR jsonb_array_length(state->'unexpected') > 0)
    `.execute(db)
  ).rows.map((r) => parse<ShipmentState>(r.state));
  const asnMismatches = shipments
    .filter((s) => s.departed && (now - Date.parse(s.departed.time)) / HOUR >= o.notReceivedAfterHours)
    .map((s) => {
      const received = new Set(s.received);
      return {
        shipmentId: s.id,
        asn: s.asn,
        to: s.to,
        expected: s.serials.length,
        scanned: s.received.length,
        missing: s.serials.filter((x) => !received.has(x)),
        unexpected: s.unexpected,
      };
    });

  const to = o.to ?? o.now.slice(0, 10);
  const from = o.from ?? new Date(Date.parse(to) - 13 * 24 * HOUR).toISOString().slice(0, 10);
  const counts = await db
    .selectFrom('attribute_count')
    .select(['attribute', 'value', 'motors'])
    .where((eb) =>
      eb.or([
        eb.and([eb('attribute', '=', 'productionDay'), eb('value', '>=', from), eb('value', '<=', to)]),
        eb.and([eb('attribute', '=', 'consumedDay'), eb('value', 'like', '% %')]),
      ]),
    )
    .execute();
  const days = new Map<string, { day: string; produced: number; consumed: Record<string, number> }>();
  const dayOf = (d: string) => {
    const e = days.get(d) ?? { day: d, produced: 0, consumed: {} };
    days.set(d, e);
    return e;
  };
  for (const c of counts) {
    if (c.attribute === 'productionDay') dayOf(c.value).produced += Number(c.motors);
    else {
      const [site = '', day = ''] = c.value.split(' ');
      if (day >= from && day <= to)
        dayOf(day).consumed[site] = (dayOf(day).consumed[site] ?? 0) + Number(c.motors);
    }
  }
  return {
    now: o.now,
    shippedNotReceived,
    receivedNotInstalled,
    incompleteVehicles,
    duplicateSlots,
    asnMismatches,
    daily: [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)),
  };
}
