// GS1 key normalisation for the CBV 2.0 event hash (§8.9): every EPC URI, EPC class URI, EPC ID pattern URI and
// GS1 Digital Link URI that carries a GS1 key becomes one canonical Digital Link (https://id.gs1.org/…, most
// fine-grained level, no CPV, no query). Anything else is returned unchanged, so that a plant's own URIs, URNs of
// business transactions or geo: URIs hash as sent. Follows the reference implementation's normaliser
// (RalphTro/epcis-event-hash-generator, dl_normaliser.py) rule for rule, checked by the event-hash vectors.

/** GS1 mod-10 check digit of a digit string (weights 3,1,3,… from the right). */
function checkDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const weight = (digits.length - i) % 2 === 1 ? 3 : 1;
    sum += (digits.charCodeAt(i) - 48) * weight;
  }
  return String((10 - (sum % 10)) % 10);
}

const withCheck = (digits: string): string => digits + checkDigit(digits);

// GS1 Digital Link table 7-1: characters an EPC URI may carry unescaped but a Digital Link path may not.
function percentEncode(s: string): string {
  return s.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// One character of an EPC URI's alphanumeric component (an escape, or a character allowed unescaped).
const CH = "(?:%[0-9A-Fa-f]{2}|[!')(*+,.0-9:;=A-Za-z_-])";

/** Company prefix (6–12 digits) + '.' + reference, whose digits together count `total`. */
function split(body: string, total: number): [string, string] | undefined {
  const m = /^(\d{6,12})\.(\d*)$/.exec(body);
  if (!m || m[1]!.length + m[2]!.length !== total) return undefined;
  return [m[1]!, m[2]!];
}

/** A GTIN-14 from an EPC's company prefix and item reference (whose first digit is the indicator). */
function gtin(cp: string, itemRef: string): string {
  return withCheck(itemRef.slice(0, 1) + cp + itemRef.slice(1));
}

type Rule = (body: string) => string | undefined;

const anySerial = (max: number) => new RegExp(`^${CH}{1,${max}}$`);
const SERIAL20 = anySerial(20);

// urn:epc:id:<scheme>:<body> (TDS §6.3) → Digital Link.
const ID_RULES: Record<string, Rule> = {
  sgtin: (b) => {
    const [head, serial] = cut(b);
    const p = head && split(head, 13);
    return p && SERIAL20.test(serial) ? `01/${gtin(...p)}/21/${percentEncode(serial)}` : undefined;
  },
  sscc: (b) => {
    const p = split(b, 17);
    return p && `00/${withCheck(p[1].slice(0, 1) + p[0] + p[1].slice(1))}`;
  },
  sgln: (b) => {
    const [head, ext] = cut(b);
    const p = head && split(head, 12);
    if (!p || !SERIAL20.test(ext)) return undefined;
    const gln = withCheck(p[0] + p[1]);
    return ext === '0' ? `414/${gln}` : `414/${gln}/254/${percentEncode(ext)}`;
  },
  grai: (b) => {
    const [head, serial] = cut(b);
    const p = head && split(head, 12);
    return p && anySerial(16).test(serial)
      ? `8003/${withCheck(`0${p[0]}${p[1]}`)}${percentEncode(serial)}`
      : undefined;
  },
  giai: (b) => {
    const m = /^(\d{6,12})\.(.+)$/.exec(b);
    return m && anySerial(30 - m[1]!.length).test(m[2]!) ? `8004/${m[1]}${percentEncode(m[2]!)}` : undefined;
  },
  gsrn: (b) => {
    const p = split(b, 17);
    return p && `8018/${withCheck(p[0] + p[1])}`;
  },
  gsrnp: (b) => {
    const p = split(b, 17);
    return p && `8017/${withCheck(p[0] + p[1])}`;
  },
  gdti: (b) => {
    const [head, serial] = cut(b);
    const p = head && split(head, 12);
    return p && SERIAL20.test(serial) ? `253/${withCheck(p[0] + p[1])}${percentEncode(serial)}` : undefined;
  },
  cpi: (b) => {
    const m =
      /^(\d{6,12})\.((?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-]){1,24})\.(\d{1,12})$/.exec(b);
    return m ? `8010/${percentEncode(m[1]! + m[2]!)}/8011/${m[3]}` : undefined;
  },
  sgcn: (b) => {
    const [head, serial] = cut(b);
    const p = head && split(head, 12);
    return p && /^\d{1,12}$/.test(serial) ? `255/${withCheck(p[0] + p[1])}${serial}` : undefined;
  },
  ginc: (b) => {
    const m = /^(\d{6,12})\.(.+)$/.exec(b);
    return m && anySerial(30 - m[1]!.length).test(m[2]!) ? `401/${m[1]}${percentEncode(m[2]!)}` : undefined;
  },
  gsin: (b) => {
    const p = split(b, 16);
    return p && `402/${withCheck(p[0] + p[1])}`;
  },
  itip: (b) => {
    const m = /^(\d{6,12}\.\d+)\.(\d{2})\.(\d{2})\.(.+)$/.exec(b);
    const p = m && split(m[1]!, 13);
    return p && SERIAL20.test(m[4]!)
      ? `8006/${gtin(...p)}${m[2]}${m[3]}/21/${percentEncode(m[4]!)}`
      : undefined;
  },
  upui: (b) => {
    const [head, serial] = cut(b);
    const p = head && split(head, 13);
    return p && anySerial(28).test(serial) ? `01/${gtin(...p)}/235/${percentEncode(serial)}` : undefined;
  },
  pgln: (b) => {
    const p = split(b, 12);
    return p && `417/${withCheck(p[0] + p[1])}`;
  },
};

// urn:epc:idpat:<scheme>:<body ending in .*> → the Digital Link of the class.
const PATTERN_RULES: Record<string, Rule> = {
  sgtin: (b) => mapPattern(b, 13, (p) => `01/${gtin(...p)}`),
  upui: (b) => mapPattern(b, 13, (p) => `01/${gtin(...p)}`),
  grai: (b) => mapPattern(b, 12, (p) => `8003/${withCheck(`0${p[0]}${p[1]}`)}`),
  gdti: (b) => mapPattern(b, 12, (p) => `253/${withCheck(p[0] + p[1])}`),
  sgcn: (b) => mapPattern(b, 12, (p) => `255/${withCheck(p[0] + p[1])}`),
  cpi: (b) => {
    const m = /^(\d{6,12})\.((?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-]){1,24})\.\*$/.exec(b);
    return m ? `8010/${percentEncode(m[1]! + m[2]!)}` : undefined;
  },
  itip: (b) => {
    const m = /^(\d{6,12}\.\d+)\.(\d{2})\.(\d{2})\.\*$/.exec(b);
    const p = m && split(m[1]!, 13);
    return p ? `8006/${gtin(...p)}${m[2]}${m[3]}` : undefined;
  },
};

/** An EPC body split after company prefix and reference (both digits), so a serial may itself hold dots. */
function cut(body: string): [string | undefined, string] {
  const m = /^(\d{6,12}\.\d*)\.(.*)$/.exec(body);
  return m ? [m[1]!, m[2]!] : [undefined, ''];
}

function mapPattern(body: string, total: number, f: (p: [string, string]) => string): string | undefined {
  const m = /^(\d{6,12}\.\d*)\.\*$/.exec(body);
  const p = m && split(m[1]!, total);
  return p ? f(p) : undefined;
}

// Digital Link primary keys: the numeric AI and its short name (DL 1.1), and the qualifier short names.
const KEY_AIS: Record<string, string> = {
  '01': '01',
  gtin: '01',
  '8006': '8006',
  itip: '8006',
  '8010': '8010',
  cpid: '8010',
  '414': '414',
  gln: '414',
  '417': '417',
  party: '417',
  '8017': '8017',
  gsrnp: '8017',
  '8018': '8018',
  gsrn: '8018',
  '255': '255',
  gcn: '255',
  '00': '00',
  sscc: '00',
  '253': '253',
  gdti: '253',
  '401': '401',
  ginc: '401',
  '402': '402',
  gsin: '402',
  '8003': '8003',
  grai: '8003',
  '8004': '8004',
  giai: '8004',
};
const QUALIFIER_AIS: Record<string, string> = { cpv: '22', lot: '10', ser: '21' };

// The reference accepts a Digital Link only in these canonical shapes (X = the DL's safe character set).
const X = String.raw`[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]`;
const CANONICAL_DL = new RegExp(
  [
    String.raw`00/\d{18}`,
    String.raw`01/\d{14}(?:/(?:21|10)/${X}{0,20}|/235/${X}{0,28})?`,
    String.raw`253/\d{13}${X}{0,17}`,
    String.raw`255/\d{13}\d{0,12}`,
    `401/${X}{0,30}`,
    String.raw`402/\d{17}`,
    String.raw`414/\d{13}(?:/254/${X}{0,20})?`,
    String.raw`417/\d{13}`,
    String.raw`8003/\d{14}${X}{0,16}`,
    `8004/${X}{0,30}`,
    String.raw`8006/\d{18}(?:/(?:21|10)/${X}{0,20})?`,
    String.raw`8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(?:/8011/\d{0,12})?`,
    String.raw`8017/\d{18}`,
    String.raw`8018/\d{18}`,
  ]
    .map((p) => `^(?:${p})$`)
    .join('|'),
);

function normaliseDigitalLink(uri: string): string | undefined {
  const m = /^https?:\/\/[^/?#]*(\/[^?#]*)/.exec(uri);
  if (!m) return undefined;
  const segments = m[1]!.split('/').filter(Boolean);
  // The key is the first known primary key segment followed by a value starting with four digits (as the reference).
  const at = segments.findIndex(
    (s, i) => KEY_AIS[s] !== undefined && /^\d{4}[^/]+$/.test(segments[i + 1] ?? ''),
  );
  if (at < 0) return undefined;
  const ai = KEY_AIS[segments[at]!]!;
  let value = segments[at + 1]!;
  if (ai === '01') value = value.padStart(14, '0');
  const qualifiers = new Map<string, string>();
  for (let i = at + 2; i + 1 < segments.length; i += 2) {
    const q = QUALIFIER_AIS[segments[i]!] ?? segments[i]!;
    qualifiers.set(q, segments[i + 1]!);
  }
  qualifiers.delete('22');
  if (qualifiers.has('21')) qualifiers.delete('10');
  const path = [ai, value, ...[...qualifiers].flat()].join('/');
  return CANONICAL_DL.test(path) ? `https://id.gs1.org/${path}` : undefined;
}

/**
 * The canonical GS1 Digital Link of an identifier that carries a GS1 key, or the identifier unchanged.
 * @example normaliseGs1Key('urn:epc:id:sscc:4012345.0000000111') // 'https://id.gs1.org/00/040123450000001112'
 */
export function normaliseGs1Key(uri: string): string {
  const epc = /^urn:epc:(id|idpat|class):([a-z]+):(.*)$/.exec(uri);
  if (epc) {
    const [, kind, scheme, body] = epc as unknown as [string, string, string, string];
    const rule =
      kind === 'id'
        ? ID_RULES[scheme]
        : kind === 'idpat'
          ? PATTERN_RULES[scheme]
          : scheme === 'lgtin'
            ? lgtin
            : undefined;
    const path = rule?.(body);
    return path ? `https://id.gs1.org/${path}` : uri;
  }
  return normaliseDigitalLink(uri) ?? uri;
}

function lgtin(body: string): string | undefined {
  const [head, lot] = cut(body);
  const p = head && split(head, 13);
  return p && SERIAL20.test(lot) ? `01/${gtin(...p)}/10/${percentEncode(lot)}` : undefined;
}
