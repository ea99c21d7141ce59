// Quality: holds and releases of motors, incidents (opened, updated, closed) and corrections (an
// errorDeclaration: the original event stays, the correction says what was wrong and which events correct it).
// Reads: a hold, an incident, and their lists (newest first, in pages; query/lists.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError } from '../../core/errors.js';
import { readHoldOrIncident } from '../../domain/reads.js';
import {
  HOLD_STATUSES,
  INCIDENT_STATUSES,
  listHolds,
  listIncidents,
  statusFilter,
} from '../../query/lists.js';
import { scopeOf } from '../../query/scope.js';
import { requireRole, runCommand, sendEvent } from '../command.js';
import type { AppContext } from '../context.js';
import {
  AnyObject,
  ByView,
  Ident,
  Page,
  PageQuery,
  problemResponses,
  Serial,
  StatusFilter,
  Text,
  Vin,
  WriteFields,
  Written,
  writeProblems,
} from '../schemas.js';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const Severity = Type.Union([
  Type.Literal('LOW'),
  Type.Literal('MEDIUM'),
  Type.Literal('HIGH'),
  Type.Literal('CRITICAL'),
]);

const Hold = Type.Object(
  {
    ...WriteFields,
    holdId: Ident,
    serials: Type.Array(Serial, { minItems: 1, maxItems: 100_000 }),
    reason: Text('Why these motors are held', 500),
    incidentId: Type.Optional(Ident),
  },
  {
    title: 'Hold',
    additionalProperties: false,
    examples: [
      {
        holdId: 'HOLD-2026-031',
        serials: ['7DL-000123', '7DL-000124'],
        reason: 'Suspect magnet lot MAG-24-031',
        incidentId: 'INC-2026-017',
      },
    ],
  },
);
const Release = Type.Object(
  {
    ...WriteFields,
    serials: Type.Optional(Type.Array(Serial, { minItems: 1 })),
    reason: Text('Why they are released', 500),
  },
  {
    title: 'Release',
    additionalProperties: false,
    examples: [{ reason: 'Lot MAG-24-031 cleared by lab report LR-8812' }],
  },
);
const Open = Type.Object(
  {
    ...WriteFields,
    incidentId: Ident,
    title: Text('What failed'),
    severity: Severity,
    suspectVins: Type.Optional(Type.Array(Vin)),
    suspectSerials: Type.Optional(Type.Array(Serial)),
  },
  {
    title: 'IncidentOpening',
    additionalProperties: false,
    examples: [
      {
        incidentId: 'INC-2026-017',
        title: 'Rear motor noise at 80 km/h',
        severity: 'HIGH',
        suspectVins: ['VF1A390EA12345678'],
      },
    ],
  },
);
const Update = Type.Object(
  {
    ...WriteFields,
    title: Type.Optional(Text('New title')),
    severity: Type.Optional(Severity),
    addSuspectVins: Type.Optional(Type.Array(Vin)),
    addSuspectSerials: Type.Optional(Type.Array(Serial)),
    finding: Type.Optional(Text('A finding', 2000)),
    status: Type.Optional(Type.Literal('CLOSED')),
    resolution: Type.Optional(Text('How it was resolved (with status CLOSED)', 2000)),
  },
  {
    title: 'IncidentUpdate',
    additionalProperties: false,
    examples: [
      { finding: 'All three failing cars share magnet lot MAG-24-031' },
      { status: 'CLOSED', resolution: 'Lot scrapped' },
    ],
  },
);
const Correction = Type.Object(
  {
    ...WriteFields,
    targetId: Uuid,
    reason: Text('What was wrong with the target event', 2000),
    correctiveIds: Type.Optional(Type.Array(Uuid)),
  },
  {
    title: 'Correction',
    additionalProperties: false,
    examples: [
      {
        targetId: '0196f3c2-8a1e-7c3b-9d4f-2a6b8c0e1f3a',
        reason: 'Wrong bench recorded: test ran on EOL-4',
        correctiveIds: [],
      },
    ],
  },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });

const HoldSummary = Type.Object(
  {
    id: Type.String(),
    status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('RELEASED')]),
    reason: Type.String(),
    incidentId: Type.Union([Type.String(), Type.Null()]),
    counts: Type.Object(
      {
        motors: count('Motors the hold named'),
        held: count('Still held'),
        released: count('Released'),
      },
      { title: 'HoldCounts' },
    ),
    opened: ByView,
    releasedAt: Type.Union([ByView, Type.Null()], {
      description: 'The release that freed its last motor; null while any is held',
    }),
    lastSeq: Type.Integer(),
  },
  { title: 'HoldSummary', description: 'A hold without its serials (GET /v1/holds/{id} lists them)' },
);

const IncidentSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    severity: Type.String(),
    status: Type.Union([Type.Literal('OPEN'), Type.Literal('CLOSED')]),
    opened: ByView,
    closed: Type.Union([
      Type.Object(
        { seq: Type.Integer(), time: Type.String(), resolution: Type.String() },
        { title: 'IncidentClosed' },
      ),
      Type.Null(),
    ]),
    counts: Type.Object(
      {
        suspectVins: count('Suspect VINs (of the brands you may see)'),
        suspectSerials: count('Suspect motors'),
        findings: count('Findings recorded'),
        holds: count('Holds placed under it'),
        activeHolds: count('Of them, still active'),
        motorsHeld: count('Motors those active holds still hold'),
      },
      { title: 'IncidentCounts' },
    ),
    lastSeq: Type.Integer(),
  },
  { title: 'IncidentSummary' },
);

export const qualityRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  app.post(
    '/v1/holds',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['quality'],
        operationId: 'holdMotors',
        summary: 'Hold motors (motor.held): they cannot ship, be received into the buffer or be installed',
        description: 'Refusals: HOLD_EXISTS, EMPTY_HOLD, UNKNOWN_SERIAL, UNKNOWN_INCIDENT. Role quality.',
        body: Hold,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['quality'],
        atSite: false,
        build: (actor, time) => ({
          kind: 'holdMotors',
          actor,
          time,
          holdId: b.holdId,
          serials: b.serials,
          reason: b.reason,
          incidentId: b.incidentId,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.post(
    '/v1/holds/:id/release',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['quality'],
        operationId: 'releaseHold',
        summary: 'Release a hold, or some of its motors (motor.released)',
        description: 'Refusals: UNKNOWN_HOLD, HOLD_ALREADY_RELEASED, NOT_IN_HOLD. Role quality.',
        params: Type.Object({ id: Ident }),
        body: Release,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const result = await runCommand(ctx, req, {
        roles: ['quality'],
        atSite: false,
        build: (actor, time) => ({
          kind: 'releaseHold',
          actor,
          time,
          holdId: req.params.id,
          serials: req.body.serials,
          reason: req.body.reason,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.get(
    '/v1/holds',
    {
      preValidation: requireRole('quality', 'auditor', 'admin', 'intake', 'assembly', 'logistics'),
      schema: {
        tags: ['quality'],
        operationId: 'listHolds',
        summary: 'Holds, newest first',
        description:
          'Filters: `status` (ACTIVE or RELEASED; OPEN means ACTIVE), `serial` (holds that name this motor), `incident`. ' +
          'Paged by `limit` (default 50, at most 500) and `cursor` (`next` of the previous page). Same roles and scope as GET /v1/holds/{id}.',
        querystring: Type.Object(
          {
            status: StatusFilter('ACTIVE (or OPEN), RELEASED'),
            serial: Type.Optional(Serial),
            incident: Type.Optional(Ident),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page('HoldPage', HoldSummary), ...problemResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      return listHolds(
        ctx.ledger.handle.db,
        { statuses: statusFilter(q.status, HOLD_STATUSES), serial: q.serial, incidentId: q.incident },
        { limit: q.limit ?? 50, cursor: q.cursor },
      );
    },
  );

  app.get(
    '/v1/holds/:id',
    {
      preValidation: requireRole('quality', 'auditor', 'admin', 'intake', 'assembly', 'logistics'),
      schema: {
        tags: ['quality'],
        operationId: 'getHold',
        summary: 'A hold',
        params: Type.Object({ id: Ident }),
        response: { 200: AnyObject, ...problemResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const state = await readHoldOrIncident(
        ctx.ledger.handle.db,
        'hold',
        req.params.id,
        scopeOf(req.principal),
      );
      if (!state) throw new NotFoundError('UNKNOWN_HOLD', `Hold ${req.params.id} does not exist.`);
      return state;
    },
  );

  app.post(
    '/v1/incidents',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['quality'],
        operationId: 'openIncident',
        summary: 'Open an incident (incident.opened)',
        description: 'Refusals: INCIDENT_EXISTS. Role quality.',
        body: Open,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['quality'],
        atSite: false,
        build: (actor, time) => ({
          kind: 'openIncident',
          actor,
          time,
          incidentId: b.incidentId,
          title: b.title,
          severity: b.severity,
          suspectVins: b.suspectVins ?? [],
          suspectSerials: b.suspectSerials ?? [],
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.patch(
    '/v1/incidents/:id',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['quality'],
        operationId: 'updateIncident',
        summary: 'Update an incident (incident.updated), or close it with status CLOSED (incident.closed)',
        description: 'Refusals: UNKNOWN_INCIDENT, INCIDENT_CLOSED. Role quality.',
        params: Type.Object({ id: Ident }),
        body: Update,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['quality'],
        atSite: false,
        build: (actor, time) => ({
          kind: 'updateIncident',
          actor,
          time,
          incidentId: req.params.id,
          title: b.title,
          severity: b.severity,
          addSuspectVins: b.addSuspectVins,
          addSuspectSerials: b.addSuspectSerials,
          finding: b.finding,
          close: b.status === 'CLOSED' ? { resolution: b.resolution ?? '' } : undefined,
        }),
      });
      return sendEvent(reply, result);
    },
  );

  app.get(
    '/v1/incidents',
    {
      preValidation: requireRole('quality', 'auditor', 'admin'),
      schema: {
        tags: ['quality'],
        operationId: 'listIncidents',
        summary: 'Incidents, newest first, with their suspects, findings and holds counted',
        description:
          'Filter: `status` (OPEN, CLOSED). Paged by `limit` (default 50, at most 500) and `cursor` (`next` of the previous page). ' +
          'Same roles and scope as GET /v1/incidents/{id}: suspect VINs count only those of your brands.',
        querystring: Type.Object(
          { status: StatusFilter('OPEN, CLOSED'), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Page('IncidentPage', IncidentSummary), ...problemResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      return listIncidents(
        ctx.ledger.handle.db,
        { statuses: statusFilter(q.status, INCIDENT_STATUSES) },
        { limit: q.limit ?? 50, cursor: q.cursor },
        scopeOf(req.principal),
      );
    },
  );

  app.get(
    '/v1/incidents/:id',
    {
      preValidation: requireRole('quality', 'auditor', 'admin'),
      schema: {
        tags: ['quality'],
        operationId: 'getIncident',
        summary: 'An incident',
        params: Type.Object({ id: Ident }),
        response: { 200: AnyObject, ...problemResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const state = await readHoldOrIncident(
        ctx.ledger.handle.db,
        'incident',
        req.params.id,
        scopeOf(req.principal),
      );
      if (!state) throw new NotFoundError('UNKNOWN_INCIDENT', `Incident ${req.params.id} does not exist.`);
      return state;
    },
  );

  app.post(
    '/v1/corrections',
    {
      preValidation: requireRole('quality'),
      schema: {
        tags: ['quality'],
        operationId: 'declareCorrection',
        summary: 'Declare an event wrong (correction, EPCIS errorDeclaration): the original stays in the log',
        description:
          'The correction is linked into the timelines of the target’s subjects. Refusals: UNKNOWN_EVENT. Role quality.',
        body: Correction,
        response: { 201: Written(), ...writeProblems },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runCommand(ctx, req, {
        roles: ['quality'],
        atSite: false,
        build: (actor, time) => ({
          kind: 'correct',
          actor,
          time,
          targetId: b.targetId,
          reason: b.reason,
          correctiveIds: b.correctiveIds ?? [],
        }),
      });
      return sendEvent(reply, result);
    },
  );
};
