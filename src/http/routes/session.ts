// What a browser needs before its first API call: how to sign in (dev mode or an OIDC provider), the catalog
// (sites, motor types, models and their slots) and who the token says the caller is. In dev mode, and only
// then, the server mints a token for the role and sites a person picks on the login page: the same thing
// `motor-ledger token` does with the key under DATA_DIR, so it grants nothing the machine's user could not
// already take. With an identity provider configured, POST /v1/dev/tokens does not exist (404).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ALL, isRole, ROLES } from '../../auth/principal.js';
import type { TokenClaims } from '../../auth/tokens.js';
import type { Config } from '../../config.js';
import type { Catalog } from '../../core/domain/catalog.js';
import { AuthError, ValidationError } from '../../core/errors.js';
import { scopeOf, seesBrand } from '../../query/scope.js';
import { problemResponses } from '../schemas.js';

export interface SessionRouteOptions {
  catalog: Catalog;
  config: Config;
  /** Mint a dev token (dev mode only); absent when tokens come from an identity provider. */
  mintDevToken?: ((claims: TokenClaims) => Promise<string>) | undefined;
}

/** Lifetime of a token minted for the login page: one shift. */
const DEV_LOGIN_TTL_SECONDS = 8 * 3600;

const Oidc = Type.Object({
  issuer: Type.String({ description: 'The provider: its /.well-known/openid-configuration is read.' }),
  clientId: Type.String(),
  scope: Type.String(),
});

const SessionConfig = Type.Object({
  mode: Type.Union([Type.Literal('dev'), Type.Literal('oidc'), Type.Literal('token')], {
    description:
      'dev: the login page mints a token (dev mode); oidc: sign in at the provider (authorization code + PKCE); token: paste a bearer token.',
  }),
  roles: Type.Array(Type.String()),
  sites: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  oidc: Type.Optional(Oidc),
});

const CatalogAnswer = Type.Object({
  sites: Type.Record(
    Type.String(),
    Type.Object({ name: Type.String(), capabilities: Type.Array(Type.String()) }),
  ),
  motorTypes: Type.Record(Type.String(), Type.Object({ name: Type.String() })),
  models: Type.Record(
    Type.String(),
    Type.Object({
      brand: Type.String(),
      name: Type.String(),
      slots: Type.Record(Type.String(), Type.String()),
    }),
  ),
});

const DevTokenBody = Type.Object(
  {
    role: Type.String({ description: `One of ${ROLES.join(', ')}.` }),
    sites: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 16 }),
    sub: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' })),
  },
  { additionalProperties: false, examples: [{ role: 'intake', sites: ['DIEPPE'], sub: 'dock-op-117' }] },
);

/** Loopback addresses: the machine the dev server runs on. */
const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');

export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteOptions> = async (
  app,
  { catalog, config, mintDevToken },
) => {
  const oidc =
    config.OIDC_ISSUER !== undefined && config.OIDC_CLIENT_ID !== undefined
      ? { issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPE ?? 'openid' }
      : undefined;
  const mode: 'dev' | 'oidc' | 'token' =
    mintDevToken !== undefined ? 'dev' : oidc !== undefined ? 'oidc' : 'token';

  app.get(
    '/v1/session/config',
    {
      schema: {
        tags: ['ops'],
        operationId: 'getSessionConfig',
        summary: 'How the screens sign in: dev mode, an OIDC provider, or a pasted token',
        security: [],
        response: { 200: SessionConfig, ...problemResponses(401) },
      },
    },
    async () => ({
      mode,
      // A partner's system speaks EPCIS to the API; no screen is made for it.
      roles: ROLES.filter((r) => r !== 'partner'),
      sites: Object.entries(catalog.sites).map(([code, s]) => ({ code, name: s.name })),
      ...(oidc === undefined ? {} : { oidc }),
    }),
  );

  app.get(
    '/v1/catalog',
    {
      schema: {
        tags: ['ops'],
        operationId: 'getCatalog',
        summary: "The plant's catalog: sites, motor types, vehicle models and their motor slots",
        response: { 200: CatalogAnswer, ...problemResponses(401) },
      },
    },
    async (request) => {
      if (request.principal === undefined) {
        throw new AuthError(401, 'TOKEN_MISSING', 'Send a bearer token: Authorization: Bearer <token>.');
      }
      // A brand-limited reader sees only its brands' models (the others' names are not theirs to know).
      const scope = scopeOf(request.principal);
      const models = Object.fromEntries(
        Object.entries(catalog.models).filter(([, m]) => seesBrand(scope, m.brand)),
      );
      return { ...catalog, models };
    },
  );

  if (mintDevToken === undefined) return;
  app.post(
    '/v1/dev/tokens',
    {
      schema: {
        tags: ['ops'],
        operationId: 'mintDevToken',
        summary: 'Dev mode only: mint a bearer token for a role and sites (what `motor-ledger token` does)',
        security: [],
        body: DevTokenBody,
        response: {
          201: Type.Object({ token: Type.String(), expiresIn: Type.Integer() }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      // Minting needs no key on this route, so it answers only the machine the server runs on: a dev server
      // listening on the network must not hand an admin token to every device that reaches it.
      // A request relayed by a proxy on this machine comes from loopback too: the forwarding headers give it away.
      const relayed = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some(
        (h) => request.headers[h] !== undefined,
      );
      if (relayed || !isLoopback(request.socket.remoteAddress ?? '')) {
        throw new AuthError(
          403,
          'DEV_LOGIN_LOCAL_ONLY',
          'Dev sign-in works only from the machine the server runs on. On another device, paste a token made there with "motor-ledger token --role … --site …".',
        );
      }
      const { role, sites, sub } = request.body;
      if (!isRole(role)) {
        throw new ValidationError('INVALID_ROLE', `"${role}" is not a role; roles are ${ROLES.join(', ')}.`);
      }
      const unknown = sites.find((s) => s !== ALL && catalog.sites[s] === undefined);
      if (unknown !== undefined) {
        throw new ValidationError(
          'UNKNOWN_SITE',
          `"${unknown}" is not a site of the catalog; sites are ${Object.keys(catalog.sites).join(', ')} (or * for all).`,
        );
      }
      const token = await mintDevToken({
        sub: sub ?? `dev-${role}`,
        roles: [role],
        sites,
        brands: [ALL],
        ttlSeconds: DEV_LOGIN_TTL_SECONDS,
      });
      return reply.status(201).send({ token, expiresIn: DEV_LOGIN_TTL_SECONDS });
    },
  );
};
