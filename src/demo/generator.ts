// `generateDemo`: run the plant simulation (simulation.ts) and write what it emits through the real command
// path — plantCommand and the sequencer, so every rule of decide.ts is checked — in chunks of 1,000 commands in
// business-time order, two chunks in flight. Every command must be accepted, except the one scan planted
// against the wrong shipment (logged as intake.rejected): anything else refused is a generator bug, and the
// run stops with that refusal's code.
import type { Catalog } from '../core/domain/catalog.js';
import type { DomainCommand } from '../core/domain/decide.js';
import type { DomainState } from '../core/domain/state.js';
import { LedgerError, ValidationError } from '../core/errors.js';
import { type PlantCommand, plantCommand } from '../domain/domain.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AppendResult } from '../ledger/sequencer.js';
import { isoTime, parseTime } from './codes.js';
import { checkCatalog } from './plant.js';
import { type DemoNumbering, type LocationCounts, type PlantedTruth, PlantSimulation } from './simulation.js';

export {
  type DemoNumbering,
  LOCATION_GROUPS,
  type LocationCounts,
  type LocationGroup,
} from './simulation.js';

export const DEMO_MIN_MOTORS = 500;
export const DEMO_MAX_MOTORS = 1_000_000;
export const DEMO_DEFAULT_SEED = 42;
export const DEMO_DEFAULT_START = '2026-09-01T00:00:00Z';
const CHUNK = 1000;
const IN_FLIGHT = 2;

export interface DemoOptions {
  motors: number;
  /** PRNG seed: the same seed, motors and start give the same log (default 42). */
  seed?: number;
  /** Business time of the first day (ISO date, default 2026-09-01T00:00:00Z). */
  start?: string;
  /** Called after each chunk commits. */
  onProgress?: (doneMotors: number, totalMotors: number, events: number) => void;
  /** Continue numbering after an earlier run (serials, VIN serials, shipments); absent on an empty log. */
  numbering?: DemoNumbering;
}

export interface DemoReport {
  motors: number;
  /** Log entries appended by this run. */
  events: number;
  vehicles: number;
  shipments: number;
  startTime: string;
  /** The "now" at which the planted flow anomalies hold (reconciliation thresholds: 24 h, 5 days, 2 days). */
  endTime: string;
  planted: PlantedTruth;
  /** Where every motor of the run is at endTime. */
  locations: LocationCounts;
  /** The same for the defect lot's motors. */
  defectLocations: LocationCounts;
  elapsedMs: number;
  eventsPerSecond: number;
}

/**
 * Simulate `motors` motors from Cléon to shipped cars and append every event to the ledger, with a planted
 * defect lot, field failures and flow anomalies (returned in the report). Assumes an empty log.
 * @example const report = await generateDemo(ledger, loadCatalog(), { motors: 2000, seed: 42 });
 */
export async function generateDemo(
  ledger: Ledger<DomainState>,
  catalog: Catalog,
  options: DemoOptions,
): Promise<DemoReport> {
  const { motors } = options;
  if (!Number.isInteger(motors) || motors < DEMO_MIN_MOTORS || motors > DEMO_MAX_MOTORS) {
    throw new ValidationError(
      'DEMO_OPTIONS',
      `The demo simulates ${DEMO_MIN_MOTORS.toLocaleString('en')} to ${DEMO_MAX_MOTORS.toLocaleString('en')} motors; got ${motors}.`,
    );
  }
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  if (!Number.isSafeInteger(seed))
    throw new ValidationError('DEMO_OPTIONS', `Seed ${seed} is not an integer.`);
  let start: number;
  try {
    start = parseTime(options.start ?? DEMO_DEFAULT_START);
  } catch (err) {
    throw new ValidationError('DEMO_OPTIONS', (err as Error).message);
  }
  checkCatalog(catalog);

  const began = performance.now();
  const writer = new ChunkWriter(ledger, catalog, (events, done) =>
    options.onProgress?.(done, motors, events),
  );
  const sim = new PlantSimulation({ motors, seed, start, numbering: options.numbering }, (c, planned) =>
    writer.add(c, planned),
  );
  try {
    while (sim.step()) if (writer.full) await writer.flush(sim.produced);
    await writer.flush(sim.produced, true);
  } catch (err) {
    await writer.settle();
    throw err;
  }
  const planted = sim.finish();
  const elapsedMs = Math.round(performance.now() - began);
  return {
    motors: sim.produced,
    events: writer.events,
    vehicles: sim.vehicles,
    shipments: sim.shipments,
    startTime: isoTime(sim.startTime),
    endTime: isoTime(sim.endTime),
    planted,
    locations: { ...sim.locations },
    defectLocations: { ...sim.defectLocations },
    elapsedMs,
    eventsPerSecond: Math.round(writer.events / Math.max(elapsedMs / 1000, 0.001)),
  };
}

// Collects commands into chunks and appends them, keeping at most IN_FLIGHT chunks queued in the sequencer
// (it decides them in order, each seeing the state the earlier ones left).
class ChunkWriter {
  readonly #ledger: Ledger<DomainState>;
  readonly #catalog: Catalog;
  readonly #onChunk: (events: number, motors: number) => void;
  #commands: PlantCommand[] = [];
  #planned: boolean[] = [];
  #inflight: Promise<void>[] = [];
  #n = 0;
  events = 0;

  constructor(
    ledger: Ledger<DomainState>,
    catalog: Catalog,
    onChunk: (events: number, motors: number) => void,
  ) {
    this.#ledger = ledger;
    this.#catalog = catalog;
    this.#onChunk = onChunk;
  }

  add(command: DomainCommand, plannedRejection: boolean): void {
    this.#commands.push(plantCommand(this.#catalog, command, undefined, { demo: true, n: this.#n++ }));
    this.#planned.push(plannedRejection);
  }

  get full(): boolean {
    return this.#commands.length >= CHUNK;
  }

  /** Send every full chunk (and with `all` the rest, then wait for everything). */
  async flush(motors: number, all = false): Promise<void> {
    while (this.#commands.length >= CHUNK || (all && this.#commands.length > 0)) {
      const commands = this.#commands.splice(0, CHUNK);
      const planned = this.#planned.splice(0, CHUNK);
      const done = this.#ledger.sequencer.appendMany(commands).then((results) => {
        this.#check(commands, planned, results);
        this.events += results.length;
        this.#onChunk(this.events, motors);
      });
      done.catch(() => {}); // awaited below, in order; this only keeps Node from calling it unhandled meanwhile
      this.#inflight.push(done);
      if (this.#inflight.length >= IN_FLIGHT) await this.#inflight.shift();
    }
    if (all) while (this.#inflight.length > 0) await this.#inflight.shift();
  }

  /** Wait for what is in flight, ignoring its outcome (after a failure, before the caller closes the ledger). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#inflight);
    this.#inflight = [];
  }

  #check(
    commands: readonly PlantCommand[],
    planned: readonly boolean[],
    results: readonly PromiseSettledResult<AppendResult>[],
  ): void {
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const c = commands[i]!.domain;
      if (r.status === 'rejected') {
        const err = r.reason as unknown;
        if (!(err instanceof LedgerError)) throw err;
        throw new LedgerError(
          err.code,
          `The demo generator broke a rule: ${describe(c)} was refused: ${err.message}`,
          {
            ...err.details,
            command: c.kind,
            time: c.time,
          },
        );
      }
      const rejected = r.value.type === 'intake.rejected';
      if (rejected && !planned[i]) {
        const data = r.value.envelope?.data ?? {};
        throw new LedgerError(
          String(data.code ?? 'INTAKE_REJECTED'),
          `The demo generator broke a rule: ${describe(c)} was rejected at intake: ${String(data.reason ?? '')}`,
        );
      }
      if (!rejected && planned[i]) {
        throw new LedgerError(
          'DEMO_PLANTED_SCAN_ACCEPTED',
          `The demo generator planted ${describe(c)} as a scan against the wrong shipment, but intake accepted it.`,
        );
      }
    }
  }
}

function describe(c: DomainCommand): string {
  const key = 'serial' in c ? c.serial : 'vin' in c ? c.vin : 'shipmentId' in c ? c.shipmentId : c.actor.sub;
  return `${c.kind} ${key} at ${c.time}`;
}
