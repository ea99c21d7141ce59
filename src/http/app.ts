// The Fastify application, built apart from listen() so tests drive it with inject(). One error handler for
// the whole app turns every failure into problem+json; OpenAPI 3 is served at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Ledger } from '../ledger/ledger.js';
import { toProblem } from './problem.js';
import { ledgerRoutes } from './routes/ledger.js';
import { opsRoutes } from './routes/ops.js';

export interface AppOptions<S> {
  ledger: Ledger<S>;
  logger?: boolean | { level: string };
}

/** Build the HTTP application over an open ledger. */
export async function buildApp<S>(options: AppOptions<S>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    bodyLimit: 10 * 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((err, request, reply) => {
    const problem = toProblem(err, request.url);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
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
        { name: 'ledger', description: 'The log, its checkpoints and proofs: what auditors verify.' },
        { name: 'ops', description: 'Health and readiness.' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(opsRoutes, { ledger: options.ledger });
  await app.register(ledgerRoutes, { ledger: options.ledger });
  return app;
}
