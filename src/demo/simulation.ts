// The plant simulation behind `motor-ledger demo`: Cléon builds and tests motors, trucks carry them in racks
// to Dieppe and Douai, intake scans them into the buffer, assembly marries them to VINs and ships the cars.
// It only plans and emits domain commands in business-time order; generator.ts writes them to the ledger.
// Memory holds the pipeline in flight (a few days of motors), never the whole run: a shipped car's motors are
// forgotten once counted.
//
// Planted ground truth, by construction:
// - a defect magnets lot on one line, spanning the last days of the run so that its motors are in every
//   stage at the end (the lot after it on that line starts with the line's very last motor); the field
//   failures are cars built from it spread over more than a week, longer than any other lot that several
//   lines share, so a common-cause analysis ranks that lot first;
// - one motor never scanned off a truck that arrived ≥ 3 days before the end, one scan against the wrong
//   shipment, one A390 whose FRONT slot is never filled;
// - nothing else trips the reconciliation thresholds at the end: trucks are scanned within hours, buffer
//   dwell is at most about 3 days (+ rework), a car gets its motors within the hour.
import {
  type CommandBody,
  type DistributiveOmit,
  type DomainCommand,
  withSites,
} from '../core/domain/decide.js';
import type { Actor, JsonObject } from '../core/envelope.js';
import { Agenda } from './agenda.js';
import {
  badges,
  isoTime,
  motorSerial,
  productionDay,
  type Shift,
  shiftOf,
  truckPlate,
  vinOf,
  yy,
  yymmdd,
} from './codes.js';
import {
  A290_SHARE_OF_SPARE_6AM,
  type AssemblySite,
  CARRIERS,
  CREW_SIZE,
  DEFECT_NOISE_SHIFT_DB,
  EOL_BENCHES,
  EOL_FAIL_RATE,
  EOL_REFAIL_RATE,
  EOL_SPECS,
  FAIL_CAUSES,
  FLOATERS,
  FULL_RATE_PER_DAY,
  LINES,
  LOT_KINDS,
  type LotName,
  MEGANE_SHARE,
  MIN_DAYS,
  MODELS,
  type ModelCode,
  type MotorType,
  PRODUCTION_SITE,
  RACK_POOL,
  RACK_SIZE,
  RACKS_PER_TRUCK,
  REWORK_RATE,
  REWORK_REASONS,
  ROLE_SITE,
  type Role,
  SHIPPING_DOCK_SCANNERS,
  SITES,
  SPEC_REVISION_DAYS,
  STATIONS_PER_LINE,
  TRUCK_POOL,
  TRUCKS_PER_SLOT,
} from './plant.js';
import { Rng } from './random.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Reconciliation thresholds the planted anomalies are measured against (at the end of the run). */
export const THRESHOLDS = {
  shippedNotReceivedHours: 24,
  receivedNotInstalledDays: 5,
  missingSlotDays: 2,
} as const;

export type LocationGroup = 'AT_CLEON' | 'IN_TRANSIT' | 'IN_BUFFER' | 'INSTALLED' | 'VEHICLE_SHIPPED';
export const LOCATION_GROUPS: readonly LocationGroup[] = [
  'AT_CLEON',
  'IN_TRANSIT',
  'IN_BUFFER',
  'INSTALLED',
  'VEHICLE_SHIPPED',
];
export type LocationCounts = Record<LocationGroup, number>;

/** Where numbering starts, to append a second run to a log (serials, VIN serials, shipments already used). */
export interface DemoNumbering {
  serials?: Partial<Record<MotorType, number>>;
  vins?: Partial<Record<AssemblySite, number>>;
  shipments?: number;
}

export interface SimulationOptions {
  motors: number;
  seed: number;
  /** Unix seconds. */
  start: number;
  numbering?: DemoNumbering | undefined;
}

/** Emit one command; `plannedRejection` marks the one intake scan the plant expects to be rejected. */
export type Emit = (command: DomainCommand, plannedRejection: boolean) => void;

export interface PlantedTruth {
  defect: { component: 'magnets'; lot: string; line: string; serials: string[] };
  failingVins: string[];
  noiseVins: string[];
  /** failingVins and noiseVins mixed, as a field-quality team would report them. */
  fieldReports: string[];
  neverArrived: { serial: string; shipmentId: string };
  unexpectedScan: { serial: string; shipmentId: string; onShipmentId: string };
  incompleteVin: string;
  asnMismatch: { shipmentId: string; missing: string[] };
}

interface SimMotor {
  serial: string;
  type: MotorType;
  defect: boolean;
  producedAt: number;
  role: Role | undefined;
  group: LocationGroup;
  receivedAt: number;
}

interface SimShipment {
  id: string;
  site: AssemblySite;
  racks: SimMotor[][];
  loadedAt: number;
  arrivedAt: number;
  /** Motors still to be scanned (the planted missing one excluded). */
  unscanned: number;
}

interface SimVehicle {
  vin: string;
  model: ModelCode;
  site: AssemblySite;
  station: string;
  slots: Map<string, SimMotor | null>;
  /** Slots planned or emptied and not (re)filled yet. */
  open: number;
  pendingRemovals: number;
  incomplete: boolean;
  firstInstall: number | undefined;
  shipPlanned: boolean;
}

interface Truck {
  plate: string;
  carrier: string;
  freeAt: number;
}

/** FIFO queue with O(1) shift. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(x: T): void {
    this.#items.push(x);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }
}

/** Cléon's four lines, each with its own cycle time (jittered ±25 %), merged in time order. */
class ProductionClock {
  readonly #next: number[];
  readonly #rngs: Rng[];
  readonly #cycles: readonly number[];

  constructor(seed: number, start: number, cycles: readonly number[]) {
    this.#cycles = cycles;
    this.#rngs = cycles.map((_, i) => Rng.derive(seed, `line-clock-${i}`));
    this.#next = cycles.map((c, i) => start + this.#rngs[i]!.between(0, c));
  }

  take(): { t: number; line: number } {
    let line = 0;
    for (let i = 1; i < this.#next.length; i++) if (this.#next[i]! < this.#next[line]!) line = i;
    const t = Math.round(this.#next[line]!);
    this.#next[line]! += this.#cycles[line]! * this.#rngs[line]!.between(0.75, 1.25);
    return { t, line };
  }
}

const SHIFT_INDEX: Record<Shift, number> = { A: 0, B: 1, C: 2 };
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export class PlantSimulation {
  readonly motors: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly days: number;
  produced = 0;
  shipments = 0;
  vehicles = 0;
  stuckAtCleon = 0;
  readonly locations: LocationCounts = zeroCounts();
  readonly defectLocations: LocationCounts = zeroCounts();
  readonly defectLine: string;
  defectLot: string | undefined;
  readonly defectSerials: string[] = [];

  readonly #emit: Emit;
  readonly #rng: Rng;
  readonly #agenda = new Agenda();
  readonly #clock: ProductionClock;
  readonly #packMin: number;

  // Defect plan: motors [defectStart, defectEnd) of the defect line get the defect lot.
  readonly #defectLineIndex: number;
  readonly #defectStart: number;
  readonly #defectEnd: number;
  // The defect line also changes bearing lots inside the defect lot's span: a bearing lot that began with the
  // defect lot would share all its motors (lots of one line run long), and rival it in common-cause analysis.
  readonly #bearingChange: number;

  // When the planted anomalies may happen.
  readonly #neverArrivedFrom: number;
  readonly #incompleteFrom: number;
  readonly #plantedUntil: number;
  readonly #wrongScanFrom: number;

  // Cléon.
  readonly #lineCount: number[] = LINES.map(() => 0);
  readonly #serialNo: Record<MotorType, number>;
  readonly #crews: string[][][];
  readonly #floaters: string[];
  readonly #lots = new Map<string, { code: string; left: number }>();
  readonly #lotNumbers = new Map<string, number>();
  readonly #lotPrefixesSeen = new Set<string>();
  #passedRear = 0;
  #frontsRouted = 0;
  readonly #stock: Record<AssemblySite, SimMotor[]> = { DIEPPE: [], DOUAI: [] };

  // Trucks.
  readonly #slotSeconds: Record<AssemblySite, number>;
  readonly #finalLoad: Record<AssemblySite, number>;
  readonly #trucks: Truck[];
  readonly #rackNo: Record<MotorType, number> = { '7DL': 0, '6AM': 0 };
  #shipmentNo: number;
  readonly #openShipments = new Set<SimShipment>();
  #lastDieppeArrival: SimShipment | undefined;

  // Assembly.
  readonly #queues: Record<Role, Fifo<SimMotor>>;
  readonly #waiting: Record<Role, Fifo<{ vehicle: SimVehicle; slot: string }>>;
  readonly #vinNo: Record<AssemblySite, number>;
  readonly #buffer = new Set<SimMotor>();
  readonly #assembling = new Set<SimVehicle>();
  readonly #shippedDefectVins: ShippedDefectCar[] = [];
  readonly #otherShippedSample: string[] = [];
  #otherShipped = 0;

  // Planted.
  #neverArrived: { motor: SimMotor; shipment: SimShipment } | undefined;
  #wrongScan: { serial: string; shipmentId: string; onShipmentId: string } | undefined;
  #incomplete: SimVehicle | undefined;

  constructor(options: SimulationOptions, emit: Emit) {
    const { motors, seed, start } = options;
    this.motors = motors;
    this.startTime = start;
    this.#emit = emit;
    this.#rng = Rng.derive(seed, 'plant');
    this.days = Math.max(MIN_DAYS, motors / FULL_RATE_PER_DAY);
    const rate = motors / this.days;
    const cycles = LINES.map((l) => DAY / (l.share * rate));

    // Planning pass: replay the production clock to learn each line's count and the last motor's time.
    const perLine = LINES.map(() => 0);
    const planClock = new ProductionClock(seed, start, cycles);
    let last = start;
    for (let i = 0; i < motors; i++) {
      const { t, line } = planClock.take();
      perLine[line]!++;
      last = t;
    }
    this.endTime = last + 20 * MINUTE;
    this.#clock = new ProductionClock(seed, start, cycles);

    const plan = Rng.derive(seed, 'plan');
    this.#defectLineIndex = plan.int(LINES.length);
    this.defectLine = LINES[this.#defectLineIndex]!.code;
    // The defect lot runs to the line's second-to-last motor, and lasts long enough (≥ 6.5 days) for its
    // first motors to be in shipped cars by the end; on a short run, half the period at most. Lot sizes are
    // real counts whatever the rate: on a small run the other lots outlast it (the run sees few of them).
    const onLine = perLine[this.#defectLineIndex]!;
    const lineRate = onLine / this.days;
    const nominal = LOT_KINDS.magnets.size * plan.between(0.9, 1.1);
    const spanDays = Math.min(nominal / lineRate, Math.max(6.5, 0.5 * this.days));
    this.#defectEnd = onLine - 1;
    this.#defectStart = Math.max(1, this.#defectEnd - Math.max(1, Math.round(spanDays * lineRate)));
    this.#bearingChange = Math.round(
      this.#defectStart + (this.#defectEnd - this.#defectStart) * plan.between(0.35, 0.55),
    );
    // A motor is loadable only after packing, and this lead time is longer than the gap between the defect
    // lot's last motor and the end of the run: that motor is still at Cléon at the end.
    this.#packMin = Math.max(2 * HOUR, 2.5 * Math.max(...cycles) + 30 * MINUTE);

    // Truck timetables: a loading slot every few hours per destination (hourly at full volume), the last one
    // 90–120 minutes before the end so that trucks are on the road when the run stops.
    const share = (type: MotorType) => LINES.filter((l) => l.type === type).reduce((a, l) => a + l.share, 0);
    const front = share('7DL') / 2;
    const spare = share('6AM') - front;
    const siteShare: Record<AssemblySite, number> = {
      DIEPPE: share('7DL') + front + spare * A290_SHARE_OF_SPARE_6AM,
      DOUAI: spare * (1 - A290_SHARE_OF_SPARE_6AM),
    };
    const truckLoad = RACK_SIZE * RACKS_PER_TRUCK;
    const slotHours = (site: AssemblySite) =>
      Math.min(24, Math.max(1, Math.round((0.9 * truckLoad) / ((rate * siteShare[site]) / 24))));
    this.#slotSeconds = { DIEPPE: slotHours('DIEPPE') * HOUR, DOUAI: slotHours('DOUAI') * HOUR };
    this.#finalLoad = {
      DIEPPE: this.endTime - Math.round(plan.between(90, 120) * MINUTE),
      DOUAI: this.endTime - Math.round(plan.between(90, 120) * MINUTE),
    };

    this.#neverArrivedFrom = this.endTime - plan.between(4.5, 5.5) * DAY;
    this.#incompleteFrom = this.endTime - plan.between(3.5, 4.5) * DAY;
    this.#plantedUntil = this.endTime - 3 * DAY - HOUR;
    this.#wrongScanFrom = start + plan.between(0.3, 0.6) * (this.endTime - start);

    // People and equipment: 4 lines × 3 crews of 6 badges (crews rotate shifts weekly) and 8 floaters.
    const people = badges(plan, LINES.length * 3 * CREW_SIZE + FLOATERS);
    this.#crews = LINES.map((_, l) =>
      [0, 1, 2].map((c) => people.slice((l * 3 + c) * CREW_SIZE, (l * 3 + c + 1) * CREW_SIZE)),
    );
    this.#floaters = people.slice(LINES.length * 3 * CREW_SIZE);
    const plates = new Set<string>();
    this.#trucks = [];
    for (const carrier of CARRIERS) {
      for (let i = 0; i < TRUCK_POOL[carrier]; i++) {
        let plate = truckPlate(plan);
        while (plates.has(plate)) plate = truckPlate(plan);
        plates.add(plate);
        this.#trucks.push({ plate, carrier, freeAt: start });
      }
    }

    const n = options.numbering ?? {};
    this.#serialNo = { '7DL': n.serials?.['7DL'] ?? 0, '6AM': n.serials?.['6AM'] ?? 0 };
    this.#vinNo = { DIEPPE: n.vins?.DIEPPE ?? 0, DOUAI: n.vins?.DOUAI ?? 0 };
    this.#shipmentNo = n.shipments ?? 0;
    const roles: Role[] = ['A390_REAR', 'A390_FRONT', 'A290', 'DOUAI'];
    this.#queues = Object.fromEntries(roles.map((r) => [r, new Fifo()])) as Record<Role, Fifo<SimMotor>>;
    this.#waiting = Object.fromEntries(roles.map((r) => [r, new Fifo()])) as Record<
      Role,
      Fifo<{ vehicle: SimVehicle; slot: string }>
    >;

    this.#nextProduction();
    for (const site of ['DIEPPE', 'DOUAI'] as const) {
      const k = this.#slotSeconds[site];
      const final = this.#finalLoad[site];
      this.#slot(site, final - Math.floor(Math.max(0, final - start - HOUR) / k) * k);
    }
  }

  /** Run the next thing that happens in the plant; false once the period is over. */
  step(): boolean {
    if (this.#agenda.peekTime() > this.endTime) return false;
    this.#agenda.runNext();
    return true;
  }

  /**
   * After the run: the planted truth. Throws if something the plant promises does not hold (a generator bug):
   * an anomaly could not be planted, or an unplanted one would show in the reconciliation at endTime.
   */
  finish(): PlantedTruth {
    const problems: string[] = [];
    const end = this.endTime;
    if (!this.defectLot) problems.push('the defect lot was never started');
    if (!this.#neverArrived) problems.push('no truck arrived in the window for the never-scanned motor');
    if (!this.#wrongScan)
      problems.push('no Dieppe truck arrived after another one for the wrong-shipment scan');
    if (!this.#incomplete) problems.push('no A390 was married in the window for the incomplete VIN');
    for (const sh of this.#openShipments) {
      if (
        sh !== this.#neverArrived?.shipment &&
        sh.loadedAt < end - THRESHOLDS.shippedNotReceivedHours * HOUR
      )
        problems.push(
          `shipment ${sh.id} is not fully scanned ${Math.round((end - sh.loadedAt) / HOUR)} h on`,
        );
    }
    for (const m of this.#buffer) {
      if (m.receivedAt < end - THRESHOLDS.receivedNotInstalledDays * DAY)
        problems.push(
          `motor ${m.serial} is in the buffer ${((end - m.receivedAt) / DAY).toFixed(1)} days on`,
        );
    }
    for (const v of this.#assembling) {
      const empty = [...v.slots.values()].some((m) => m === null) || v.open > 0 || v.incomplete;
      if (v !== this.#incomplete && empty && v.firstInstall! < end - THRESHOLDS.missingSlotDays * DAY)
        problems.push(`VIN ${v.vin} has an empty slot ${((end - v.firstInstall!) / DAY).toFixed(1)} days on`);
    }
    if (problems.length > 0)
      throw new Error(`The demo plant broke its own promises (a generator bug): ${problems.join('; ')}.`);
    const na = this.#neverArrived!;
    const failingVins = spread(this.#shippedDefectVins, 25, this.#rng);
    const noiseVins = this.#rng.sample(this.#otherShippedSample, 3);
    return {
      defect: {
        component: 'magnets',
        lot: this.defectLot!,
        line: this.defectLine,
        serials: this.defectSerials,
      },
      failingVins,
      noiseVins,
      fieldReports: this.#rng.sample([...failingVins, ...noiseVins], failingVins.length + noiseVins.length),
      neverArrived: { serial: na.motor.serial, shipmentId: na.shipment.id },
      unexpectedScan: this.#wrongScan!,
      incompleteVin: this.#incomplete!.vin,
      asnMismatch: { shipmentId: na.shipment.id, missing: [na.motor.serial] },
    };
  }

  // --- Cléon: production and EOL ---------------------------------------------------------------------

  #nextProduction(): void {
    if (this.produced >= this.motors) return;
    const { t, line } = this.#clock.take();
    this.#agenda.at(t, (tt) => {
      this.#produce(tt, line);
      this.#nextProduction();
    });
  }

  #produce(t: number, lineIndex: number): void {
    const rng = this.#rng;
    const line = LINES[lineIndex]!;
    const k = this.#lineCount[lineIndex]!++;
    const onDefectLine = lineIndex === this.#defectLineIndex;
    const defect = onDefectLine && k >= this.#defectStart && k < this.#defectEnd;
    const serial = motorSerial(line.type, ++this.#serialNo[line.type]);
    const magnetsSize = !onDefectLine
      ? undefined
      : k === this.#defectStart
        ? this.#defectEnd - this.#defectStart
        : k === this.#defectEnd
          ? this.#lotSize('magnets')
          : undefined;
    const lots = {
      rotor: this.#lot('rotor', line.type, t),
      stator: this.#lot('stator', line.type, t),
      magnets: this.#lot('magnets', line.code, t, magnetsSize),
      bearing: this.#lot(
        'bearing',
        line.code,
        t,
        onDefectLine && k === this.#bearingChange ? this.#lotSize('bearing') : undefined,
      ),
      inverter: this.#lot('inverter', 'plant', t),
    };
    if (defect) {
      if (k === this.#defectStart) this.defectLot = lots.magnets;
      this.defectSerials.push(serial);
    }
    const shift = shiftOf(t);
    const day = productionDay(t);
    const crew = this.#crews[lineIndex]![(SHIFT_INDEX[shift] + Math.floor(day / 7)) % 3]!;
    const operator = rng.chance(0.06) ? rng.pick(this.#floaters) : rng.pick(crew);
    this.#send(
      t,
      { sub: operator, role: 'producer', site: PRODUCTION_SITE },
      {
        kind: 'produceMotor',
        serial,
        motorType: line.type,
        line: line.code,
        station: `${line.code}-ST${10 * rng.intBetween(1, STATIONS_PER_LINE)}`,
        shift,
        operator,
        workOrder: `WO-${yymmdd(day)}-${line.code}`,
        lots,
      },
    );
    this.produced++;
    const m: SimMotor = {
      serial,
      type: line.type,
      defect,
      producedAt: t,
      role: undefined,
      group: 'AT_CLEON',
      receivedAt: 0,
    };
    this.locations.AT_CLEON++;
    if (defect) this.defectLocations.AT_CLEON++;
    this.#agenda.at(t + rng.between(15, 45) * MINUTE, (tt) => this.#test(m, tt, 1, undefined));
  }

  #lotSize(kind: LotName): number {
    return Math.round(LOT_KINDS[kind].size * this.#rng.between(0.85, 1.15));
  }

  // The lot in use for `kind` at `scope` (a line, a motor type or the plant); a new lot when it runs out or
  // when `startSize` says a new one starts here.
  #lot(kind: LotName, scope: string, t: number, startSize?: number): string {
    const key = `${kind}:${scope}`;
    let lot = this.#lots.get(key);
    if (!lot || lot.left <= 0 || startSize !== undefined) {
      lot = { code: this.#lotCode(kind, t), left: startSize ?? this.#lotSize(kind) };
      this.#lots.set(key, lot);
    }
    lot.left--;
    return lot.code;
  }

  // MAG-26-0117: supplier prefix, year the lot was made (a few weeks before use), number within that year.
  #lotCode(kind: LotName, t: number): string {
    const prefix = LOT_KINDS[kind].prefix;
    const key = `${prefix}-${yy(t - 21 * DAY)}`;
    let n = this.#lotNumbers.get(key);
    if (n === undefined) {
      n = this.#lotPrefixesSeen.has(prefix) ? this.#rng.intBetween(1, 9) : this.#rng.intBetween(20, 180);
      this.#lotPrefixesSeen.add(prefix);
    } else n++;
    this.#lotNumbers.set(key, n);
    return `${key}-${pad(n, 4)}`;
  }

  #test(m: SimMotor, t: number, attempt: 1 | 2, previousBench: string | undefined): void {
    const rng = this.#rng;
    const bench = rng.pick(EOL_BENCHES.filter((b) => b !== previousBench));
    const fail = rng.chance(attempt === 1 ? EOL_FAIL_RATE : EOL_REFAIL_RATE);
    const spec = EOL_SPECS[m.type];
    const revision = spec.minor + Math.floor((t - this.startTime) / (SPEC_REVISION_DAYS * DAY));
    this.#send(
      t,
      { sub: bench, role: 'producer', site: PRODUCTION_SITE },
      {
        kind: 'testMotor',
        serial: m.serial,
        bench,
        specVersion: `SPEC-${m.type}-${spec.major}.${revision}`,
        verdict: fail ? 'FAIL' : 'PASS',
        measurements: this.#measure(m, fail),
      },
    );
    if (!fail) {
      this.#route(m);
      const site = ROLE_SITE[m.role!];
      this.#agenda.at(t + rng.between(this.#packMin, this.#packMin + 2 * HOUR), () =>
        this.#stock[site].push(m),
      );
    } else if (attempt === 1) {
      this.#agenda.at(t + rng.between(30, 120) * MINUTE, (tt) => this.#test(m, tt, 2, bench));
    } else {
      this.stuckAtCleon++;
    }
  }

  // Around the spec's means; a passing motor is within every limit (the defect's louder magnets too), a
  // failing one has one measurement out.
  #measure(m: SimMotor, fail: boolean): JsonObject {
    const rng = this.#rng;
    const out: JsonObject = {};
    const measures = EOL_SPECS[m.type].measures;
    for (const [name, s] of Object.entries(measures)) {
      let v = rng.normal(name === 'noiseDb' && m.defect ? s.mean + DEFECT_NOISE_SHIFT_DB : s.mean, s.sd);
      if (s.min !== undefined) v = Math.max(v, s.min + 0.3 * s.sd);
      if (s.max !== undefined) v = Math.min(v, s.max - 0.3 * s.sd);
      out[name] = round(v, s.digits);
    }
    if (fail) {
      const cause = rng.weighted(FAIL_CAUSES);
      const s = measures[cause];
      out[cause] =
        cause === 'insulationMOhm'
          ? Math.round(rng.between(80, 0.95 * s.min!))
          : cause === 'torqueNm'
            ? round(s.min! - rng.between(0.5, 3) * s.sd, s.digits)
            : round(s.max! + rng.between(0.5, 3) * s.sd, s.digits);
    }
    return out;
  }

  // What a passed motor is for: 7DL into an A390's rear; a 6AM into an A390's front while the rears that
  // passed need one, else an A290 (a third) or Douai. Routing on passed counts keeps pairs and fronts
  // matched at Dieppe, so no motor waits long in the buffer for its partners.
  #route(m: SimMotor): void {
    if (m.type === '7DL') {
      m.role = 'A390_REAR';
      this.#passedRear++;
    } else if (this.#frontsRouted < Math.floor(this.#passedRear / 2)) {
      m.role = 'A390_FRONT';
      this.#frontsRouted++;
    } else {
      m.role = this.#rng.chance(A290_SHARE_OF_SPARE_6AM) ? 'A290' : 'DOUAI';
    }
  }

  // --- Trucks --------------------------------------------------------------------------------------

  #slot(site: AssemblySite, base: number): void {
    const final = this.#finalLoad[site];
    const t = base >= final ? final : base + Math.round(this.#rng.between(-10, 10) * MINUTE);
    this.#agenda.at(t, (tt) => {
      this.#loadTruck(site, tt, 1);
      if (base < final) this.#slot(site, base + this.#slotSeconds[site]);
    });
  }

  // Load one truck with what is packed for `site`, oldest first, in racks of 8 motors of one type, 6 racks at
  // most; another truck follows if motors are left.
  #loadTruck(site: AssemblySite, t: number, n: number): void {
    const rng = this.#rng;
    const stock = this.#stock[site];
    if (stock.length === 0) return;
    const racks: SimMotor[][] = [];
    const open: Partial<Record<MotorType, SimMotor[]>> = {};
    const left: SimMotor[] = [];
    for (const m of stock) {
      let rack = open[m.type];
      if (!rack || rack.length === RACK_SIZE) {
        if (racks.length === RACKS_PER_TRUCK) {
          left.push(m);
          continue;
        }
        rack = [];
        racks.push(rack);
        open[m.type] = rack;
      }
      rack.push(m);
    }
    this.#stock[site] = left;
    const no = ++this.#shipmentNo;
    const sh: SimShipment = {
      id: `SHP-${pad(no, 7)}`,
      site,
      racks,
      loadedAt: t,
      arrivedAt: 0,
      unscanned: stock.length - left.length,
    };
    this.#send(
      t,
      { sub: rng.pick(SHIPPING_DOCK_SCANNERS), role: 'logistics', site: PRODUCTION_SITE },
      {
        kind: 'loadShipment',
        shipmentId: sh.id,
        asn: `ASN-${yy(t)}-${pad(no, 6)}`,
        to: site,
        racks: racks.map((r) => ({ rack: this.#rackId(r[0]!.type), serials: r.map((m) => m.serial) })),
      },
    );
    this.shipments++;
    this.#openShipments.add(sh);
    for (const r of racks) for (const m of r) this.#move(m, 'IN_TRANSIT');
    this.#agenda.at(t + rng.between(20, 150) * MINUTE, (tt) => this.#depart(sh, tt));
    if (left.length > 0 && n < TRUCKS_PER_SLOT)
      this.#agenda.at(t + rng.between(10, 25) * MINUTE, (tt) => this.#loadTruck(site, tt, n + 1));
  }

  #rackId(type: MotorType): string {
    this.#rackNo[type] = (this.#rackNo[type] % RACK_POOL) + 1;
    return `RK${type[0]}-${pad(this.#rackNo[type], 4)}`;
  }

  #depart(sh: SimShipment, t: number): void {
    const rng = this.#rng;
    const spec = SITES[sh.site];
    const carrier = rng.weighted(spec.carriers);
    const fleet = this.#trucks.filter((x) => x.carrier === carrier);
    const free = fleet.filter((x) => x.freeAt <= t);
    const truck = free.length > 0 ? rng.pick(free) : fleet.reduce((a, b) => (b.freeAt < a.freeAt ? b : a));
    this.#send(
      t,
      { sub: 'CLE-GATE-1', role: 'logistics', site: PRODUCTION_SITE },
      {
        kind: 'departShipment',
        shipmentId: sh.id,
        carrier,
        truck: truck.plate,
        seal: `SL${rng.intBetween(1_000_000, 9_999_999)}`,
      },
    );
    const transit = rng.between(spec.transitHours[0], spec.transitHours[1]) * HOUR;
    truck.freeAt = t + 2 * transit + HOUR;
    const arrival = t + transit;
    if (!this.#neverArrived && arrival >= this.#neverArrivedFrom && arrival <= this.#plantedUntil) {
      // Prefer a motor no A390 is waiting for, so the pairing at Dieppe is not disturbed.
      const all = sh.racks.flat();
      const spare = all.filter((m) => m.role === 'A290' || m.role === 'DOUAI');
      this.#neverArrived = { motor: rng.pick(spare.length > 0 ? spare : all), shipment: sh };
      sh.unscanned--;
    }
    this.#agenda.at(arrival, (tt) => this.#arrive(sh, tt));
  }

  #arrive(sh: SimShipment, t: number): void {
    const rng = this.#rng;
    const spec = SITES[sh.site];
    const dock = rng.pick(spec.docks);
    const scanner = rng.pick(spec.scanners);
    sh.arrivedAt = t;
    this.#send(
      t,
      { sub: `${spec.abbrev}-GATE-1`, role: 'logistics', site: sh.site },
      {
        kind: 'arriveShipment',
        shipmentId: sh.id,
        dock,
      },
    );
    const missing = this.#neverArrived?.shipment === sh ? this.#neverArrived.motor : undefined;
    let wrong: { motor: SimMotor; against: SimShipment } | undefined;
    if (sh.site === 'DIEPPE') {
      const previous = this.#lastDieppeArrival;
      const candidates = sh.racks.flat().filter((m) => m !== missing);
      if (!this.#wrongScan && previous && t >= this.#wrongScanFrom && candidates.length > 0) {
        const motor = rng.pick(candidates);
        wrong = { motor, against: previous };
        this.#wrongScan = { serial: motor.serial, shipmentId: previous.id, onShipmentId: sh.id };
      }
      this.#lastDieppeArrival = sh;
    }
    let s = t + rng.between(5, 20) * MINUTE;
    for (const rack of sh.racks) {
      for (const m of rack) {
        if (m === missing) continue;
        if (m === wrong?.motor) {
          const against = wrong.against;
          this.#agenda.at(s, (tt) => this.#scan(m, against, dock, scanner, tt, true));
          s += rng.between(30, 90);
        }
        this.#agenda.at(s, (tt) => this.#scan(m, sh, dock, scanner, tt, false));
        s += rng.between(20, 75);
      }
      s += rng.between(60, 180);
    }
  }

  #scan(m: SimMotor, sh: SimShipment, dock: string, scanner: string, t: number, wrong: boolean): void {
    this.#send(
      t,
      { sub: scanner, role: 'intake', site: sh.site },
      { kind: 'scanIntake', serial: m.serial, shipmentId: sh.id, dock, scanner },
      wrong,
    );
    if (wrong) return;
    this.#move(m, 'IN_BUFFER');
    m.receivedAt = t;
    this.#buffer.add(m);
    if (--sh.unscanned === 0) this.#openShipments.delete(sh);
    this.#agenda.at(t + this.#rng.triangular(0.5, 1, 3) * DAY, (tt) => this.#ready(m, tt));
  }

  // --- Assembly --------------------------------------------------------------------------------------

  // A motor leaves the buffer's dwell: it refills a car waiting after a rework, or joins the line-side queue.
  #ready(m: SimMotor, t: number): void {
    const role = m.role!;
    const waiting = this.#waiting[role].shift();
    if (waiting) {
      this.#agenda.at(t + this.#rng.between(10, 40) * MINUTE, (tt) =>
        this.#install(waiting.vehicle, waiting.slot, m, tt),
      );
      return;
    }
    this.#queues[role].push(m);
    this.#build(ROLE_SITE[role], t);
  }

  // Start every car whose motors are ready: an A390 takes two rears and a front; A290, Mégane and Scénic one.
  #build(site: AssemblySite, t: number): void {
    const rng = this.#rng;
    const when = () => t + rng.between(5, 45) * MINUTE;
    if (site === 'DIEPPE') {
      const rear = this.#queues.A390_REAR;
      const front = this.#queues.A390_FRONT;
      while (rear.length >= 2) {
        const incomplete = !this.#incomplete && t >= this.#incompleteFrom && t <= this.#plantedUntil;
        if (!incomplete && front.length === 0) break;
        const v = this.#newVehicle('A390', t);
        const t0 = when();
        this.#plan(v, 'REAR_LEFT', rear.shift()!, t0);
        this.#plan(v, 'REAR_RIGHT', rear.shift()!, t0 + rng.between(60, 180));
        if (incomplete) {
          v.incomplete = true;
          this.#incomplete = v;
        } else this.#plan(v, 'FRONT', front.shift()!, t0 + rng.between(4, 12) * MINUTE);
      }
      const a290 = this.#queues.A290;
      for (let m = a290.shift(); m; m = a290.shift())
        this.#plan(this.#newVehicle('A290', t), 'FRONT', m, when());
    } else {
      const q = this.#queues.DOUAI;
      for (let m = q.shift(); m; m = q.shift()) {
        const model = rng.chance(MEGANE_SHARE) ? 'MEGANE' : 'SCENIC';
        this.#plan(this.#newVehicle(model, t), 'FRONT', m, when());
      }
    }
  }

  #newVehicle(model: ModelCode, t: number): SimVehicle {
    const spec = MODELS[model];
    const site = spec.site;
    return {
      vin: vinOf(
        spec.wmi,
        spec.descriptor,
        new Date(t * 1000).getUTCFullYear(),
        SITES[site].plant,
        ++this.#vinNo[site],
      ),
      model,
      site,
      station: this.#rng.pick(SITES[site].stations),
      slots: new Map(Object.keys(spec.slots).map((s) => [s, null])),
      open: 0,
      pendingRemovals: 0,
      incomplete: false,
      firstInstall: undefined,
      shipPlanned: false,
    };
  }

  #plan(v: SimVehicle, slot: string, m: SimMotor, t: number): void {
    v.open++;
    this.#agenda.at(t, (tt) => this.#install(v, slot, m, tt));
  }

  #install(v: SimVehicle, slot: string, m: SimMotor, t: number): void {
    this.#send(
      t,
      { sub: v.station, role: 'assembly', site: v.site },
      {
        kind: 'installMotor',
        vin: v.vin,
        model: v.model,
        slot,
        serial: m.serial,
        station: v.station,
      },
    );
    if (v.firstInstall === undefined) {
      v.firstInstall = t;
      this.vehicles++;
      this.#assembling.add(v);
    }
    this.#buffer.delete(m);
    this.#move(m, 'INSTALLED');
    v.slots.set(slot, m);
    v.open--;
    if (this.#rng.chance(REWORK_RATE)) {
      v.pendingRemovals++;
      this.#agenda.at(t + this.#rng.between(20, 360) * MINUTE, (tt) => this.#remove(v, slot, tt));
    }
    this.#maybeShip(v, t);
  }

  // Rework: the motor comes out, goes back to the buffer after repair, and the slot takes the next ready motor
  // of its kind (or waits for one).
  #remove(v: SimVehicle, slot: string, t: number): void {
    const rng = this.#rng;
    const m = v.slots.get(slot)!;
    this.#send(
      t,
      { sub: v.station, role: 'assembly', site: v.site },
      {
        kind: 'removeMotor',
        vin: v.vin,
        serial: m.serial,
        reason: rng.pick(REWORK_REASONS),
      },
    );
    v.slots.set(slot, null);
    v.open++;
    v.pendingRemovals--;
    this.#move(m, 'IN_BUFFER');
    this.#buffer.add(m);
    this.#agenda.at(t + rng.between(4, 20) * HOUR, (tt) => this.#ready(m, tt));
    const role = MODELS[v.model].slots[slot]!;
    const next = this.#queues[role].shift();
    if (next) this.#agenda.at(t + rng.between(15, 60) * MINUTE, (tt) => this.#install(v, slot, next, tt));
    else this.#waiting[role].push({ vehicle: v, slot });
  }

  #maybeShip(v: SimVehicle, t: number): void {
    if (v.open > 0 || v.pendingRemovals > 0 || v.incomplete || v.shipPlanned) return;
    v.shipPlanned = true;
    this.#agenda.at(t + this.#rng.between(1, 2) * DAY, (tt) => this.#ship(v, tt));
  }

  #ship(v: SimVehicle, t: number): void {
    this.#send(
      t,
      { sub: `${SITES[v.site].abbrev}-SHIP-01`, role: 'assembly', site: v.site },
      {
        kind: 'shipVehicle',
        vin: v.vin,
      },
    );
    this.#assembling.delete(v);
    let defectAt: number | undefined;
    let defects = 0;
    for (const m of v.slots.values()) {
      if (!m) continue;
      this.#move(m, 'VEHICLE_SHIPPED');
      if (!m.defect) continue;
      defects++;
      defectAt = Math.min(defectAt ?? m.producedAt, m.producedAt);
    }
    if (defectAt !== undefined)
      this.#shippedDefectVins.push({ vin: v.vin, producedAt: defectAt, share: defects / v.slots.size });
    else {
      // Reservoir sample of cars without a defect motor, for the noise in the field reports.
      const k = this.#otherShipped++;
      if (this.#otherShippedSample.length < 64) this.#otherShippedSample.push(v.vin);
      else {
        const j = this.#rng.int(k + 1);
        if (j < 64) this.#otherShippedSample[j] = v.vin;
      }
    }
  }

  // --- Bookkeeping -----------------------------------------------------------------------------------

  #move(m: SimMotor, to: LocationGroup): void {
    this.locations[m.group]--;
    this.locations[to]++;
    if (m.defect) {
      this.defectLocations[m.group]--;
      this.defectLocations[to]++;
    }
    m.group = to;
  }

  #send(
    t: number,
    actor: Actor,
    body: DistributiveOmit<DomainCommand, 'actor' | 'time' | 'sites'>,
    planned = false,
  ): void {
    // The simulated plant's people act where they stand; quality acts plant-wide.
    this.#emit(withSites({ ...body, actor, time: isoTime(t) } as CommandBody, ['*']), planned);
  }
}

interface ShippedDefectCar {
  vin: string;
  /** When its (first) defect motor was built. */
  producedAt: number;
  /** Share of its motors from the defect lot: the more of its drive the lot carries, the likelier it fails. */
  share: number;
}

// The field failures: `k` cars spread evenly over the time the lot's shipped motors were built (not clustered in
// a few days of it); near each of k evenly spaced instants, of the few closest cars the one whose drive relies
// most on the lot (a Mégane with a defect front motor over an A390 with one defect motor out of three).
function spread(cars: readonly ShippedDefectCar[], k: number, rng: Rng): string[] {
  const sorted = [...cars].sort((a, b) => a.producedAt - b.producedAt);
  if (sorted.length <= k) return sorted.map((c) => c.vin);
  const first = sorted[0]!.producedAt;
  const span = sorted[sorted.length - 1]!.producedAt - first;
  const taken = new Set<ShippedDefectCar>();
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    const target = first + ((i + rng.between(0.25, 0.75)) * span) / k;
    const nearest = sorted
      .filter((c) => !taken.has(c))
      .sort((a, b) => Math.abs(a.producedAt - target) - Math.abs(b.producedAt - target))
      .slice(0, 5);
    const pick = nearest.reduce((best, c) => (c.share > best.share ? c : best));
    taken.add(pick);
    out.push(pick.vin);
  }
  return out;
}

function zeroCounts(): LocationCounts {
  return { AT_CLEON: 0, IN_TRANSIT: 0, IN_BUFFER: 0, INSTALLED: 0, VEHICLE_SHIPPED: 0 };
}
