// `motor-ledger demo --scenario docs`: the starting point of every call in README.md and docs/*.md. The demo
// plant (2,000 motors, seed 42: what the root-cause walk-through investigates), then a few hand-made motors,
// trucks and cars with the readable ids the user pages use, each page on its own things so the pages run in
// any order, on one ledger or on fresh ones. Written after the plant, two months later in business time, so
// nothing here shows in the plant's reconciliation at its end. test/integration/docs.test.ts runs the pages'
// calls on it: change an id here and the pages with it. A change to the plant simulation changes the ids and
// answers of docs/root-cause.md: the test names the call that no longer runs as written.
import type { Catalog } from '../core/domain/catalog.js';
import { type CommandBody, withSites } from '../core/domain/decide.js';
import type { DomainState } from '../core/domain/state.js';
import type { Actor } from '../core/envelope.js';
import { LedgerError } from '../core/errors.js';
import { plantCommand } from '../domain/domain.js';
import type { Ledger } from '../ledger/ledger.js';
import { type DemoReport, generateDemo } from './generator.js';

/** What the docs scenario fixes: the plant run the root-cause page walks through. */
export const DOCS_SCENARIO_PLANT = { motors: 2000, seed: 42, start: '2026-09-01T00:00:00Z' } as const;

/** The ids the pages use, by page. */
export const DOCS_SCENARIO = {
  /** README and docs/intake-operator.md: a truck on the road to Dieppe, nothing scanned yet. */
  intake: {
    shipmentId: 'SHP-20261123-01',
    serials: ['7DL-000123', '7DL-000124', '6AM-000311'],
  },
  /** docs/assembly-station.md: motors received at Dieppe, in the buffer, and a VIN not started yet. */
  assembly: {
    shipmentId: 'SHP-20261123-02',
    serials: ['7DL-000125', '7DL-000126', '7DL-000127', '6AM-000312'],
    vin: 'VF1A390EA00012345',
  },
  /** docs/quality-engineer.md: a car built and shipped, a motor in the buffer to hold, an entry to correct. */
  quality: {
    shipmentId: 'SHP-20261122-01',
    serials: ['7DL-000101', '7DL-000102', '6AM-000301'],
    vin: 'VF1A390EA00012301',
    holdSerial: '7DL-000128',
    /** The id of 7DL-000101's end-of-line test entry (bench EOL-3), which the page corrects. */
    testEntryId: '01a2081b-c85f-765d-a6e8-37cd14720e03',
  },
} as const;

export interface DocsScenarioReport {
  plant: DemoReport;
  /** Entries the hand-made part appended. */
  events: number;
}

const producer = (sub: string): Actor => ({ sub, role: 'producer', site: 'CLEON' });
const logistics: Actor = { sub: 'cle-ship-01', role: 'logistics', site: 'CLEON' };
const dock: Actor = { sub: 'dock-op-117', role: 'intake', site: 'DIEPPE' };
const station: Actor = { sub: 'mar-station-01', role: 'assembly', site: 'DIEPPE' };

const LOTS = {
  '7DL': {
    rotor: 'ROT-24-118',
    stator: 'STA-24-090',
    magnets: 'MAG-24-031',
    bearing: 'BRG-24-377',
    inverter: 'INV-24-012',
  },
  '6AM': {
    rotor: 'ROT-24-121',
    stator: 'STA-24-094',
    magnets: 'MAG-24-035',
    bearing: 'BRG-24-380',
    inverter: 'INV-24-012',
  },
} as const;

const MEASUREMENTS = {
  '7DL': { torqueNm: 360.4, backEmfV: 182.1, insulationMOhm: 1210, noiseDb: 67.5, vibrationMmS: 1.74 },
  '6AM': { torqueNm: 300.2, backEmfV: 168.3, insulationMOhm: 1180, noiseDb: 66.1, vibrationMmS: 1.58 },
} as const;

/** A command with an explicit entry id when a page names that entry. */
interface Step {
  body: CommandBody;
  id?: string;
}

// Cléon builds each motor (from 05:10, a minute apart) and tests it (from 05:40), loads them on one truck and sends it.
function truck(
  day: string,
  shipmentId: string,
  asn: string,
  serials: readonly string[],
  truckPlate: string,
  testIds: Record<string, string> = {},
): Step[] {
  const steps: Step[] = [];
  serials.forEach((serial, i) => {
    const type = serial.startsWith('7DL') ? '7DL' : '6AM';
    const at = (min: number) =>
      `${day}T${String(5 + Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:00Z`;
    steps.push({
      body: {
        kind: 'produceMotor',
        actor: producer('badge-4711'),
        time: at(10 + i),
        serial,
        motorType: type,
        line: type === '7DL' ? 'L2' : 'L3',
        station: type === '7DL' ? 'L2-ST40' : 'L3-ST40',
        shift: 'A',
        operator: 'OP-7731',
        workOrder: 'WO-2026-11-0042',
        lots: { ...LOTS[type] },
      },
    });
    steps.push({
      id: testIds[serial],
      body: {
        kind: 'testMotor',
        actor: producer('eol-3'),
        time: at(40 + i),
        serial,
        bench: 'EOL-3',
        specVersion: type === '7DL' ? 'SPEC-7DL-4.2' : 'SPEC-6AM-3.1',
        verdict: 'PASS',
        measurements: { ...MEASUREMENTS[type] },
      },
    });
  });
  steps.push({
    body: {
      kind: 'loadShipment',
      actor: logistics,
      time: `${day}T08:10:00Z`,
      shipmentId,
      asn,
      to: 'DIEPPE',
      racks: [{ rack: 'RK-0042', serials: [...serials] }],
    },
  });
  steps.push({
    body: {
      kind: 'departShipment',
      actor: logistics,
      time: `${day}T09:30:00Z`,
      shipmentId,
      carrier: 'GEFCO',
      truck: truckPlate,
      seal: `SEAL-${asn.slice(4)}`,
    },
  });
  return steps;
}

// The truck arrives at Dieppe's dock D3 and every motor on it is scanned in.
function unload(day: string, shipmentId: string, serials: readonly string[]): Step[] {
  return [
    { body: { kind: 'arriveShipment', actor: dock, time: `${day}T11:05:00Z`, shipmentId, dock: 'D3' } },
    ...serials.map(
      (serial, i): Step => ({
        body: {
          kind: 'scanIntake',
          actor: dock,
          time: `${day}T11:${String(10 + i).padStart(2, '0')}:00Z`,
          serial,
          shipmentId,
          dock: 'D3',
          scanner: 'HH-17',
        },
      }),
    ),
  ];
}

function docsSteps(): Step[] {
  const { intake, assembly, quality } = DOCS_SCENARIO;
  const [rearLeft, rearRight, front] = quality.serials;
  return [
    // The quality page's car: built on the 22nd, shipped on the 23rd.
    ...truck('2026-11-22', quality.shipmentId, 'ASN-88411', quality.serials, 'FR-118-KD', {
      [rearLeft]: quality.testEntryId,
    }),
    ...unload('2026-11-22', quality.shipmentId, quality.serials),
    ...(
      [
        ['REAR_LEFT', rearLeft],
        ['REAR_RIGHT', rearRight],
        ['FRONT', front],
      ] as const
    ).map(
      ([slot, serial], i): Step => ({
        body: {
          kind: 'installMotor',
          actor: station,
          time: `2026-11-22T14:0${i}:00Z`,
          vin: quality.vin,
          model: 'A390',
          slot,
          serial,
          station: 'MAR-01',
        },
      }),
    ),
    { body: { kind: 'shipVehicle', actor: station, time: '2026-11-23T16:00:00Z', vin: quality.vin } },
    // The assembly page's motors, and the one the quality page holds: in Dieppe's buffer since the 23rd.
    ...truck(
      '2026-11-23',
      assembly.shipmentId,
      'ASN-88413',
      [...assembly.serials, quality.holdSerial],
      'FR-204-LM',
    ),
    ...unload('2026-11-23', assembly.shipmentId, [...assembly.serials, quality.holdSerial]),
    // The intake page's truck: on the road, nothing scanned yet.
    ...truck('2026-11-23', intake.shipmentId, 'ASN-88412', intake.serials, 'FR-123-AB'),
  ];
}

/**
 * Write the docs scenario into an empty ledger: the demo plant (DOCS_SCENARIO_PLANT), then the pages' own
 * motors, trucks and cars (DOCS_SCENARIO), through the same command path as the plant. Every command must be
 * accepted; anything refused stops the run with its code.
 * @example const { plant } = await generateDocsScenario(ledger, loadCatalog());
 */
export async function generateDocsScenario(
  ledger: Ledger<DomainState>,
  catalog: Catalog,
  onProgress?: (doneMotors: number, totalMotors: number) => void,
): Promise<DocsScenarioReport> {
  const plant = await generateDemo(ledger, catalog, { ...DOCS_SCENARIO_PLANT, onProgress });
  const steps = docsSteps();
  const results = await ledger.sequencer.appendMany(
    steps.map(({ body, id }, n) =>
      plantCommand(catalog, withSites(body, ['*']), id, { docsScenario: true, n }),
    ),
  );
  results.forEach((r, i) => {
    const c = steps[i]!.body;
    if (r.status === 'rejected') {
      const err = r.reason as unknown;
      if (!(err instanceof LedgerError)) throw err;
      throw new LedgerError(
        err.code,
        `The docs scenario broke a rule: ${c.kind} at ${c.time}: ${err.message}`,
      );
    }
    if (r.value.type === 'intake.rejected')
      throw new LedgerError('INTAKE_REJECTED', `The docs scenario's scan at ${c.time} was rejected.`);
  });
  return { plant, events: results.length };
}
