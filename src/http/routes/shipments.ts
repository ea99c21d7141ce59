// Transport Cléon → Dieppe: motors loaded on racks of a shipment (with its ASN number), the truck departing and
// arriving. Reads: the shipments (newest first, in pages) and a shipment, each with its intake counts, counted
// once in query/lists.ts (intakeCounts) so the list and the single read agree.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { readShipment } from '../../domain/reads.js';
import { listShipments, SHIPMENT_STATUSES, statusFilter } from '../../query/lists.js';
import { requireRole, runCommand, sendEvent } from '../command.js';
import type { AppContext } from '../context.js';
import {
  AnyObject,
  Code,
  Ident,
  Page,
  PageQuery,
  problemResponses,
  Serial,
  StampView,
  StatusFilter,
  WriteFields,
  Written,
  writeProblems,
} from '../schemas.js';

const ShipmentId = Type.String({
  title: 'ShipmentId',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  examples: ['SHP-20261123-01'],
});

const Load = Type.Object(
  {
    ...WriteFields,
    shipmentId: ShipmentId,
    asn: Ident,
    to: Code,
    racks: Type.Array(
      Type.Object(
        { rack: Ident, serials: Type.Array(Serial, { minItems: 1, maxItems: 200 }) },
        { title: 'Loading', additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: 100,
      },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        shipmentId: 'SHP-20261123-01',
        asn: 'ASN-88412',
        to: 'DIEPPE',
        racks: [{ rack: 'RK-0042', serials: ['7DL-000123', '7DL-000124', '6AM-000311'] }],
        time: '2026-11-23T09:00:00Z',
      },
    ],
  },
);

const Depart = Type.Object(
  { ...WriteFields, carrier: Ident, truck: Ident, seal: Ident },
  {
    title: 'Departure',
    additionalProperties: false,
    examples: [{ carrier: 'GEFCO', truck: 'FR-123-AB', seal: 'SEAL-557810', time: '2026-11-23T09:30:00Z' }],
  },
);
const Arrive = Type.Object(
  { ...WriteFields, dock: Ident },
  { title: 'Arrival', additionalProperties: false, examples: [{ dock: 'D3', time: '2026-11-23T11:05:00Z' }] },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });

/** Intake counts of a shipment: accepted + quarantined + held + missing = expected. */
const IntakeCounts = {
  expected: count('Motors on the ASN'),
  scanned: count('Motors of it scanned at intake: accepted + quarantined'),
  accepted: count('Received into the buffer'),
  quarantined: count('Scanned and rejected (e.g. MOTOR_HELD), not received since: in the quarantine area'),
  held: count('Not scanned yet and under an open hold: not missing, bound for quarantine'),
};

const ShipmentSummary = Type.Object(
  {
    id: ShipmentId,
    asn: Type.String(),
    from: Type.String(),
    to: Type.String(),
    status: Type.Union([Type.Literal('LOADED'), Type.Literal('DEPARTED'), Type.Literal('ARRIVED')]),
    loaded: StampView,
    departed: Type.Union([
      Type.Object(
        {
          seq: Type.Integer(),
          time: Type.String(),
          carrier: Type.String(),
          truck: Type.String(),
          seal: Type.String(),
        },
        { title: 'ShipmentDeparted' },
      ),
      Type.Null(),
    ]),
    arrived: Type.Union([
      Type.Object(
        { seq: Type.Integer(), time: Type.String(), dock: Type.String() },
        { title: 'ShipmentArrived' },
      ),
      Type.Null(),
    ]),
    ...IntakeCounts,
    missing: count('Not scanned yet and not held'),
    unexpected: count('Serials scanned against it that are not on it'),
    rejectedScans: count('Rejected scans against it, of its motors or not'),
    lastSeq: Type.Integer(),
  },
  { title: 'ShipmentSummary' },
);

const SHIPMENT_STATUS_NAMES = 'LOADED, DEPARTED, ARRIVED';

export const shipmentRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  app.post(
    '/v1/shipments',
    {
      preValidation: requireRole('logistics'),
      schema: {
        tags: ['transport'],
        operationId: 'loadShipment',
        summary: 'Load motors on a shipment (shipment.loaded)',
        description:
          'Each motor must be produced, at the shipping site, have passed EOL, not be held and not already be shipped. ' +
          'Refusals: SHIPMENT_EXISTS, UNKNOWN_SERIAL, EOL_NOT_PASSED, MOTOR_HELD, ALREADY_SHIPPED, MOTOR_NOT_AT_SITE, DUPLICATE_SERIAL, UNKNOWN_SITE. Role logistics at the origin site.',
        body: Load,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['logistics'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'loadShipment',
          actor,
          time,
          shipmentId: b.shipmentId,
          asn: b.asn,
          to: b.to,
          racks: b.racks,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/shipments/:id/departure',
    {
      preValidation: requireRole('logistics'),
      schema: {
        tags: ['transport'],
        operationId: 'departShipment',
        summary: 'The truck left (shipment.departed)',
        description: 'Refusals: UNKNOWN_SHIPMENT, ALREADY_DEPARTED. Role logistics.',
        params: Type.Object({ id: ShipmentId }),
        body: Depart,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['logistics'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'departShipment',
          actor,
          time,
          shipmentId: req.params.id,
          carrier: b.carrier,
          truck: b.truck,
          seal: b.seal,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/shipments/:id/arrival',
    {
      preValidation: requireRole('logistics', 'intake'),
      schema: {
        tags: ['transport'],
        operationId: 'arriveShipment',
        summary: 'The truck arrived at its destination (shipment.arrived)',
        description:
          'Refusals: UNKNOWN_SHIPMENT, NOT_DEPARTED, ALREADY_ARRIVED, WRONG_DESTINATION. Role logistics or intake at the destination.',
        params: Type.Object({ id: ShipmentId }),
        body: Arrive,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const result = await runCommand(ctx, req, {
        roles: ['logistics', 'intake'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'arriveShipment',
          actor,
          time,
          shipmentId: req.params.id,
          dock: req.body.dock,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.get(
    '/v1/shipments',
    {
      preValidation: requireRole(
        'logistics',
        'intake',
        'assembly',
        'quality',
        'auditor',
        'admin',
        'producer',
      ),
      schema: {
        tags: ['transport'],
        operationId: 'listShipments',
        summary: 'Shipments (trucks), newest first, each with its intake counts',
        description:
          'Filters: `to`, `from` (site codes), `status` (' +
          SHIPMENT_STATUS_NAMES +
          ', comma-separated). Counts as GET /v1/shipments/{id}: accepted + quarantined + held + missing = expected. ' +
          'Paged by `limit` (default 50, at most 500) and `cursor` (`next` of the previous page). Same roles and scope as GET /v1/shipments/{id}.',
        querystring: Type.Object(
          {
            to: Type.Optional(Code),
            from: Type.Optional(Code),
            status: StatusFilter(SHIPMENT_STATUS_NAMES),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page('ShipmentPage', ShipmentSummary),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (req) => {
      const q = req.query;
      return listShipments(
        ctx.ledger.handle.db,
        { to: q.to, from: q.from, statuses: statusFilter(q.status, SHIPMENT_STATUSES) },
        { limit: q.limit ?? 50, cursor: q.cursor },
      );
    },
  );

  app.get(
    '/v1/shipments/:id',
    {
      preValidation: requireRole(
        'logistics',
        'intake',
        'assembly',
        'quality',
        'auditor',
        'admin',
        'producer',
      ),
      schema: {
        tags: ['transport'],
        operationId: 'getShipment',
        summary: 'A shipment with its intake counts, and the missing and unexpected serials',
        description:
          'Counted as in GET /v1/shipments: accepted + quarantined + held + missing = expected (`missing` lists the serials).',
        params: Type.Object({ id: ShipmentId }),
        response: {
          200: Type.Object({
            shipment: AnyObject,
            ...IntakeCounts,
            missing: Type.Array(Type.String(), {
              description: 'Serials on the ASN not scanned yet and not held',
            }),
            unexpected: Type.Array(Type.String(), {
              description: 'Serials scanned against it that are not on it',
            }),
          }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const view = await readShipment(ctx.ledger.handle.db, req.params.id);
      if (!view)
        throw new NotFoundError('UNKNOWN_SHIPMENT', `Shipment ${req.params.id} is not in the ledger.`);
      return view;
    },
  );
};

export { ShipmentId };
