// Transport Cléon → Dieppe: motors loaded on racks of a shipment (with its ASN number), the truck departing and
// arriving. Read: a shipment with expected vs scanned serials.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { readShipment } from '../../domain/reads.js';
import { requireRole, runCommand, sendEvent } from '../command.js';
import type { AppContext } from '../context.js';
import {
  AnyObject,
  Code,
  Ident,
  problemResponses,
  Serial,
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
        summary: 'A shipment with expected vs scanned: missing and unexpected serials',
        params: Type.Object({ id: ShipmentId }),
        response: {
          200: Type.Object({
            shipment: AnyObject,
            expected: Type.Integer(),
            scanned: Type.Integer(),
            missing: Type.Array(Type.String()),
            unexpected: Type.Array(Type.String()),
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
