// The plant's catalog as data: sites and what they do, motor types, vehicle models with their motor slots and
// brand. Adding a site, a motor type or a model is a change to catalog/default.json (or CATALOG_FILE), not code.
import { ValidationError } from '../errors.js';

export interface Catalog {
  sites: Record<string, { name: string; capabilities: string[] }>;
  motorTypes: Record<string, { name: string }>;
  models: Record<string, { brand: string; name: string; slots: Record<string, string> }>;
}

const CODE = /^[A-Z0-9][A-Z0-9_]{0,31}$/;

/** Check a catalog's shape and references (every slot names a known motor type); throws naming the problem. */
export function validateCatalog(raw: unknown): Catalog {
  const fail = (msg: string): never => {
    throw new ValidationError('INVALID_CATALOG', `Catalog: ${msg}`);
  };
  const c = raw as Catalog;
  if (!c || typeof c !== 'object' || !c.sites || !c.motorTypes || !c.models)
    fail('needs sites, motorTypes and models.');
  for (const [code, site] of Object.entries(c.sites)) {
    if (!CODE.test(code)) fail(`site code "${code}" must be upper-case letters, digits or _.`);
    if (!Array.isArray(site.capabilities)) fail(`site ${code} needs a capabilities array.`);
  }
  for (const code of Object.keys(c.motorTypes))
    if (!CODE.test(code)) fail(`motor type "${code}" is not a code.`);
  for (const [code, model] of Object.entries(c.models)) {
    if (!CODE.test(code)) fail(`model "${code}" is not a code.`);
    if (typeof model.brand !== 'string' || model.brand === '') fail(`model ${code} needs a brand.`);
    const slots = Object.entries(model.slots ?? {});
    if (slots.length === 0) fail(`model ${code} has no motor slots.`);
    for (const [slot, type] of slots) {
      if (!CODE.test(slot)) fail(`slot "${slot}" of ${code} is not a code.`);
      if (!c.motorTypes[type])
        fail(`slot ${slot} of ${code} takes motor type ${type}, which is not in motorTypes.`);
    }
  }
  return c;
}

/** Is this site able to do `capability` (motorProduction, vehicleAssembly)? */
export function siteCan(catalog: Catalog, site: string, capability: string): boolean {
  return catalog.sites[site]?.capabilities.includes(capability) ?? false;
}

// ISO 3779: 17 characters, digits and capital letters except I, O and Q.
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Is `vin` a well-formed 17-character VIN (ISO 3779 alphabet)? */
export function isVin(vin: string): boolean {
  return VIN.test(vin);
}
