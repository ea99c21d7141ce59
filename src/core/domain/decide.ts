// The plant's rules as pure functions: decide(state, command) → the event to append, or a RefusalError with a
// stable code and a sentence an operator can act on. Intake scans never refuse: a refused scan is itself an
// event (intake.rejected) so the dock's record is complete.
import type { Actor, EventDraft, JsonObject } from '../envelope.js';
import { AuthError, RefusalError } from '../errors.js';
import { type Catalog, siteCan } from './catalog.js';
import type { DomainState, MotorState, ShipmentState } from './state.js';

interface Base {
  actor: Actor;
  /** Business time (RFC 3339 UTC) as the source sent it. */
  time: string;
  /**
   * The sites this command may act at ('*' = all): whatever it acts on (a motor, a shipment, a vehicle) must be
   * located at one of them, or it is refused with SITE_NOT_ALLOWED. See actingSites().
   */
  sites: readonly string[];
}

/** Omit over each member of a union (a plain Omit would merge the command kinds into one). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command as its source builds it, before the sites it may act at are added (see actingSites). */
export type CommandBody = DistributiveOmit<DomainCommand, 'sites'>;

/**
 * The command with the sites it may act at, for a caller whose token is valid at `tokenSites`.
 * @example withSites({ kind: 'shipVehicle', vin, actor, time }, principal.sites)
 */
export function withSites(body: CommandBody, tokenSites: readonly string[]): DomainCommand {
  return { ...body, sites: actingSites(body.kind, body.actor, tokenSites) } as DomainCommand;
}

/** Commands that happen at one site (the actor's): production, transport, intake, assembly. */
const SITE_BOUND = new Set<DomainCommand['kind']>([
  'produceMotor',
  'testMotor',
  'loadShipment',
  'departShipment',
  'arriveShipment',
  'scanIntake',
  'installMotor',
  'removeMotor',
  'shipVehicle',
]);

/**
 * The sites a command of `kind` may act at: the actor's own site for the plant's site-bound work, every site of
 * the caller's token for quality's plant-wide actions (holds, incidents, corrections).
 * @example actingSites('shipVehicle', actor, principal.sites) // → [actor.site]
 */
export function actingSites(
  kind: DomainCommand['kind'],
  actor: Actor,
  tokenSites: readonly string[],
): readonly string[] {
  return SITE_BOUND.has(kind) ? [actor.site] : tokenSites;
}

export type DomainCommand = Base &
  (
    | {
        kind: 'produceMotor';
        serial: string;
        motorType: string;
        line: string;
        station: string;
        shift: string;
        operator: string;
        workOrder: string;
        lots: Record<string, string>;
      }
    | {
        kind: 'testMotor';
        serial: string;
        bench: string;
        specVersion: string;
        verdict: 'PASS' | 'FAIL';
        measurements: JsonObject;
      }
    | {
        kind: 'loadShipment';
        shipmentId: string;
        asn: string;
        to: string;
        racks: { rack: string; serials: string[] }[];
      }
    | { kind: 'departShipment'; shipmentId: string; carrier: string; truck: string; seal: string }
    | { kind: 'arriveShipment'; shipmentId: string; dock: string }
    | { kind: 'scanIntake'; serial: string; shipmentId: string; dock: string; scanner: string }
    | { kind: 'installMotor'; vin: string; model: string; slot: string; serial: string; station: string }
    | { kind: 'removeMotor'; vin: string; serial: string; reason: string }
    | { kind: 'shipVehicle'; vin: string }
    | {
        kind: 'holdMotors';
        holdId: string;
        serials: string[];
        reason: string;
        incidentId?: string | undefined;
      }
    | { kind: 'releaseHold'; holdId: string; serials?: string[] | undefined; reason: string }
    | {
        kind: 'openIncident';
        incidentId: string;
        title: string;
        severity: string;
        suspectVins: string[];
        suspectSerials: string[];
      }
    | {
        kind: 'updateIncident';
        incidentId: string;
        title?: string | undefined;
        severity?: string | undefined;
        addSuspectVins?: string[] | undefined;
        addSuspectSerials?: string[] | undefined;
        finding?: string | undefined;
        close?: { resolution: string } | undefined;
      }
    | { kind: 'correct'; targetId: string; reason: string; correctiveIds: string[] }
  );

/** The projection keys a command reads, so a batch loads them all in one query. */
export function keysOf(c: DomainCommand): {
  motor?: string[];
  shipment?: string[];
  vehicle?: string[];
  hold?: string[];
  incident?: string[];
  entries?: string[];
} {
  switch (c.kind) {
    case 'produceMotor':
    case 'testMotor':
      return { motor: [c.serial] };
    case 'loadShipment':
      return { shipment: [c.shipmentId], motor: c.racks.flatMap((r) => r.serials) };
    case 'departShipment':
    case 'arriveShipment':
      return { shipment: [c.shipmentId] };
    case 'scanIntake':
      return { shipment: [c.shipmentId], motor: [c.serial] };
    case 'installMotor':
    case 'removeMotor':
      return { vehicle: [c.vin], motor: [c.serial] };
    case 'shipVehicle':
      return { vehicle: [c.vin] };
    case 'holdMotors':
      return { hold: [c.holdId], motor: c.serials, incident: c.incidentId ? [c.incidentId] : [] };
    case 'releaseHold':
      return { hold: [c.holdId], motor: c.serials ?? [] };
    case 'openIncident':
    case 'updateIncident':
      return { incident: [c.incidentId] };
    case 'correct':
      return { entries: [c.targetId, ...c.correctiveIds] };
  }
}

/** Keys a command reads that depend on state loaded first (the motors on a shipment, in a vehicle, in a hold). */
export function dependentKeysOf(state: DomainState, c: DomainCommand): { motor?: string[] } {
  switch (c.kind) {
    case 'departShipment':
    case 'arriveShipment':
      return { motor: state.shipment.get(c.shipmentId)?.serials ?? [] };
    case 'shipVehicle':
      return { motor: (state.vehicle.get(c.vin)?.slots ?? []).flatMap((x) => (x.serial ? [x.serial] : [])) };
    case 'releaseHold':
      return { motor: state.hold.get(c.holdId)?.serials ?? [] };
    default:
      return {};
  }
}

const refuse = (code: string, message: string, details: Record<string, unknown> = {}): never => {
  throw new RefusalError(code, message, details);
};

/** Statuses in which a motor has left Cléon's stock. */
const SHIPPED_STATUSES = new Set([
  'LOADED',
  'IN_TRANSIT',
  'ARRIVED',
  'RECEIVED',
  'INSTALLED',
  'VEHICLE_SHIPPED',
]);

function needMotor(state: DomainState, serial: string): MotorState {
  const m = state.motor.get(serial);
  if (!m)
    refuse(
      'UNKNOWN_SERIAL',
      `Motor ${serial} is not in the ledger: check the serial, or record its production first.`,
      { serial },
    );
  return m!;
}

function needShipment(state: DomainState, id: string): ShipmentState {
  const s = state.shipment.get(id);
  if (!s)
    refuse('UNKNOWN_SHIPMENT', `Shipment ${id} is not in the ledger: check the shipment id on the ASN.`, {
      shipmentId: id,
    });
  return s!;
}

function draft(c: Base, type: string, subjects: string[], data: JsonObject): EventDraft {
  return { type, time: c.time, actor: c.actor, subjects, data };
}

/** The intake verdict for a scan: null when accepted, else the refusal code and sentence. */
export function intakeVerdict(
  state: DomainState,
  c: { serial: string; shipmentId: string; site: string },
): { code: string; message: string } | null {
  const sh = state.shipment.get(c.shipmentId);
  if (!sh)
    return {
      code: 'UNKNOWN_SHIPMENT',
      message: `Shipment ${c.shipmentId} is not in the ledger: check the ASN label.`,
    };
  const m = state.motor.get(c.serial);
  if (!m)
    return {
      code: 'UNKNOWN_SERIAL',
      message: `Motor ${c.serial} is not in the ledger: set it aside and call quality.`,
    };
  if (sh.to !== c.site) {
    return {
      code: 'WRONG_DESTINATION',
      message: `Shipment ${sh.id} is bound for ${sh.to}, not ${c.site}: do not unload it here.`,
    };
  }
  if (m.shipmentId !== sh.id) {
    return {
      code: 'NOT_ON_SHIPMENT',
      message: `Motor ${c.serial} is not on shipment ${sh.id}${m.shipmentId ? ` (it is on ${m.shipmentId})` : ''}: set it aside and call logistics.`,
    };
  }
  if (m.received) {
    return {
      code: 'ALREADY_RECEIVED',
      message: `Motor ${c.serial} was already received at ${m.received.site} (seq ${m.received.seq}): do not scan it twice.`,
    };
  }
  if (sh.status === 'LOADED') {
    return {
      code: 'NOT_SHIPPED',
      message: `Shipment ${sh.id} has not departed ${sh.from} in the ledger: call logistics before unloading.`,
    };
  }
  if (m.holds.length > 0) {
    return {
      code: 'MOTOR_HELD',
      message: `Motor ${c.serial} is on quality hold (${m.holds.join(', ')}): put it in the quarantine area.`,
    };
  }
  return null;
}

/**
 * Decide the event for a command, or throw RefusalError (nothing is written). Every command is decided against
 * the caller's sites here, in one place: what it acts on must be located at one of `c.sites`.
 * @example decide(state, catalog, { kind: 'shipVehicle', vin, actor, time, sites: ['DIEPPE'] })
 */
export function decide(state: DomainState, catalog: Catalog, c: DomainCommand): EventDraft {
  const event = decideRules(state, catalog, c);
  assertWithinSites(state, c);
  return event;
}

/** Where each thing a command acts on is located; a motor on a truck is at either end of its shipment. */
function locationsOf(state: DomainState, c: DomainCommand): { what: string; at: string[] }[] {
  const motorAt = (serial: string) => {
    const m = state.motor.get(serial);
    if (!m) return [];
    if (m.site) return [{ what: `Motor ${serial}`, at: [m.site] }];
    const sh = m.shipmentId ? state.shipment.get(m.shipmentId) : undefined;
    return sh ? [{ what: `Motor ${serial} (on shipment ${sh.id})`, at: [sh.from, sh.to] }] : [];
  };
  const vehicleAt = (vin: string) => {
    const v = state.vehicle.get(vin);
    return v ? [{ what: `VIN ${vin}`, at: [v.site] }] : [];
  };
  const shipmentAt = (id: string, end: 'from' | 'to') => {
    const sh = state.shipment.get(id);
    return sh ? [{ what: `Shipment ${id}`, at: [sh[end]] }] : [];
  };
  switch (c.kind) {
    case 'produceMotor':
      return [{ what: 'Production', at: [c.actor.site] }];
    case 'scanIntake':
      // The scan happens at the caller's dock; a motor that does not belong there is an intake.rejected event.
      return [{ what: 'The dock', at: [c.actor.site] }];
    case 'testMotor':
      return motorAt(c.serial);
    case 'loadShipment':
      return c.racks.flatMap((r) => r.serials.flatMap(motorAt));
    case 'departShipment':
      return shipmentAt(c.shipmentId, 'from');
    case 'arriveShipment':
      return shipmentAt(c.shipmentId, 'to');
    case 'installMotor':
      return [...vehicleAt(c.vin), ...motorAt(c.serial)];
    case 'removeMotor':
    case 'shipVehicle':
      return vehicleAt(c.vin);
    case 'holdMotors':
      return c.serials.flatMap(motorAt);
    case 'releaseHold': {
      const h = state.hold.get(c.holdId);
      return (c.serials ?? h?.serials ?? []).flatMap(motorAt);
    }
    case 'openIncident':
    case 'updateIncident':
    case 'correct':
      return []; // records about the log, not things at a site
  }
}

function assertWithinSites(state: DomainState, c: DomainCommand): void {
  if (c.sites.includes('*')) return;
  for (const { what, at } of locationsOf(state, c)) {
    if (at.some((site) => c.sites.includes(site))) continue;
    const yours = c.sites.length ? c.sites.join(', ') : 'no site';
    throw new AuthError(
      403,
      'SITE_NOT_ALLOWED',
      `${what} is at ${at.join(' / ')}; you act for ${yours} here. Use a token issued for ${at[0]}.`,
    );
  }
}

function decideRules(state: DomainState, catalog: Catalog, c: DomainCommand): EventDraft {
  switch (c.kind) {
    case 'produceMotor': {
      const site = c.actor.site;
      if (!siteCan(catalog, site, 'motorProduction')) {
        refuse(
          'SITE_NOT_PRODUCTION',
          `${site} does not build motors; motor production is recorded at ${productionSites(catalog)}.`,
        );
      }
      if (!catalog.motorTypes[c.motorType]) {
        refuse(
          'UNKNOWN_MOTOR_TYPE',
          `Motor type ${c.motorType} is not in the catalog (known: ${Object.keys(catalog.motorTypes).join(', ')}).`,
        );
      }
      if (state.motor.get(c.serial)) {
        refuse(
          'SERIAL_EXISTS',
          `Motor ${c.serial} was already produced; a serial is recorded once. To fix a wrong record, post a correction.`,
          { serial: c.serial },
        );
      }
      const { kind: _k, actor: _a, time: _t, sites: _s, ...data } = c;
      return draft(c, 'motor.produced', [`motor:${c.serial}`], { ...data, site });
    }
    case 'testMotor': {
      const m = needMotor(state, c.serial);
      if (SHIPPED_STATUSES.has(m.status)) {
        refuse(
          'MOTOR_ALREADY_SHIPPED',
          `Motor ${c.serial} has left the EOL area (${m.status}); end-of-line tests are recorded before loading.`,
        );
      }
      const { kind: _k, actor: _a, time: _t, sites: _s, ...data } = c;
      return draft(c, 'motor.tested', [`motor:${c.serial}`], { ...data, site: c.actor.site });
    }
    case 'loadShipment': {
      if (state.shipment.get(c.shipmentId)) {
        refuse(
          'SHIPMENT_EXISTS',
          `Shipment ${c.shipmentId} already exists; use a new shipment id for a new truck.`,
        );
      }
      if (!catalog.sites[c.to]) refuse('UNKNOWN_SITE', `Destination ${c.to} is not a site in the catalog.`);
      if (c.to === c.actor.site) refuse('SAME_SITE', `A shipment from ${c.to} cannot be bound for ${c.to}.`);
      const serials = c.racks.flatMap((r) => r.serials);
      const seen = new Set<string>();
      for (const s of serials) {
        if (seen.has(s))
          refuse('DUPLICATE_SERIAL', `Motor ${s} appears twice on shipment ${c.shipmentId}.`, { serial: s });
        seen.add(s);
      }
      for (const s of serials) {
        const m = needMotor(state, s);
        if (m.holds.length > 0)
          refuse(
            'MOTOR_HELD',
            `Motor ${s} is on quality hold (${m.holds.join(', ')}) and cannot be shipped.`,
            { serial: s },
          );
        if (SHIPPED_STATUSES.has(m.status)) {
          refuse('ALREADY_SHIPPED', `Motor ${s} is already on shipment ${m.shipmentId}.`, {
            serial: s,
            shipmentId: m.shipmentId,
          });
        }
        if (m.site !== c.actor.site)
          refuse('MOTOR_NOT_AT_SITE', `Motor ${s} is at ${m.site}, not ${c.actor.site}.`, { serial: s });
        if (m.lastTest?.verdict !== 'PASS') {
          refuse(
            'EOL_NOT_PASSED',
            `Motor ${s} has ${m.lastTest ? 'failed its last' : 'no'} end-of-line test; only motors that passed EOL may ship.`,
            { serial: s },
          );
        }
      }
      return draft(c, 'shipment.loaded', [`shipment:${c.shipmentId}`, ...serials.map((s) => `motor:${s}`)], {
        shipmentId: c.shipmentId,
        asn: c.asn,
        from: c.actor.site,
        to: c.to,
        racks: c.racks.map((r) => ({ rack: r.rack, serials: r.serials })),
      });
    }
    case 'departShipment': {
      const sh = needShipment(state, c.shipmentId);
      if (sh.status !== 'LOADED')
        refuse('ALREADY_DEPARTED', `Shipment ${sh.id} already departed (seq ${sh.departed?.seq}).`);
      return draft(c, 'shipment.departed', [`shipment:${sh.id}`, ...onBoard(sh)], {
        shipmentId: sh.id,
        carrier: c.carrier,
        truck: c.truck,
        seal: c.seal,
        from: sh.from,
        to: sh.to,
      });
    }
    case 'arriveShipment': {
      const sh = needShipment(state, c.shipmentId);
      if (sh.status === 'LOADED')
        refuse('NOT_DEPARTED', `Shipment ${sh.id} has not departed ${sh.from} yet.`);
      if (sh.status === 'ARRIVED')
        refuse('ALREADY_ARRIVED', `Shipment ${sh.id} already arrived (seq ${sh.arrived?.seq}).`);
      if (sh.to !== c.actor.site)
        refuse('WRONG_DESTINATION', `Shipment ${sh.id} is bound for ${sh.to}, not ${c.actor.site}.`);
      return draft(c, 'shipment.arrived', [`shipment:${sh.id}`, ...onBoard(sh)], {
        shipmentId: sh.id,
        dock: c.dock,
        site: c.actor.site,
      });
    }
    case 'scanIntake': {
      const verdict = intakeVerdict(state, {
        serial: c.serial,
        shipmentId: c.shipmentId,
        site: c.actor.site,
      });
      const data = {
        serial: c.serial,
        shipmentId: c.shipmentId,
        dock: c.dock,
        scanner: c.scanner,
        site: c.actor.site,
      };
      const subjects = [`motor:${c.serial}`, `shipment:${c.shipmentId}`];
      if (verdict)
        return draft(c, 'intake.rejected', subjects, {
          ...data,
          code: verdict.code,
          reason: verdict.message,
        });
      return draft(c, 'motor.received', subjects, data);
    }
    case 'installMotor': {
      const model = catalog.models[c.model];
      if (!model)
        refuse(
          'UNKNOWN_MODEL',
          `Model ${c.model} is not in the catalog (known: ${Object.keys(catalog.models).join(', ')}).`,
        );
      const slotType = model!.slots[c.slot];
      if (!slotType)
        refuse(
          'UNKNOWN_SLOT',
          `${c.model} has no slot ${c.slot}; its slots are ${Object.keys(model!.slots).join(', ')}.`,
        );
      const v = state.vehicle.get(c.vin);
      if (v && v.model !== c.model)
        refuse('VEHICLE_MODEL_MISMATCH', `VIN ${c.vin} is an ${v.model}, not an ${c.model}.`);
      if (v?.status === 'SHIPPED')
        refuse('VEHICLE_ALREADY_SHIPPED', `VIN ${c.vin} has shipped; its motors can no longer change.`);
      const m = needMotor(state, c.serial);
      if (m.vin) {
        refuse(
          'ALREADY_INSTALLED',
          `Motor ${c.serial} is installed in ${m.vin} (${m.slot}); remove it there first.`,
          { vin: m.vin, slot: m.slot },
        );
      }
      if (!m.received)
        refuse(
          'MOTOR_NOT_RECEIVED',
          `Motor ${c.serial} has not been received by intake; scan it at the dock first.`,
        );
      if (m.received!.site !== c.actor.site) {
        refuse(
          'MOTOR_AT_OTHER_SITE',
          `Motor ${c.serial} was received at ${m.received!.site}, not ${c.actor.site}.`,
        );
      }
      if (m.holds.length > 0)
        refuse(
          'MOTOR_HELD',
          `Motor ${c.serial} is on quality hold (${m.holds.join(', ')}); do not install it.`,
        );
      if (m.motorType !== slotType) {
        refuse(
          'WRONG_MOTOR_TYPE_FOR_SLOT',
          `Slot ${c.slot} of an ${c.model} takes a ${slotType}; motor ${c.serial} is a ${m.motorType}.`,
        );
      }
      const occupant = v?.slots.find((x) => x.slot === c.slot)?.serial;
      if (occupant)
        refuse(
          'SLOT_OCCUPIED',
          `Slot ${c.slot} of ${c.vin} already holds motor ${occupant}; remove it first.`,
          { serial: occupant },
        );
      return draft(c, 'motor.installed', [`motor:${c.serial}`, `vehicle:${c.vin}`], {
        vin: c.vin,
        model: c.model,
        brand: model!.brand,
        modelSlots: Object.keys(model!.slots),
        slot: c.slot,
        serial: c.serial,
        motorType: m.motorType,
        station: c.station,
      });
    }
    case 'removeMotor': {
      const v = state.vehicle.get(c.vin);
      if (!v) refuse('UNKNOWN_VEHICLE', `VIN ${c.vin} has no motors in the ledger.`);
      if (v!.status === 'SHIPPED')
        refuse('VEHICLE_ALREADY_SHIPPED', `VIN ${c.vin} has shipped; its motors can no longer change.`);
      const slot = v!.slots.find((x) => x.serial === c.serial)?.slot;
      if (!slot) refuse('MOTOR_NOT_IN_VEHICLE', `Motor ${c.serial} is not installed in ${c.vin}.`);
      return draft(c, 'motor.removed', [`motor:${c.serial}`, `vehicle:${c.vin}`], {
        vin: c.vin,
        serial: c.serial,
        slot: slot!,
        reason: c.reason,
        brand: v!.brand,
      });
    }
    case 'shipVehicle': {
      const v = state.vehicle.get(c.vin);
      if (!v) refuse('UNKNOWN_VEHICLE', `VIN ${c.vin} has no motors in the ledger.`);
      if (v!.status === 'SHIPPED')
        refuse('VEHICLE_ALREADY_SHIPPED', `VIN ${c.vin} already shipped (seq ${v!.shipped?.seq}).`);
      const empty = v!.slots.filter((x) => !x.serial).map((x) => x.slot);
      if (empty.length > 0)
        refuse('SLOTS_NOT_FILLED', `VIN ${c.vin} cannot ship: slot ${empty.join(', ')} has no motor.`, {
          emptySlots: empty,
        });
      const serials = v!.slots.map((x) => x.serial as string);
      const held = serials.filter((s) => (state.motor.get(s)?.holds.length ?? 0) > 0);
      if (held.length > 0)
        refuse('MOTOR_HELD', `VIN ${c.vin} cannot ship: motor ${held.join(', ')} is on quality hold.`, {
          serials: held,
        });
      return draft(c, 'vehicle.shipped', [`vehicle:${c.vin}`, ...serials.map((s) => `motor:${s}`)], {
        vin: c.vin,
        serials,
        brand: v!.brand,
      });
    }
    case 'holdMotors': {
      if (state.hold.get(c.holdId))
        refuse('HOLD_EXISTS', `Hold ${c.holdId} already exists; use a new hold id.`);
      if (c.serials.length === 0) refuse('EMPTY_HOLD', 'A hold needs at least one motor.');
      const unknown = c.serials.filter((s) => !state.motor.get(s));
      if (unknown.length > 0) {
        refuse(
          'UNKNOWN_SERIAL',
          `Not in the ledger: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? '…' : ''}.`,
          { serials: unknown },
        );
      }
      if (c.incidentId && !state.incident.get(c.incidentId))
        refuse('UNKNOWN_INCIDENT', `Incident ${c.incidentId} does not exist.`);
      const serials = [...new Set(c.serials)];
      return draft(c, 'motor.held', [`hold:${c.holdId}`, ...serials.map((s) => `motor:${s}`)], {
        holdId: c.holdId,
        serials,
        reason: c.reason,
        ...(c.incidentId ? { incidentId: c.incidentId } : {}),
      });
    }
    case 'releaseHold': {
      const h = state.hold.get(c.holdId);
      if (!h) refuse('UNKNOWN_HOLD', `Hold ${c.holdId} does not exist.`);
      if (h!.status === 'RELEASED') refuse('HOLD_ALREADY_RELEASED', `Hold ${c.holdId} was already released.`);
      const pending = h!.serials.filter((s) => !h!.released.includes(s));
      const serials = c.serials ?? pending;
      const notHeld = serials.filter((s) => !pending.includes(s));
      if (notHeld.length > 0)
        refuse('NOT_IN_HOLD', `Not held by ${c.holdId}: ${notHeld.join(', ')}.`, { serials: notHeld });
      return draft(c, 'motor.released', [`hold:${c.holdId}`, ...serials.map((s) => `motor:${s}`)], {
        holdId: c.holdId,
        serials,
        reason: c.reason,
      });
    }
    case 'openIncident': {
      if (state.incident.get(c.incidentId))
        refuse('INCIDENT_EXISTS', `Incident ${c.incidentId} already exists.`);
      const { kind: _k, actor: _a, time: _t, sites: _s, ...data } = c;
      return draft(c, 'incident.opened', [`incident:${c.incidentId}`], data);
    }
    case 'updateIncident': {
      const inc = state.incident.get(c.incidentId);
      if (!inc) refuse('UNKNOWN_INCIDENT', `Incident ${c.incidentId} does not exist.`);
      if (inc!.status === 'CLOSED')
        refuse('INCIDENT_CLOSED', `Incident ${c.incidentId} is closed; open a new one.`);
      const { kind: _k, actor: _a, time: _t, sites: _s, close, ...rest } = c;
      const data = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as JsonObject;
      if (close)
        return draft(c, 'incident.closed', [`incident:${c.incidentId}`], {
          ...data,
          resolution: close.resolution,
        });
      return draft(c, 'incident.updated', [`incident:${c.incidentId}`], data);
    }
    case 'correct': {
      const target = state.entries.get(c.targetId);
      if (!target) refuse('UNKNOWN_EVENT', `There is no event with id ${c.targetId} in the ledger.`);
      const missing = c.correctiveIds.filter((id) => !state.entries.get(id));
      if (missing.length > 0)
        refuse('UNKNOWN_EVENT', `Corrective event ${missing.join(', ')} is not in the ledger.`);
      return draft(c, 'correction', target!.subjects, {
        targetId: c.targetId,
        targetSeq: target!.seq,
        targetType: target!.type,
        reason: c.reason,
        correctiveIds: c.correctiveIds,
      });
    }
  }
}

// Motors still on the truck: the transport events go into their timelines.
function onBoard(sh: ShipmentState): string[] {
  const received = new Set(sh.received);
  return sh.serials.filter((s) => !received.has(s)).map((s) => `motor:${s}`);
}

function productionSites(catalog: Catalog): string {
  return Object.keys(catalog.sites)
    .filter((s) => siteCan(catalog, s, 'motorProduction'))
    .join(', ');
}
