// Bearer authentication end to end: a small Fastify app with the auth hook, the problem+json error handler and
// one write route over a real ledger. Every refusal must carry its stable code (and WWW-Authenticate on 401)
// and must not write anything; the happy path writes exactly one entry whose actor comes from the token.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  base64url,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorize, type Principal, type Role, resolveSite } from '../../src/auth/principal.js';
import {
  createAuthFromConfig,
  createTokenVerifier,
  type DevAuthKey,
  loadOrCreateDevAuthKey,
  mintToken,
  type TokenVerifier,
} from '../../src/auth/tokens.js';
import { registerTokenCommand } from '../../src/cli/token.js';
import { loadConfig } from '../../src/config.js';
import { AuthError, ValidationError } from '../../src/core/errors.js';
import { registerAuth } from '../../src/http/auth.js';
import { toProblem } from '../../src/http/problem.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { logSize } from '../../src/ledger/reader.js';
import { rawCommand } from '../../src/ledger/sequencer.js';
import { scopeOf, seesBrand } from '../../src/query/scope.js';
import { aMotorEvent, serial } from '../support/builders.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ISS = 'motor-ledger-dev';
const AUD = 'motor-ledger';
const now = () => Math.floor(Date.now() / 1000);

let tdb: TestDatabase;
let ledger: Ledger<undefined>;
let app: FastifyInstance;
let dir: string;
let dev: DevAuthKey;
let devKey: CryptoKey;
let devKid: string;
let otherKey: CryptoKey;
let verifier: TokenVerifier;
let n = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ledger = await openLedger({ config: tdb.config, handle: tdb.handle, ownsHandle: false, migrate: false });
  dir = mkdtempSync(join(tmpdir(), 'ml-auth-'));
  dev = await loadOrCreateDevAuthKey(join(dir, 'server'));
  devKey = (await importJWK(dev.privateJwk, 'EdDSA')) as CryptoKey;
  devKid = dev.jwks.keys[0]?.kid as string;
  otherKey = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
  verifier = createTokenVerifier({ jwks: dev.jwks, issuer: ISS, audience: AUD });

  app = Fastify();
  app.setErrorHandler((err, request, reply) => {
    const problem = toProblem(err, request.url);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });
  registerAuth(app, verifier);
  app.get('/public', async () => ({ ok: true }));
  app.post('/probe', async (request, reply) => {
    const actor = authorize(request.principal, { roles: ['producer'], site: 'CLEON' });
    const r = await ledger.sequencer.append(
      rawCommand({
        ...aMotorEvent().forSerial(serial(++n)).build(),
        actor,
      }),
    );
    return reply.status(201).send({ seq: r.seq, actor: r.envelope?.actor });
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await ledger?.close();
  await tdb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A producer's claims for CLEON, valid for 10 minutes. */
const claims = (over: JWTPayload = {}): JWTPayload => ({
  sub: 'badge-4711',
  roles: ['producer'],
  sites: ['CLEON'],
  iss: ISS,
  aud: AUD,
  iat: now(),
  exp: now() + 600,
  ...over,
});

const sign = (
  payload: JWTPayload,
  { key = devKey, header = {} }: { key?: CryptoKey | Uint8Array; header?: Record<string, unknown> } = {},
) => new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: devKid, typ: 'JWT', ...header }).sign(key);

const b64 = (value: unknown) => base64url.encode(JSON.stringify(value));

const post = (authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/probe',
    headers: authorization === undefined ? {} : { authorization },
  });

const INVALID_TOKEN = (code: string) =>
  new RegExp(`^Bearer realm="motor-ledger", error="invalid_token", error_description="${code}: .+"$`);
const INVALID_REQUEST =
  /^Bearer realm="motor-ledger", error="invalid_request", error_description="TOKEN_MISSING: .+"$/;

describe('POST /probe refuses, writes nothing, and says why', () => {
  const cases: [string, () => Promise<string | undefined>, number, string, RegExp | undefined][] = [
    ['no Authorization header', async () => undefined, 401, 'TOKEN_MISSING', /^Bearer realm="motor-ledger"$/],
    ['a Basic header', async () => 'Basic YWxpY2U6c2VjcmV0', 401, 'TOKEN_MISSING', INVALID_REQUEST],
    ['"Bearer" with nothing after it', async () => 'Bearer', 401, 'TOKEN_MISSING', INVALID_REQUEST],
    ['"Bearer" with two tokens', async () => 'Bearer a.b.c d.e.f', 401, 'TOKEN_MISSING', INVALID_REQUEST],
    ['a bearer value that is not a JWT', async () => 'Bearer not-a-jwt', 401, 'TOKEN_INVALID', undefined],
    [
      'an expired token',
      () => sign(claims({ iat: now() - 7200, exp: now() - 3600 })),
      401,
      'TOKEN_EXPIRED',
      undefined,
    ],
    [
      'a token not valid yet (nbf)',
      () => sign(claims({ nbf: now() + 3600 })),
      401,
      'TOKEN_NOT_YET_VALID',
      undefined,
    ],
    [
      'a token from another issuer',
      () => sign(claims({ iss: 'https://evil.example' })),
      401,
      'TOKEN_WRONG_ISSUER',
      undefined,
    ],
    ['a token without issuer', () => sign(claims({ iss: undefined })), 401, 'TOKEN_WRONG_ISSUER', undefined],
    [
      'a token for another audience',
      () => sign(claims({ aud: 'payroll' })),
      401,
      'TOKEN_WRONG_AUDIENCE',
      undefined,
    ],
    ['a token without exp', () => sign(claims({ exp: undefined })), 401, 'TOKEN_INVALID', undefined],
    [
      'a token issued in the future (iat beyond the clock skew)',
      () => sign(claims({ iat: now() + 3600, exp: now() + 7200 })),
      401,
      'TOKEN_NOT_YET_VALID',
      undefined,
    ],
    [
      'a token that claims to live forever (exp 1e20)',
      () => sign(claims({ exp: 1e20 })),
      401,
      'TOKEN_LIFETIME_TOO_LONG',
      undefined,
    ],
    [
      'a token without iat valid for a year',
      () => sign(claims({ iat: undefined, exp: now() + 365 * 86400 })),
      401,
      'TOKEN_LIFETIME_TOO_LONG',
      undefined,
    ],
    [
      'a token signed by an unknown key with another kid',
      () => sign(claims(), { key: otherKey, header: { kid: 'someone-else' } }),
      401,
      'TOKEN_UNKNOWN_KEY',
      undefined,
    ],
    [
      'a token signed by an unknown key with our kid',
      () => sign(claims(), { key: otherKey }),
      401,
      'TOKEN_INVALID',
      undefined,
    ],
    [
      'a token signed by an unknown key without kid',
      () => sign(claims(), { key: otherKey, header: { kid: undefined } }),
      401,
      'TOKEN_INVALID',
      undefined,
    ],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [h, , s] = (await sign(claims())).split('.');
        return `${h}.${b64(claims({ roles: ['producer', 'admin'], sites: ['*'] }))}.${s}`;
      },
      401,
      'TOKEN_INVALID',
      undefined,
    ],
    [
      'an unsigned token (alg none)',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
      401,
      'TOKEN_ALGORITHM_NOT_ALLOWED',
      undefined,
    ],
    [
      'an HS256 token keyed with the public JWK (alg confusion)',
      () =>
        sign(claims(), {
          key: new TextEncoder().encode(JSON.stringify(dev.jwks.keys[0])),
          header: { alg: 'HS256' },
        }),
      401,
      'TOKEN_ALGORITHM_NOT_ALLOWED',
      undefined,
    ],
    [
      'an HS256 token keyed with the public key PEM (alg confusion)',
      async () => {
        const pub = await importJWK(dev.jwks.keys[0] as JWK, 'EdDSA', { extractable: true });
        const pem = await exportSPKI(pub as CryptoKey);
        return sign(claims(), { key: new TextEncoder().encode(pem), header: { alg: 'HS256' } });
      },
      401,
      'TOKEN_ALGORITHM_NOT_ALLOWED',
      undefined,
    ],
    [
      'a token with a role that does not exist',
      () => sign(claims({ roles: ['producer', 'superuser'] })),
      401,
      'TOKEN_INVALID',
      undefined,
    ],
    ['a token without roles', () => sign(claims({ roles: undefined })), 401, 'TOKEN_INVALID', undefined],
    [
      'a token whose sites is a string',
      () => sign(claims({ sites: 'CLEON' })),
      401,
      'TOKEN_INVALID',
      undefined,
    ],
    [
      'an intake token on a producer route',
      () => sign(claims({ roles: ['intake'] })),
      403,
      'ROLE_REQUIRED',
      undefined,
    ],
    [
      'an admin token on a producer route',
      () => sign(claims({ roles: ['admin'] })),
      403,
      'ROLE_REQUIRED',
      undefined,
    ],
    [
      'a producer token for DIEPPE only',
      () => sign(claims({ sites: ['DIEPPE'] })),
      403,
      'SITE_NOT_ALLOWED',
      undefined,
    ],
    ['a producer token with no site', () => sign(claims({ sites: [] })), 403, 'SITE_NOT_ALLOWED', undefined],
  ];

  it.each(cases)('%s → %i %s', async (_name, make, status, code, challenge) => {
    const made = await make();
    const authorization = made === undefined || /^(Basic|Bearer)\b/.test(made) ? made : `Bearer ${made}`;
    const before = await logSize(tdb.handle.db);
    const res = await post(authorization);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, code });
    expect(body.detail).toMatch(/^[A-Z].{20,}[.)]$/);
    if (status === 401) {
      expect(res.headers['www-authenticate']).toMatch(challenge ?? INVALID_TOKEN(code));
    } else {
      expect(res.headers['www-authenticate']).toBeUndefined();
    }
    expect(await logSize(tdb.handle.db)).toBe(before);
  });

  it('names the expiry time and the refused role in its sentences', async () => {
    const exp = Date.parse('2026-01-05T10:00:00Z') / 1000;
    const expired = await post(`Bearer ${await sign(claims({ iat: exp - 60, exp }))}`);
    expect(expired.json().detail).toBe('The token expired at 2026-01-05T10:00:00Z; get a new one.');
    const intake = await post(`Bearer ${await sign(claims({ roles: ['intake'] }))}`);
    expect(intake.json().detail).toBe('This needs one of the roles producer; your token has intake.');
  });

  it('refuses a bad token even on a route that needs none, and lets a request without one through', async () => {
    expect((await app.inject('/public')).statusCode).toBe(200);
    const bad = await app.inject({ url: '/public', headers: { authorization: 'Bearer x.y.z' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(bad.headers['www-authenticate']).toMatch(INVALID_TOKEN('TOKEN_INVALID'));
  });
});

describe('POST /probe with a valid producer token for CLEON', () => {
  it('appends one entry whose actor is the token’s sub, the route’s role and site', async () => {
    const before = await logSize(tdb.handle.db);
    const token = await sign(claims({ sites: ['CLEON', 'DIEPPE'], roles: ['auditor', 'producer'] }));
    const res = await post(`bearer  ${token}`); // scheme is case-insensitive; spaces are tolerated
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      seq: before,
      actor: { sub: 'badge-4711', role: 'producer', site: 'CLEON' },
    });
    expect(await logSize(tdb.handle.db)).toBe(before + 1);
  });

  it('accepts a token minted with the dev key', async () => {
    const before = await logSize(tdb.handle.db);
    const token = await mintToken(dev.privateJwk, {
      sub: 'dev-producer',
      roles: ['producer'],
      sites: ['*'],
      issuer: ISS,
      audience: AUD,
    });
    const res = await post(`Bearer ${token}`);
    expect(res.statusCode).toBe(201);
    expect(res.json().actor).toEqual({ sub: 'dev-producer', role: 'producer', site: 'CLEON' });
    expect(await logSize(tdb.handle.db)).toBe(before + 1);
  });
});

describe('verification cache', () => {
  it('returns the same principal for the same token, and refuses it once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T08:00:00Z'));
    const v = createTokenVerifier({ jwks: dev.jwks, issuer: ISS, audience: AUD });
    const token = await mintToken(dev.privateJwk, {
      sub: 'scanner-12',
      roles: ['intake'],
      sites: ['DIEPPE'],
      ttlSeconds: 2,
      issuer: ISS,
      audience: AUD,
    });
    const first = await v.verify(token);
    expect(first).toEqual({ sub: 'scanner-12', roles: ['intake'], sites: ['DIEPPE'], brands: [] });
    expect(first.token).toBe(token);
    expect(JSON.stringify(first)).not.toContain(token); // the token is never serialized or logged
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    expect(await v.verify(token)).toBe(first);
    const burst = await Promise.all(Array.from({ length: 5 }, () => v.verify(`${token}`)));
    for (const p of burst) expect(p).toBe(first);

    vi.setSystemTime(new Date('2026-11-23T08:00:01.900Z'));
    expect(await v.verify(token)).toBe(first);
    vi.setSystemTime(new Date('2026-11-23T08:00:02Z'));
    await expect(v.verify(token)).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    await expect(v.verify(token)).rejects.toThrow(
      'The token expired at 2026-11-23T08:00:02Z; get a new one.',
    );
  });

  it('verifies again after 60 seconds, and shares concurrent first verifications', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T08:00:00Z'));
    const v = createTokenVerifier({ jwks: dev.jwks, issuer: ISS, audience: AUD });
    const token = await sign(claims());
    const [a, b] = await Promise.all([v.verify(token), v.verify(token)]);
    expect(b).toBe(a);
    vi.setSystemTime(new Date('2026-11-23T08:01:00Z'));
    const again = await v.verify(token);
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });

  it('never caches a refusal', async () => {
    const v = createTokenVerifier({ jwks: dev.jwks, issuer: ISS, audience: AUD });
    const token = await sign(claims({ nbf: now() + 3600 }));
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'TOKEN_NOT_YET_VALID' });
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'TOKEN_NOT_YET_VALID' });
  });

  it('keeps at most cacheMaxEntries verifications', async () => {
    const v = createTokenVerifier({ jwks: dev.jwks, issuer: ISS, audience: AUD, cacheMaxEntries: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => sign(claims({ sub: `badge-${i}` }))));
    const [p1, p2, p3] = [await v.verify(tokens[0]!), await v.verify(tokens[1]!), await v.verify(tokens[2]!)];
    expect(await v.verify(tokens[2]!)).toBe(p3);
    expect(await v.verify(tokens[1]!)).toBe(p2);
    expect(await v.verify(tokens[0]!)).not.toBe(p1); // the oldest was dropped
  });
});

describe('key sources', () => {
  it('creates the dev key once (mode 0600) and reuses it', async () => {
    const d = join(dir, 'dev-once');
    const a = await loadOrCreateDevAuthKey(d);
    const b = await loadOrCreateDevAuthKey(d);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.jwks.keys[0]?.kid).toBe(a.jwks.keys[0]?.kid);
    expect(a.jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(a.jwks.keys[0]).not.toHaveProperty('d');
    expect(statSync(join(d, 'auth-dev-key.jwk')).mode & 0o777).toBe(0o600);

    const auth = await createAuthFromConfig(loadConfig({ DATA_DIR: d }));
    expect(auth).toMatchObject({ devMode: true, devKeyCreated: false, devKid: a.jwks.keys[0]?.kid });
    const token = await auth.mint!({
      sub: 'dev-quality',
      roles: ['quality'],
      sites: ['CLEON'],
      brands: ['Alpine'],
    });
    expect(await auth.verifier.verify(token)).toEqual({
      sub: 'dev-quality',
      roles: ['quality'],
      sites: ['CLEON'],
      brands: ['Alpine'],
    });
    // A server with another dev key (another DATA_DIR) does not know this one.
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
  });

  it('verifies with a JWKS file (ES256) and refuses a file holding a private key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const file = join(dir, 'jwks.json');
    writeFileSync(
      file,
      JSON.stringify({
        keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-2026', alg: 'ES256', use: 'sig' }],
      }),
    );
    const auth = await createAuthFromConfig(
      loadConfig({ AUTH_JWKS_FILE: file, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'motor-ledger' }),
    );
    expect(auth).toMatchObject({ devMode: false, devKeyCreated: false });
    expect(auth.mint).toBeUndefined();
    const token = await new SignJWT(
      claims({ iss: 'https://idp.example', roles: ['logistics'], sites: ['*'] }),
    )
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-2026' })
      .sign(privateKey);
    expect(await auth.verifier.verify(token)).toMatchObject({ roles: ['logistics'], sites: ['*'] });

    const bad = join(dir, 'private-jwks.json');
    writeFileSync(bad, JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    await expect(createAuthFromConfig(loadConfig({ AUTH_JWKS_FILE: bad }))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });

  it('verifies with a JWKS URL (RS256), fetched once, and answers 503 when it cannot be fetched', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }] };
    let fetches = 0;
    const server: Server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/jwks') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    try {
      const auth = await createAuthFromConfig(loadConfig({ AUTH_JWKS_URL: url }));
      expect(auth.devMode).toBe(false);
      const sign256 = (kid: string, sub: string) =>
        new SignJWT(claims({ sub })).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
      expect(await auth.verifier.verify(await sign256('rsa-1', 'a'))).toMatchObject({ sub: 'a' });
      expect(await auth.verifier.verify(await sign256('rsa-1', 'b'))).toMatchObject({ sub: 'b' });
      expect(fetches).toBe(1);
      await expect(auth.verifier.verify(await sign256('rsa-2', 'c'))).rejects.toMatchObject({
        code: 'TOKEN_UNKNOWN_KEY',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const down = createTokenVerifier({ jwksUrl: url, issuer: ISS, audience: AUD });
    await expect(down.verify(await sign(claims()))).rejects.toMatchObject({ code: 'AUTH_KEYS_UNAVAILABLE' });
  });

  it('refuses a plain-http JWKS URL off localhost, and both sources at once', async () => {
    expect(() =>
      createTokenVerifier({ jwksUrl: 'http://idp.example/jwks', issuer: ISS, audience: AUD }),
    ).toThrow(/must be https/);
    await expect(
      createAuthFromConfig(
        loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_JWKS_FILE: 'x.json' }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe('motor-ledger token', () => {
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerTokenCommand(program);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['token', ...args], { from: 'user' });
      return {
        stdout: out.mock.calls.map((c) => String(c[0])).join(''),
        stderr: err.mock.calls.map((c) => String(c[0])).join(''),
      };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };
  const devEnv = (d: string) => {
    vi.stubEnv('DATA_DIR', d);
    for (const name of ['AUTH_JWKS_URL', 'AUTH_JWKS_FILE', 'AUTH_ISSUER', 'AUTH_AUDIENCE'])
      vi.stubEnv(name, '');
  };

  it('prints a token alone on stdout that the dev-mode server accepts', async () => {
    const d = join(dir, 'cli');
    devEnv(d);
    const { stdout, stderr } = await run(
      '--role',
      'producer',
      '--site',
      'CLEON',
      'DIEPPE',
      '--brand',
      'Alpine',
    );
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(stderr).toMatch(/^motor-ledger: DEV TOKEN .+\n$/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    const auth = await createAuthFromConfig(loadConfig({ DATA_DIR: d }));
    const principal = await auth.verifier.verify(stdout.trim());
    expect(principal).toEqual({
      sub: 'dev-producer',
      roles: ['producer'],
      sites: ['CLEON', 'DIEPPE'],
      brands: ['Alpine'],
    });

    const second = await run('--role', 'intake', '--sub', 'scanner-7', '--ttl', '60');
    const p2 = await auth.verifier.verify(second.stdout.trim());
    expect(p2).toEqual({ sub: 'scanner-7', roles: ['intake'], sites: [], brands: ['*'] }); // a dev token sees every brand unless --brand says otherwise
  });

  it('refuses with exit code 2 when tokens come from an identity provider', async () => {
    devEnv(join(dir, 'cli'));
    vi.stubEnv('AUTH_JWKS_URL', 'https://idp.example/jwks');
    const err = await run('--role', 'producer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect(err).toMatchObject({ exitCode: 2, code: 'motor-ledger.notDevMode' });
    expect((err as Error).message).toMatch(/identity provider/);
  });

  it('refuses an unknown role (exit 2) and a missing --role', async () => {
    devEnv(join(dir, 'cli'));
    await expect(run('--role', 'boss')).rejects.toMatchObject({
      exitCode: 2,
      code: 'motor-ledger.invalidRole',
    });
    await expect(run('--site', 'CLEON')).rejects.toMatchObject({
      code: 'commander.missingMandatoryOptionValue',
    });
    await expect(run('--role', 'producer', '--ttl', '0')).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });

  it('refuses to mint a token the server would refuse as too long-lived (exit 2)', async () => {
    devEnv(join(dir, 'cli'));
    await expect(run('--role', 'producer', '--ttl', String(7 * 86400))).rejects.toMatchObject({
      exitCode: 2,
      code: 'motor-ledger.ttlTooLong',
    });
  });
});

describe('authorize, resolveSite, and the brands a token sees', () => {
  const who = (roles: Role[], sites: string[], brands: string[] = []): Principal => ({
    sub: 'u1',
    roles,
    sites,
    brands,
    token: 't',
  });

  it('returns the first of the rule’s roles the caller has, and the site', () => {
    const p = who(['producer', 'quality'], ['CLEON']);
    expect(authorize(p, { roles: ['quality', 'producer'] })).toEqual({
      sub: 'u1',
      role: 'quality',
      site: 'CLEON',
    });
    expect(authorize(who(['quality'], ['*']), { roles: ['quality'] }).site).toBe('ANY');
    expect(authorize(who(['quality'], ['CLEON', 'DIEPPE']), { roles: ['quality'] }).site).toBe('ANY');
    expect(authorize(who(['quality'], ['*']), { roles: ['quality'], site: 'DIEPPE' }).site).toBe('DIEPPE');
    expect(() => authorize(undefined, { roles: ['auditor'] })).toThrow(
      expect.objectContaining({ status: 401, code: 'TOKEN_MISSING' }),
    );
    expect(() => authorize(who(['admin'], ['*']), { roles: ['auditor'] })).toThrow(
      expect.objectContaining({ status: 403, code: 'ROLE_REQUIRED' }),
    );
  });

  it('resolves the site from the request or the token', () => {
    expect(resolveSite(who(['intake'], ['DIEPPE']))).toBe('DIEPPE');
    expect(resolveSite(who(['intake'], ['DIEPPE']), 'DIEPPE')).toBe('DIEPPE');
    expect(resolveSite(who(['intake'], ['*']), 'CLEON')).toBe('CLEON');
    expect(() => resolveSite(who(['intake'], ['DIEPPE']), 'CLEON')).toThrow(
      expect.objectContaining({ status: 403, code: 'SITE_NOT_ALLOWED' }),
    );
    const several = (() => {
      try {
        resolveSite(who(['intake'], ['CLEON', 'DIEPPE']));
      } catch (e) {
        return e;
      }
    })();
    expect(several).toBeInstanceOf(ValidationError);
    expect(several).toMatchObject({ code: 'SITE_REQUIRED' });
    expect(() => resolveSite(who(['intake'], ['*']))).toThrow(ValidationError);
    expect(() => resolveSite(who(['intake'], []))).toThrow(AuthError);
    expect(() => resolveSite(undefined, 'CLEON')).toThrow(expect.objectContaining({ code: 'TOKEN_MISSING' }));
  });

  it('sees a brand only when the token names it or *', () => {
    expect(seesBrand(scopeOf(who(['auditor'], [], ['Alpine'])), 'Alpine')).toBe(true);
    expect(seesBrand(scopeOf(who(['auditor'], [], ['Alpine'])), 'Renault')).toBe(false);
    expect(seesBrand(scopeOf(who(['auditor'], [], ['*'])), 'Renault')).toBe(true);
    expect(seesBrand(scopeOf(who(['auditor'], [])), 'Alpine')).toBe(false);
  });
});
