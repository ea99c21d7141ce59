// The explorer's reading of the API: the shapes its pages use (as the routes answer them), a hook that loads
// one or more calls in parallel and cancels them when the page changes, and how times and states read.
import { useEffect, useState } from 'preact/hooks';

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

type Stamp = { seq: number; time: string };

export interface Motor {
  serial: string;
  motorType: string;
  status: string;
  site: string | null;
  produced: Stamp & {
    site: string;
    line: string;
    station: string;
    shift: string;
    operator: string;
    workOrder: string;
    lots: Record<string, string>;
  };
  lastTest:
    | (Stamp & { bench: string; specVersion: string; verdict: string; measurements: Record<string, unknown> })
    | null;
  tests: number;
  shipmentId: string | null;
  rack: string | null;
  transport: { carrier: string; truck: string; departed: string; arrived: string | null } | null;
  received: (Stamp & { site: string; shipmentId: string; dock: string; scanner: string }) | null;
  vin: string | null;
  slot: string | null;
  installed: (Stamp & { station: string; site: string; model: string; brand: string }) | null;
  removals: number;
  holds: string[];
  lastSeq: number;
}

export interface MotorAnswer {
  motor: Motor;
  timeline: Entry[];
}

export interface TimelineAnswer {
  subject: string;
  asOfSeq: number;
  entries: Entry[];
}

export interface By {
  seq: number;
  time: string;
  by: string;
}

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

export interface Hold {
  id: string;
  reason: string;
  incidentId: string | null;
  status: 'ACTIVE' | 'RELEASED';
  serials: string[];
  released: string[];
  opened: By;
  lastSeq: number;
}

export interface IncidentSummary {
  id: string;
  title: string;
  severity: string;
  status: 'OPEN' | 'CLOSED';
  opened: By;
  closed: (Stamp & { resolution: string }) | null;
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

export interface Incident {
  id: string;
  title: string;
  severity: string;
  status: 'OPEN' | 'CLOSED';
  suspectVins: string[];
  suspectSerials: string[];
  findings: { seq: number; time: string; text: string }[];
  opened: By;
  closed: (Stamp & { resolution: string }) | null;
  lastSeq: number;
}

export interface ListPage<T> {
  items: T[];
  next: string | null;
}

export interface Vehicle {
  vin: string;
  model: string;
  brand: string;
  site: string;
  slots: { slot: string; serial: string | null }[];
  status: 'IN_ASSEMBLY' | 'SHIPPED';
  shipped: Stamp | null;
  history: { seq: number; time: string; action: 'installed' | 'removed'; slot: string; serial: string }[];
  lastSeq: number;
}

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

export interface Catalog {
  sites: Record<string, { name: string }>;
  motorTypes: Record<string, { name: string }>;
  models: Record<string, { brand: string; name: string; slots: Record<string, string> }>;
}

export type LocationGroup =
  | 'AT_CLEON'
  | 'IN_TRANSIT'
  | 'IN_BUFFER'
  | 'INSTALLED'
  | 'VEHICLE_SHIPPED'
  | 'HELD';

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

export interface ForwardTrace {
  asOfSeq: number;
  total: number;
  groups: { group: LocationGroup; count: number; by: { key: string; count: number }[] }[];
  items: TracedMotor[];
  nextCursor: string | null;
}

export interface ShipmentAnswer {
  shipment: {
    id: string;
    asn: string;
    from: string;
    to: string;
    status: 'LOADED' | 'DEPARTED' | 'ARRIVED';
    racks: { rack: string; serials: string[] }[];
    serials: string[];
    loaded: Stamp;
    departed: (Stamp & { carrier: string; truck: string; seal: string }) | null;
    arrived: (Stamp & { dock: string }) | null;
    received: string[];
    unexpected: string[];
    rejectedScans: number;
    lastSeq: number;
  };
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

/** 2026-11-22 05:10 UTC: business times as the ledger holds them, unambiguous in an 8D report. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
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
