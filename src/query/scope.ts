// Brand scoping: a token's `brands` limits which vehicles, and the downstream data of their motors (VIN,
// installation, vehicle shipping), a reader sees. Upstream data (production, tests, transport, intake) is the
// motor plant's and stays visible.
import type { MotorState } from '../core/domain/state.js';

export interface Scope {
  /** Brands the reader may see; '*' = all. */
  brands: readonly string[];
}

export const ALL_BRANDS: Scope = { brands: ['*'] };

export function seesBrand(scope: Scope, brand: string | null | undefined): boolean {
  if (!brand) return true;
  return scope.brands.includes('*') || scope.brands.includes(brand);
}

/** The motor as the reader may see it: installation data of another brand's vehicle is removed. */
export function scopeMotor(scope: Scope, m: MotorState): MotorState {
  if (!m.installed || seesBrand(scope, m.installed.brand)) return m;
  return { ...m, vin: null, slot: null, installed: null };
}

/** Entries types that belong to a vehicle (downstream). */
export const DOWNSTREAM_TYPES = new Set(['motor.installed', 'motor.removed', 'vehicle.shipped']);
