// What a search means: a motor serial, a VIN, a component lot ("magnets MAG-26-0075" or the lot code alone),
// a shipment, a truck, an incident or a hold. The text's shape says which things it could be; each of those
// is asked of the API in parallel, and the search goes where the ledger answers. Nothing is guessed: a thing
// the ledger does not know (or the token may not see) is not offered.
import { ApiError, api } from '../api.js';
import {
  type ForwardTrace,
  type Hold,
  href,
  type Incident,
  type MotorAnswer,
  type ShipmentAnswer,
  type Vehicle,
} from './x-data.js';

export type HitKind = 'motor' | 'vehicle' | 'lot' | 'shipment' | 'truck' | 'incident' | 'hold';

export interface Hit {
  kind: HitKind;
  /** Where the search goes. */
  href: string;
  /** What it is, in a few words ("Motor 7DL-000101"). */
  label: string;
  /** One line saying what the ledger knows of it. */
  detail: string;
}

/** The component lots the plant records (the API's documented components), with their lot-code prefixes. */
export const COMPONENTS: { component: string; prefix: string }[] = [
  { component: 'magnets', prefix: 'MAG' },
  { component: 'rotor', prefix: 'ROT' },
  { component: 'stator', prefix: 'STA' },
  { component: 'bearing', prefix: 'BRG' },
  { component: 'inverter', prefix: 'INV' },
];

const SERIAL = /^[A-Z0-9][A-Z0-9-]{3,39}$/;
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const IDENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Words a person may type before an identifier to say what it is. */
const KIND_WORDS = new Set([
  'motor',
  'serial',
  'vin',
  'vehicle',
  'car',
  'lot',
  'shipment',
  'truck',
  'incident',
  'hold',
]);
const COMPONENT_AND_LOT = /^([a-z][a-z]{1,31})\s*[\s:/=]\s*([a-z0-9][a-z0-9._-]{0,63})$/i;

/** null when the API says the thing is not there (404) or cannot be (400); other failures propagate. */
async function probe<T>(path: string, signal: AbortSignal, body?: unknown): Promise<T | null> {
  try {
    return await api<T>(path, { signal, ...(body === undefined ? {} : { body }) });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

async function lotHit(component: string, lot: string, signal: AbortSignal): Promise<Hit | null> {
  const t = await probe<ForwardTrace>(
    `/v1/lots/${encodeURIComponent(component)}/${encodeURIComponent(lot)}/where-used?limit=1`,
    signal,
  );
  if (!t || t.total === 0) return null;
  return {
    kind: 'lot',
    href: href.lot(component, lot),
    label: `${component} lot ${lot}`,
    detail: `${t.total} motor${t.total === 1 ? '' : 's'} built with it`,
  };
}

/**
 * Everything the text could name that the ledger answers for, most specific first.
 * @example const hits = await resolve('7DL-000101', signal); // [{ kind: 'motor', href: '/trace/motors/7DL-000101', … }]
 */
export async function resolve(text: string, signal: AbortSignal): Promise<Hit[]> {
  const raw = text.trim();
  if (raw === '') return [];

  const named = COMPONENT_AND_LOT.exec(raw);
  if (named && !SERIAL.test(raw)) {
    const rest = named[2]!;
    // "truck FR-118-KD", "VIN …", "hold …": the word says what the rest is; search the rest.
    if (KIND_WORDS.has(named[1]!.toLowerCase())) return resolve(rest, signal);
    // Components are named in camelCase (heatShield): kept as typed unless typed in capitals.
    const word = /^[a-z]/.test(named[1]!) ? named[1]! : named[1]!.toLowerCase();
    // "magnets MAG-26-0075": a component and its lot (lot codes are kept as typed, or in capitals).
    const codes = [...new Set([rest.toUpperCase(), rest])];
    const hits = await Promise.all(codes.map((lot) => lotHit(word, lot, signal)));
    const found = hits.find((h) => h !== null);
    return found ? [found] : resolve(rest, signal);
  }

  const id = raw.toUpperCase().replace(/\s+/g, '');
  const asks: Promise<Hit | Hit[] | null>[] = [];
  if (SERIAL.test(id))
    asks.push(
      probe<MotorAnswer>(`/v1/motors/${encodeURIComponent(id)}`, signal).then((m) =>
        m
          ? {
              kind: 'motor',
              href: href.motor(id),
              label: `Motor ${id}`,
              detail: `${m.motor.motorType}, ${m.motor.vin ? `in VIN ${m.motor.vin} (${m.motor.slot})` : (m.motor.site ?? 'on a truck')}`,
            }
          : null,
      ),
    );
  if (VIN.test(id))
    asks.push(
      probe<{ vehicle: Vehicle }>(`/v1/vehicles/${encodeURIComponent(id)}`, signal).then((v) =>
        v
          ? {
              kind: 'vehicle',
              href: href.vehicle(id),
              label: `Vehicle ${id}`,
              detail: `${v.vehicle.brand} ${v.vehicle.model}, ${v.vehicle.status === 'SHIPPED' ? 'shipped' : 'in assembly'}`,
            }
          : null,
      ),
    );
  if (IDENT.test(id)) {
    const path = encodeURIComponent(id);
    asks.push(
      probe<ShipmentAnswer>(`/v1/shipments/${path}`, signal).then((s) =>
        s
          ? {
              kind: 'shipment',
              href: href.shipment(id),
              label: `Shipment ${id}`,
              detail: `${s.shipment.from} → ${s.shipment.to}, ${s.expected} motors, ${s.shipment.status.toLowerCase()}`,
            }
          : null,
      ),
      probe<Incident>(`/v1/incidents/${path}`, signal).then((i) =>
        i
          ? {
              kind: 'incident',
              href: href.incident(id),
              label: `Incident ${id}`,
              detail: `${i.title} (${i.severity}, ${i.status.toLowerCase()})`,
            }
          : null,
      ),
      probe<Hold>(`/v1/holds/${path}`, signal).then((h) =>
        h
          ? {
              kind: 'hold',
              href: href.hold(id),
              label: `Hold ${id}`,
              detail: `${h.serials.length} motor${h.serials.length === 1 ? '' : 's'}, ${h.status.toLowerCase()}: ${h.reason}`,
            }
          : null,
      ),
    );
    // A lot code alone: its prefix names the component when it is one the plant uses; otherwise ask each.
    const prefixed = COMPONENTS.filter((c) => id.startsWith(`${c.prefix}-`));
    for (const c of prefixed.length > 0 ? prefixed : COMPONENTS) asks.push(lotHit(c.component, id, signal));
  }
  const hits = (await Promise.all(asks)).flat().filter((h): h is Hit => h !== null);
  if (hits.length > 0 || !IDENT.test(id)) return hits;

  // Nothing else answered: a truck's plate, which may have carried several shipments.
  const trace = await probe<ForwardTrace>('/v1/trace/forward', signal, {
    filter: { truck: id },
    limit: 5000,
  });
  const shipments = new Map<string, number>();
  for (const m of trace?.items ?? [])
    if (m.shipmentId) shipments.set(m.shipmentId, (shipments.get(m.shipmentId) ?? 0) + 1);
  return [...shipments].map(([shipment, motors]) => ({
    kind: 'truck',
    href: href.shipment(shipment),
    label: `Shipment ${shipment} on truck ${id}`,
    detail: `${motors} motor${motors === 1 ? '' : 's'} on board`,
  }));
}
