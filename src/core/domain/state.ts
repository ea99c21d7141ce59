// Current state of motors, shipments, vehicles, holds and incidents (the projections), and `evolve`, the one
// function that folds an entry into them. The live write path and `rebuild` both use it, which is why a
// rebuilt projection equals the live one row for row. It reads only the entry (never the clock).
import type { Actor, JsonObject } from '../envelope.js';
import { attributeKey, motorAttributes } from './attributes.js';

export type MotorStatus =
  | 'PRODUCED'
  | 'LOADED'
  | 'IN_TRANSIT'
  | 'ARRIVED'
  | 'RECEIVED'
  | 'INSTALLED'
  | 'VEHICLE_SHIPPED';

export interface Stamp {
  seq: number;
  time: string;
}

export interface MotorState {
  serial: string;
  motorType: string;
  status: MotorStatus;
  /** Where the motor is: a site code, or null on a truck. */
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
    | (Stamp & { bench: string; specVersion: string; verdict: 'PASS' | 'FAIL'; measurements: JsonObject })
    | null;
  tests: number;
  shipmentId: string | null;
  rack: string | null;
  /** The truck that carried it, once its shipment departed. */
  transport: { carrier: string; truck: string; departed: string; arrived: string | null } | null;
  received: (Stamp & { site: string; shipmentId: string; dock: string; scanner: string }) | null;
  vin: string | null;
  slot: string | null;
  installed: (Stamp & { station: string; site: string; model: string; brand: string }) | null;
  removals: number;
  /** Active holds, by id. */
  holds: string[];
  lastSeq: number;
}

export interface ShipmentState {
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
  /** Serials accepted at intake, in scan order. */
  received: string[];
  /** Serials scanned against this shipment that are not on it. */
  unexpected: string[];
  /**
   * Serials of this shipment rejected at its intake and not received since (in the quarantine area). Absent from
   * projections written before it existed: `motor-ledger rebuild` fills it.
   */
  quarantined?: string[];
  rejectedScans: number;
  lastSeq: number;
}

export interface VehicleState {
  vin: string;
  model: string;
  brand: string;
  site: string;
  /** In the model's slot order (an array: JSON object key order is not kept by jsonb). */
  slots: { slot: string; serial: string | null }[];
  status: 'IN_ASSEMBLY' | 'SHIPPED';
  shipped: Stamp | null;
  history: {
    seq: number;
    time: string;
    action: 'installed' | 'removed';
    slot: string;
    serial: string;
    reason?: string;
  }[];
  lastSeq: number;
}

export interface HoldState {
  id: string;
  reason: string;
  incidentId: string | null;
  status: 'ACTIVE' | 'RELEASED';
  serials: string[];
  released: string[];
  opened: Stamp & { by: string };
  lastSeq: number;
}

export interface IncidentState {
  id: string;
  title: string;
  severity: string;
  status: 'OPEN' | 'CLOSED';
  suspectVins: string[];
  suspectSerials: string[];
  findings: { seq: number; time: string; text: string }[];
  opened: Stamp & { by: string };
  closed: (Stamp & { resolution: string }) | null;
  lastSeq: number;
}

/** An entry as evolve sees it (the envelope without prev; recorded is not used). */
export interface DomainEvent {
  seq: number;
  id: string;
  type: string;
  time: string;
  actor: Actor;
  subjects: string[];
  data: JsonObject;
}

export const PROJECTION_KINDS = ['motor', 'shipment', 'vehicle', 'hold', 'incident'] as const;
export type ProjectionKind = (typeof PROJECTION_KINDS)[number];

/** Projections touched by a batch or a replay: null = known not to exist. `dirty` lists "kind:key" to persist. */
export interface DomainState {
  motor: Map<string, MotorState | null>;
  shipment: Map<string, ShipmentState | null>;
  vehicle: Map<string, VehicleState | null>;
  hold: Map<string, HoldState | null>;
  incident: Map<string, IncidentState | null>;
  /** Entries by id, for corrections: their seq, type and subjects. */
  entries: Map<string, { seq: number; type: string; subjects: string[] } | null>;
  dirty: Set<string>;
  /** Attribute keys each loaded motor already has (so only new ones are recorded). */
  loadedAttributes: Map<string, Set<string>>;
  /** Attributes gained in this batch, each with the seq of the event that brought it: [attribute, value, serial, seq]. */
  newAttributes: [string, string, string, number][];
}

export function emptyState(): DomainState {
  return {
    motor: new Map(),
    shipment: new Map(),
    vehicle: new Map(),
    hold: new Map(),
    incident: new Map(),
    entries: new Map(),
    dirty: new Set(),
    loadedAttributes: new Map(),
    newAttributes: [],
  };
}

type D = Record<string, unknown>;
const str = (d: D, k: string): string => String(d[k] ?? '');
const strs = (d: D, k: string): string[] => (Array.isArray(d[k]) ? (d[k] as unknown[]).map(String) : []);

function touch<K extends ProjectionKind>(state: DomainState, kind: K, key: string): void {
  state.dirty.add(`${kind}:${key}`);
}

/**
 * Fold one entry into the state and note the attributes its motors gained (with this entry's seq). The write
 * path and rebuild both call this, so the attribute history is the same whichever way it was built.
 */
export function applyEvent(state: DomainState, e: DomainEvent): void {
  evolve(state, e);
  for (const subject of e.subjects) {
    if (!subject.startsWith('motor:')) continue;
    const serial = subject.slice(6);
    const m = state.motor.get(serial);
    if (!m) continue;
    const had = state.loadedAttributes.get(serial) ?? new Set<string>();
    state.loadedAttributes.set(serial, had);
    for (const [attribute, value] of motorAttributes(m)) {
      const key = attributeKey(attribute, value);
      if (had.has(key)) continue;
      had.add(key);
      state.newAttributes.push([attribute, value, serial, e.seq]);
    }
  }
}

/**
 * Fold one entry into the state. Preconditions were checked by decide when it was written; evolve trusts the
 * log (an entry of a kind it does not know changes nothing).
 */
export function evolve(state: DomainState, e: DomainEvent): void {
  const d = e.data as D;
  const at: Stamp = { seq: e.seq, time: e.time };
  const motor = (serial: string) => {
    const m = state.motor.get(serial);
    if (m) {
      m.lastSeq = e.seq;
      touch(state, 'motor', serial);
    }
    return m ?? undefined;
  };
  switch (e.type) {
    case 'motor.produced': {
      const serial = str(d, 'serial');
      state.motor.set(serial, {
        serial,
        motorType: str(d, 'motorType'),
        status: 'PRODUCED',
        site: str(d, 'site'),
        produced: {
          ...at,
          site: str(d, 'site'),
          line: str(d, 'line'),
          station: str(d, 'station'),
          shift: str(d, 'shift'),
          operator: str(d, 'operator'),
          workOrder: str(d, 'workOrder'),
          lots: { ...((d.lots as Record<string, string>) ?? {}) },
        },
        lastTest: null,
        tests: 0,
        shipmentId: null,
        rack: null,
        transport: null,
        received: null,
        vin: null,
        slot: null,
        installed: null,
        removals: 0,
        holds: [],
        lastSeq: e.seq,
      });
      touch(state, 'motor', serial);
      return;
    }
    case 'motor.tested': {
      const m = motor(str(d, 'serial'));
      if (!m) return;
      m.tests++;
      m.lastTest = {
        ...at,
        bench: str(d, 'bench'),
        specVersion: str(d, 'specVersion'),
        verdict: d.verdict === 'PASS' ? 'PASS' : 'FAIL',
        measurements: (d.measurements as JsonObject) ?? {},
      };
      return;
    }
    case 'shipment.loaded': {
      const id = str(d, 'shipmentId');
      const racks = ((d.racks as { rack: string; serials: string[] }[]) ?? []).map((r) => ({
        rack: r.rack,
        serials: [...r.serials],
      }));
      const serials = racks.flatMap((r) => r.serials);
      state.shipment.set(id, {
        id,
        asn: str(d, 'asn'),
        from: str(d, 'from'),
        to: str(d, 'to'),
        status: 'LOADED',
        racks,
        serials,
        loaded: at,
        departed: null,
        arrived: null,
        received: [],
        unexpected: [],
        quarantined: [],
        rejectedScans: 0,
        lastSeq: e.seq,
      });
      touch(state, 'shipment', id);
      for (const r of racks) {
        for (const s of r.serials) {
          const m = motor(s);
          if (!m) continue;
          m.status = 'LOADED';
          m.shipmentId = id;
          m.rack = r.rack;
        }
      }
      return;
    }
    case 'shipment.departed':
    case 'shipment.arrived': {
      const id = str(d, 'shipmentId');
      const sh = state.shipment.get(id);
      if (!sh) return;
      sh.lastSeq = e.seq;
      touch(state, 'shipment', id);
      const departing = e.type === 'shipment.departed';
      if (departing) {
        sh.status = 'DEPARTED';
        sh.departed = { ...at, carrier: str(d, 'carrier'), truck: str(d, 'truck'), seal: str(d, 'seal') };
      } else {
        sh.status = 'ARRIVED';
        sh.arrived = { ...at, dock: str(d, 'dock') };
      }
      for (const s of sh.serials) {
        const m = motor(s);
        if (!m || m.shipmentId !== id || m.received) continue;
        m.status = departing ? 'IN_TRANSIT' : 'ARRIVED';
        m.site = departing ? null : sh.to;
        if (departing)
          m.transport = {
            carrier: str(d, 'carrier'),
            truck: str(d, 'truck'),
            departed: e.time,
            arrived: null,
          };
        else if (m.transport) m.transport.arrived = e.time;
      }
      return;
    }
    case 'motor.received': {
      const serial = str(d, 'serial');
      const id = str(d, 'shipmentId');
      const m = motor(serial);
      if (m) {
        m.status = 'RECEIVED';
        m.site = str(d, 'site');
        m.received = {
          ...at,
          site: str(d, 'site'),
          shipmentId: id,
          dock: str(d, 'dock'),
          scanner: str(d, 'scanner'),
        };
      }
      const sh = state.shipment.get(id);
      if (sh) {
        sh.received.push(serial);
        if (sh.quarantined?.includes(serial)) sh.quarantined = sh.quarantined.filter((x) => x !== serial);
        sh.lastSeq = e.seq;
        touch(state, 'shipment', id);
      }
      return;
    }
    case 'intake.rejected': {
      const id = str(d, 'shipmentId');
      const sh = state.shipment.get(id);
      if (sh) {
        sh.rejectedScans++;
        const serial = str(d, 'serial');
        if ((d.code === 'NOT_ON_SHIPMENT' || d.code === 'UNKNOWN_SERIAL') && !sh.unexpected.includes(serial))
          sh.unexpected.push(serial);
        // A motor of this truck turned away at its dock waits in quarantine (a scan at the wrong site does not).
        if (d.code !== 'WRONG_DESTINATION' && sh.serials.includes(serial) && !sh.received.includes(serial)) {
          sh.quarantined ??= [];
          if (!sh.quarantined.includes(serial)) sh.quarantined.push(serial);
        }
        sh.lastSeq = e.seq;
        touch(state, 'shipment', id);
      }
      const m = motor(str(d, 'serial'));
      if (m) m.lastSeq = e.seq;
      return;
    }
    case 'motor.installed': {
      const vin = str(d, 'vin');
      const slot = str(d, 'slot');
      const serial = str(d, 'serial');
      let v = state.vehicle.get(vin);
      if (!v) {
        v = {
          vin,
          model: str(d, 'model'),
          brand: str(d, 'brand'),
          site: e.actor.site,
          slots: strs(d, 'modelSlots').map((slot) => ({ slot, serial: null })),
          status: 'IN_ASSEMBLY',
          shipped: null,
          history: [],
          lastSeq: e.seq,
        };
        state.vehicle.set(vin, v);
      }
      const target = v.slots.find((x) => x.slot === slot);
      if (target) target.serial = serial;
      v.history.push({ seq: e.seq, time: e.time, action: 'installed', slot, serial });
      v.lastSeq = e.seq;
      touch(state, 'vehicle', vin);
      const m = motor(serial);
      if (m) {
        m.status = 'INSTALLED';
        m.vin = vin;
        m.slot = slot;
        m.installed = {
          ...at,
          station: str(d, 'station'),
          site: e.actor.site,
          model: str(d, 'model'),
          brand: str(d, 'brand'),
        };
      }
      return;
    }
    case 'motor.removed': {
      const vin = str(d, 'vin');
      const serial = str(d, 'serial');
      const v = state.vehicle.get(vin);
      if (v) {
        const held = v.slots.find((x) => x.serial === serial);
        const slot = held?.slot ?? str(d, 'slot');
        if (held) held.serial = null;
        v.history.push({
          seq: e.seq,
          time: e.time,
          action: 'removed',
          slot,
          serial,
          reason: str(d, 'reason'),
        });
        v.lastSeq = e.seq;
        touch(state, 'vehicle', vin);
      }
      const m = motor(serial);
      if (m) {
        m.status = 'RECEIVED';
        m.vin = null;
        m.slot = null;
        m.installed = null;
        m.removals++;
      }
      return;
    }
    case 'vehicle.shipped': {
      const vin = str(d, 'vin');
      const v = state.vehicle.get(vin);
      if (!v) return;
      v.status = 'SHIPPED';
      v.shipped = at;
      v.lastSeq = e.seq;
      touch(state, 'vehicle', vin);
      for (const { serial } of v.slots) {
        const m = serial ? motor(serial) : undefined;
        if (m) m.status = 'VEHICLE_SHIPPED';
      }
      return;
    }
    case 'motor.held': {
      const id = str(d, 'holdId');
      const serials = strs(d, 'serials');
      state.hold.set(id, {
        id,
        reason: str(d, 'reason'),
        incidentId: d.incidentId ? str(d, 'incidentId') : null,
        status: 'ACTIVE',
        serials,
        released: [],
        opened: { ...at, by: e.actor.sub },
        lastSeq: e.seq,
      });
      touch(state, 'hold', id);
      for (const s of serials) {
        const m = motor(s);
        if (m && !m.holds.includes(id)) m.holds.push(id);
      }
      return;
    }
    case 'motor.released': {
      const id = str(d, 'holdId');
      const h = state.hold.get(id);
      if (!h) return;
      const serials = strs(d, 'serials');
      for (const s of serials) {
        if (!h.released.includes(s)) h.released.push(s);
        const m = motor(s);
        if (m) m.holds = m.holds.filter((x) => x !== id);
      }
      if (h.released.length === h.serials.length) h.status = 'RELEASED';
      h.lastSeq = e.seq;
      touch(state, 'hold', id);
      return;
    }
    case 'incident.opened': {
      const id = str(d, 'incidentId');
      state.incident.set(id, {
        id,
        title: str(d, 'title'),
        severity: str(d, 'severity'),
        status: 'OPEN',
        suspectVins: strs(d, 'suspectVins'),
        suspectSerials: strs(d, 'suspectSerials'),
        findings: [],
        opened: { ...at, by: e.actor.sub },
        closed: null,
        lastSeq: e.seq,
      });
      touch(state, 'incident', id);
      return;
    }
    case 'incident.updated':
    case 'incident.closed': {
      const id = str(d, 'incidentId');
      const inc = state.incident.get(id);
      if (!inc) return;
      if (d.title !== undefined) inc.title = str(d, 'title');
      if (d.severity !== undefined) inc.severity = str(d, 'severity');
      for (const v of strs(d, 'addSuspectVins')) if (!inc.suspectVins.includes(v)) inc.suspectVins.push(v);
      for (const s of strs(d, 'addSuspectSerials'))
        if (!inc.suspectSerials.includes(s)) inc.suspectSerials.push(s);
      if (d.finding !== undefined) inc.findings.push({ seq: e.seq, time: e.time, text: str(d, 'finding') });
      if (e.type === 'incident.closed') {
        inc.status = 'CLOSED';
        inc.closed = { ...at, resolution: str(d, 'resolution') };
      }
      inc.lastSeq = e.seq;
      touch(state, 'incident', id);
      return;
    }
    default:
    // correction and unknown types change no projection: a correction is read beside its target, in timelines.
  }
}
