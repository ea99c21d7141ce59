// The investigation's criteria: how they read in the page's URL (short, stable keys a person can paste into an
// 8D report) and how they become the filter POST /v1/trace/forward takes. One table serves the form, the URL,
// the sentence that says what was traced, and the common-cause page's "investigate this value" links. And the
// trace itself: every motor of it, fetched page after page.
import { api } from '../api.js';
import type { ForwardTrace, TracedMotor } from './x-data.js';

export interface TraceFilter {
  lots?: Record<string, string>;
  motorType?: string;
  line?: string;
  station?: string;
  shift?: string;
  operator?: string;
  workOrder?: string;
  producedFrom?: string;
  producedTo?: string;
  bench?: string;
  specVersion?: string;
  measurement?: { name: string; min?: number; max?: number };
  shipmentId?: string;
  truck?: string;
  carrier?: string;
}

/** A criterion that is one value: its URL key, the filter's key, and its words. */
export const SIMPLE: { key: string; filter: keyof TraceFilter; label: string; hint: string }[] = [
  { key: 'line', filter: 'line', label: 'Production line', hint: 'e.g. L4' },
  { key: 'station', filter: 'station', label: 'Production station', hint: 'e.g. L4-ST20' },
  { key: 'shift', filter: 'shift', label: 'Shift', hint: 'one letter: A, B, C' },
  { key: 'operator', filter: 'operator', label: 'Operator badge', hint: 'e.g. OP-1350' },
  { key: 'workOrder', filter: 'workOrder', label: 'Work order', hint: '' },
  { key: 'type', filter: 'motorType', label: 'Motor type', hint: '7DL, 6AM…' },
  { key: 'bench', filter: 'bench', label: 'EOL bench', hint: 'e.g. EOL-2' },
  { key: 'spec', filter: 'specVersion', label: 'EOL spec version', hint: '' },
  { key: 'shipment', filter: 'shipmentId', label: 'Shipment', hint: 'e.g. SHP-0000058' },
  { key: 'truck', filter: 'truck', label: 'Truck', hint: 'plate, e.g. TF-633-VV' },
  { key: 'carrier', filter: 'carrier', label: 'Carrier', hint: '' },
];

/** Every URL key the investigation reads as a criterion (asOf is when, not what). */
export const CRITERIA_KEYS = [
  'component',
  'lot',
  ...SIMPLE.map((s) => s.key),
  'from',
  'to',
  'measure',
  'min',
  'max',
];

/** The filter the URL's query asks for; null when it names no criterion. */
export function filterOf(q: Record<string, string | undefined>): TraceFilter | null {
  const f: TraceFilter = {};
  const v = (k: string) => q[k]?.trim() || undefined;
  const component = v('component');
  const lot = v('lot');
  if (component && lot) f.lots = { [component]: lot };
  for (const s of SIMPLE) {
    const value = v(s.key);
    if (value) (f as Record<string, unknown>)[s.filter] = value;
  }
  const from = v('from');
  const to = v('to');
  if (from) f.producedFrom = from;
  if (to) f.producedTo = to;
  const measure = v('measure');
  if (measure) {
    const min = v('min');
    const max = v('max');
    f.measurement = {
      name: measure,
      ...(min !== undefined ? { min: Number(min) } : {}),
      ...(max !== undefined ? { max: Number(max) } : {}),
    };
  }
  return Object.keys(f).length > 0 ? f : null;
}

/** What was traced, in words: "magnets lot MAG-26-0075, production line L4". */
export function describeFilter(f: TraceFilter): string {
  const parts: string[] = [];
  for (const [component, lot] of Object.entries(f.lots ?? {})) parts.push(`${component} lot ${lot}`);
  for (const s of SIMPLE) {
    const value = f[s.filter];
    if (typeof value === 'string') parts.push(`${s.label.toLowerCase()} ${value}`);
  }
  if (f.producedFrom || f.producedTo)
    parts.push(
      `produced ${f.producedFrom ? `from ${f.producedFrom}` : ''}${f.producedFrom && f.producedTo ? ' ' : ''}${f.producedTo ? `until ${f.producedTo}` : ''}`,
    );
  if (f.measurement) {
    const m = f.measurement;
    parts.push(
      `${m.name} ${m.min !== undefined ? `≥ ${m.min}` : ''}${m.min !== undefined && m.max !== undefined ? ' and ' : ''}${m.max !== undefined ? `≤ ${m.max}` : ''}`.trim(),
    );
  }
  return parts.join(', ');
}

/**
 * The investigation URL for one attribute value common cause found, or null when the forward trace has no
 * filter for that attribute (intake site, slot, vehicle model…).
 * @example investigateHref('lot:magnets', 'MAG-26-0075') // '/trace/investigate?component=magnets&lot=MAG-26-0075'
 */
export function investigateHref(attribute: string, value: string): string | null {
  const p = new URLSearchParams();
  if (attribute.startsWith('lot:')) {
    p.set('component', attribute.slice(4));
    p.set('lot', value);
  } else if (attribute === 'productionDay') {
    p.set('from', `${value}T00:00:00Z`);
    p.set('to', `${value}T23:59:59Z`);
  } else {
    const key: Record<string, string> = {
      motorType: 'type',
      line: 'line',
      station: 'station',
      shift: 'shift',
      operator: 'operator',
      workOrder: 'workOrder',
      bench: 'bench',
      specVersion: 'spec',
      shipment: 'shipment',
      truck: 'truck',
      carrier: 'carrier',
    };
    const k = key[attribute];
    if (!k) return null;
    p.set(k, value);
  }
  return `/trace/investigate?${p.toString()}`;
}

/** The whole trace: every motor, with the counts of the first page. */
export type Trace = Omit<ForwardTrace, 'nextCursor'>;

/** Every motor of the trace: the API's pages of up to 5,000, the later ones pinned to the first one's seq. */
export async function traceAll(filter: TraceFilter, asOfTime: string | undefined): Promise<Trace> {
  let first: ForwardTrace | undefined;
  const items: TracedMotor[] = [];
  let cursor: string | null = null;
  do {
    const at: { asOfTime?: string; asOfSeq?: number } = first
      ? { asOfSeq: first.asOfSeq }
      : asOfTime
        ? { asOfTime }
        : {};
    const page: ForwardTrace = await api<ForwardTrace>('/v1/trace/forward', {
      body: { filter, limit: 5000, ...at, ...(cursor ? { cursor } : {}) },
      timeoutMs: 60_000,
    });
    first ??= page;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { asOfSeq: first.asOfSeq, total: first.total, groups: first.groups, items };
}
