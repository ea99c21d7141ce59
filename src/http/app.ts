// The Fastify application, built apart from listen() so tests drive it with inject(). One error handler for
// the whole app turns every failure into problem+json; OpenAPI 3 is served at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { TokenClaims, TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Catalog } from '../core/domain/catalog.js';
import type { DomainState } from '../core/domain/state.js';
import { UnavailableError } from '../core/errors.js';
import { databaseUnavailable } from '../db/unavailable.js';
import type { Ledger } from '../ledger/ledger.js';
import { registerAuth } from './auth.js';
import { buildValidator, exactJsonParser } from './input.js';
import { noteRefusal, observe, requestIdOf } from './observe.js';
import { finishOpenApi } from './openapi.js';
import { answerClientError, sendProblem, toProblem } from './problem.js';
import { analysisRoutes } from './routes/analysis.js';
import { epcisRoutes } from './routes/epcis.js';
import { epcisCaptureRoutes } from './routes/epcis-capture.js';
import { intakeRoutes } from './routes/intake.js';
import { ledgerRoutes } from './routes/ledger.js';
import { motorRoutes } from './routes/motors.js';
import { opsRoutes } from './routes/ops.js';
import { qualityRoutes } from './routes/quality.js';
import { sessionRoutes } from './routes/session.js';
import { shipmentRoutes } from './routes/shipments.js';
import { vehicleRoutes } from './routes/vehicles.js';
import { findWebRoot, registerWeb } from './web.js';

export interface AppOptions {
  ledger: Ledger<DomainState>;
  catalog: Catalog;
  config: Config;
  verifier: TokenVerifier;
  /** Fastify's logger (pino): off by default; the server logs JSON at LOG_LEVEL, a test may give a stream. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Dev mode: mint a token for the login page (POST /v1/dev/tokens). Absent with an identity provider. */
  mintDevToken?: ((claims: TokenClaims) => Promise<string>) | undefined;
  /** Directory of the built screens; default: found beside the server (dist/web). null: no screens. */
  webRoot?: string | null;
}

/** Build the HTTP application over an open ledger. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Bodies are validated exactly as sent; path and query text is converted safely (src/http/input.ts).
    schemaController: { compilersFactory: { buildValidator } },
    // Every answer is problem+json, Fastify's own included: a bad URL, a too-long parameter, a bad or too large
    // header block, and the 503 while the server closes (sent by the onRequest hook below).
    frameworkErrors: (err, request, reply) => sendProblem(reply, err, request.url),
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
    // One log line per request, written by observe.ts with its outcome; the request id is the caller's
    // x-request-id when it sends a sane one, and is echoed back.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: 10 * 1024 * 1024,
    // A client that trickles its headers or body is cut off (408) instead of holding a connection forever.
    requestTimeout: options.config.REQUEST_TIMEOUT_MS,
    http: { connectionsCheckingInterval: Math.min(5000, Math.ceil(options.config.REQUEST_TIMEOUT_MS / 4)) },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((err, request, reply) => {
    const problem = toProblem(databaseUnavailable(err), request.url);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    else noteRefusal(request, problem.code);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    noteRefusal(request, 'ROUTE_NOT_FOUND');
    void reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'https://motor-ledger.dev/problems/route-not-found',
        title: 'Not found',
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        detail: `There is no ${request.method} ${request.url.split('?')[0]}; see /docs for the API.`,
        instance: request.url,
      });
  });
  // While the server closes, a request on a kept-alive connection gets 503 problem+json (Fastify's own 503 is
  // plain JSON), so the client knows to retry; nothing is written.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    void reply.header('connection', 'close');
    throw new UnavailableError(
      'SHUTTING_DOWN',
      'The server is shutting down: retry in a moment. Nothing was written.',
    );
  });
  // A body is JSON or nothing: text/plain is 415, not a string that the route's schema then refuses.
  app.removeContentTypeParser('text/plain');
  // …and JSON read one way only: strict UTF-8, no member named twice (src/http/input.ts).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/ld+json'],
    { parseAs: 'buffer' },
    exactJsonParser(app.getDefaultJsonParser('error', 'error')),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'motor-ledger',
        version: '0.1.0',
        description:
          'Append-only, hash-chained traceability ledger for electric motors from Cléon to Dieppe. ' +
          'Errors are RFC 9457 problem+json with a stable `code`.',
      },
      tags: [
        { name: 'production', description: 'Cléon: motors produced and tested at end of line.' },
        { name: 'transport', description: 'Shipments from Cléon to Dieppe: loading, departure, arrival.' },
        { name: 'intake', description: 'Dieppe dock: scanning motors off the truck.' },
        {
          name: 'assembly',
          description: 'VIN marriage: installing motors into chassis, rework, vehicle shipped.',
        },
        { name: 'quality', description: 'Holds, incidents and corrections.' },
        {
          name: 'analysis',
          description:
            'Root-cause analysis: genealogy, timelines, forward trace, common cause, reconciliation.',
        },
        { name: 'ledger', description: 'The log, its checkpoints and proofs: what auditors verify.' },
        { name: 'ops', description: 'Health, readiness and metrics.' },
      ],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
      // Relative: the description is valid wherever the server is reached (behind a proxy, on any port).
      servers: [{ url: '/', description: 'The server that serves this description' }],
    },
    transformObject: (doc) => ('openapiObject' in doc ? finishOpenApi(doc.openapiObject) : doc.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  cutOffSlowBodies(app, options.config.REQUEST_TIMEOUT_MS);
  registerAuth(app, options.verifier);
  const ctx = { ledger: options.ledger, catalog: options.catalog, config: options.config };
  const { registry } = observe(app, ctx);
  app.decorate('metrics', registry);
  await app.register(opsRoutes, { ledger: options.ledger, metrics: registry });
  await app.register(ledgerRoutes, { ledger: options.ledger, public: options.config.LEDGER_PUBLIC });
  await app.register(motorRoutes, ctx);
  await app.register(shipmentRoutes, ctx);
  await app.register(intakeRoutes, ctx);
  await app.register(vehicleRoutes, ctx);
  await app.register(qualityRoutes, ctx);
  await app.register(analysisRoutes, ctx);
  await app.register(epcisRoutes, ctx);
  await app.register(epcisCaptureRoutes, ctx);
  await app.register(sessionRoutes, {
    catalog: options.catalog,
    config: options.config,
    mintDevToken: options.mintDevToken,
  });
  if (options.webRoot !== null) {
    await registerWeb(app, options.webRoot ?? options.config.WEB_DIR ?? findWebRoot(), {
      oidcIssuer: options.config.OIDC_ISSUER,
    });
  }
  return app;
}

/**
 * A body that has not arrived whole REQUEST_TIMEOUT_MS after the request began is abandoned: 408 problem+json,
 * connection closed, nothing written. Node's own requestTimeout stops watching once the headers are in and the
 * request is handed over, so a client trickling a body (or sending none after its Content-Length) would hold a
 * connection for ever.
 */
function cutOffSlowBodies(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (raw.complete) return done();
    const timer = setTimeout(() => {
      if (raw.complete) return;
      // Nobody reads this body (a GET that announced one): an 'error' event would be unheard and end the
      // process. Drop the connection.
      if (raw.listenerCount('error') === 0) return drop();
      void reply.header('connection', 'close');
      const err = Object.assign(
        new Error(`The request body did not arrive within ${timeoutMs / 1000} s: send it again, whole.`),
        { statusCode: 408, code: 'REQUEST_TIMEOUT' },
      );
      raw.emit('error', err); // the body reader answers with err's status through the error handler
      setTimeout(drop, 1000).unref(); // in case the answer cannot be sent
    }, timeoutMs);
    // The socket itself (inject() has a stand-in without destroy): destroying the request alone keeps it open.
    const drop = () => (typeof raw.socket?.destroy === 'function' ? raw.socket.destroy() : raw.destroy());
    timer.unref();
    raw.once('end', () => clearTimeout(timer));
    raw.once('close', () => clearTimeout(timer));
    done();
  });
}
