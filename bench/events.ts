// Event drafts shaped like the real ones (the fields src/core/domain/decide.ts writes, plus what a plant system
// also sends): a motor is produced at Cléon (a new serial), then tested at end of line or received at Dieppe
// (an existing serial; an intake scan names the shipment too). Data is 400-600 bytes of
// canonical JSON. Seeded: two generators with the same seed draw the same sequence, so the ledger and its
// baseline get the same events.
import type { Actor, EventDraft, JsonObject } from '../src/core/envelope.js';
import { prng } from './stats.js';

export interface BenchEvent {
  draft: EventDraft;
  /** The serial had earlier events: the ledger links the previous one (prev). */
  existing: boolean;
}

const MOTOR_TYPES = ['7DL-EM160', '7DL-EM130', '5DL-EM100'];
const LINES = ['L1', 'L2', 'L3'];
const STATIONS = ['ST-10', 'ST-20', 'ST-30', 'ST-40', 'ST-50', 'EOL-1', 'EOL-2'];
const SHIFTS = ['A', 'B', 'C'];
const SUPPLIERS = ['NIDEC', 'VALEO', 'SKF', 'BOSCH', 'MAHLE'];
const ACTORS: Actor[] = [
  { sub: 'badge-4711', role: 'producer', site: 'CLEON' },
  { sub: 'badge-0815', role: 'producer', site: 'CLEON' },
  { sub: 'svc-eol-bench-2', role: 'tester', site: 'CLEON' },
  { sub: 'badge-2203', role: 'intake', site: 'DIEPPE' },
];

/** Serials of recent motors that later events may name (a window, as a real line works on recent motors). */
const RECENT_WINDOW = 20_000;

export class EventGenerator {
  readonly #rand: () => number;
  readonly #recent: string[] = [];
  #nextSerial = 1;
  #clock = Date.parse('2026-11-23T06:00:00.000Z');
  readonly #newShare: number;

  /** `newShare`: fraction of events that introduce a new serial (motor.produced). */
  constructor(seed: number, newShare = 0.4) {
    this.#rand = prng(seed);
    this.#newShare = newShare;
  }

  next(): BenchEvent {
    this.#clock += 250 + Math.floor(this.#rand() * 1500);
    const time = new Date(this.#clock).toISOString();
    if (this.#recent.length === 0 || this.#rand() < this.#newShare) {
      const serial = `7DL-${String(this.#nextSerial++).padStart(8, '0')}`;
      if (this.#recent.length < RECENT_WINDOW) this.#recent.push(serial);
      else this.#recent[this.#nextSerial % RECENT_WINDOW] = serial;
      return { draft: this.#produced(serial, time), existing: false };
    }
    const serial = this.#recent[Math.floor(this.#rand() * this.#recent.length)]!;
    if (this.#rand() < 2 / 3) return { draft: this.#tested(serial, time), existing: true };
    return { draft: this.#received(serial, time), existing: true };
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#rand() * xs.length)]!;
  }

  #num(min: number, max: number, digits: number): number {
    return Number((min + this.#rand() * (max - min)).toFixed(digits));
  }

  #lot(prefix: string): string {
    return `${prefix}-${this.#pick(SUPPLIERS)}-2026W47-${String(Math.floor(this.#rand() * 1e6)).padStart(6, '0')}`;
  }

  // The fields decide() writes for produceMotor (src/core/domain/decide.ts), plus what a line MES also sends.
  #produced(serial: string, time: string): EventDraft {
    const data: JsonObject = {
      serial,
      motorType: this.#pick(MOTOR_TYPES),
      line: this.#pick(LINES),
      station: this.#pick(STATIONS),
      shift: this.#pick(SHIFTS),
      operator: this.#pick(ACTORS).sub,
      workOrder: `WO-CLEON-2026-${String(Math.floor(this.#rand() * 1e5)).padStart(5, '0')}`,
      lots: {
        rotor: this.#lot('ROT'),
        stator: this.#lot('STA'),
        magnets: this.#lot('MAG-NdFeB'),
        bearing: this.#lot('BRG-6206'),
        inverter: this.#lot('INV-800V'),
      },
      site: 'CLEON',
      torques: { rotorNutNm: this.#num(118, 122, 1), statorBoltsNm: this.#num(23, 25, 1) },
      firmware: 'INV-FW 4.12.3',
      cycleTimeS: this.#num(52, 70, 1),
    };
    return { type: 'motor.produced', time, actor: ACTORS[0]!, subjects: [`motor:${serial}`], data };
  }

  // testMotor's fields: bench, specVersion, verdict, measurements.
  #tested(serial: string, time: string): EventDraft {
    const data: JsonObject = {
      serial,
      bench: this.#pick(['EOL-1', 'EOL-2', 'EOL-3']),
      specVersion: 'SPEC-4.2',
      verdict: this.#rand() < 0.98 ? 'PASS' : 'FAIL',
      measurements: {
        insulationMOhm: this.#num(500, 2000, 0),
        backEmfV: this.#num(225, 235, 1),
        phaseResistanceMOhm: this.#num(11, 13, 2),
        noiseDbA: this.#num(58, 66, 1),
        vibrationMmS: this.#num(0.4, 1.8, 2),
        torqueNm: this.#num(405, 420, 1),
        efficiencyPct: this.#num(94, 97, 2),
        hipotPassed: true,
      },
      site: 'CLEON',
      program: 'EOL-7DL-v12',
      durationS: this.#num(180, 260, 0),
      conditions: {
        ambientC: this.#num(18, 26, 1),
        coolantInC: this.#num(24, 30, 1),
        calibration: 'CAL-EOL-2026-10-02',
      },
    };
    return { type: 'motor.tested', time, actor: ACTORS[2]!, subjects: [`motor:${serial}`], data };
  }

  // scanIntake's fields at Dieppe: the motor and its shipment are both subjects.
  #received(serial: string, time: string): EventDraft {
    const shipmentId = `SHP-CLE-DIE-${String(Math.floor(this.#rand() * 5000)).padStart(5, '0')}`;
    const data: JsonObject = {
      serial,
      shipmentId,
      dock: `DIE-R${Math.floor(this.#rand() * 6) + 1}`,
      scanner: `SCN-DIE-${String(Math.floor(this.#rand() * 40)).padStart(3, '0')}`,
      site: 'DIEPPE',
      carrier: 'GEFCO',
      truck: `FR-${String(Math.floor(this.#rand() * 1000)).padStart(3, '0')}-AB`,
      rack: `RK-${Math.floor(this.#rand() * 900) + 100}`,
      seal: `SEAL-${String(Math.floor(this.#rand() * 1e7)).padStart(7, '0')}`,
      packaging: { type: 'returnable-rack', position: Math.floor(this.#rand() * 8) + 1, damaged: false },
      documents: ['CMR-2026-118833', 'DN-7DL-55120'],
      temperatureLoggerId: `TL-${Math.floor(this.#rand() * 1e4)}`,
      asn: `ASN-CLE-DIE-${String(Math.floor(this.#rand() * 1e6)).padStart(6, '0')}`,
      intakeChecks: {
        labelMatches: true,
        visualOk: true,
        connectorCapsPresent: true,
        shockIndicator: 'green',
      },
    };
    return {
      type: 'motor.received',
      time,
      actor: ACTORS[3]!,
      subjects: [`motor:${serial}`, `shipment:${shipmentId}`],
      data,
    };
  }
}
