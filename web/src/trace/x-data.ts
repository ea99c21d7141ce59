// The explorer's reading of the API: the shapes its pages use (as the routes answer them), a hook that loads
// one or more calls in parallel and cancels them when the page changes, and how times and states read. A shape
// the server answers straight from its projections is src/core's own type, not a copy of it.
import { useEffect, useState } from 'preact/hooks';
import type { Catalog } from '../../../src/core/domain/catalog.js';
import type {
  HoldState,
  IncidentState,
  MotorState,
  ShipmentState,
  Stamp,
  VehicleState,
} from '../../../src/core/domain/state.js';

export type { Catalog };

/** One ledger entry as a timeline lists it (GET /v1/motors/{serial}, …/timeline). */
export interface Entry {
  seq: number;
  leafHash: string;
  id: string;
  type: string;
  time: string;
  recorded: string;
  actor: { sub: string; role: string; site: string };
  data: Record<string, unknown>;
}

/** A motor as GET /v1/motors/{serial} answers it: its projection. */
export type Motor = MotorState;

export interface MotorAnswer {
  motor: Motor;
  timeline: Entry[];
}

export interface TimelineAnswer {
  subject: string;
  asOfSeq: number;
  entries: Entry[];
}

/** When and by whom (a hold's or an incident's opening, a release). */
export type By = HoldState['opened'];

export interface HoldSummary {
  id: string;
  status: 'ACTIVE' | 'RELEASED';
  reason: string;
  incidentId: string | null;
  counts: { motors: number; held: number; released: number };
  opened: By;
  releasedAt: By | null;
  lastSeq: number;
}

export type Hold = HoldState;

export interface IncidentSummary {
  id: string;
  title: string;
  severity: string;
  status: 'OPEN' | 'CLOSED';
  opened: By;
  closed: IncidentState['closed'];
  counts: {
    suspectVins: number;
    suspectSerials: number;
    findings: number;
    holds: number;
    activeHolds: number;
    motorsHeld: number;
  };
  lastSeq: number;
}

export type Incident = IncidentState;

export interface ListPage<T> {
  items: T[];
  next: string | null;
}

export type Vehicle = VehicleState;

export interface MotorGenealogy {
  slot: string | null;
  serial: string;
  motorType: string;
  status: string;
  production: Motor['produced'];
  tests: (Stamp & { bench: string; specVersion: string; verdict: string; measurements: unknown })[];
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
  intake: Motor['received'];
  installation: Motor['installed'];
  removals: { seq: number; time: string; vin: string; slot: string; reason: string }[];
  holds: { id: string; reason: string; status: string; incidentId: string | null; since: string }[];
  corrections: { seq: number; targetId: string; reason: string }[];
}

export interface Genealogy {
  asOfSeq: number;
  vehicle: Vehicle;
  slots: MotorGenealogy[];
  removed?: MotorGenealogy[];
}

export type LocationGroup =
  | 'AT_CLEON'
  | 'IN_TRANSIT'
  | 'IN_BUFFER'
  | 'INSTALLED'
  | 'VEHICLE_SHIPPED'
  | 'HELD';

/** Each group's words, the same on every page; a colour always comes with them, never alone. */
export const GROUPS: { group: LocationGroup; label: string; short: string; holdable: boolean }[] = [
  { group: 'AT_CLEON', label: 'At Cléon', short: 'Cléon', holdable: true },
  { group: 'IN_TRANSIT', label: 'In transit', short: 'Transit', holdable: true },
  { group: 'IN_BUFFER', label: 'In an assembly buffer', short: 'Buffer', holdable: true },
  { group: 'INSTALLED', label: 'Installed in a vehicle', short: 'Installed', holdable: false },
  { group: 'VEHICLE_SHIPPED', label: 'In a shipped vehicle', short: 'Shipped', holdable: false },
  { group: 'HELD', label: 'Held', short: 'Held', holdable: false },
];
export const groupLabel = (g: string) => GROUPS.find((x) => x.group === g)?.label ?? g;
/** A group's words inside a sentence: "12 in transit", "3 at Cléon". */
export const groupWords = (g: string) => {
  const label = groupLabel(g);
  return label.charAt(0).toLowerCase() + label.slice(1);
};

export interface TracedMotor {
  serial: string;
  motorType: string;
  producedAt: string;
  group: LocationGroup;
  site: string | null;
  shipmentId: string | null;
  vin: string | null;
  slot: string | null;
  status: string;
  holds: string[];
}

/** How many motors of a forward trace are in one group, and by what (site, shipment, model). */
export interface TraceGroup {
  group: LocationGroup;
  count: number;
  by: { key: string; count: number }[];
}

/** One page of POST /v1/trace/forward. */
export interface ForwardTrace {
  asOfSeq: number;
  total: number;
  groups: TraceGroup[];
  items: TracedMotor[];
  nextCursor: string | null;
}

export interface ShipmentAnswer {
  shipment: ShipmentState;
  expected: number;
  scanned: number;
  accepted: number;
  quarantined: number;
  held: number;
  missing: string[];
  unexpected: string[];
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; error: unknown }
  | { state: 'done'; data: T };

/**
 * Load what a page shows, again whenever `key` changes; the calls of one load run in parallel (the caller
 * uses Promise.all) and are cancelled when the page moves on.
 * @example const m = useLoad(serial, (signal) => api<MotorAnswer>(`/v1/motors/${serial}`, { signal }));
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [result, setResult] = useState<{ key: string; value: Loaded<T> }>({
    key,
    value: { state: 'loading' },
  });
  useEffect(() => {
    const controller = new AbortController();
    setResult({ key, value: { state: 'loading' } });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key, value: { state: 'done', data } });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ key, value: { state: 'failed', error } });
      },
    );
    return () => controller.abort();
  }, [key]);
  return result.key === key ? result.value : { state: 'loading' };
}

/**
 * 2026-11-22 05:10 UTC: business times as the ledger holds them, unambiguous in an 8D report; with the seconds
 * (2026-11-22 05:10:07 UTC) for an "as of" that must be exact.
 */
export function utc(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : `${new Date(t)
        .toISOString()
        .slice(0, seconds ? 19 : 16)
        .replace('T', ' ')} UTC`;
}

const INT = new Intl.NumberFormat('en-GB');
/** 2,011 */
export const int = (n: number) => INT.format(n);

/** A motor's state in the plant's words. */
export const MOTOR_STATUS: Record<string, string> = {
  PRODUCED: 'Produced, at Cléon',
  LOADED: 'Loaded on a truck',
  IN_TRANSIT: 'In transit',
  ARRIVED: 'Arrived, not yet scanned',
  RECEIVED: 'In the assembly buffer',
  INSTALLED: 'Installed in a vehicle',
  VEHICLE_SHIPPED: 'Vehicle shipped',
};

/** A link into the explorer. */
export const href = {
  motor: (serial: string) => `/trace/motors/${encodeURIComponent(serial)}`,
  vehicle: (vin: string) => `/trace/vehicles/${encodeURIComponent(vin)}`,
  shipment: (id: string) => `/trace/shipments/${encodeURIComponent(id)}`,
  lot: (component: string, lot: string) =>
    `/trace/lots/${encodeURIComponent(component)}/${encodeURIComponent(lot)}`,
  hold: (id: string) => `/trace/holds?id=${encodeURIComponent(id)}`,
  incident: (id: string) => `/trace/incidents/${encodeURIComponent(id)}`,
};

/** `a=1&b=2` from an object, leaving out empty values. */
export function queryString(values: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v.trim() !== '') p.set(k, v.trim());
  return p.toString();
}
