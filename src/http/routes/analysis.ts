// Root-cause analysis over HTTP (BRIEF §6): backward trace (genealogy), timelines, forward trace / blast radius
// with CSV and a one-call hold, where-used of a lot, common cause and flow reconciliation. Every read takes
// asOfSeq or asOfTime and answers what the ledger knew then; every answer respects the token's brands.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authorize } from '../../auth/principal.js';
import { withSites } from '../../core/domain/decide.js';
import { plantCommand } from '../../domain/domain.js';
import { logSize } from '../../ledger/reader.js';
import { commonCause } from '../../query/common-cause.js';
import { reconcile } from '../../query/reconciliation.js';
import { resolveAsOf } from '../../query/replay.js';
import { scopeOf } from '../../query/scope.js';
import {
  backwardTrace,
  pageOf,
  scopedTimeline,
  type TraceFilter,
  tracedCsv,
  traceMotors,
} from '../../query/trace.js';
import { eventView, requireRole } from '../command.js';
import type { AppContext } from '../context.js';
import { noteWrite } from '../observe.js';
import { AnyObject, Ident, problemResponses, Serial, Text, Vin } from '../schemas.js';

const AsOf = {
  asOfSeq: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Answer as the ledger stood right after this seq' }),
  ),
  asOfTime: Type.Optional(
    Type.String({ format: 'date-time', description: 'Answer with what was recorded by this instant' }),
  ),
};

const Filter = Type.Object(
  {
    lots: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z]{1,31}$' }), Ident, {
        description: 'Component → lot',
      }),
    ),
    motorType: Type.Optional(Ident),
    line: Type.Optional(Ident),
    station: Type.Optional(Ident),
    shift: Type.Optional(Type.String({ pattern: '^[A-Z]$' })),
    operator: Type.Optional(Ident),
    workOrder: Type.Optional(Ident),
    producedFrom: Type.Optional(Type.String({ format: 'date-time' })),
    producedTo: Type.Optional(Type.String({ format: 'date-time' })),
    bench: Type.Optional(Ident),
    specVersion: Type.Optional(Ident),
    measurement: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,63}$' }),
          min: Type.Optional(Type.Number()),
          max: Type.Optional(Type.Number()),
        },
        { title: 'TraceFilter', additionalProperties: false },
      ),
    ),
    shipmentId: Type.Optional(Ident),
    truck: Type.Optional(Ident),
    carrier: Type.Optional(Ident),
  },
  { additionalProperties: false },
);

const READERS = ['quality', 'auditor', 'admin'] as const;

export const analysisRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  const db = ctx.ledger.handle.db;
  const asOf = async (q: { asOfSeq?: number | undefined; asOfTime?: string | undefined }) => {
    const upTo = await resolveAsOf(db, { seq: q.asOfSeq, time: q.asOfTime });
    return { upTo, current: q.asOfSeq === undefined && q.asOfTime === undefined };
  };

  app.get(
    '/v1/vehicles/:vin/genealogy',
    {
      preValidation: requireRole(...READERS, 'assembly'),
      schema: {
        tags: ['analysis'],
        operationId: 'getGenealogy',
        summary:
          'Backward trace of a VIN: its motors by slot with production, tests, transport, intake, install, removals, holds',
        params: Type.Object({ vin: Vin }),
        querystring: Type.Object(AsOf),
        response: { 200: AnyObject, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => backwardTrace(db, req.params.vin, (await asOf(req.query)).upTo, scopeOf(req.principal)),
  );

  const timelineRoute = (
    path: string,
    kind: 'motor' | 'vehicle' | 'shipment',
    param: 'serial' | 'vin' | 'id',
    schema: ReturnType<typeof Type.String>,
  ) =>
    app.get(
      path,
      {
        preValidation: requireRole(...READERS, 'assembly', 'intake', 'logistics', 'producer'),
        schema: {
          tags: ['analysis'],
          operationId: `get${kind[0]!.toUpperCase()}${kind.slice(1)}Timeline`,
          summary: `Timeline of a ${kind}: every entry naming it, with seq and leaf hash, as of a past seq or time`,
          params: Type.Object({ [param]: schema }),
          querystring: Type.Object(AsOf),
          response: {
            200: Type.Object({
              subject: Type.String(),
              asOfSeq: Type.Integer(),
              entries: Type.Array(AnyObject),
            }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (req) => {
        const subject = `${kind}:${(req.params as Record<string, string>)[param]}`;
        const { upTo } = await asOf(req.query as { asOfSeq?: number; asOfTime?: string });
        return {
          subject,
          asOfSeq: upTo,
          entries: await scopedTimeline(db, subject, upTo, scopeOf(req.principal)),
        };
      },
    );
  timelineRoute('/v1/motors/:serial/timeline', 'motor', 'serial', Serial);
  timelineRoute('/v1/vehicles/:vin/timeline', 'vehicle', 'vin', Vin);
  timelineRoute('/v1/shipments/:id/timeline', 'shipment', 'id', Ident);

  app.post(
    '/v1/trace/forward',
    {
      preValidation: requireRole(...READERS),
      schema: {
        tags: ['analysis'],
        operationId: 'traceForward',
        summary:
          'Forward trace / blast radius: motors sharing a suspect cause, grouped by where they are now',
        description:
          'Groups: AT_CLEON, IN_TRANSIT (by shipment), IN_BUFFER (by site), INSTALLED and VEHICLE_SHIPPED (by VIN), HELD. ' +
          'Items are paged by serial (`cursor`); `?format=csv` (or Accept: text/csv) returns every motor as CSV.',
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
        }),
        body: Type.Object(
          {
            filter: Filter,
            cursor: Type.Optional(Type.String()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
            ...AsOf,
          },
          {
            additionalProperties: false,
            examples: [
              { filter: { lots: { magnets: 'MAG-25-0117' } }, limit: 100 },
              {
                filter: {
                  line: 'L3',
                  shift: 'C',
                  producedFrom: '2026-10-05T00:00:00Z',
                  producedTo: '2026-10-07T00:00:00Z',
                },
              },
            ],
          },
        ),
        response: { 200: AnyObject, ...problemResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const { upTo, current } = await asOf(req.body);
      const all = await traceMotors(
        db,
        req.body.filter as TraceFilter,
        upTo,
        current,
        scopeOf(req.principal),
      );
      if (req.query.format === 'csv' || (req.headers.accept ?? '').includes('text/csv')) {
        const csv = [...tracedCsv(all)].join('');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="forward-trace.csv"')
          .send(csv as never);
      }
      return pageOf(all, upTo, req.body.cursor, req.body.limit ?? 500);
    },
  );

  app.post(
    '/v1/trace/forward/hold',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['analysis'],
        operationId: 'holdForwardTrace',
        summary:
          'Hold, in one call, every motor of a forward trace that is not yet installed (through the normal hold command)',
        body: Type.Object(
          {
            filter: Filter,
            holdId: Ident,
            reason: Text('Why', 500),
            incidentId: Type.Optional(Ident),
            id: Type.Optional(Type.String({ format: 'uuid' })),
          },
          {
            additionalProperties: false,
            examples: [
              {
                filter: { lots: { magnets: 'MAG-25-0117' } },
                holdId: 'HOLD-2026-031',
                reason: 'Suspect magnet lot',
                incidentId: 'INC-2026-017',
              },
            ],
          },
        ),
        response: { 201: AnyObject, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (req, reply) => {
      const actor = authorize(req.principal, { roles: ['quality'] });
      const upTo = (await logSize(db)) - 1;
      const all = await traceMotors(db, req.body.filter as TraceFilter, upTo, true, { brands: ['*'] });
      const serials = all
        .filter((m) => m.group === 'AT_CLEON' || m.group === 'IN_TRANSIT' || m.group === 'IN_BUFFER')
        .map((m) => m.serial);
      const { id, ...request } = req.body;
      const r = await ctx.ledger.sequencer.append(
        plantCommand(
          ctx.catalog,
          withSites(
            {
              kind: 'holdMotors',
              actor,
              time: new Date().toISOString(),
              holdId: req.body.holdId,
              serials,
              reason: req.body.reason,
              incidentId: req.body.incidentId,
            },
            req.principal!.sites,
          ),
          id,
          request,
        ),
      );
      noteWrite(req, r.seq);
      return reply
        .status(201)
        .send({ event: eventView(r), held: serials.length, serials, skipped: all.length - serials.length });
    },
  );

  app.get(
    '/v1/lots/:component/:lot/where-used',
    {
      preValidation: requireRole(...READERS),
      schema: {
        tags: ['analysis'],
        operationId: 'getLotWhereUsed',
        summary: 'Where-used of a component lot: every motor built with it, grouped by where it is',
        params: Type.Object({ component: Type.String({ pattern: '^[a-z][a-zA-Z]{1,31}$' }), lot: Ident }),
        querystring: Type.Object({
          ...AsOf,
          cursor: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
        }),
        response: { 200: AnyObject, ...problemResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const { upTo, current } = await asOf(req.query);
      const all = await traceMotors(
        db,
        { lots: { [req.params.component]: req.params.lot } },
        upTo,
        current,
        scopeOf(req.principal),
      );
      return pageOf(all, upTo, req.query.cursor, req.query.limit ?? 500);
    },
  );

  app.post(
    '/v1/analysis/common-cause',
    {
      preValidation: requireRole(...READERS),
      schema: {
        tags: ['analysis'],
        operationId: 'findCommonCause',
        summary:
          'Common cause: attribute values the failing units share, ranked by over-representation (support, lift, Fisher p)',
        body: Type.Object(
          {
            vins: Type.Optional(Type.Array(Vin, { maxItems: 5000 })),
            serials: Type.Optional(Type.Array(Serial, { maxItems: 5000 })),
            minSupport: Type.Optional(Type.Integer({ minimum: 1, default: 2 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            ...AsOf,
          },
          {
            additionalProperties: false,
            examples: [{ vins: ['VF1A390EA00012345', 'VF1A390EA00012377'], limit: 10 }],
          },
        ),
        response: { 200: AnyObject, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { upTo, current } = await asOf(req.body);
      return commonCause(db, req.body, upTo, current, scopeOf(req.principal));
    },
  );

  app.get(
    '/v1/flow/reconciliation',
    {
      preValidation: requireRole(...READERS, 'logistics'),
      schema: {
        tags: ['analysis'],
        operationId: 'reconcileFlow',
        summary:
          'Flow reconciliation: shipped not received, received not installed, incomplete VINs, ASN mismatches, daily output vs consumption',
        querystring: Type.Object({
          now: Type.Optional(
            Type.String({
              format: 'date-time',
              description: 'Reconcile at this business time (default: now)',
            }),
          ),
          notReceivedAfterHours: Type.Optional(Type.Number({ minimum: 0, default: 24 })),
          notInstalledAfterDays: Type.Optional(Type.Number({ minimum: 0, default: 5 })),
          incompleteAfterDays: Type.Optional(Type.Number({ minimum: 0, default: 2 })),
          from: Type.Optional(Type.String({ format: 'date' })),
          to: Type.Optional(Type.String({ format: 'date' })),
        }),
        response: { 200: AnyObject, ...problemResponses(400, 401, 403) },
      },
    },
    async (req) =>
      reconcile(
        db,
        {
          now: req.query.now ?? new Date().toISOString(),
          notReceivedAfterHours: req.query.notReceivedAfterHours ?? 24,
          notInstalledAfterDays: req.query.notInstalledAfterDays ?? 5,
          incompleteAfterDays: req.query.incompleteAfterDays ?? 2,
          from: req.query.from,
          to: req.query.to,
        },
        scopeOf(req.principal),
      ),
  );
};
