// Brand scoping, the one mechanism every read passes through: a token's `brands` limits which vehicles, and the
// downstream data of their motors (VIN, model, installation, vehicle shipping), a reader sees. Upstream data
// (production, tests, transport, intake, holds) is the motor plant's and stays visible. A token with no
// `brands` claim, or an empty one, sees no brand's data: there is no silent "all".
//
// What an entry of the log concerns is decided here too (entriesVisible): its data.brand, and the brand of
// every vehicle it names (a vehicle subject, `vin`, suspect VINs). A VIN the ledger cannot place in a brand is
// treated as another brand's. Readers limited to some brands get another brand's entry as its seq and leaf
// hash only, so proofs still verify and nothing of it is disclosed.
import type { Kysely } from 'kysely';
import type { MotorState } from '../core/domain/state.js';
import type { Database } from '../db/schema.js';

export interface Scope {
  /** Brands the reader may see; '*' = all. */
  brands: readonly string[];
}

/** Every brand: for the plant's own processes (the bench, the forward-trace hold's search). */
export const ALL_BRANDS: Scope = { brands: ['*'] };

/** The scope of a caller: the brands of their token; none without a token or a brands claim. */
export function scopeOf(principal: { brands: readonly string[] } | undefined): Scope {
  return { brands: principal?.brands ?? [] };
}

/** Does the scope see every brand (no filtering needed)? */
export function seesAll(scope: Scope): boolean {
  return scope.brands.includes('*');
}

export function seesBrand(scope: Scope, brand: string | null | undefined): boolean {
  if (!brand) return true;
  return scope.brands.includes('*') || scope.brands.includes(brand);
}

/** The motor as the reader may see it: installation data of another brand's vehicle is removed. */
export function scopeMotor(scope: Scope, m: MotorState): MotorState {
  if (!m.installed || seesBrand(scope, m.installed.brand)) return m;
  return { ...m, vin: null, slot: null, installed: null };
}

/** The brand of each VIN the ledger knows (from the vehicle projection). */
async function brandsOfVins(db: Kysely<Database>, vins: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(vins)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('vehicle').select(['vin', 'brand']).where('vin', 'in', unique).execute();
  return new Map(rows.map((r) => [r.vin, r.brand]));
}

/** The VINs among `vins` the reader may see (a VIN of no known brand is not shown to a brand-limited reader). */
export async function visibleVins(
  db: Kysely<Database>,
  scope: Scope,
  vins: readonly string[],
): Promise<string[]> {
  if (seesAll(scope)) return [...vins];
  const brands = await brandsOfVins(db, vins);
  return vins.filter((v) => vinVisible(scope, brands, v));
}

// A VIN is visible when the ledger places it in a brand of the scope; a VIN of no known brand is not.
function vinVisible(scope: Scope, brands: Map<string, string>, vin: string): boolean {
  const brand = brands.get(vin);
  return brand !== undefined && seesBrand(scope, brand);
}

interface EntryLike {
  subjects: readonly string[];
  data: Readonly<Record<string, unknown>>;
}

/** The VINs an entry names: vehicle subjects, `vin`, and suspect VINs of incidents. */
function vinsNamed(e: EntryLike): string[] {
  const vins = e.subjects.filter((s) => s.startsWith('vehicle:')).map((s) => s.slice(8));
  if (typeof e.data.vin === 'string') vins.push(e.data.vin);
  for (const key of ['suspectVins', 'addSuspectVins']) {
    const list = e.data[key];
    if (Array.isArray(list)) for (const v of list) if (typeof v === 'string') vins.push(v);
  }
  return vins;
}

/** For each entry, whether the reader may see it whole (every brand it concerns is in scope). */
export async function entriesVisible(
  db: Kysely<Database>,
  scope: Scope,
  entries: readonly EntryLike[],
): Promise<boolean[]> {
  if (seesAll(scope)) return entries.map(() => true);
  const named = entries.map(vinsNamed);
  const brands = await brandsOfVins(db, named.flat());
  return entries.map((e, i) => {
    if (typeof e.data.brand === 'string' && !seesBrand(scope, e.data.brand)) return false;
    return named[i]!.every((v) => vinVisible(scope, brands, v));
  });
}

/** The entries the reader may see whole, in order. */
export async function visibleEntries<E extends EntryLike>(
  db: Kysely<Database>,
  scope: Scope,
  entries: readonly E[],
): Promise<E[]> {
  const visible = await entriesVisible(db, scope, entries);
  return entries.filter((_, i) => visible[i]);
}
