// VIN marriage at the assembly line: a received motor is installed into a slot of a chassis, removed for
// rework (history kept), and the vehicle ships once every slot is filled.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { readVehicle } from '../../domain/reads.js';
import { scopeOf } from '../../query/scope.js';
import { requireRole, runCommand, sendEvent } from '../command.js';
import type { AppContext } from '../context.js';
import {
  AnyObject,
  Code,
  Ident,
  problemResponses,
  Serial,
  Text,
  Vin,
  WriteFields,
  Written,
  writeProblems,
} from '../schemas.js';

const Install = Type.Object(
  { ...WriteFields, serial: Serial, model: Code, slot: Code, station: Ident },
  {
    title: 'Installation',
    additionalProperties: false,
    examples: [
      {
        serial: '7DL-000123',
        model: 'A390',
        slot: 'REAR_LEFT',
        station: 'MAR-02',
        time: '2026-11-24T07:41:00Z',
      },
    ],
  },
);
const Remove = Type.Object(
  { ...WriteFields, reason: Text('Why the motor comes out (rework, damage…)') },
  {
    title: 'Removal',
    additionalProperties: false,
    examples: [{ reason: 'Connector damaged during marriage; rework', time: '2026-11-24T08:02:00Z' }],
  },
);
const Ship = Type.Object(
  { ...WriteFields },
  { title: 'VehicleShipment', additionalProperties: false, examples: [{ time: '2026-11-25T16:00:00Z' }] },
);

export const vehicleRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  app.post(
    '/v1/vehicles/:vin/motors',
    {
      preValidation: requireRole('assembly'),
      schema: {
        tags: ['assembly'],
        operationId: 'installMotor',
        summary: 'Install a motor into a slot of a VIN (motor.installed)',
        description:
          'The motor must have been received at this site, not be held, fit the slot’s motor type, the slot must be free and the motor not in another VIN. ' +
          'Refusals: UNKNOWN_SERIAL, MOTOR_NOT_RECEIVED, MOTOR_AT_OTHER_SITE, MOTOR_HELD, WRONG_MOTOR_TYPE_FOR_SLOT, SLOT_OCCUPIED, ALREADY_INSTALLED, UNKNOWN_MODEL, UNKNOWN_SLOT, VEHICLE_MODEL_MISMATCH, VEHICLE_ALREADY_SHIPPED. Role assembly.',
        params: Type.Object({ vin: Vin }),
        body: Install,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['assembly'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'installMotor',
          actor,
          time,
          vin: req.params.vin,
          model: b.model,
          slot: b.slot,
          serial: b.serial,
          station: b.station,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/vehicles/:vin/motors/:serial/removal',
    {
      preValidation: requireRole('assembly'),
      schema: {
        tags: ['assembly'],
        operationId: 'removeMotor',
        summary: 'Remove a motor from a VIN for rework (motor.removed); the slot is freed, the history kept',
        description:
          'Refusals: UNKNOWN_VEHICLE, MOTOR_NOT_IN_VEHICLE, VEHICLE_ALREADY_SHIPPED. Role assembly.',
        params: Type.Object({ vin: Vin, serial: Serial }),
        body: Remove,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const result = await runCommand(ctx, req, {
        roles: ['assembly'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'removeMotor',
          actor,
          time,
          vin: req.params.vin,
          serial: req.params.serial,
          reason: req.body.reason,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/vehicles/:vin/shipment',
    {
      preValidation: requireRole('assembly'),
      schema: {
        tags: ['assembly'],
        operationId: 'shipVehicle',
        summary: 'The vehicle leaves the plant (vehicle.shipped): every slot must be filled',
        description:
          'Refusals: UNKNOWN_VEHICLE, SLOTS_NOT_FILLED, MOTOR_HELD, VEHICLE_ALREADY_SHIPPED. Role assembly.',
        params: Type.Object({ vin: Vin }),
        body: Ship,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const result = await runCommand(ctx, req, {
        roles: ['assembly'],
        atSite: true,
        build: (actor, time) => ({ kind: 'shipVehicle', actor, time, vin: req.params.vin }),
      });
      return sendEvent(reply, result);
    },
  );

  app.get(
    '/v1/vehicles/:vin',
    {
      preValidation: requireRole('assembly', 'quality', 'auditor', 'admin', 'intake', 'logistics'),
      schema: {
        tags: ['assembly'],
        operationId: 'getVehicle',
        summary: 'A vehicle: its slots and the motor in each',
        params: Type.Object({ vin: Vin }),
        response: {
          200: Type.Object({ vehicle: AnyObject, slots: Type.Array(AnyObject) }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const view = await readVehicle(ctx.ledger.handle.db, req.params.vin, scopeOf(req.principal));
      if (!view)
        throw new NotFoundError('UNKNOWN_VEHICLE', `VIN ${req.params.vin} has no motors in the ledger.`);
      return view;
    },
  );
};
