// A ledger entry in the plant's words, seen from one page (a motor's, a vehicle's, a shipment's): its title,
// its key data as label/value facts with links (lots, shipments, VINs, holds, incidents), and EOL measurements
// with their units. The timeline draws it; its CSV writes the same facts.
import { type Entry, href } from './x-data.js';

export type Tone = 'ok' | 'bad' | 'pending' | 'neutral';

export interface Fact {
  label: string;
  text: string;
  href?: string | undefined;
  tone?: Tone | undefined;
}

export interface Described {
  title: string;
  tone?: Tone;
  facts: Fact[];
  /** EOL measurements, each with its unit. */
  measures?: Fact[];
}

/** Whose timeline this is: its own serial or VIN is not linked to itself. */
export interface Subject {
  serial?: string;
  vin?: string;
  shipment?: string;
}

const UNITS: [suffix: string, unit: string][] = [
  ['MOhm', 'MΩ'],
  ['KOhm', 'kΩ'],
  ['Ohm', 'Ω'],
  ['MmS', 'mm/s'],
  ['Nm', 'N·m'],
  ['Db', 'dB'],
  ['Rpm', 'rpm'],
  ['Kw', 'kW'],
  ['Pct', '%'],
  ['Mv', 'mV'],
  ['V', 'V'],
  ['A', 'A'],
  ['C', '°C'],
];
const NAMES: Record<string, string> = { backEmf: 'Back EMF' };

/** torqueNm: 360.4 → ["Torque", "360.4 N·m"] */
export function measure(name: string, value: unknown): Fact {
  const u = UNITS.find(
    ([s]) => name.endsWith(s) && name.length > s.length && /[a-z]$/.test(name.slice(0, -s.length)),
  );
  const base = u ? name.slice(0, -u[0].length) : name;
  const words = NAMES[base] ?? base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return { label, text: u ? `${String(value)} ${u[1]}` : String(value) };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** An entry in words, with links, seen from `subject`'s page. */
export function describe(e: Entry, subject: Subject): Described {
  const d = e.data;
  const serial = str(d.serial);
  const motorFact = (): Fact[] =>
    serial && serial !== subject.serial ? [{ label: 'Motor', text: serial, href: href.motor(serial) }] : [];
  const vinFact = (vin: string): Fact[] =>
    vin && vin !== subject.vin ? [{ label: 'VIN', text: vin, href: href.vehicle(vin) }] : [];
  const shipmentFact = (id: string): Fact[] =>
    id && id !== subject.shipment ? [{ label: 'Shipment', text: id, href: href.shipment(id) }] : [];
  switch (e.type) {
    case 'motor.produced': {
      const lots = (d.lots ?? {}) as Record<string, string>;
      return {
        title: `Produced at ${str(d.site) || e.actor.site}`,
        facts: [
          ...motorFact(),
          { label: 'Type', text: str(d.motorType) },
          { label: 'Line', text: str(d.line) },
          { label: 'Station', text: str(d.station) },
          { label: 'Shift', text: str(d.shift) },
          { label: 'Operator', text: str(d.operator) },
          { label: 'Work order', text: str(d.workOrder) },
          ...Object.entries(lots)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([component, lot]) => ({
              label: `${component} lot`,
              text: lot,
              href: href.lot(component, lot),
            })),
        ],
      };
    }
    case 'motor.tested': {
      const pass = d.verdict === 'PASS';
      return {
        title: `End-of-line test: ${pass ? 'pass' : 'FAIL'}`,
        tone: pass ? 'ok' : 'bad',
        facts: [
          ...motorFact(),
          { label: 'Verdict', text: str(d.verdict), tone: pass ? 'ok' : 'bad' },
          { label: 'Bench', text: str(d.bench) },
          { label: 'Spec', text: str(d.specVersion) },
        ],
        measures: Object.entries((d.measurements ?? {}) as Record<string, unknown>)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => measure(k, v)),
      };
    }
    case 'shipment.loaded': {
      const racks = (d.racks ?? []) as { rack: string; serials: string[] }[];
      const rack = subject.serial ? racks.find((r) => r.serials.includes(subject.serial!))?.rack : undefined;
      const count = racks.reduce((n, r) => n + r.serials.length, 0);
      return {
        title: `Loaded on a truck at ${str(d.from)}, bound for ${str(d.to)}`,
        facts: [
          ...shipmentFact(str(d.shipmentId)),
          ...(rack ? [{ label: 'Rack', text: rack }] : []),
          { label: 'ASN', text: str(d.asn) },
          { label: 'Motors on it', text: String(count) },
        ],
      };
    }
    case 'shipment.departed':
      return {
        title: `Departed ${str(d.from)} for ${str(d.to)}`,
        facts: [
          ...shipmentFact(str(d.shipmentId)),
          { label: 'Truck', text: str(d.truck) },
          { label: 'Carrier', text: str(d.carrier) },
          { label: 'Seal', text: str(d.seal) },
        ],
      };
    case 'shipment.arrived':
      return {
        title: `Arrived at ${str(d.site)}`,
        facts: [...shipmentFact(str(d.shipmentId)), { label: 'Dock', text: str(d.dock) }],
      };
    case 'motor.received':
      return {
        title: `Intake: accepted at ${str(d.site)}`,
        tone: 'ok',
        facts: [
          ...motorFact(),
          { label: 'Verdict', text: 'ACCEPTED', tone: 'ok' },
          ...shipmentFact(str(d.shipmentId)),
          { label: 'Dock', text: str(d.dock) },
          { label: 'Scanner', text: str(d.scanner) },
        ],
      };
    case 'intake.rejected':
      return {
        title: `Intake: rejected at ${str(d.site)}`,
        tone: 'bad',
        facts: [
          ...motorFact(),
          { label: 'Verdict', text: `REJECTED ${str(d.code)}`, tone: 'bad' },
          { label: 'Why', text: str(d.reason) },
          ...shipmentFact(str(d.shipmentId)),
          { label: 'Dock', text: str(d.dock) },
          { label: 'Scanner', text: str(d.scanner) },
        ],
      };
    case 'motor.installed':
      return {
        title: `Installed in slot ${str(d.slot)}`,
        facts: [
          ...motorFact(),
          ...vinFact(str(d.vin)),
          { label: 'Model', text: `${str(d.brand)} ${str(d.model)}`.trim() },
          { label: 'Slot', text: str(d.slot) },
          { label: 'Station', text: str(d.station) },
        ],
      };
    case 'motor.removed':
      return {
        title: `Removed from slot ${str(d.slot)}`,
        tone: 'pending',
        facts: [
          ...motorFact(),
          ...vinFact(str(d.vin)),
          { label: 'Slot', text: str(d.slot) },
          { label: 'Why', text: str(d.reason) },
        ],
      };
    case 'vehicle.shipped':
      return {
        title: 'Vehicle shipped',
        facts: [
          ...vinFact(str(d.vin)),
          ...list(d.serials)
            .filter((s) => s !== subject.serial)
            .map((s) => ({ label: 'Motor', text: s, href: href.motor(s) })),
        ],
      };
    case 'motor.held':
    case 'motor.released': {
      const held = e.type === 'motor.held';
      const n = list(d.serials).length;
      return {
        title: held ? 'Put on quality hold' : 'Released from hold',
        tone: held ? 'bad' : 'ok',
        facts: [
          { label: 'Hold', text: str(d.holdId), href: href.hold(str(d.holdId)) },
          { label: 'Why', text: str(d.reason) },
          ...(d.incidentId
            ? [{ label: 'Incident', text: str(d.incidentId), href: href.incident(str(d.incidentId)) }]
            : []),
          { label: held ? 'Motors held' : 'Motors released', text: String(n) },
        ],
      };
    }
    case 'incident.opened':
    case 'incident.updated':
    case 'incident.closed':
      return {
        title: `Incident ${e.type.slice('incident.'.length)}`,
        facts: [
          { label: 'Incident', text: str(d.incidentId), href: href.incident(str(d.incidentId)) },
          ...(['title', 'severity', 'finding', 'resolution'] as const)
            .filter((k) => d[k] !== undefined)
            .map((k) => ({ label: k.charAt(0).toUpperCase() + k.slice(1), text: str(d[k]) })),
        ],
      };
    case 'correction':
      return {
        title: `Correction of entry #${str(d.targetSeq)}`,
        tone: 'pending',
        facts: [
          {
            label: 'Corrects',
            text: `#${str(d.targetSeq)} ${str(d.targetType)}`,
            href: `#seq-${str(d.targetSeq)}`,
          },
          { label: 'Why', text: str(d.reason) },
          ...list(d.correctiveIds).map((id) => ({ label: 'Corrective entry', text: id })),
        ],
      };
    case 'epcis.captured':
      return partnerEvent(e);
    default:
      return {
        title: e.type,
        facts: Object.entries(d).map(([k, v]) => ({
          label: k,
          text: typeof v === 'object' ? JSON.stringify(v) : str(v),
        })),
      };
  }
}

/** A CBV term as a person reads it: its bare word, whichever form it was sent in. */
const cbvWord = (v: unknown): string =>
  str(v).replace(/^(urn:epcglobal:cbv:(bizstep|disp):|https:\/\/ref\.gs1\.org\/cbv\/(BizStep|Disp)-)/, '');

/** A partner's EPCIS event kept as sent (docs/epcis.md, Capture): who sent it, what it says, its readings. */
function partnerEvent(e: Entry): Described {
  const ev = (e.data.event ?? {}) as Record<string, unknown>;
  const step = cbvWord(ev.bizStep);
  const place = (ev.readPoint as { id?: unknown } | undefined)?.id;
  const readings = ((ev.sensorElementList ?? []) as { sensorReport?: Record<string, unknown>[] }[])
    .flatMap((el) => el.sensorReport ?? [])
    .slice(0, 6)
    .map((r) => ({
      label: str(r.type).replace(/^gs1:/, ''),
      text: `${str(r.value ?? r.stringValue)} ${str(r.uom)}`.trim(),
    }));
  return {
    title: `Partner event: ${step || str(ev.type)}`,
    tone: 'neutral',
    facts: [
      { label: 'Sent by', text: e.actor.sub },
      { label: 'EPCIS', text: `${str(ev.type)} ${str(ev.action)}`.trim() },
      ...(ev.disposition ? [{ label: 'Disposition', text: cbvWord(ev.disposition) }] : []),
      ...(place ? [{ label: 'Read point', text: str(place) }] : []),
      {
        label: 'Event hash',
        text: `${str(e.data.eventHash).slice('ni:///sha-256;'.length, 'ni:///sha-256;'.length + 12)}…`,
      },
    ],
    ...(readings.length > 0 ? { measures: readings } : {}),
  };
}
