// `motor-ledger demo`: fill an empty ledger with a realistic Cléon → Dieppe/Douai flow (src/demo), print what
// was planted (the defect lot and where its motors are, the field failures, the flow anomalies) and how fast it
// was written. It refuses a non-empty log unless --force: the planted truth assumes it is the only data.
import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { type Kysely, sql } from 'kysely';
import { loadConfig } from '../config.js';
import { LedgerError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { DOCS_SCENARIO, DOCS_SCENARIO_PLANT, generateDocsScenario } from '../demo/docs-scenario.js';
import {
  DEMO_DEFAULT_SEED,
  DEMO_DEFAULT_START,
  DEMO_MAX_MOTORS,
  DEMO_MIN_MOTORS,
  type DemoNumbering,
  type DemoReport,
  generateDemo,
  type LocationCounts,
} from '../demo/generator.js';
import { loadCatalog } from '../domain/domain.js';
import { openLedger } from '../ledger/ledger.js';
import { logSize } from '../ledger/reader.js';
import { type Progress, progress } from './progress.js';

const SCENARIOS = ['docs'] as const;

interface DemoCommandOptions {
  scenario?: (typeof SCENARIOS)[number];
  motors: number;
  seed: number;
  start: string;
  report?: string;
  force?: boolean;
}

const fmt = (n: number) => n.toLocaleString('en');

function parseMotors(raw: string): number {
  const n = Number(raw.replaceAll(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < DEMO_MIN_MOTORS || n > DEMO_MAX_MOTORS)
    throw new InvalidArgumentError(
      `must be a whole number from ${fmt(DEMO_MIN_MOTORS)} to ${fmt(DEMO_MAX_MOTORS)}.`,
    );
  return n;
}

function parseScenario(raw: string): (typeof SCENARIOS)[number] {
  const s = SCENARIOS.find((x) => x === raw);
  if (!s) throw new InvalidArgumentError(`must be one of: ${SCENARIOS.join(', ')}.`);
  return s;
}

function parseSeed(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer.');
  return n;
}

function parseStart(raw: string): string {
  if (Number.isNaN(Date.parse(raw)))
    throw new InvalidArgumentError('must be an ISO date or date-time, e.g. 2026-09-01T00:00:00Z.');
  return raw;
}

/**
 * Add the `demo` command to the program.
 * @example registerDemoCommand(program); // motor-ledger demo --motors 100000 --report demo.json
 */
export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description(
      'Fill an empty ledger with a realistic Cléon → Dieppe/Douai flow, with a planted defect lot, field failures and flow anomalies',
    )
    .option(
      '--motors <n>',
      `motors to simulate, ${fmt(DEMO_MIN_MOTORS)} to ${fmt(DEMO_MAX_MOTORS)} (about 1,200 a day)`,
      parseMotors,
      2000,
    )
    .option(
      '--seed <n>',
      'random seed: the same seed and options give the same log',
      parseSeed,
      DEMO_DEFAULT_SEED,
    )
    .option('--start <iso>', 'business time of the first day', parseStart, DEMO_DEFAULT_START)
    .option('--report <file>', 'write the report, with the planted truth, as JSON')
    .option('--force', 'append to a non-empty log (the planted truth then ignores the data already there)')
    .option(
      '--scenario <name>',
      `a fixed starting point instead of a plant of your choosing: "docs" = the demo plant (${fmt(DOCS_SCENARIO_PLANT.motors)} motors, seed ${DOCS_SCENARIO_PLANT.seed}) plus the motors, trucks and cars every call in README.md and docs/*.md uses`,
      parseScenario,
    )
    .action(async function (this: Command, opts: DemoCommandOptions) {
      if (opts.scenario) {
        const fixed = ['motors', 'seed', 'start', 'force'].filter(
          (o) => this.getOptionValueSource(o) === 'cli',
        );
        if (fixed.length > 0) {
          this.error(
            `error: --scenario ${opts.scenario} fixes the plant and needs an empty log; drop ${fixed.map((o) => `--${o}`).join(', ')}.`,
            { exitCode: 2, code: 'motor-ledger.scenarioFixed' },
          );
        }
      }
      const config = loadConfig();
      const ledger = await openLedger({ config });
      let bar: Progress | undefined;
      try {
        const size = await logSize(ledger.handle.db);
        let numbering: DemoNumbering | undefined;
        if (size > 0) {
          if (!opts.force || opts.scenario) {
            throw new LedgerError(
              'LOG_NOT_EMPTY',
              `The log at ${ledger.handle.location} already holds ${fmt(size)} entries; the demo writes only into an empty log, because what it reports as planted (the defect lot, failing VINs, flow anomalies, counts) assumes its data is the only data. Point DATABASE_URL or DATA_DIR at an empty database${opts.scenario ? ` (the ${opts.scenario} scenario's ids and answers are fixed: it cannot append)` : ', or pass --force to append anyway'}.`,
            );
          }
          numbering = await numberingAfter(ledger.handle.db);
          process.stderr.write(
            `demo: --force: appending to a log of ${fmt(size)} entries. Serials, VINs and shipments continue after the existing ones, but lot codes may repeat, and reconciliation and common-cause analysis will also see the earlier data: the report covers this run only.\n`,
          );
        }
        bar = progress('demo', 'motors');
        const b = bar;
        const onProgress = (done: number, total: number) => b.update(done, total);
        const catalog = loadCatalog(config.CATALOG_FILE);
        if (opts.scenario === 'docs') {
          const { plant, events } = await generateDocsScenario(ledger, catalog, onProgress);
          bar.stop();
          if (opts.report) writeFileSync(opts.report, `${JSON.stringify(plant, null, 2)}\n`);
          console.log(formatDemoReport(plant, DOCS_SCENARIO_PLANT.seed, opts.report));
          console.log(formatDocsScenario(events));
          return;
        }
        const report = await generateDemo(ledger, catalog, {
          motors: opts.motors,
          seed: opts.seed,
          start: opts.start,
          numbering,
          onProgress,
        });
        bar.stop();
        if (opts.report) writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
        console.log(formatDemoReport(report, opts.seed, opts.report));
      } finally {
        bar?.stop();
        await ledger.close();
      }
    });
}

// Where a second run starts numbering: after the highest demo-shaped serial, VIN serial and shipment number.
async function numberingAfter(db: Kysely<Database>): Promise<DemoNumbering> {
  const { rows } = await sql<{ s7: number; s6: number; d: number; u: number; sh: number }>`
    SELECT
      (SELECT coalesce(max(substring(serial from 5)::int), 0) FROM motor WHERE serial ~ '^7DL-[0-9]{7}$') AS s7,
      (SELECT coalesce(max(substring(serial from 5)::int), 0) FROM motor WHERE serial ~ '^6AM-[0-9]{7}$') AS s6,
      (SELECT coalesce(max(right(vin, 6)::int), 0) FROM vehicle WHERE vin ~ '^.{10}D[0-9]{6}$') AS d,
      (SELECT coalesce(max(right(vin, 6)::int), 0) FROM vehicle WHERE vin ~ '^.{10}U[0-9]{6}$') AS u,
      (SELECT coalesce(max(substring(id from 5)::int), 0) FROM shipment WHERE id ~ '^SHP-[0-9]{7}$') AS sh
  `.execute(db);
  const r = rows[0]!;
  return {
    serials: { '7DL': Number(r.s7), '6AM': Number(r.s6) },
    vins: { DIEPPE: Number(r.d), DOUAI: Number(r.u) },
    shipments: Number(r.sh),
  };
}

function places(c: LocationCounts): string {
  return [
    `at Cléon ${fmt(c.AT_CLEON)}`,
    `in transit ${fmt(c.IN_TRANSIT)}`,
    `in the plants' buffers ${fmt(c.IN_BUFFER)}`,
    `installed ${fmt(c.INSTALLED)}`,
    `in shipped cars ${fmt(c.VEHICLE_SHIPPED)}`,
  ].join(' · ');
}

/** The human summary of a demo run: what was written, what was planted, how fast. */
export function formatDemoReport(report: DemoReport, seed: number, reportFile?: string): string {
  const p = report.planted;
  const days = (Date.parse(report.endTime) - Date.parse(report.startTime)) / 86_400_000;
  const vins = p.fieldReports.map((v, i) => (i % 5 === 0 ? `\n    ${v}` : ` ${v}`)).join('');
  return [
    `Demo plant, seed ${seed}: ${fmt(report.motors)} motors over ${days.toFixed(1)} days (${report.startTime} → ${report.endTime})`,
    `  ${fmt(report.events)} events · ${fmt(report.vehicles)} vehicles · ${fmt(report.shipments)} shipments`,
    `  where the motors are at the end: ${places(report.locations)}`,
    '',
    `Planted defect: magnets lot ${p.defect.lot} (${fmt(p.defect.serials.length)} motors, mostly line ${p.defect.line}); EOL noise about +2.5 dB, still PASS`,
    `  its motors: ${places(report.defectLocations)}`,
    `Field failures: ${p.failingVins.length} shipped cars with a motor of that lot, plus ${p.noiseVins.length} without it (noise). Reported VINs, for the common-cause analysis:${vins}`,
    '',
    `Flow anomalies at ${report.endTime} (reconciliation thresholds: 24 h not received, 5 days not installed, 2 days with an empty slot):`,
    `  never scanned at intake: motor ${p.neverArrived.serial} of shipment ${p.neverArrived.shipmentId}, which arrived and was scanned otherwise`,
    `  ASN vs scanned: shipment ${p.asnMismatch.shipmentId} is missing ${p.asnMismatch.missing.join(', ')}`,
    `  scanned against the wrong shipment: motor ${p.unexpectedScan.serial} against ${p.unexpectedScan.shipmentId} (rejected NOT_ON_SHIPMENT; it is on ${p.unexpectedScan.onShipmentId}, where it was then received)`,
    `  car with an empty slot: A390 ${p.incompleteVin} never got its FRONT motor`,
    '',
    `Wrote ${fmt(report.events)} events in ${(report.elapsedMs / 1000).toFixed(1)} s: ${fmt(report.eventsPerSecond)} events/s.${reportFile ? ` Report: ${reportFile}` : ''}`,
  ].join('\n');
}

/** What the docs scenario added after the plant, page by page. */
export function formatDocsScenario(events: number): string {
  const { intake, assembly, quality } = DOCS_SCENARIO;
  return [
    '',
    `Docs scenario: then ${fmt(events)} more events, the things the calls of README.md and docs/*.md use:`,
    `  intake (README, docs/intake-operator.md): shipment ${intake.shipmentId} on the road to DIEPPE with ${intake.serials.join(', ')}, none scanned`,
    `  assembly (docs/assembly-station.md): ${assembly.serials.join(', ')} in Dieppe's buffer; VIN ${assembly.vin} not started`,
    `  quality (docs/quality-engineer.md): A390 ${quality.vin} shipped with ${quality.serials.join(', ')}; ${quality.holdSerial} in Dieppe's buffer; entry ${quality.testEntryId} is ${quality.serials[0]}'s EOL test`,
    '  root cause (docs/root-cause.md): the plant above',
  ].join('\n');
}
