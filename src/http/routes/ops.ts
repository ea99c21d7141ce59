// Liveness, readiness, and the Prometheus metrics (src/http/observe.ts; docs/operations.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { DomainState } from '../../core/domain/state.js';
import { UnavailableError } from '../../core/errors.js';
import type { Ledger } from '../../ledger/ledger.js';
import { requireRole } from '../command.js';
import { problemResponses } from '../schemas.js';

export const opsRoutes: FastifyPluginAsyncTypebox<{
  ledger: Ledger<DomainState>;
  metrics: Registry;
}> = async (app, { ledger, metrics }) => {
  app.get(
    '/metrics',
    {
      preValidation: requireRole('admin', 'auditor'),
      schema: {
        tags: ['ops'],
        operationId: 'getMetrics',
        summary:
          'Prometheus metrics: requests, refusals, the sequencer, the log and its checkpoints, the pool',
        description:
          'The text exposition format of Prometheus. A bearer token with role admin or auditor (a scraper sends ' +
          'it with `authorization` in its scrape config). docs/operations.md lists each metric and what to ' +
          'alert on.',
        produces: ['text/plain'],
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...problemResponses(401, 403),
        },
      },
    },
    async (_req, reply) => {
      void reply.type(metrics.contentType);
      return metrics.metrics();
    },
  );
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        operationId: 'getHealth',
        summary: 'The process is alive',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }), ...problemResponses(401) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        operationId: 'getReadiness',
        summary: 'The database answers and the ledger can take writes',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }),
          ...problemResponses(401, 503),
        },
      },
    },
    async () => {
      try {
        await sql`SELECT 1`.execute(ledger.handle.db);
      } catch {
        throw new UnavailableError(
          'DATABASE_UNAVAILABLE',
          'The database does not answer; the ledger cannot take writes.',
        );
      }
      return { status: 'ready' as const, database: ledger.handle.kind };
    },
  );
};
