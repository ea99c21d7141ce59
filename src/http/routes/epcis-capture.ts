// The capture side of the EPCIS 2.0 REST binding: POST /epcis/capture takes an EPCISDocument (or an
// EPCISQueryDocument), checks it against the GS1 JSON Schema (400 EPCIS_SCHEMA naming the pointer and rule,
// nothing stored), stores it as a capture job and answers 202 with the job's Location; `Prefer: wait=N` answers
// the finished job (201) when it ends within N seconds. GET /epcis/capture/{captureID} and GET /epcis/capture show
// jobs. Roles partner and admin (src/epcis/capture.ts decides what each event may be).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { epcisNamespaceOf } from '../../config.js';
import type { JsonObject } from '../../core/envelope.js';
import { listDocumentEvents } from '../../core/epcis/event-hash.js';
import { ValidationError } from '../../core/errors.js';
import { CAPTURE_ROLES, type CaptureBehaviour } from '../../epcis/capture.js';
import { CaptureJobs } from '../../epcis/capture-jobs.js';
import { loadEpcisValidator, toValidationError } from '../../epcis/schema.js';
import { requireRole } from '../command.js';
import type { AppContext } from '../context.js';
import { AnyObject, problemResponses } from '../schemas.js';

/** Most events in one captured document (the binding's capture limit); a larger one is 413. */
export const CAPTURE_LIMIT = 10_000;
/** Longest `Prefer: wait` honoured, in seconds. */
const MAX_WAIT_S = 60;
const VERSIONS = { 'gs1-epcis-version': '2.0.0', 'gs1-cbv-version': '2.0.0' };
const BEHAVIOURS: readonly CaptureBehaviour[] = ['rollback', 'proceed'];

/** The seconds of an RFC 7240 `Prefer: wait=N` (0 without one). */
function preferredWait(prefer: string | string[] | undefined): number {
  const text = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(text);
  return m ? Math.min(Number(m[1]), MAX_WAIT_S) : 0;
}

function behaviourOf(header: string | string[] | undefined): CaptureBehaviour {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() ?? 'rollback';
  if (!(BEHAVIOURS as readonly string[]).includes(value)) {
    throw new ValidationError(
      'EPCIS_CAPTURE_BEHAVIOUR',
      `GS1-Capture-Error-Behaviour "${value}" is not one this server runs: send rollback (nothing written if one event is refused, the default) or proceed (every event that can be written is).`,
      { field: 'headers/gs1-capture-error-behaviour' },
    );
  }
  return value as CaptureBehaviour;
}

const EpcisDocument = Type.Object(
  {},
  {
    title: 'EPCISDocument',
    additionalProperties: true,
    description: 'A GS1 EPCIS 2.0 EPCISDocument (or EPCISQueryDocument), JSON-LD.',
    examples: [
      {
        '@context': [
          'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
          { ex: 'https://supplier.example/voc/' },
        ],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-11-20T08:05:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2026-11-20T08:00:00.000+01:00',
              eventTimeZoneOffset: '+01:00',
              action: 'ADD',
              bizStep: 'commissioning',
              disposition: 'active',
              quantityList: [
                { epcClass: 'urn:epc:class:lgtin:4012345.012345.MAG-24-031', quantity: 2400, uom: 'H87' },
              ],
              readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
              'ex:furnace': 'F-3',
            },
          ],
        },
      },
    ],
  },
);

const CaptureJob = Type.Object(
  {
    captureID: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
    running: Type.Boolean(),
    success: Type.Boolean(),
    captureErrorBehaviour: Type.String({ enum: ['rollback', 'proceed'] }),
    errors: Type.Array(AnyObject),
    'ml:events': Type.Optional(
      Type.Array(AnyObject, {
        description:
          'Each event in document order: index, eventID (its CBV 2.0 event hash), and seq and leafHash once ' +
          'written (duplicate: written by an earlier capture), error when refused, rolledBack when another ' +
          'event of an all-or-nothing document was refused.',
      }),
    ),
  },
  { title: 'CaptureJob', additionalProperties: true },
);

export const epcisCaptureRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, ctx) => {
  const ns = epcisNamespaceOf(ctx.config);
  const jobs = new CaptureJobs(
    { db: ctx.ledger.handle.db, sequencer: ctx.ledger.sequencer, catalog: ctx.catalog, ns },
    (err, id) => app.log.error({ err, captureID: id }, 'capture job left unfinished; it runs again at start'),
  );
  app.addHook('onReady', async () => {
    const resumed = await jobs.resume();
    if (resumed > 0) app.log.info({ resumed }, 'capture jobs left unfinished run again');
  });
  // Before the ledger closes: the jobs started here finish their appends.
  app.addHook('preClose', async () => {
    await jobs.close();
  });

  app.post(
    '/epcis/capture',
    {
      preValidation: requireRole(...CAPTURE_ROLES),
      schema: {
        tags: ['ledger'],
        operationId: 'captureEpcisDocument',
        summary: 'EPCIS 2.0 capture: an EPCISDocument from a partner, captured event by event as a job',
        description:
          'The document is checked against the GS1 EPCIS 2.0 JSON Schema first (400 EPCIS_SCHEMA with the ' +
          'pointer and rule of each problem; nothing is stored). Then it becomes a capture job: 202 with ' +
          '`Location: /epcis/capture/{captureID}`; with `Prefer: wait=N` (seconds, at most 60) the job is ' +
          'answered finished (201) if it ends in time. Each event is known by its CBV 2.0 event hash: captured ' +
          'twice, written once. A carrier’s arrival (`arriving`) of the plant’s motors at a dock of the plant ' +
          'is the domain’s arrival of their shipment, refused as the native API refuses it (NOT_SHIPPED, …); ' +
          'other steps the plant records itself about its motors and vehicles are refused (EPCIS_PLANT_STEP); ' +
          'any other event is kept as sent (`epcis.captured`). `GS1-Capture-Error-Behaviour: rollback` (the ' +
          'default) writes nothing of a document with a refused event; `proceed` writes every event it can. ' +
          `At most ${CAPTURE_LIMIT.toLocaleString('en-US')} events per document (413). Roles partner, admin.`,
        body: EpcisDocument,
        headers: Type.Object(
          {
            'gs1-capture-error-behaviour': Type.Optional(
              Type.String({ maxLength: 20, description: 'rollback (default) or proceed' }),
            ),
            prefer: Type.Optional(
              Type.String({ maxLength: 200, description: 'wait=N: answer the finished job within N s' }),
            ),
          },
          { additionalProperties: true },
        ),
        response: {
          201: CaptureJob,
          202: CaptureJob,
          ...problemResponses(400, 401, 403, 413),
        },
      },
    },
    async (req, reply) => {
      const behaviour = behaviourOf(req.headers['gs1-capture-error-behaviour']);
      const doc = req.body as JsonObject;
      const verdict = loadEpcisValidator().validateDocument(doc);
      if (!verdict.valid) throw toValidationError(verdict);
      const count = listDocumentEvents(doc).length;
      if (count > CAPTURE_LIMIT) {
        throw new ValidationError(
          'EPCIS_CAPTURE_LIMIT',
          `The document holds ${count.toLocaleString('en-US')} events; send at most ${CAPTURE_LIMIT.toLocaleString('en-US')} per document.`,
          { events: count, limit: CAPTURE_LIMIT },
        );
      }
      const id = await jobs.submit(req.principal!, doc, behaviour);
      const finished = await jobs.wait(id, preferredWait(req.headers.prefer) * 1000);
      void reply.headers({ ...VERSIONS, location: `/epcis/capture/${id}` });
      return reply
        .status(finished && preferredWait(req.headers.prefer) > 0 ? 201 : 202)
        .send(await jobs.get(req.principal!, id));
    },
  );

  app.get(
    '/epcis/capture/:captureID',
    {
      preValidation: requireRole(...CAPTURE_ROLES),
      schema: {
        tags: ['ledger'],
        operationId: 'getEpcisCaptureJob',
        summary: 'EPCIS 2.0 capture: one capture job, with each event’s outcome',
        description:
          'running, success, captureErrorBehaviour and errors as the binding says; `ml:events` gives each ' +
          'event’s eventID and, once written, its seq and leaf hash (for its inclusion proof). A partner sees ' +
          'its own jobs; an admin of every site sees all. 404 EPCIS_CAPTURE_NOT_FOUND otherwise.',
        params: Type.Object({ captureID: Type.String({ maxLength: 64 }) }),
        response: { 200: CaptureJob, ...problemResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      void reply.headers(VERSIONS);
      return jobs.get(req.principal!, req.params.captureID);
    },
  );

  app.get(
    '/epcis/capture',
    {
      preValidation: requireRole(...CAPTURE_ROLES),
      schema: {
        tags: ['ledger'],
        operationId: 'listEpcisCaptureJobs',
        summary: 'EPCIS 2.0 capture: the caller’s capture jobs, newest first',
        description:
          'The newest `perPage` jobs (default 30, at most 100) of the caller (of everyone, for an admin of ' +
          'every site), without per-event outcomes. Roles partner, admin.',
        querystring: Type.Object({ perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
        response: { 200: Type.Array(CaptureJob), ...problemResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      void reply.headers(VERSIONS);
      return jobs.list(req.principal!, req.query.perPage ?? 30);
    },
  );
};
