// Bearer authentication for the HTTP API. An `onRequest` hook on the root instance reads
// `Authorization: Bearer <token>`, verifies it eagerly (cheap: the verifier caches) and sets request.principal.
// A request without Authorization gets no principal, and each route decides with authorize(); a request with
// a malformed header or a bad token is refused with 401 even on a public route: a client that sends a token
// wants to know it is bad.
//
// WWW-Authenticate (RFC 6750 §3): an `onSend` hook adds it to every 401, whether the 401 came from this hook
// or from authorize() in a route, so the app's error handler needs no change. The hook remembers why it
// refused: a bad token gets `Bearer realm="…", error="invalid_token", error_description="…"`, a malformed
// header `error="invalid_request"`, and a request with no token at all just `Bearer realm="…"` (RFC 6750 says
// no error code when no credentials were sent).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { AuthError, type LedgerError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when the request carried a valid bearer token. */
    principal?: Principal;
  }
}

export interface AuthOptions {
  /** Realm named in WWW-Authenticate; default 'motor-ledger'. */
  realm?: string;
}

// RFC 6750 b64token, after the scheme and at least one space.
const BEARER_RE = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const challenges = new WeakMap<FastifyRequest, string>();

/**
 * Add bearer authentication to the app: call it on the root instance before registering routes.
 * @example registerAuth(app, (await createAuthFromConfig(config)).verifier);
 */
export function registerAuth(app: FastifyInstance, verifier: TokenVerifier, options: AuthOptions = {}): void {
  const realm = quoted(options.realm ?? 'motor-ledger');
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = BEARER_RE.exec(header);
    if (!match?.[1]) {
      const err = new AuthError(
        401,
        'TOKEN_MISSING',
        'The Authorization header must be "Bearer <token>": the word Bearer, a space, then the token.',
      );
      challenges.set(request, challenge(realm, 'invalid_request', err));
      throw err;
    }
    try {
      request.principal = await verifier.verify(match[1]);
    } catch (err) {
      if (err instanceof AuthError && err.status === 401) {
        challenges.set(request, challenge(realm, 'invalid_token', err));
      }
      throw err;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      reply.header('WWW-Authenticate', challenges.get(request) ?? `Bearer realm=${realm}`);
    }
    return payload;
  });
}

/** The WWW-Authenticate value for an error (RFC 6750 §3), for callers that answer 401 outside this hook. */
export function bearerChallenge(err: LedgerError, realm = 'motor-ledger'): string {
  if (err.code === 'TOKEN_MISSING') return `Bearer realm=${quoted(realm)}`;
  return challenge(quoted(realm), 'invalid_token', err);
}

function challenge(realm: string, error: string, err: LedgerError): string {
  return `Bearer realm=${realm}, error="${error}", error_description=${quoted(`${err.code}: ${err.message}`)}`;
}

/** RFC 6750 allows only printable ASCII except " and \ in these values. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, (c) => (c === '"' ? "'" : ' ')).slice(0, 300)}"`;
}
