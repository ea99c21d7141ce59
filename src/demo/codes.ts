// The plant's identifiers and calendar for the demo: motor serials, VINs (ISO 3779, with the check digit),
// truck plates, lot codes, business timestamps, and the Cléon shift of an instant (local time, Europe/Paris).
// All codes are pseudonymous: plausible in shape, invented in content.
import type { Rng } from './random.js';

const HOUR = 3600;
const DAY = 86_400;

/** RFC 3339 UTC without fraction, e.g. 2026-09-01T05:12:44Z, for a Unix time in seconds. */
export function isoTime(t: number): string {
  return `${new Date(t * 1000).toISOString().slice(0, 19)}Z`;
}

/** Unix seconds of an ISO date or date-time; throws on nonsense. */
export function parseTime(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`"${iso}" is not an ISO 8601 date or date-time.`);
  return Math.floor(ms / 1000);
}

const dstCache = new Map<number, [number, number]>();

// EU summer time: from the last Sunday of March to the last Sunday of October, 01:00 UTC both ways.
function summerTime(year: number): [number, number] {
  let span = dstCache.get(year);
  if (!span) {
    const lastSunday = (month: number) => {
      const last = Date.UTC(year, month + 1, 0) / 1000;
      return last - new Date(last * 1000).getUTCDay() * DAY;
    };
    span = [lastSunday(2) + HOUR, lastSunday(9) + HOUR];
    dstCache.set(year, span);
  }
  return span;
}

/** Local (Europe/Paris) time as Unix seconds shifted by the UTC offset. */
export function parisTime(t: number): number {
  const [from, to] = summerTime(new Date(t * 1000).getUTCFullYear());
  return t + (t >= from && t < to ? 2 * HOUR : HOUR);
}

export type Shift = 'A' | 'B' | 'C';

/** Cléon's three shifts in local time: A 05:00–13:00, B 13:00–21:00, C 21:00–05:00. */
export function shiftOf(t: number): Shift {
  const h = Math.floor((parisTime(t) % DAY) / HOUR);
  return h >= 5 && h < 13 ? 'A' : h >= 13 && h < 21 ? 'B' : 'C';
}

/** The production day (starting with shift A at 05:00 local) as days since the epoch. */
export function productionDay(t: number): number {
  return Math.floor((parisTime(t) - 5 * HOUR) / DAY);
}

/** yymmdd of a day number (days since the epoch). */
export function yymmdd(day: number): string {
  return new Date(day * DAY * 1000).toISOString().slice(2, 10).replaceAll('-', '');
}

/** Two-digit year of a Unix time. */
export function yy(t: number): string {
  return String(new Date(t * 1000).getUTCFullYear() % 100).padStart(2, '0');
}

/** A motor serial: type and a 7-digit number, e.g. 7DL-0000001. */
export function motorSerial(type: string, n: number): string {
  return `${type}-${String(n).padStart(7, '0')}`;
}

// ISO 3779 transliteration and weights (the check digit in position 9, as North America requires it).
const VALUE: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
// Model-year codes (position 10) from 2026.
const YEAR_CODES = 'TVWXY123456789';

/**
 * A 17-character VIN: WMI (3) + descriptor (5) + check digit + model year + plant + 6-digit serial.
 * @example vinOf('VFA', 'A390E', 2026, 'D', 1) // 'VFAA390E1TD000001'
 */
export function vinOf(wmi: string, descriptor: string, year: number, plant: string, n: number): string {
  const yearCode = YEAR_CODES[Math.min(Math.max(year - 2026, 0), YEAR_CODES.length - 1)]!;
  const body = `${wmi}${descriptor}0${yearCode}${plant}${String(n).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = body[i]!;
    sum += (c >= '0' && c <= '9' ? Number(c) : (VALUE[c] ?? 0)) * WEIGHTS[i]!;
  }
  const check = sum % 11 === 10 ? 'X' : String(sum % 11);
  return `${body.slice(0, 8)}${check}${body.slice(9)}`;
}

// French SIV plates: AA-123-AA, without I, O, U.
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTVWXYZ';

/** A plausible French truck plate. */
export function truckPlate(rng: Rng): string {
  const l = () => PLATE_LETTERS[rng.int(PLATE_LETTERS.length)]!;
  return `${l()}${l()}-${rng.intBetween(100, 999)}-${l()}${l()}`;
}

/** Badge numbers OP-xxxx, distinct. */
export function badges(rng: Rng, count: number): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(`OP-${rng.intBetween(1000, 9999)}`);
  return [...seen];
}
