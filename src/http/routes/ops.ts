// Liveness and readiness.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { DomainState } from '../../core/domain/state.js';
import { UnavailableError } from '../../core/errors.js';
import type { Ledger } from '../../ledger/ledger.js';
import { problemResponses } from '../schemas.js';

export const opsRoutes: FastifyPluginAsyncTypebox<{ ledger: Ledger<DomainState> }> = async (
  app,
  { ledger },
) => {
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
