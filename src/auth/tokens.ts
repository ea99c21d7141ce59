// Bearer tokens: JWTs verified with jose against a JWKS (the identity provider's URL, a file, or in dev mode a
// local Ed25519 key under DATA_DIR), with a fixed issuer and audience and an allow-list of asymmetric
// algorithms, so neither `alg: none` nor an HMAC "signed" with the public key can pass. Every failure becomes
// an AuthError 401 with a stable code and a sentence; a JWKS endpoint that cannot be reached is a 503, not the
// caller's fault.
//
// Successful verifications are cached by token string until min(exp, now + 60 s), at most 10,000 entries:
// intake scanners send the same token thousands of times a minute and an EdDSA verification costs ~100 µs,
// while a Map lookup costs well under 1 µs. Only tokens that verified are cached, so the cache cannot be
// filled by an attacker; an entry never outlives its token's exp, and within 60 s a key removed from the JWKS
// stops being accepted.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Config } from '../config.js';
import { AuthError, LedgerError, UnavailableError } from '../core/errors.js';
import { isRole, type Principal, ROLES, type Role } from './principal.js';

/** Algorithms a token may be signed with: asymmetric only; never 'none', never HS*. */
export const ALLOWED_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'RS256', 'PS256'] as const;

/** File name of the dev-mode key pair under DATA_DIR. */
export const DEV_AUTH_KEY_FILE = 'auth-dev-key.jwk';

/** Lifetime of a minted dev token when none is given: one 8-hour shift. */
export const DEFAULT_TOKEN_TTL_SECONDS = 8 * 3600;

const DEV_ALG = 'EdDSA';
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;
const MAX_CLAIM_ITEMS = 1000;

export interface TokenVerifier {
  /** Verify a bearer token (without "Bearer "); throws AuthError 401, or UnavailableError when keys can't be fetched. */
  verify(token: string): Promise<Principal>;
}

export interface TokenVerifierOptions {
  /** URL of the identity provider's JWKS (https, or http on a loopback address). */
  jwksUrl?: string | undefined;
  /** File holding a JWKS of public keys. */
  jwksFile?: string | undefined;
  /** A JWKS of public keys. Exactly one of jwksUrl, jwksFile and jwks. */
  jwks?: JSONWebKeySet | undefined;
  issuer: string;
  audience: string;
  /** Longest a verification is reused (ms); default 60 s. 0 disables the cache. */
  cacheTtlMs?: number;
  /** Most cached verifications; default 10,000. The oldest is dropped first. */
  cacheMaxEntries?: number;
  /** How far in the future an iat may be (the issuer's clock ahead of ours), in seconds; default 60. */
  clockSkewSeconds?: number | undefined;
  /** Longest lifetime a token may claim, exp − iat (or exp − now without iat), in seconds; default 24 h. */
  maxLifetimeSeconds?: number | undefined;
}

/** Default bounds on a token's times: a minute of clock skew, a day of lifetime. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** The claims of a token to mint. */
export interface TokenClaims {
  sub: string;
  roles: Role[];
  sites: string[];
  brands?: string[] | undefined;
  /** Lifetime in seconds; default 8 hours. */
  ttlSeconds?: number | undefined;
}

export interface MintOptions extends TokenClaims {
  issuer: string;
  audience: string;
}

export interface DevAuthKey {
  /** The private Ed25519 JWK (keep it under DATA_DIR, mode 0600). */
  privateJwk: JWK;
  /** Its public half, with kid (RFC 7638 thumbprint), alg and use. */
  jwks: JSONWebKeySet;
  /** True when the key was made by this call. */
  created: boolean;
}

export interface AuthSetup {
  verifier: TokenVerifier;
  /** True when neither AUTH_JWKS_URL nor AUTH_JWKS_FILE is set: tokens are verified with a local dev key. */
  devMode: boolean;
  /** True when the dev key was made just now. */
  devKeyCreated: boolean;
  /** kid of the dev key (dev mode only). */
  devKid?: string | undefined;
  /** Mint a token with the dev key for the configured issuer and audience (dev mode only). */
  mint?: ((claims: TokenClaims) => Promise<string>) | undefined;
}

/** A JWKS fetch that failed for reasons that are not the token's (network, timeout, bad response). */
class KeySourceUnavailable extends Error {}

/**
 * Make a verifier for bearer tokens.
 * @example const verifier = createTokenVerifier({ jwksUrl: 'https://idp.example/jwks', issuer: 'https://idp.example', audience: 'motor-ledger' });
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience } = options;
  const sources = [options.jwksUrl, options.jwksFile, options.jwks].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw new LedgerError(
      'INVALID_CONFIG',
      'Give the token verifier exactly one key source: a JWKS URL, a JWKS file or a JWKS.',
    );
  }
  let getKey: JWTVerifyGetKey;
  if (options.jwksUrl !== undefined) {
    const remote = createRemoteJWKSet(parseJwksUrl(options.jwksUrl));
    getKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        // No matching key is the token's problem; anything else (fetch, timeout, bad JSON) is the provider's.
        const code = joseCode(err);
        if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
        if (code === 'ERR_JOSE_NOT_SUPPORTED') throw err;
        throw new KeySourceUnavailable((err as Error)?.message, { cause: err });
      }
    };
  } else {
    const jwks =
      options.jwks !== undefined
        ? checkJwks(options.jwks, 'The JWKS')
        : readJwksFile(options.jwksFile as string);
    getKey = createLocalJWKSet(jwks);
  }
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const verifyOptions: JWTVerifyOptions = {
    issuer,
    audience,
    algorithms: [...ALLOWED_ALGORITHMS],
    requiredClaims: ['sub', 'exp'],
  };

  const ttlMs = options.cacheTtlMs ?? CACHE_TTL_MS;
  const maxEntries = options.cacheMaxEntries ?? CACHE_MAX_ENTRIES;
  // Insertion order is age order: when full, the first entry is the oldest and goes first.
  const cache = new Map<string, { principal: Principal; until: number }>();
  const inFlight = new Map<string, Promise<Principal>>();

  const verifyUncached = async (token: string): Promise<Principal> => {
    let payload: JWTPayload;
    try {
      payload = (await verifyJwt(token, getKey, verifyOptions)).payload;
    } catch (err) {
      throw toAuthError(err, token, issuer, audience);
    }
    checkLifetime(payload, skew, maxLifetime);
    const principal = principalFrom(payload, token);
    if (ttlMs > 0 && maxEntries > 0) {
      const now = Date.now();
      const until = Math.min((payload.exp as number) * 1000, now + ttlMs);
      if (until > now) {
        if (cache.size >= maxEntries) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(token, { principal, until });
      }
    }
    return principal;
  };

  return {
    verify(token: string): Promise<Principal> {
      const hit = cache.get(token);
      if (hit) {
        if (Date.now() < hit.until) return Promise.resolve(hit.principal);
        cache.delete(token);
      }
      // Concurrent requests with the same new token share one verification.
      const pending = inFlight.get(token);
      if (pending) return pending;
      const p = verifyUncached(token).finally(() => inFlight.delete(token));
      inFlight.set(token, p);
      return p;
    },
  };
}

/** jwtVerify, trying each candidate when several keys of the JWKS match the token's header (no kid). */
async function verifyJwt(token: string, getKey: JWTVerifyGetKey, options: JWTVerifyOptions) {
  try {
    return await jwtVerify(token, getKey, options);
  } catch (err) {
    if (joseCode(err) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
    let last: unknown = err;
    for await (const key of err as unknown as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, options);
      } catch (inner) {
        if (joseCode(inner) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
        last = inner;
      }
    }
    throw last;
  }
}

function joseCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turn a jose (or claim-shape) failure into the AuthError the caller sees. */
function toAuthError(err: unknown, token: string, issuer: string, audience: string): Error {
  if (err instanceof AuthError || err instanceof UnavailableError) return err;
  if (err instanceof KeySourceUnavailable) {
    return new UnavailableError(
      'AUTH_KEYS_UNAVAILABLE',
      'The ledger cannot fetch the keys that verify tokens from the identity provider right now; retry in a moment.',
    );
  }
  const invalid = (message: string) => new AuthError(401, 'TOKEN_INVALID', message);
  const e = err as { claim?: unknown; reason?: unknown; payload?: JWTPayload; message?: string };
  switch (joseCode(err)) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError(
        401,
        'TOKEN_EXPIRED',
        `The token expired at ${isoOf(e.payload?.exp)}; get a new one.`,
      );
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const payload = e.payload ?? {};
      if (e.reason === 'missing' && e.claim !== 'iss' && e.claim !== 'aud') {
        return invalid(`The token has no "${String(e.claim)}" claim; tokens here need sub and exp.`);
      }
      if (e.reason === 'invalid') {
        return invalid(`The token's "${String(e.claim)}" claim is not a number of seconds since 1970.`);
      }
      if (e.claim === 'nbf') {
        return new AuthError(
          401,
          'TOKEN_NOT_YET_VALID',
          `The token is not valid before ${isoOf(payload.nbf)}; wait, or check the clocks of this server and of the token issuer.`,
        );
      }
      if (e.claim === 'iat') {
        return new AuthError(
          401,
          'TOKEN_NOT_YET_VALID',
          `The token says it was issued in the future (${isoOf(payload.iat)}); check the clocks of this server and of the token issuer.`,
        );
      }
      if (e.claim === 'iss') {
        const got = payload.iss === undefined ? 'no issuer' : `issuer ${show(payload.iss)}`;
        return new AuthError(
          401,
          'TOKEN_WRONG_ISSUER',
          `The token has ${got}; this ledger accepts tokens from ${show(issuer)} only. Get a token from that issuer.`,
        );
      }
      if (e.claim === 'aud') {
        const got =
          payload.aud === undefined
            ? 'no audience'
            : `audience ${show(Array.isArray(payload.aud) ? payload.aud.join(', ') : payload.aud)}`;
        return new AuthError(
          401,
          'TOKEN_WRONG_AUDIENCE',
          `The token has ${got}; this ledger accepts tokens for ${show(audience)} only. Ask for a token with that audience.`,
        );
      }
      return invalid(`The token's "${String(e.claim)}" claim is not acceptable here; get a new token.`);
    }
    case 'ERR_JWKS_NO_MATCHING_KEY': {
      const kid = headerOf(token)?.kid;
      return new AuthError(
        401,
        'TOKEN_UNKNOWN_KEY',
        `The token is signed with a key this ledger does not know${kid === undefined ? ' (no kid)' : ` (kid ${show(kid)})`}; get a new token from ${show(issuer)}.`,
      );
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError(
        401,
        'TOKEN_ALGORITHM_NOT_ALLOWED',
        `The token is signed with algorithm ${show(headerOf(token)?.alg)}, which this ledger refuses; it accepts ${ALLOWED_ALGORITHMS.join(', ')}.`,
      );
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalid(
        "The token's signature does not verify: it was altered or signed by another key. Get a new token.",
      );
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return invalid(
        'The bearer token is not a well-formed signed JWT (three base64url parts: header.payload.signature).',
      );
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalid(
        `The token uses something this ledger does not support (${e.message}); get a new token.`,
      );
    default:
      // jose reports claims of the wrong type ("iss" not a string…) as TypeError.
      if (err instanceof TypeError)
        return invalid(`The token is not valid: ${err.message}. Get a new token.`);
      return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Bound a token's times beyond what jose checks: an iat in the future (past the skew) means a wrong clock or a
 * forged token, and a lifetime past the maximum (exp 1e20) is a credential that can never be revoked by expiry.
 */
function checkLifetime(payload: JWTPayload, skew: number, maxLifetime: number): void {
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp } = payload;
  if (iat !== undefined && iat > now + skew) {
    throw new AuthError(
      401,
      'TOKEN_NOT_YET_VALID',
      `The token says it was issued in the future (${isoOf(iat)}); check the clocks of this server and of the token issuer.`,
    );
  }
  const from = iat ?? now;
  if (typeof exp === 'number' && exp - from > maxLifetime + skew) {
    throw new AuthError(
      401,
      'TOKEN_LIFETIME_TOO_LONG',
      `The token claims to be valid for ${Math.round((exp - from) / 3600)} hours; this ledger accepts tokens valid for at most ${Math.round(maxLifetime / 3600)} hours (TOKEN_MAX_LIFETIME_S). Get a token with a shorter lifetime.`,
    );
  }
}

/** The principal a verified payload describes; refuses claims of the wrong shape. */
function principalFrom(payload: JWTPayload, token: string): Principal {
  const invalid = (message: string) => new AuthError(401, 'TOKEN_INVALID', message);
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) {
    throw invalid('The token\'s "sub" claim must be a non-empty string of at most 256 characters.');
  }
  const roles = payload.roles;
  if (!Array.isArray(roles) || roles.length > MAX_CLAIM_ITEMS) {
    throw invalid(
      `The token has no "roles" claim (an array of roles such as ["producer"]); get a new token.`,
    );
  }
  const bad = roles.find((r) => !isRole(r));
  if (bad !== undefined) {
    throw invalid(
      `The token's "roles" claim has ${show(typeof bad === 'string' ? bad : JSON.stringify(bad))}, which is not a role here; roles are ${ROLES.join(', ')}.`,
    );
  }
  const principal = {
    sub,
    roles: Object.freeze([...new Set(roles as Role[])]) as Role[],
    sites: stringList(payload.sites, 'sites'),
    brands: stringList(payload.brands, 'brands'),
  } as Principal;
  Object.defineProperty(principal, 'token', { value: token, enumerable: false });
  return Object.freeze(principal);
}

function stringList(value: unknown, claim: string): string[] {
  if (value === undefined) return Object.freeze<string[]>([]) as string[];
  if (
    !Array.isArray(value) ||
    value.length > MAX_CLAIM_ITEMS ||
    !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 128)
  ) {
    throw new AuthError(
      401,
      'TOKEN_INVALID',
      `The token's "${claim}" claim must be an array of names such as ["CLEON"] (or ["*"] for all); get a new token.`,
    );
  }
  return Object.freeze([...new Set(value as string[])]) as string[];
}

function headerOf(token: string): { alg?: unknown; kid?: unknown } | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/** A value from the token, quoted and cut short, safe to put in a sentence. */
function show(value: unknown): string {
  const s = String(value);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function isoOf(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12)
    return '(unknown)';
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseJwksUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LedgerError('INVALID_CONFIG', `AUTH_JWKS_URL ${show(raw)} is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new LedgerError(
      'INVALID_CONFIG',
      `AUTH_JWKS_URL ${show(raw)} must be https (plain http only on localhost): whoever can change the keys can mint any token.`,
    );
  }
  return url;
}

function readJwksFile(file: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LedgerError(
      'INVALID_CONFIG',
      `AUTH_JWKS_FILE ${file} cannot be read as JSON: ${(err as Error).message}`,
    );
  }
  return checkJwks(parsed, `AUTH_JWKS_FILE ${file}`);
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** A JWKS of public signature keys only: a private or symmetric key here is a configuration mistake. */
function checkJwks(value: unknown, what: string): JSONWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new LedgerError('INVALID_CONFIG', `${what} must be a JWKS: {"keys": [ …public keys… ]}.`);
  }
  for (const key of keys as Record<string, unknown>[]) {
    if (
      key === null ||
      typeof key !== 'object' ||
      !['OKP', 'EC', 'RSA'].includes(String(key.kty)) ||
      PRIVATE_MEMBERS.some((m) => m in key)
    ) {
      throw new LedgerError(
        'INVALID_CONFIG',
        `${what} holds a key that is not a public OKP, EC or RSA key (kid ${show(key?.kid)}); publish only public keys.`,
      );
    }
  }
  return value as JSONWebKeySet;
}

/**
 * Load the dev-mode key pair from `<dataDir>/auth-dev-key.jwk`, or make it (mode 0600) the first time.
 * Two processes starting together agree on one key: the file is created exclusively.
 */
export async function loadOrCreateDevAuthKey(dataDir: string): Promise<DevAuthKey> {
  const file = join(dataDir, DEV_AUTH_KEY_FILE);
  let raw: string | undefined;
  let created = false;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (raw === undefined) {
    const { privateKey } = await generateKeyPair(DEV_ALG, { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    await mkdir(dataDir, { recursive: true });
    try {
      await writeFile(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
      raw = JSON.stringify(jwk);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      raw = await readFile(file, 'utf8');
    }
  }
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(raw) as JWK;
  } catch (err) {
    throw new LedgerError('INVALID_AUTH_KEY', `${file} is not a JSON JWK: ${(err as Error).message}`);
  }
  const publicJwk = await publicDevJwk(privateJwk, file);
  return { privateJwk, jwks: { keys: [publicJwk] }, created };
}

async function publicDevJwk(privateJwk: JWK, where: string): Promise<JWK> {
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d || !privateJwk.x) {
    throw new LedgerError(
      'INVALID_AUTH_KEY',
      `${where} must be a private Ed25519 JWK (kty OKP, crv Ed25519, with x and d); delete it to make a new one.`,
    );
  }
  const base: JWK = { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x };
  const kid = await calculateJwkThumbprint(base, 'sha256');
  return { ...base, kid, alg: DEV_ALG, use: 'sig' };
}

/**
 * Mint a token with a private Ed25519 JWK (EdDSA, kid = RFC 7638 thumbprint, typ JWT).
 * @example await mintToken(devKey.privateJwk, { sub: 'dev-producer', roles: ['producer'], sites: ['CLEON'], issuer, audience })
 */
export async function mintToken(privateJwk: JWK, claims: MintOptions): Promise<string> {
  const publicJwk = await publicDevJwk(privateJwk, 'The signing key');
  const bad = claims.roles.find((r) => !isRole(r));
  if (bad !== undefined || claims.roles.length === 0) {
    throw new LedgerError(
      'INVALID_ROLE',
      `${bad === undefined ? 'A token needs at least one role' : `"${bad}" is not a role`}; roles are ${ROLES.join(', ')}.`,
    );
  }
  const ttl = claims.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new LedgerError(
      'INVALID_TTL',
      `The token lifetime must be a positive number of seconds, not ${ttl}.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(privateJwk, DEV_ALG);
  return new SignJWT({
    roles: claims.roles,
    sites: claims.sites,
    ...(claims.brands !== undefined ? { brands: claims.brands } : {}),
  })
    .setProtectedHeader({ alg: DEV_ALG, kid: publicJwk.kid as string, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(key);
}

/**
 * The verifier the configuration describes: AUTH_JWKS_URL or AUTH_JWKS_FILE, or dev mode (neither set) with
 * a local key under DATA_DIR. In dev mode the caller must warn loudly at start-up.
 */
export async function createAuthFromConfig(config: Config): Promise<AuthSetup> {
  const issuer = config.AUTH_ISSUER ?? 'motor-ledger-dev';
  const audience = config.AUTH_AUDIENCE ?? 'motor-ledger';
  if (config.AUTH_JWKS_URL !== undefined && config.AUTH_JWKS_FILE !== undefined) {
    throw new LedgerError('INVALID_CONFIG', 'Set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both.');
  }
  if (config.AUTH_JWKS_URL !== undefined || config.AUTH_JWKS_FILE !== undefined) {
    return {
      verifier: createTokenVerifier({
        jwksUrl: config.AUTH_JWKS_URL,
        jwksFile: config.AUTH_JWKS_FILE,
        issuer,
        audience,
        clockSkewSeconds: config.TOKEN_CLOCK_SKEW_S,
        maxLifetimeSeconds: config.TOKEN_MAX_LIFETIME_S,
      }),
      devMode: false,
      devKeyCreated: false,
    };
  }
  const dev = await loadOrCreateDevAuthKey(config.DATA_DIR ?? './.motor-ledger');
  return {
    verifier: createTokenVerifier({
      jwks: dev.jwks,
      issuer,
      audience,
      clockSkewSeconds: config.TOKEN_CLOCK_SKEW_S,
      maxLifetimeSeconds: config.TOKEN_MAX_LIFETIME_S,
    }),
    devMode: true,
    devKeyCreated: dev.created,
    devKid: dev.jwks.keys[0]?.kid,
    mint: (claims) => mintToken(dev.privateJwk, { ...claims, issuer, audience }),
  };
}
