// Configuration from the environment: one table that parses, validates and documents every variable
// (docs/configuration.md lists the same table; a test keeps them in step). Read once, frozen, failing fast
// with the variable's name.
import { readFileSync } from 'node:fs';
import { type EpcisNamespace, type EpcisNamespaceConfig, epcisNamespace } from './core/epcis/ids.js';
import { LedgerError } from './core/errors.js';

interface Variable<T> {
  description: string;
  default: string | undefined;
  parse(raw: string): T;
}

const text = (description: string, def?: string): Variable<string | undefined> => ({
  description,
  default: def,
  parse: (raw) => raw,
});
const int = (description: string, def: number, min: number, max: number): Variable<number> => ({
  description,
  default: String(def),
  parse: (raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
      throw new Error(`must be an integer from ${min} to ${max}`);
    return Number(raw);
  },
});
const bool = (description: string, def: boolean): Variable<boolean> => ({
  description,
  default: String(def),
  parse: (raw) => {
    if (!['true', 'false', '1', '0'].includes(raw)) throw new Error('must be true or false');
    return raw === 'true' || raw === '1';
  },
});

const oneOf = <T extends string>(description: string, values: readonly T[], def: T): Variable<T> => ({
  description,
  default: def,
  parse: (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  },
});

export const VARIABLES = {
  DATABASE_URL: text('PostgreSQL URL (postgres://…). Absent: embedded PGlite under DATA_DIR.'),
  DATA_DIR: text('Directory of the embedded database and of the dev signing key.', './.motor-ledger'),
  DATABASE_ROLE: text(
    'Role to SET on every connection, e.g. motor_ledger_app (INSERT and SELECT only on the log).',
  ),
  DATABASE_POOL_SIZE: int('Connections in the PostgreSQL pool.', 10, 1, 200),
  DATABASE_CONNECT_TIMEOUT_MS: int(
    'Longest wait for a PostgreSQL connection (ms); past it a request is answered 503 DATABASE_UNAVAILABLE.',
    5000,
    100,
    600_000,
  ),
  MIGRATE_ON_START: bool(
    'Apply pending migrations when the server starts (needs a role that owns the schema).',
    true,
  ),
  PORT: int('HTTP port.', 3000, 0, 65535),
  HOST: text('HTTP listen address.', '127.0.0.1'),
  METRICS_PORT: int(
    'A second port that serves only GET /metrics, without a token (for a scraper on a private network); 0: none (the API port serves /metrics to admin and auditor tokens).',
    0,
    0,
    65535,
  ),
  METRICS_HOST: text('Listen address of METRICS_PORT.', '127.0.0.1'),
  REQUEST_TIMEOUT_MS: int(
    'Longest a client may take to send a whole request, headers and body (ms); past it the connection is closed with 408.',
    30_000,
    1000,
    3_600_000,
  ),
  LEDGER_ORIGIN: text(
    'Checkpoint origin line: names this log in every signed checkpoint.',
    'motor-ledger.local/cleon-dieppe',
  ),
  SIGNING_KEY_FILE: text(
    'Private Ed25519 JWK that signs checkpoints. Absent: a dev key is made under DATA_DIR.',
  ),
  CHECKPOINT_EVERY: int(
    'Sign a checkpoint when this many entries are not yet covered by one.',
    1000,
    1,
    10_000_000,
  ),
  CHECKPOINT_INTERVAL_MS: int(
    '…or when the oldest uncovered entry is this old (ms; 0 = only by count).',
    5000,
    0,
    86_400_000,
  ),
  AUTH_JWKS_URL: text('URL of the JWKS that verifies bearer tokens (your identity provider).'),
  AUTH_JWKS_FILE: text(
    'File with the JWKS that verifies bearer tokens. Neither set: dev mode with a local key.',
  ),
  AUTH_ISSUER: text('Required `iss` of bearer tokens.', 'motor-ledger-dev'),
  AUTH_AUDIENCE: text('Required `aud` of bearer tokens.', 'motor-ledger'),
  WEB_DIR: text(
    'Directory of the built screens (index.html and assets). Absent: dist/web beside the server.',
  ),
  OIDC_ISSUER: text(
    'Issuer URL of the OpenID Connect provider the screens sign in with (authorization code + PKCE).',
  ),
  OIDC_CLIENT_ID: text('Client id of the screens at the OIDC provider (a public client: no secret).'),
  OIDC_SCOPE: text('Scopes the screens ask the OIDC provider for.', 'openid'),
  LEDGER_PUBLIC: bool('Serve the auditor endpoints (/v1/ledger/*, JWKS) without a token.', false),
  CATALOG_FILE: text(
    'JSON catalog of sites, motor types and vehicle models with slots. Absent: the built-in one.',
  ),
  TOKEN_CLOCK_SKEW_S: int(
    "How far in the future a bearer token's iat may be (seconds of clock skew); further, the token is refused.",
    60,
    0,
    3600,
  ),
  TOKEN_MAX_LIFETIME_S: int(
    'Longest lifetime a bearer token may claim (exp - iat, seconds); longer tokens are refused.',
    86_400,
    60,
    31_536_000,
  ),
  EPCIS_NAMESPACE: {
    description:
      "Base URL of the plant's identifiers in EPCIS (motors, VINs, racks, sites… are URIs under it), ending with '/'.",
    default: 'https://id.cleon-dieppe.example/',
    parse: (raw: string): string => {
      try {
        return epcisNamespace({ base: raw }).base; // the namespace's own check, said here with the variable's name
      } catch {
        throw new Error('must be an http(s) URL ending with "/", e.g. https://id.cleon-dieppe.example/');
      }
    },
  },
  EPCIS_GS1_KEYS_FILE: {
    description:
      'JSON file of the GS1 keys the plant has: {"sscc": {RACK: SSCC}, "gln": {SITE or SITE/DOCK: GLN}, "pgln": {SITE: party GLN}}; those things are then named by their GS1 Digital Link in EPCIS. Absent: none.',
    default: undefined,
    parse: (raw: string): EpcisNamespaceConfig['gs1'] => {
      let keys: unknown;
      try {
        keys = JSON.parse(readFileSync(raw, 'utf8'));
      } catch (err) {
        throw new Error(`must name a readable JSON file (${(err as Error).message})`);
      }
      const tables = ['sscc', 'gln', 'pgln'];
      const isTable = (v: unknown) =>
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.values(v).every((x) => typeof x === 'string');
      if (
        keys === null ||
        typeof keys !== 'object' ||
        Object.entries(keys).some(([k, v]) => !tables.includes(k) || !isTable(v))
      )
        throw new Error(
          'must hold {"sscc": {…}, "gln": {…}, "pgln": {…}}, each mapping a name to its key as a string',
        );
      const gs1 = keys as EpcisNamespaceConfig['gs1'];
      try {
        epcisNamespace({ base: 'https://id.example/', gs1 }); // each key's length and check digit
      } catch (err) {
        throw new Error((err as Error).message.replace(/^EPCIS: /, 'holds a bad key: ').replace(/\.$/, ''));
      }
      return gs1;
    },
  } satisfies Variable<EpcisNamespaceConfig['gs1']>,
  LOG_LEVEL: oneOf(
    'fatal, error, warn, info, debug, trace or silent.',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  ),
} as const;

type Parsed<V> = V extends Variable<infer T> ? T : never;
export type Config = { readonly [K in keyof typeof VARIABLES]: Parsed<(typeof VARIABLES)[K]> };

/** Parse and freeze the configuration; throws naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
    const raw = env[name] === '' ? undefined : (env[name] ?? variable.default);
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    try {
      out[name] = variable.parse(raw);
    } catch (err) {
      throw new LedgerError('INVALID_CONFIG', `${name}=${JSON.stringify(raw)} ${(err as Error).message}.`);
    }
  }
  return Object.freeze(out) as Config;
}

/**
 * The plant's EPCIS namespace as configured: EPCIS_NAMESPACE and the GS1 keys of EPCIS_GS1_KEYS_FILE.
 * @example const ns = epcisNamespaceOf(loadConfig());
 */
export function epcisNamespaceOf(config: Config): EpcisNamespace {
  return epcisNamespace({ base: config.EPCIS_NAMESPACE, gs1: config.EPCIS_GS1_KEYS_FILE ?? {} });
}
