// Production at Cléon: a motor is produced (with its line, station, shift, operator and component lots) and
// tested at the end-of-line bench. Reads: a motor's current state and its ordered timeline.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { motorTimeline, readMotor } from '../../domain/reads.js';
import { listBuffer } from '../../query/lists.js';
import { scopeOf } from '../../query/scope.js';
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
  WriteFields,
  Written,
  writeProblems,
} from '../schemas.js';

const Produce = Type.Object(
  {
    ...WriteFields,
    serial: Serial,
    motorType: Type.String({ description: 'From the catalog: 7DL, 6AM…' }),
    line: Ident,
    station: Ident,
    shift: Type.String({ pattern: '^[A-Z]$', description: 'Shift letter (A, B, C)' }),
    operator: Type.String({ pattern: '^[A-Za-z0-9-]{3,32}$', description: 'Pseudonymous badge id' }),
    workOrder: Ident,
    lots: Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z]{1,31}$' }), Ident, {
      description: 'Component lots by component: rotor, stator, magnets, bearing, inverter…',
    }),
  },
  {
    title: 'Production',
    additionalProperties: false,
    examples: [
      {
        id: '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a',
        serial: '7DL-000123',
        motorType: '7DL',
        line: 'L2',
        station: 'ST-40',
        shift: 'A',
        operator: 'OP-7731',
        workOrder: 'WO-2026-11-0042',
        lots: {
          rotor: 'ROT-24-118',
          stator: 'STA-24-090',
          magnets: 'MAG-24-031',
          bearing: 'BRG-24-377',
          inverter: 'INV-24-012',
        },
        time: '2026-11-23T06:15:00Z',
      },
    ],
  },
);

const Test = Type.Object(
  {
    ...WriteFields,
    bench: Ident,
    specVersion: Ident,
    verdict: Type.Union([Type.Literal('PASS'), Type.Literal('FAIL')]),
    measurements: Type.Record(
      Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,63}$' }),
      Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]),
      {
        description: 'Bench measurements (numbers in SI-derived units named in the key)',
      },
    ),
  },
  {
    title: 'EndOfLineTest',
    additionalProperties: false,
    examples: [
      {
        bench: 'EOL-3',
        specVersion: 'SPEC-7DL-4.2',
        verdict: 'PASS',
        measurements: { torqueNm: 412.5, backEmfV: 231.2, insulationMOhm: 850, noiseDb: 61.4 },
        time: '2026-11-23T06:42:10Z',
      },
    ],
  },
);

export const motorRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  app.post(
    '/v1/motors',
    {
      preValidation: requireRole('producer'),
      schema: {
        tags: ['production'],
        operationId: 'produceMotor',
        summary: 'Record a motor produced at Cléon (motor.produced)',
        description:
          'Refusals: SERIAL_EXISTS, UNKNOWN_MOTOR_TYPE, SITE_NOT_PRODUCTION. Role producer, at a motor production site.',
        body: Produce,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['producer'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'produceMotor',
          actor,
          time,
          serial: b.serial,
          motorType: b.motorType,
          line: b.line,
          station: b.station,
          shift: b.shift,
          operator: b.operator,
          workOrder: b.workOrder,
          lots: b.lots,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/motors/:serial/tests',
    {
      preValidation: requireRole('producer'),
      schema: {
        tags: ['production'],
        operationId: 'recordTest',
        summary: 'Record an end-of-line test (motor.tested)',
        description: 'Refusals: UNKNOWN_SERIAL, MOTOR_ALREADY_SHIPPED. Role producer.',
        params: Type.Object({ serial: Serial }),
        body: Test,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['producer'],
        atSite: true,
        build: (actor, time) => ({
          kind: 'testMotor',
          actor,
          time,
          serial: req.params.serial,
          bench: b.bench,
          specVersion: b.specVersion,
          verdict: b.verdict,
          measurements: b.measurements,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.get(
    '/v1/motors/:serial',
    {
      preValidation: requireRole(
        'producer',
        'logistics',
        'intake',
        'assembly',
        'quality',
        'auditor',
        'admin',
      ),
      schema: {
        tags: ['production'],
        operationId: 'getMotor',
        summary: 'A motor: current state and its ordered timeline (each event with seq and leaf hash)',
        params: Type.Object({ serial: Serial }),
        response: {
          200: Type.Object({ motor: AnyObject, timeline: Type.Array(AnyObject) }),
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const motor = await readMotor(ctx.ledger.handle.db, req.params.serial, scopeOf(req.principal));
      if (!motor)
        throw new NotFoundError('UNKNOWN_SERIAL', `Motor ${req.params.serial} is not in the ledger.`);
      const timeline = await motorTimeline(
        ctx.ledger.handle.db,
        `motor:${req.params.serial}`,
        scopeOf(req.principal),
      );
      return { motor, timeline };
    },
  );

  const BufferMotor = Type.Object(
    {
      serial: Type.String(),
      motorType: Type.String(),
      received: Type.Object({
        seq: Type.Integer(),
        time: Type.String(),
        site: Type.String(),
        shipmentId: Type.String(),
        dock: Type.String(),
        scanner: Type.String(),
      }),
      holds: Type.Array(Type.String(), {
        description: 'Active holds: in the buffer, but not to be installed.',
      }),
      lastSeq: Type.Integer(),
    },
    { title: 'BufferMotor' },
  );
  app.get(
    '/v1/sites/:site/buffer',
    {
      preValidation: requireRole('assembly', 'intake', 'logistics', 'quality', 'auditor', 'admin'),
      schema: {
        tags: ['assembly'],
        operationId: 'listBuffer',
        summary: "A site's buffer as a pick list: motors received there, not installed, oldest first",
        description:
          'First in, first out: ordered by reception. `motorType` keeps one type (e.g. 7DL for a rear slot). ' +
          'A held motor is listed with its holds: it stays in the buffer but must not be installed. ' +
          'Paged by `limit` (default 50, at most 500) and `cursor` (`next` of the previous page).',
        params: Type.Object({ site: Code }),
        querystring: Type.Object(
          { motorType: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,8}$' })), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Page('BufferPage', BufferMotor), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      if (ctx.catalog.sites[req.params.site] === undefined) {
        throw new NotFoundError(
          'UNKNOWN_SITE',
          `Site ${req.params.site} is not in the catalog; sites are ${Object.keys(ctx.catalog.sites).join(', ')}.`,
        );
      }
      return listBuffer(
        ctx.ledger.handle.db,
        { site: req.params.site, motorType: req.query.motorType },
        { limit: req.query.limit ?? 50, cursor: req.query.cursor },
      );
    },
  );
};
