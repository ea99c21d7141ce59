// The demo plant as data: Cléon's lines, crews, component lots and EOL specs; the trucks between sites; the
// assembly plants and the vehicles they build. Full volume is about 1,200 motors a day; small runs go slower.
import type { Catalog } from '../core/domain/catalog.js';
import { ValidationError } from '../core/errors.js';

export type MotorType = '7DL' | '6AM';
export type AssemblySite = 'DIEPPE' | 'DOUAI';
/** What a motor is for, decided when it passes EOL: it fixes the destination and the slot it will fill. */
export type Role = 'A390_REAR' | 'A390_FRONT' | 'A290' | 'DOUAI';

export const PRODUCTION_SITE = 'CLEON';
export const FULL_RATE_PER_DAY = 1200;
/** Small runs still span this many days, so every stage of the flow has motors in it at the end. */
export const MIN_DAYS = 21;

export interface LineSpec {
  code: string;
  type: MotorType;
  /** Share of the plant's output. */
  share: number;
}

// 55 % 7DL (two per A390), 45 % 6AM (one per A390, the rest for the A290 and Douai's Mégane and Scénic).
export const LINES: readonly LineSpec[] = [
  { code: 'L1', type: '7DL', share: 0.275 },
  { code: 'L2', type: '7DL', share: 0.275 },
  { code: 'L3', type: '6AM', share: 0.225 },
  { code: 'L4', type: '6AM', share: 0.225 },
];
export const STATIONS_PER_LINE = 6;
export const CREW_SIZE = 6;
export const FLOATERS = 8;
export const EOL_BENCHES = ['EOL-1', 'EOL-2', 'EOL-3', 'EOL-4', 'EOL-5', 'EOL-6'];
/** First-time EOL failure rate, and the share of retests that fail again (those motors stay at Cléon). */
export const EOL_FAIL_RATE = 0.015;
export const EOL_REFAIL_RATE = 0.08;
/** The planted defect's signature: magnets that make the motor louder, still within the spec. */
export const DEFECT_NOISE_SHIFT_DB = 2.5;

export interface LotKind {
  prefix: string;
  /** Motors per lot (each lot varies by ±15 %). */
  size: number;
  /** Consumed per line, per motor type, or plant-wide. */
  scope: 'line' | 'type' | 'plant';
}

// Magnets and bearings go lot after lot per line; rotors, stators (per motor type) and inverters (plant-wide)
// come from a shared kitting area, so their lots are short-lived. Only the magnets lot carries the defect.
export const LOT_KINDS = {
  rotor: { prefix: 'ROT', size: 1500, scope: 'type' },
  stator: { prefix: 'STA', size: 2000, scope: 'type' },
  magnets: { prefix: 'MAG', size: 4000, scope: 'line' },
  bearing: { prefix: 'BRG', size: 10_000, scope: 'line' },
  inverter: { prefix: 'INV', size: 3000, scope: 'plant' },
} as const satisfies Record<string, LotKind>;
export type LotName = keyof typeof LOT_KINDS;

export interface Measure {
  mean: number;
  sd: number;
  min?: number;
  max?: number;
  digits: number;
}
export type MeasureName = 'torqueNm' | 'backEmfV' | 'insulationMOhm' | 'noiseDb' | 'vibrationMmS';

export const EOL_SPECS: Record<
  MotorType,
  { major: number; minor: number; measures: Record<MeasureName, Measure> }
> = {
  '7DL': {
    major: 4,
    minor: 2,
    measures: {
      torqueNm: { mean: 360, sd: 3.2, min: 348, max: 372, digits: 1 },
      backEmfV: { mean: 182, sd: 1.4, min: 176, max: 188, digits: 2 },
      insulationMOhm: { mean: 1250, sd: 160, min: 500, digits: 0 },
      noiseDb: { mean: 67.8, sd: 1.1, max: 74.5, digits: 1 },
      vibrationMmS: { mean: 1.8, sd: 0.22, max: 3.0, digits: 2 },
    },
  },
  '6AM': {
    major: 3,
    minor: 1,
    measures: {
      torqueNm: { mean: 300, sd: 2.8, min: 289, max: 311, digits: 1 },
      backEmfV: { mean: 168, sd: 1.3, min: 163, max: 173, digits: 2 },
      insulationMOhm: { mean: 1150, sd: 150, min: 500, digits: 0 },
      noiseDb: { mean: 66.4, sd: 1.0, max: 72.5, digits: 1 },
      vibrationMmS: { mean: 1.6, sd: 0.2, max: 2.8, digits: 2 },
    },
  },
};
/** A spec version lasts this many days before the next minor revision. */
export const SPEC_REVISION_DAYS = 110;
/** Why a motor fails EOL, with weights. */
export const FAIL_CAUSES: readonly [MeasureName, number][] = [
  ['insulationMOhm', 0.4],
  ['vibrationMmS', 0.25],
  ['torqueNm', 0.2],
  ['backEmfV', 0.15],
];

export const RACK_SIZE = 8;
export const RACKS_PER_TRUCK = 6;
export const RACK_POOL = 600;
export const TRUCKS_PER_SLOT = 5;
export const CARRIERS = ['GEFCO', 'STVA', 'CAT'] as const;
export const TRUCK_POOL: Record<(typeof CARRIERS)[number], number> = { GEFCO: 10, STVA: 7, CAT: 8 };
export const SHIPPING_DOCK_SCANNERS = ['CLE-SHIP-01', 'CLE-SHIP-02', 'CLE-SHIP-03'];

export interface SiteSpec {
  abbrev: string;
  /** VIN plant code (position 11). */
  plant: string;
  stations: string[];
  transitHours: [number, number];
  carriers: [(typeof CARRIERS)[number], number][];
  docks: string[];
  scanners: string[];
}

const scanners = Array.from({ length: 12 }, (_, i) => `HH-${String(i + 1).padStart(2, '0')}`);
export const SITES: Record<AssemblySite, SiteSpec> = {
  DIEPPE: {
    abbrev: 'DIE',
    plant: 'D',
    stations: ['MAR-01', 'MAR-02', 'MAR-03', 'MAR-04'],
    transitHours: [1.5, 3],
    carriers: [
      ['GEFCO', 0.5],
      ['CAT', 0.3],
      ['STVA', 0.2],
    ],
    docks: ['D1', 'D2', 'D3', 'D4'],
    scanners,
  },
  DOUAI: {
    abbrev: 'DOU',
    plant: 'U',
    stations: ['DOU-01', 'DOU-02', 'DOU-03'],
    transitHours: [4, 6],
    carriers: [
      ['STVA', 0.5],
      ['CAT', 0.5],
    ],
    docks: ['D1', 'D2', 'D3', 'D4'],
    scanners,
  },
};

export const ROLE_SITE: Record<Role, AssemblySite> = {
  A390_REAR: 'DIEPPE',
  A390_FRONT: 'DIEPPE',
  A290: 'DIEPPE',
  DOUAI: 'DOUAI',
};
/** Of the 6AM not needed for an A390, the share that goes into an A290 (the rest goes to Douai). */
export const A290_SHARE_OF_SPARE_6AM = 1 / 3;
/** Douai's mix. */
export const MEGANE_SHARE = 0.55;

export interface ModelSpec {
  wmi: string;
  descriptor: string;
  site: AssemblySite;
  /** Slot → the role of the motor that fills it. */
  slots: Record<string, Role>;
}

export const MODELS: Record<'A390' | 'A290' | 'MEGANE' | 'SCENIC', ModelSpec> = {
  A390: {
    wmi: 'VFA',
    descriptor: 'A390E',
    site: 'DIEPPE',
    slots: { REAR_LEFT: 'A390_REAR', REAR_RIGHT: 'A390_REAR', FRONT: 'A390_FRONT' },
  },
  A290: { wmi: 'VFA', descriptor: 'A290E', site: 'DIEPPE', slots: { FRONT: 'A290' } },
  MEGANE: { wmi: 'VF1', descriptor: 'RCBEV', site: 'DOUAI', slots: { FRONT: 'DOUAI' } },
  SCENIC: { wmi: 'VF1', descriptor: 'RJAEV', site: 'DOUAI', slots: { FRONT: 'DOUAI' } },
};
export type ModelCode = keyof typeof MODELS;

export const REWORK_RATE = 0.005;
export const REWORK_REASONS = [
  'Rework: HV connector not fully seated',
  'Rework: coolant hose clamp leak at motor inlet',
  'Rework: mounting bolt torque out of tolerance',
  'Rework: damaged resolver harness',
  'Rework: paint damage on motor housing',
];

/** The demo needs these sites, motor types and model slots in the catalog; names what is missing. */
export function checkCatalog(catalog: Catalog): void {
  const problems: string[] = [];
  for (const site of [PRODUCTION_SITE, 'DIEPPE', 'DOUAI'])
    if (!catalog.sites[site]) problems.push(`site ${site}`);
  for (const type of ['7DL', '6AM']) if (!catalog.motorTypes[type]) problems.push(`motor type ${type}`);
  for (const [code, model] of Object.entries(MODELS)) {
    const extra = Object.keys(catalog.models[code]?.slots ?? {}).filter((s) => !(s in model.slots));
    if (extra.length > 0) problems.push(`model ${code} without the slots ${extra.join(', ')}`);
    for (const [slot, role] of Object.entries(model.slots)) {
      const want = role === 'A390_REAR' ? '7DL' : '6AM';
      if (catalog.models[code]?.slots[slot] !== want)
        problems.push(`model ${code} slot ${slot} taking a ${want}`);
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(
      'DEMO_CATALOG',
      `The demo plant needs ${problems.join(', ')} in the catalog (see catalog/default.json).`,
    );
  }
}
