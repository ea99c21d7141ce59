// Common cause (BRIEF §6): for N failing VINs or serials, every attribute value their motors share, ranked by
// over-representation against the whole population of motors: support, lift and a one-sided Fisher exact
// p-value. Population counts come from attribute_count (kept by the write path), so the cost does not grow
// with the plant; as of a past seq they are counted from the attribute history instead (slower).
import { type Kysely, sql } from 'kysely';
import { ATTRIBUTE_LABELS } from '../core/domain/attributes.js';
import type { VehicleState } from '../core/domain/state.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { fisherUpperTail } from '../core/stats.js';
import type { Database } from '../db/schema.js';
import { type Scope, seesAll, seesBrand } from './scope.js';

export interface CommonCauseRequest {
  vins?: string[] | undefined;
  serials?: string[] | undefined;
  /** Only values shared by at least this many failing motors (default 2). */
  minSupport?: number | undefined;
  limit?: number | undefined;
}

export interface SharedValue {
  attribute: string;
  label: string;
  value: string;
  /** Failing motors with this value. */
  failures: number;
  /** failures / failing motors. */
  support: number;
  /** Motors in the population with this value. */
  population: number;
  /** population / all motors. */
  populationShare: number;
  /** support / populationShare: how many times more frequent among failures. */
  lift: number;
  /** One-sided Fisher exact test: chance of at least this many failures with the value if it did not matter. */
  pValue: number;
}

export interface CommonCause {
  asOfSeq: number;
  failingMotors: string[];
  populationSize: number;
  shared: SharedValue[];
}

/** The motors of the failing units: the motors in each VIN's slots, plus the serials given. */
async function failingMotors(db: Kysely<Database>, req: CommonCauseRequest, scope: Scope): Promise<string[]> {
  const serials = new Set(req.serials ?? []);
  const vins = [...new Set(req.vins ?? [])];
  if (vins.length > 0) {
    const rows = await db.selectFrom('vehicle').select(['vin', 'state']).where('vin', 'in', vins).execute();
    const found = new Map(
      rows.map((r) => [r.vin, (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as VehicleState]),
    );
    const missing = vins.filter((v) => !found.has(v) || !seesBrand(scope, found.get(v)!.brand));
    if (missing.length > 0) {
      throw new NotFoundError(
        'UNKNOWN_VEHICLE',
        `Not in the ledger (or not in your brands): ${missing.slice(0, 10).join(', ')}.`,
        { vins: missing },
      );
    }
    for (const v of found.values()) for (const s of v.slots) if (s.serial) serials.add(s.serial);
  }
  if (serials.size === 0)
    throw new ValidationError('NO_FAILURES', 'Give the failing vins or serials to compare.');
  return [...serials];
}

/**
 * Rank every attribute value shared by the failing units' motors.
 * @example await commonCause(db, { vins: failingVins }, upTo, true, scope) // shared[0] = { attribute: 'lot:magnets', … }
 */
export async function commonCause(
  db: Kysely<Database>,
  req: CommonCauseRequest,
  upTo: number,
  current: boolean,
  scope: Scope,
): Promise<CommonCause> {
  const motors = await failingMotors(db, req, scope);
  const minSupport = req.minSupport ?? 2;
  const { rows: sharedAll } = await sql<{ attribute: string; value: string; failures: number }>`
    SELECT attribute, value, count(*)::int AS failures FROM motor_attribute
    WHERE serial = ANY(${motors}::text[]) AND seq <= ${upTo}
    GROUP BY attribute, value HAVING count(*) >= ${minSupport}
  `.execute(db);
  const shared = await withoutHiddenModels(db, scope, sharedAll);
  const { rows: present } = await sql<{ n: number }>`
    SELECT count(DISTINCT serial)::int AS n FROM motor_attribute WHERE serial = ANY(${motors}::text[]) AND attribute = 'motorType' AND seq <= ${upTo}
  `.execute(db);
  const n = Number(present[0]?.n ?? 0);
  if (n === 0)
    throw new NotFoundError('UNKNOWN_SERIAL', 'None of the failing motors is in the ledger at that point.');

  const attrs = shared.map((s) => s.attribute);
  const values = shared.map((s) => s.value);
  const populationRows = current
    ? (
        await sql<{ attribute: string; value: string; motors: number }>`
          SELECT c.attribute, c.value, c.motors FROM attribute_count c
          JOIN unnest(${attrs}::text[], ${values}::text[]) AS u(attribute, value) ON c.attribute = u.attribute AND c.value = u.value
          UNION ALL SELECT 'motorType', '*', coalesce(sum(motors), 0)::bigint FROM attribute_count WHERE attribute = 'motorType'
        `.execute(db)
      ).rows
    : (
        await sql<{ attribute: string; value: string; motors: number }>`
          SELECT a.attribute, a.value, count(*)::bigint AS motors FROM motor_attribute a
          JOIN unnest(${attrs}::text[], ${values}::text[]) AS u(attribute, value) ON a.attribute = u.attribute AND a.value = u.value
          WHERE a.seq <= ${upTo} GROUP BY a.attribute, a.value
          UNION ALL SELECT 'motorType', '*', count(*)::bigint FROM motor_attribute WHERE attribute = 'motorType' AND seq <= ${upTo}
        `.execute(db)
      ).rows;
  const population = new Map(populationRows.map((r) => [`${r.attribute}\u0000${r.value}`, Number(r.motors)]));
  const N = population.get('motorType\u0000*') ?? 0;
  const ranked = shared
    .map((s): SharedValue => {
      const K = population.get(`${s.attribute}\u0000${s.value}`) ?? s.failures;
      const k = s.failures;
      const support = k / n;
      const populationShare = N > 0 ? K / N : 0;
      return {
        attribute: s.attribute,
        label: s.attribute.startsWith('lot:')
          ? `${s.attribute.slice(4)} lot`
          : (ATTRIBUTE_LABELS[s.attribute] ?? s.attribute),
        value: s.value,
        failures: k,
        support,
        population: K,
        populationShare,
        lift: populationShare > 0 ? support / populationShare : 0,
        pValue: fisherUpperTail(N, K, n, k),
      };
    })
    .sort((a, b) => a.pValue - b.pValue || b.lift - a.lift || (a.attribute < b.attribute ? -1 : 1));
  return {
    asOfSeq: upTo,
    failingMotors: motors,
    populationSize: N,
    shared: ranked.slice(0, req.limit ?? 50),
  };
}

/** Drop the vehicle models of brands the reader may not see (failing motors given by serial may sit in them). */
async function withoutHiddenModels<R extends { attribute: string; value: string }>(
  db: Kysely<Database>,
  scope: Scope,
  rows: R[],
): Promise<R[]> {
  if (seesAll(scope)) return rows;
  const models = rows.filter((r) => r.attribute === 'model').map((r) => r.value);
  if (models.length === 0) return rows;
  const brands = await db
    .selectFrom('vehicle')
    .select(['model', 'brand'])
    .distinct()
    .where('model', 'in', models)
    .execute();
  const brandOf = new Map(brands.map((b) => [b.model, b.brand]));
  return rows.filter((r) => r.attribute !== 'model' || seesBrand(scope, brandOf.get(r.value) ?? '?'));
}
