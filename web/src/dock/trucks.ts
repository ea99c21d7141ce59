// A truck as the dock sees it: its route and intake counts, from GET /v1/shipments (the list) or
// GET /v1/shipments/{id} (one), remembered on the device so the screen still shows it with no network.

export interface TruckCounts {
  id: string;
  from: string;
  to: string;
  status: 'LOADED' | 'DEPARTED' | 'ARRIVED';
  /** The dock it arrived at, when it has. */
  arrivedDock: string | null;
  truck: string | null;
  expected: number;
  scanned: number;
  accepted: number;
  quarantined: number;
  held: number;
  missing: number;
  /** When these counts were read (device time). */
  asOf: string;
}

/** What intake made of a truck's motors, as both shipment reads count them. */
type IntakeCounts = Pick<
  TruckCounts,
  'expected' | 'scanned' | 'accepted' | 'quarantined' | 'held' | 'missing'
>;

/** A truck's route, as both shipment reads give it. */
interface Route extends Pick<TruckCounts, 'id' | 'from' | 'to' | 'status'> {
  departed: { truck: string } | null;
  arrived: { dock: string } | null;
}

/** One row of GET /v1/shipments. */
export interface ShipmentSummary extends Route, IntakeCounts {}

/** GET /v1/shipments/{id}: the same counts, with the missing serials themselves. */
export interface ShipmentRead extends Omit<IntakeCounts, 'missing'> {
  shipment: Route;
  missing: string[];
}

export function fromSummary(s: ShipmentSummary): TruckCounts {
  return {
    id: s.id,
    from: s.from,
    to: s.to,
    status: s.status,
    arrivedDock: s.arrived?.dock ?? null,
    truck: s.departed?.truck ?? null,
    expected: s.expected,
    scanned: s.scanned,
    accepted: s.accepted,
    quarantined: s.quarantined,
    held: s.held,
    missing: s.missing,
    asOf: new Date().toISOString(),
  };
}

export function fromRead(r: ShipmentRead): TruckCounts {
  const { shipment: s, ...counts } = r;
  const route = {
    id: s.id,
    from: s.from,
    to: s.to,
    status: s.status,
    departed: s.departed,
    arrived: s.arrived,
  };
  return fromSummary({ ...route, ...counts, missing: r.missing.length });
}

const key = (id: string) => `motor-ledger.truck.${id}`;

export function rememberTruck(t: TruckCounts): void {
  localStorage.setItem(key(t.id), JSON.stringify(t));
}

export function rememberedTruck(id: string): TruckCounts | null {
  const raw = localStorage.getItem(key(id));
  try {
    return raw ? (JSON.parse(raw) as TruckCounts) : null;
  } catch {
    return null;
  }
}

/** Unloaded: every motor on it scanned, or held and bound for quarantine. */
export const complete = (t: { expected: number; scanned: number; held: number }) =>
  t.scanned + t.held >= t.expected;

export function statusWords(t: TruckCounts): string {
  if (t.status === 'ARRIVED') return `at dock ${t.arrivedDock ?? '?'}`;
  if (t.status === 'DEPARTED') return 'on the road';
  return 'still loading at origin';
}
