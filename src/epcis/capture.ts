// Capture of an EPCISDocument, event by event through the sequencer: each event is known by its CBV 2.0 event hash
// (its idempotency key, so an event captured twice is written once), read by src/core/epcis/capture.ts, and
// becomes a command: the domain's arrival of a shipment (decided by the native rules, with their refusals), or an
// `epcis.captured` entry keeping the event as sent. `rollback` (the binding's default) appends the document all or
// nothing; `proceed` appends every event it can and reports the others.
import type { Kysely } from 'kysely';
import { ALL, authorize, type Principal } from '../auth/principal.js';
import type { Catalog } from '../core/domain/catalog.js';
import { withSites } from '../core/domain/decide.js';
import type { DomainState } from '../core/domain/state.js';
import type { EventDraft, JsonObject } from '../core/envelope.js';
import {
  CAPTURED_TYPE,
  type CapturedData,
  captureKey,
  eventSubject,
  ownContext,
  readCapturedEvent,
} from '../core/epcis/capture.js';
import { eventHashId, listDocumentEvents } from '../core/epcis/event-hash.js';
import type { EpcisNamespace } from '../core/epcis/ids.js';
import { type LedgerError, RefusalError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { plantCommand } from '../domain/domain.js';
import { toProblem } from '../http/problem.js';
import { type AppendResult, type Command, requestHashOf, type Sequencer } from '../ledger/sequencer.js';

/** What the binding's GS1-Capture-Error-Behaviour header asks: all or nothing, or every event that can be. */
export type CaptureBehaviour = 'rollback' | 'proceed';

/** The roles that may capture: partners (suppliers, carriers) and the plant's administrators. */
export const CAPTURE_ROLES = ['partner', 'admin'] as const;

/** What capture needs of the server. */
export interface CaptureContext {
  db: Kysely<Database>;
  sequencer: Sequencer<DomainState>;
  catalog: Catalog;
  ns: EpcisNamespace;
}

/**
 * The outcome of one event: written (seq), written before (duplicate), refused (a problem), or not written
 * because another event of an all-or-nothing document was refused (rolledBack).
 */
export interface EventOutcome {
  index: number;
  eventID: string;
  seq?: number;
  leafHash?: string;
  duplicate?: boolean;
  rolledBack?: boolean;
  error?: Record<string, unknown>;
}

/** One event of a document, read: its hash, key and command, or why it cannot be one. */
interface Planned {
  index: number;
  eventHash: string;
  command?: Command<DomainState>;
  refusal?: LedgerError;
}

/** Business time of an envelope: the event's eventTime in UTC. */
const utc = (eventTime: unknown): string => new Date(String(eventTime)).toISOString();

/** The `epcis.captured` command of an event kept as sent: its hash is its key and its request. */
function recordCommand(
  actorOf: () => EventDraft['actor'],
  event: JsonObject,
  eventHash: string,
  key: string,
  subjects: string[],
  context: ReturnType<typeof ownContext>,
): Command<DomainState> {
  const data: CapturedData = { eventHash, event, ...(context ? { context } : {}) };
  return {
    id: key,
    requestHash: requestHashOf({ kind: CAPTURED_TYPE, key }),
    decide: () => ({
      type: CAPTURED_TYPE,
      time: utc(event.eventTime),
      actor: actorOf(),
      subjects: [eventSubject(eventHash), ...subjects],
      data: data as unknown as JsonObject,
    }),
  };
}

/**
 * The motors' shipment, read before the arrival is decided (the arrival names motors; the domain arrives a
 * shipment): every motor known, on one shipment. The domain decides again against the state it loads.
 */
async function shipmentOfMotors(db: Kysely<Database>, serials: string[], named?: string): Promise<string> {
  const rows = await db
    .selectFrom('motor')
    .select(['serial', 'shipment_id'])
    .where('serial', 'in', serials)
    .execute();
  const unknown = serials.find((s) => !rows.some((r) => r.serial === s));
  if (unknown !== undefined)
    throw new RefusalError('UNKNOWN_SERIAL', `Motor ${unknown} is not in the ledger: check the EPC.`, {
      serial: unknown,
    });
  const loose = rows.find((r) => r.shipment_id === null);
  if (loose)
    throw new RefusalError(
      'NOT_SHIPPED',
      `Motor ${loose.serial} was never shipped in the ledger (it is on no shipment): it cannot arrive; call Cléon logistics.`,
      { serial: loose.serial },
    );
  const shipments = [...new Set(rows.map((r) => r.shipment_id!))];
  if (shipments.length > 1)
    throw new RefusalError(
      'EPCIS_SEVERAL_SHIPMENTS',
      `The motors of one arrival are on shipments ${shipments.join(', ')}: send one arriving event per shipment.`,
      { shipments },
    );
  if (named !== undefined && named !== shipments[0])
    throw new RefusalError(
      'NOT_ON_SHIPMENT',
      `The motors are on shipment ${shipments[0]}, not on ${named} as ml:shipmentId says.`,
      { shipmentId: shipments[0] },
    );
  return shipments[0]!;
}

/** The domain's arrival of the motors' shipment, with capture's own refusals first (in the batch's state). */
async function arrivalCommand(
  ctx: CaptureContext,
  principal: Principal,
  event: JsonObject,
  key: string,
  reading: { serials: string[]; site: string; dock: string; shipmentId?: string },
): Promise<Command<DomainState>> {
  const shipmentId = await shipmentOfMotors(ctx.db, reading.serials, reading.shipmentId);
  const actor = authorize(principal, { roles: [...CAPTURE_ROLES], site: reading.site });
  const command = withSites(
    { kind: 'arriveShipment', shipmentId, dock: reading.dock, actor, time: utc(event.eventTime) },
    principal.sites,
  );
  const native = plantCommand(ctx.catalog, command, key, { epcis: key });
  return {
    ...native,
    requestHash: requestHashOf({ kind: CAPTURED_TYPE, key }),
    decide(state) {
      const sh = state.shipment.get(shipmentId);
      if (sh?.status === 'LOADED')
        throw new RefusalError(
          'NOT_SHIPPED',
          `Shipment ${shipmentId} has not departed ${sh.from} in the ledger: its motors cannot arrive; call Cléon logistics.`,
          { shipmentId },
        );
      const off = reading.serials.find((s) => sh && !sh.serials.includes(s));
      if (off !== undefined)
        throw new RefusalError('NOT_ON_SHIPMENT', `Motor ${off} is not on shipment ${shipmentId}.`, {
          serial: off,
        });
      return native.decide(state);
    },
  };
}

/** Read every event of a document into a command, or the refusal that keeps it out. */
async function plan(ctx: CaptureContext, principal: Principal, doc: JsonObject): Promise<Planned[]> {
  const events = listDocumentEvents(doc);
  const context = ownContext(doc['@context']);
  const recorder = () => authorize(principal, { roles: [...CAPTURE_ROLES] });
  return Promise.all(
    events.map(async ({ event, context: docContext, options }, index): Promise<Planned> => {
      const e = event as JsonObject;
      const eventHash = eventHashId(e, docContext, options);
      const key = captureKey(eventHash, e.errorDeclaration !== undefined);
      const reading = readCapturedEvent(e, ctx.ns);
      try {
        if (reading.kind === 'refuse') throw new RefusalError(reading.code, reading.message);
        const command =
          reading.kind === 'arrival'
            ? await arrivalCommand(ctx, principal, e, key, reading)
            : recordCommand(recorder, e, eventHash, key, reading.subjects, context);
        return { index, eventHash, command };
      } catch (err) {
        return { index, eventHash, refusal: err as LedgerError };
      }
    }),
  );
}

const problemOf = (index: number, err: unknown): Record<string, unknown> => ({
  ...toProblem(err, `#/epcisBody/eventList/${index}`),
  'ml:eventIndex': index,
});

/**
 * Capture a validated document: every event decided in document order through the sequencer. With `rollback`,
 * one refused event (read or decided) writes none of the document; with `proceed`, each event stands alone.
 * @example const outcomes = await captureDocument(ctx, principal, doc, 'rollback');
 */
export async function captureDocument(
  ctx: CaptureContext,
  principal: Principal,
  doc: JsonObject,
  behaviour: CaptureBehaviour,
): Promise<EventOutcome[]> {
  const planned = await plan(ctx, principal, doc);
  const outcomes: EventOutcome[] = planned.map((p) => ({
    index: p.index,
    eventID: p.eventHash,
    ...(p.refusal ? { error: problemOf(p.index, p.refusal) } : {}),
  }));
  const ready = planned.filter((p) => p.command !== undefined);
  if (behaviour === 'rollback' && ready.length < planned.length) {
    for (const p of ready) outcomes[p.index]!.rolledBack = true; // refused as a whole
    return outcomes;
  }
  const commands = ready.map((p) => p.command!);
  const settled =
    behaviour === 'rollback'
      ? await ctx.sequencer.appendAll(commands)
      : await ctx.sequencer.appendMany(commands);
  settled.forEach((s, i) => {
    const outcome = outcomes[ready[i]!.index]!;
    if (s.status === 'fulfilled') Object.assign(outcome, written(s.value));
    else if ((s.reason as LedgerError).code === 'ROLLED_BACK') outcome.rolledBack = true;
    else outcome.error = problemOf(outcome.index, s.reason);
  });
  return outcomes;
}

const written = (r: AppendResult) => ({
  seq: r.seq,
  leafHash: r.leafHash,
  ...(r.duplicate ? { duplicate: true } : {}),
});

/** Whether a principal may see every capture job (the plant's administrators), or only its own. */
export function seesAllJobs(principal: Principal): boolean {
  return principal.roles.includes('admin') && principal.sites.includes(ALL);
}
