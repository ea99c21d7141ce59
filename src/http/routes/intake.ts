// Dieppe intake: a scan at the dock gets ACCEPTED (motor.received) or REJECTED with a code (intake.rejected,
// which is recorded too) in one round trip. A handheld that was offline uploads its buffered scans in one
// request, each with its device time, in order, and gets one verdict per scan.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authorize, resolveSite } from '../../auth/principal.js';
import { withSites } from '../../core/domain/decide.js';
import type { DomainState } from '../../core/domain/state.js';
import { plantCommand } from '../../domain/domain.js';
import { readMotor, readShipment } from '../../domain/reads.js';
import type { AppendResult, DecidedEvent } from '../../ledger/sequencer.js';
import { eventView, requireRole } from '../command.js';
import type { AppContext } from '../context.js';
import { noteWrite } from '../observe.js';
import { toProblem } from '../problem.js';
import { EventView, Ident, Problem, Serial, WriteFields, writeProblems } from '../schemas.js';
import { ShipmentId } from './shipments.js';

const Scan = Type.Object(
  {
    ...WriteFields,
    serial: Serial,
    shipmentId: ShipmentId,
    dock: Ident,
    scanner: Ident,
  },
  {
    title: 'Scan',
    additionalProperties: false,
    examples: [
      {
        id: '0196f3d0-1b2c-7d3e-8f40-5a6b7c8d9e0f',
        serial: '7DL-000123',
        shipmentId: 'SHP-20261123-01',
        dock: 'D3',
        scanner: 'HH-17',
        time: '2026-11-23T11:12:31.250Z',
      },
    ],
  },
);

const MotorSummary = Type.Union([
  Type.Object({
    serial: Type.String(),
    motorType: Type.String(),
    status: Type.String(),
    holds: Type.Array(Type.String()),
  }),
  Type.Null(),
]);
const ShipmentSummary = Type.Union([
  Type.Object({
    id: Type.String(),
    from: Type.String(),
    to: Type.String(),
    status: Type.String(),
    expected: Type.Integer(),
    scanned: Type.Integer({ description: 'accepted + quarantined, as GET /v1/shipments counts it' }),
    accepted: Type.Integer({ description: 'Motors of the shipment received.' }),
    quarantined: Type.Integer({
      description: 'Motors of the shipment rejected at its intake and not received since.',
    }),
  }),
  Type.Null(),
]);
const Verdict = Type.Object(
  {
    verdict: Type.Union([Type.Literal('ACCEPTED'), Type.Literal('REJECTED')]),
    code: Type.String({
      description:
        'ACCEPTED, or why not: UNKNOWN_SERIAL, UNKNOWN_SHIPMENT, NOT_ON_SHIPMENT, WRONG_DESTINATION, ALREADY_RECEIVED, MOTOR_HELD, NOT_SHIPPED',
    }),
    message: Type.String({ description: 'What the operator should do' }),
    motor: MotorSummary,
    shipment: ShipmentSummary,
    event: EventView,
  },
  { title: 'ScanVerdict' },
);

type ScanBody = {
  id?: string;
  site?: string;
  time?: string;
  serial: string;
  shipmentId: string;
  dock: string;
  scanner: string;
};
interface VerdictAnswer {
  verdict: 'ACCEPTED' | 'REJECTED';
  code: string;
  message: string;
  motor: { serial: string; motorType: string; status: string; holds: string[] } | null;
  shipment: {
    id: string;
    from: string;
    to: string;
    status: string;
    expected: number;
    scanned: number;
    accepted: number;
    quarantined: number;
  } | null;
}

// Computed in the batch right after the scan's event: no extra query on the hot path.
function answerFrom(state: DomainState, serial: string, shipmentId: string, e: DecidedEvent): VerdictAnswer {
  const m = state.motor.get(serial);
  const s = state.shipment.get(shipmentId);
  const rejected = e.draft.type === 'intake.rejected';
  return {
    verdict: rejected ? 'REJECTED' : 'ACCEPTED',
    code: rejected ? String(e.draft.data.code) : 'ACCEPTED',
    message: rejected ? String(e.draft.data.reason) : `Motor ${serial} received: put it in the buffer.`,
    motor: m ? { serial: m.serial, motorType: m.motorType, status: m.status, holds: [...m.holds] } : null,
    shipment: s
      ? {
          id: s.id,
          from: s.from,
          to: s.to,
          status: s.status,
          expected: s.serials.length,
          scanned: s.received.length + (s.quarantined?.length ?? 0),
          accepted: s.received.length,
          quarantined: s.quarantined?.length ?? 0,
        }
      : null,
  };
}

export const intakeRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  const scanCommand = (req: FastifyRequest, b: ScanBody) => {
    authorize(req.principal, { roles: ['intake'] });
    const site = resolveSite(req.principal!, b.site);
    const actor = authorize(req.principal, { roles: ['intake'], site });
    const { id, ...request } = b;
    return plantCommand(
      ctx.catalog,
      withSites(
        {
          kind: 'scanIntake',
          actor,
          time: b.time ?? new Date().toISOString(),
          serial: b.serial,
          shipmentId: b.shipmentId,
          dock: b.dock,
          scanner: b.scanner,
        },
        req.principal!.sites,
      ),
      id,
      request,
      (state, e) => answerFrom(state, b.serial, b.shipmentId, e),
    );
  };

  // A retried scan gets its first verdict again (from the stored event) with the current motor and shipment.
  const toVerdict = async (
    r: AppendResult,
    b: ScanBody,
  ): Promise<VerdictAnswer & { event: ReturnType<typeof eventView> }> => {
    if (r.answer) return { ...(r.answer as VerdictAnswer), event: eventView(r) };
    const data = r.envelope?.data ?? {};
    const rejected = r.type === 'intake.rejected';
    const [m, s] = await Promise.all([
      readMotor(ctx.ledger.handle.db, b.serial, { brands: [] }), // the verdict shows upstream fields only
      readShipment(ctx.ledger.handle.db, b.shipmentId),
    ]);
    return {
      verdict: rejected ? 'REJECTED' : 'ACCEPTED',
      code: rejected ? String(data.code) : 'ACCEPTED',
      message: rejected ? String(data.reason) : `Motor ${b.serial} received: put it in the buffer.`,
      motor: m ? { serial: m.serial, motorType: m.motorType, status: m.status, holds: m.holds } : null,
      shipment: s
        ? {
            id: s.shipment.id,
            from: s.shipment.from,
            to: s.shipment.to,
            status: s.shipment.status,
            expected: s.expected,
            scanned: s.scanned,
            accepted: s.accepted,
            quarantined: s.quarantined,
          }
        : null,
      event: eventView(r),
    };
  };

  app.post(
    '/v1/intake/scans',
    {
      preValidation: requireRole('intake'),
      schema: {
        tags: ['intake'],
        operationId: 'scanMotor',
        summary: 'Scan a motor at the Dieppe dock: ACCEPTED or REJECTED with a code, in one round trip',
        description:
          'Both verdicts are recorded (motor.received or intake.rejected) and answered 200. A retry with the same id gets the first verdict. Role intake at the receiving site.',
        body: Scan,
        response: { 200: Verdict, ...writeProblems },
      },
    },
    async (req, reply) => {
      const r = await ctx.ledger.sequencer.append(scanCommand(req, req.body));
      noteWrite(req, r.seq);
      if (r.duplicate) void reply.header('idempotent-replayed', 'true');
      return toVerdict(r, req.body);
    },
  );

  app.post(
    '/v1/intake/scan-batches',
    {
      preValidation: requireRole('intake'),
      schema: {
        tags: ['intake'],
        operationId: 'uploadScanBatch',
        summary: 'Upload a handheld’s buffered scans (offline mode): one verdict per scan, in order',
        description:
          'Scans are decided in the order sent, each with its own device time and id; a scan refused for its body fails alone (its result carries a problem). Up to 5,000 scans.',
        body: Type.Object(
          { scans: Type.Array(Scan, { minItems: 1, maxItems: 5000 }) },
          {
            additionalProperties: false,
            examples: [
              {
                scans: [
                  {
                    id: '0196f3d0-1b2c-7d3e-8f40-5a6b7c8d9e01',
                    serial: '7DL-000123',
                    shipmentId: 'SHP-20261123-01',
                    dock: 'D3',
                    scanner: 'HH-17',
                    time: '2026-11-23T11:12:31Z',
                  },
                  {
                    id: '0196f3d0-1b2c-7d3e-8f40-5a6b7c8d9e02',
                    serial: '7DL-000124',
                    shipmentId: 'SHP-20261123-01',
                    dock: 'D3',
                    scanner: 'HH-17',
                    time: '2026-11-23T11:12:40Z',
                  },
                ],
              },
            ],
          },
        ),
        response: {
          200: Type.Object({
            results: Type.Array(Type.Union([Verdict, Type.Object({ problem: Problem })])),
          }),
          ...writeProblems,
        },
      },
    },
    async (req) => {
      const commands = req.body.scans.map((s) => scanCommand(req, s));
      const settled = await ctx.ledger.sequencer.appendMany(commands);
      const results = await Promise.all(
        settled.map(async (s, i) =>
          s.status === 'fulfilled'
            ? toVerdict(s.value, req.body.scans[i]!)
            : { problem: toProblem(s.reason) },
        ),
      );
      return { results };
    },
  );
};
