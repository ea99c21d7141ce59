// The plant's identifiers as the URIs EPCIS 2.0 speaks: motors, VINs, racks, trucks, sites, docks, stations…
// under one configurable namespace (EPCIS 2.0 needs no GS1 key: any URI is an EPC), or the GS1 Digital Link URI
// of a key where the plant has one (an SSCC on a rack, a GLN for a site or a dock). Each maker has its inverse,
// for the capture direction. Pure and portable.
import { ValidationError } from '../errors.js';

/** The plant's namespace and its GS1 keys, as configured. */
export interface EpcisNamespace {
  /** Base of the plant's identifiers, an http(s) URL ending with '/': 'https://id.cleon-dieppe.example/'. */
  readonly base: string;
  /** Base of the plant's vocabulary (the `ml:` prefix of extension members and plant terms): `${base}voc/`. */
  readonly vocab: string;
  /** GS1 keys where they exist (optional): the SSCC of a rack, the GLN of a site or of a dock ('SITE/DOCK'). */
  readonly gs1: {
    readonly sscc: Readonly<Record<string, string>>;
    readonly gln: Readonly<Record<string, string>>;
    /** The owning party of a site, as a party GLN: sourceList/destinationList name it as owning_party. */
    readonly pgln: Readonly<Record<string, string>>;
  };
}

/** What a plant writes in its configuration to build an EpcisNamespace. */
export interface EpcisNamespaceConfig {
  base: string;
  vocab?: string;
  gs1?: { sscc?: Record<string, string>; gln?: Record<string, string>; pgln?: Record<string, string> };
}

/** The things that have an identifier, and the words of their path under the namespace's base. */
export const ID_KINDS = {
  motor: ['motor'],
  vin: ['vin'],
  rack: ['rack'],
  truck: ['truck'],
  asn: ['asn'],
  bol: ['bol'],
  workOrder: ['workorder'],
  spec: ['spec'],
  site: ['site'],
  dock: ['site', 'dock'],
  station: ['site', 'station'],
  bench: ['site', 'bench'],
} as const satisfies Record<string, readonly string[]>;

export type IdKind = keyof typeof ID_KINDS;

/** The GS1 Digital Link resolver's base, and the Application Identifier of each key used here. */
export const GS1_DIGITAL_LINK = 'https://id.gs1.org/';
const GS1_KEYS = {
  rack: { ai: '00', table: 'sscc', digits: 18 },
  site: { ai: '414', table: 'gln', digits: 13 },
  dock: { ai: '414', table: 'gln', digits: 13 },
} as const satisfies Partial<Record<IdKind, { ai: string; table: 'sscc' | 'gln'; digits: number }>>;
const PARTY_AI = '417';

/**
 * Check a plant's EPCIS configuration and freeze it: the base must be an http(s) URL ending with '/', every GS1
 * key the right length with a right check digit (a typo would name another company's pallet or dock).
 * @example const ns = epcisNamespace({ base: 'https://id.cleon-dieppe.example/', gs1: { gln: { DIEPPE: '3012345000017' } } })
 */
export function epcisNamespace(config: EpcisNamespaceConfig): EpcisNamespace {
  const base = checkBase(config.base, 'base');
  const vocab = checkBase(config.vocab ?? `${base}voc/`, 'vocab');
  const table = (name: 'sscc' | 'gln' | 'pgln', digits: number) => {
    const entries = Object.entries(config.gs1?.[name] ?? {});
    for (const [key, value] of entries) {
      if (!isGs1Key(value, digits)) {
        throw new ValidationError(
          'INVALID_EPCIS_CONFIG',
          `EPCIS: the ${name.toUpperCase()} of ${key} (${value}) is not ${digits} digits with a valid GS1 check digit.`,
        );
      }
    }
    return Object.freeze(Object.fromEntries(entries));
  };
  return Object.freeze({
    base,
    vocab,
    gs1: Object.freeze({ sscc: table('sscc', 18), gln: table('gln', 13), pgln: table('pgln', 13) }),
  });
}

function checkBase(uri: string, what: string): string {
  if (!/^https?:\/\/[^/\s?#]+\/([^\s?#]*\/)?$/.test(uri)) {
    throw new ValidationError(
      'INVALID_EPCIS_CONFIG',
      `EPCIS: the namespace ${what} "${uri}" must be an http(s) URL ending with "/", e.g. https://id.cleon-dieppe.example/.`,
    );
  }
  return uri;
}

/**
 * Is `digits` a GS1 key of `length` digits whose last digit is its check digit (GS1 General Specifications 7.9)?
 * @example isGs1Key('3012345000017', 13) // → true
 */
export function isGs1Key(digits: string, length: number): boolean {
  if (digits.length !== length || !/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(digits[i]) * weight;
  return (10 - (sum % 10)) % 10 === Number(digits[length - 1]);
}

/**
 * The URI of a thing of the plant: its GS1 Digital Link URI if a key is configured for it, else its URI under
 * the namespace (each part percent-encoded).
 * @example idUri(ns, 'dock', 'DIEPPE', 'D3') // → 'https://id.cleon-dieppe.example/site/DIEPPE/dock/D3'
 */
export function idUri(ns: EpcisNamespace, kind: IdKind, ...parts: string[]): string {
  const words = ID_KINDS[kind];
  if (parts.length !== words.length || parts.some((p) => p === '')) {
    throw new ValidationError(
      'INVALID_EPCIS_ID',
      `A ${kind} identifier needs ${words.length} non-empty part(s): ${words.join(', ')}.`,
    );
  }
  const key = gs1KeyOf(ns, kind, parts);
  if (key) return key;
  return ns.base + words.map((w, i) => `${w}/${encodeURIComponent(parts[i]!)}`).join('/');
}

function gs1KeyOf(ns: EpcisNamespace, kind: IdKind, parts: string[]): string | undefined {
  const gs1 = kind in GS1_KEYS ? GS1_KEYS[kind as keyof typeof GS1_KEYS] : undefined;
  const value = gs1 ? ns.gs1[gs1.table][parts.join('/')] : undefined;
  return gs1 && value ? `${GS1_DIGITAL_LINK}${gs1.ai}/${value}` : undefined;
}

/**
 * The inverse of idUri: which thing a URI names (kind and parts), or null if it is none of the plant's.
 * @example parseIdUri(ns, 'https://id.cleon-dieppe.example/motor/7DL-000123') // → { kind: 'motor', parts: ['7DL-000123'] }
 */
export function parseIdUri(ns: EpcisNamespace, uri: string): { kind: IdKind; parts: string[] } | null {
  if (uri.startsWith(GS1_DIGITAL_LINK)) {
    const [ai, value, ...rest] = uri.slice(GS1_DIGITAL_LINK.length).split('/');
    if (rest.length > 0) return null;
    for (const [kind, gs1] of Object.entries(GS1_KEYS)) {
      if (gs1.ai !== ai) continue;
      const key = Object.entries(ns.gs1[gs1.table]).find(([k, v]) => v === value && partsFit(kind, k));
      if (key) return { kind: kind as IdKind, parts: key[0].split('/') };
    }
    return null;
  }
  if (!uri.startsWith(ns.base)) return null;
  const segments = uri.slice(ns.base.length).split('/');
  for (const [kind, words] of Object.entries(ID_KINDS) as [IdKind, readonly string[]][]) {
    if (segments.length !== words.length * 2) continue;
    if (!words.every((w, i) => segments[i * 2] === w)) continue;
    try {
      const parts = words.map((_, i) => decodeURIComponent(segments[i * 2 + 1]!));
      if (parts.every((p) => p !== '')) return { kind, parts };
    } catch {
      return null; // a malformed percent-escape names nothing of ours
    }
  }
  return null;
}

// A GLN table holds sites ('DIEPPE') and docks ('DIEPPE/D3'): a key names the kind with that many parts.
function partsFit(kind: string, key: string): boolean {
  return ID_KINDS[kind as IdKind].length === key.split('/').length;
}

/** The parts of `uri` if it names a thing of `kind`, else null. */
function partsOf(ns: EpcisNamespace, kind: IdKind, uri: string): string[] | null {
  const id = parseIdUri(ns, uri);
  return id?.kind === kind ? id.parts : null;
}

/**
 * The URI of a motor serial.
 * @example motorUri(ns, '7DL-000123') // → 'https://id.cleon-dieppe.example/motor/7DL-000123'
 */
export function motorUri(ns: EpcisNamespace, serial: string): string {
  return idUri(ns, 'motor', serial);
}

/**
 * The motor serial a URI names, or null.
 * @example parseMotorUri(ns, motorUri(ns, '7DL-000123')) // → '7DL-000123'
 */
export function parseMotorUri(ns: EpcisNamespace, uri: string): string | null {
  return partsOf(ns, 'motor', uri)?.[0] ?? null;
}

/**
 * The URI of a vehicle's VIN.
 * @example vinUri(ns, 'VF1A390E000000042') // → 'https://id.cleon-dieppe.example/vin/VF1A390E000000042'
 */
export function vinUri(ns: EpcisNamespace, vin: string): string {
  return idUri(ns, 'vin', vin);
}

/**
 * The VIN a URI names, or null.
 * @example parseVinUri(ns, vinUri(ns, 'VF1A390E000000042')) // → 'VF1A390E000000042'
 */
export function parseVinUri(ns: EpcisNamespace, uri: string): string | null {
  return partsOf(ns, 'vin', uri)?.[0] ?? null;
}

/**
 * The URI of a rack (handling unit): its SSCC as a GS1 Digital Link if configured.
 * @example rackUri(ns, 'R-0042') // → 'https://id.gs1.org/00/030123450000000420' with ns.gs1.sscc['R-0042']
 */
export function rackUri(ns: EpcisNamespace, rack: string): string {
  return idUri(ns, 'rack', rack);
}

/**
 * The rack a URI names (plant URI or configured SSCC), or null.
 * @example parseRackUri(ns, rackUri(ns, 'R-0042')) // → 'R-0042'
 */
export function parseRackUri(ns: EpcisNamespace, uri: string): string | null {
  return partsOf(ns, 'rack', uri)?.[0] ?? null;
}

/**
 * The URI of a truck.
 * @example truckUri(ns, 'GT-512-KX') // → 'https://id.cleon-dieppe.example/truck/GT-512-KX'
 */
export function truckUri(ns: EpcisNamespace, truck: string): string {
  return idUri(ns, 'truck', truck);
}

/**
 * The truck a URI names, or null.
 * @example parseTruckUri(ns, truckUri(ns, 'GT-512-KX')) // → 'GT-512-KX'
 */
export function parseTruckUri(ns: EpcisNamespace, uri: string): string | null {
  return partsOf(ns, 'truck', uri)?.[0] ?? null;
}

/**
 * The URI of a site: its GLN as a GS1 Digital Link if configured.
 * @example siteUri(ns, 'DIEPPE') // → 'https://id.cleon-dieppe.example/site/DIEPPE'
 */
export function siteUri(ns: EpcisNamespace, site: string): string {
  return idUri(ns, 'site', site);
}

/**
 * The site code a URI names, or null.
 * @example parseSiteUri(ns, siteUri(ns, 'DIEPPE')) // → 'DIEPPE'
 */
export function parseSiteUri(ns: EpcisNamespace, uri: string): string | null {
  return partsOf(ns, 'site', uri)?.[0] ?? null;
}

/**
 * The URI of a dock of a site: its GLN as a GS1 Digital Link if configured (key 'SITE/DOCK').
 * @example dockUri(ns, 'DIEPPE', 'D3') // → 'https://id.cleon-dieppe.example/site/DIEPPE/dock/D3'
 */
export function dockUri(ns: EpcisNamespace, site: string, dock: string): string {
  return idUri(ns, 'dock', site, dock);
}

/**
 * The site and dock a URI names, or null.
 * @example parseDockUri(ns, dockUri(ns, 'DIEPPE', 'D3')) // → { site: 'DIEPPE', dock: 'D3' }
 */
export function parseDockUri(ns: EpcisNamespace, uri: string): { site: string; dock: string } | null {
  const parts = partsOf(ns, 'dock', uri);
  return parts ? { site: parts[0]!, dock: parts[1]! } : null;
}

/**
 * The URI of a station of a site (production or assembly).
 * @example stationUri(ns, 'CLEON', 'ST-40') // → 'https://id.cleon-dieppe.example/site/CLEON/station/ST-40'
 */
export function stationUri(ns: EpcisNamespace, site: string, station: string): string {
  return idUri(ns, 'station', site, station);
}

/**
 * The site and station a URI names, or null.
 * @example parseStationUri(ns, stationUri(ns, 'CLEON', 'ST-40')) // → { site: 'CLEON', station: 'ST-40' }
 */
export function parseStationUri(ns: EpcisNamespace, uri: string): { site: string; station: string } | null {
  const parts = partsOf(ns, 'station', uri);
  return parts ? { site: parts[0]!, station: parts[1]! } : null;
}

/**
 * The URI of the owning party of a site, if its party GLN is configured (else undefined: the site is named as a
 * location only).
 * @example owningPartyUri(ns, 'CLEON') // → 'https://id.gs1.org/417/3012345000000' with ns.gs1.pgln.CLEON
 */
export function owningPartyUri(ns: EpcisNamespace, site: string): string | undefined {
  const pgln = ns.gs1.pgln[site];
  return pgln ? `${GS1_DIGITAL_LINK}${PARTY_AI}/${pgln}` : undefined;
}

/**
 * A term of the plant's vocabulary: 'ml:disp/quarantined' → the full URI under ns.vocab; other terms (CBV short
 * names such as 'commissioning') are returned as they are.
 * @example plantTerm(ns, 'ml:disp/quarantined') // → 'https://id.cleon-dieppe.example/voc/disp/quarantined'
 */
export function plantTerm(ns: EpcisNamespace, term: string): string {
  return term.startsWith('ml:') ? ns.vocab + term.slice(3) : term;
}

/**
 * A CBV term as the ledger writes it: a bare word for CBV's own, whichever of its forms is given (URN, web URI or
 * bare word), plant terms as full URIs ('ml:…' expanded).
 * @example cbvTerm(ns, 'urn:epcglobal:cbv:bizstep:arriving') // → 'arriving'
 * @example cbvTerm(ns, 'https://ref.gs1.org/cbv/BizStep-arriving') // → 'arriving'
 */
export function cbvTerm(ns: EpcisNamespace, value: string): string {
  const cbv =
    /^(?:urn:epcglobal:cbv:(?:bizstep|disp):|https:\/\/ref\.gs1\.org\/cbv\/(?:BizStep|Disp)-)(.+)$/.exec(
      value,
    );
  return cbv ? cbv[1]! : plantTerm(ns, value);
}
