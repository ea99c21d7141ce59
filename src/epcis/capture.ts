// Capture of an EPCISDocument, event by event through the sequencer: each event is known by its CBV 2.0 event hash
// (its idempotency key, so an event captured twice is written once), read by src/core/epcis/capture.ts, and
// becomes a command: the domain's arrival of a shipment (decided by the native rules, with their refusals), or an
// `epcis.captured` entry keeping the event as sent. `rollback` (the binding's default) appends the document all or
// nothing; `proceed` appends every event it can and reports the others.
import { type Kysely, sql } from 'kysely';
import { ALL, authorize, type Principal } from '../auth/principal.js';
import type { Catalog } from '../core/domain/catalog.js';
import { withSites } from '../core/domain/decide.js';
import type { DomainState } from '../core/domain/state.js';
import { utf8Decode } from '../core/encoding.js';
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

/** Business time of an envelope: the event's eventTime in UTC (a time JavaScript cannot place is refused). */
function utc(eventTime: unknown): string {
  const ms = Date.parse(String(eventTime));
  if (Number.isNaN(ms))
    throw new RefusalError(
      'EPCIS_EVENT_TIME',
      `eventTime "${String(eventTime)}" is not a time the ledger can place (a leap second, say): send it as the next second.`,
    );
  return new Date(ms).toISOString();
}

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
  const draft: EventDraft = {
    type: CAPTURED_TYPE,
    time: utc(event.eventTime),
    actor: actorOf(),
    subjects: [eventSubject(eventHash), ...subjects],
    data: data as unknown as JsonObject,
  };
  return { id: key, requestHash: requestHashOf({ kind: CAPTURED_TYPE, key }), decide: () => draft };
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
  record: Command<DomainState>,
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
      // The truck has arrived already (a carrier reporting each motor, say): the partner's word is kept as sent.
      if (sh?.status === 'ARRIVED') return record.decide(state);
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

/** Which of these plant motors and VINs the ledger knows (a partner may not start a motor's history). */
async function knownIds(db: Kysely<Database>, subjects: readonly string[]): Promise<Set<string>> {
  const serials = subjects.filter((x) => x.startsWith('motor:')).map((x) => x.slice('motor:'.length));
  const vins = subjects.filter((x) => x.startsWith('vehicle:')).map((x) => x.slice('vehicle:'.length));
  const [motors, vehicles] = await Promise.all([
    serials.length ? db.selectFrom('motor').select('serial').where('serial', 'in', serials).execute() : [],
    vins.length ? db.selectFrom('vehicle').select('vin').where('vin', 'in', vins).execute() : [],
  ]);
  return new Set([...motors.map((m) => `motor:${m.serial}`), ...vehicles.map((v) => `vehicle:${v.vin}`)]);
}

/**
 * An error declaration may restate only an event of its sender's: not one another partner sent, nor one of the
 * ledger's own (whose hashes the event index holds).
 */
async function checkDeclaration(
  db: Kysely<Database>,
  principal: Principal,
  eventHash: string,
): Promise<void> {
  const { rows } = await sql<{ body: Uint8Array; type: string }>`
    SELECT body, type FROM ledger_entry WHERE id = ${captureKey(eventHash, false)}::uuid
    UNION ALL
    SELECT e.body, e.type FROM epcis_event_index i JOIN ledger_entry e ON e.seq = i.seq
      WHERE i.event_hash = decode(${eventHash.slice('ni:///sha-256;'.length, 'ni:///sha-256;'.length + 64)}, 'hex')
      AND e.type <> ${CAPTURED_TYPE}
    LIMIT 1`.execute(db);
  const original = rows[0];
  if (!original) return; // declared of an event sent elsewhere: the partner's word, kept as sent
  const envelope = JSON.parse(utf8Decode(original.body)) as { actor: { sub: string } };
  if (original.type !== CAPTURED_TYPE)
    throw new RefusalError(
      'EPCIS_PLANT_STEP',
      "The error declaration restates one of the ledger's own events: only the plant's quality team corrects those.",
    );
  if (envelope.actor.sub !== principal.sub)
    throw new RefusalError(
      'EPCIS_NOT_YOURS',
      `The error declaration restates an event ${envelope.actor.sub} sent: only its sender may declare it wrong.`,
    );
}

/** Read every event of a document into a command, or the refusal that keeps it out; in document order. */
async function plan(ctx: CaptureContext, principal: Principal, doc: JsonObject): Promise<Planned[]> {
  const events = listDocumentEvents(doc);
  const context = ownContext(doc['@context']);
  const recorder = () => authorize(principal, { roles: [...CAPTURE_ROLES] });
  const read = events.map(({ event, context: docContext, options }) => {
    const e = event as JsonObject;
    const eventHash = eventHashId(e, docContext, options);
    return { e, eventHash, reading: readCapturedEvent(e, ctx.ns, docContext) };
  });
  const named = read.flatMap(({ reading }) =>
    reading.kind === 'record'
      ? reading.subjects
      : reading.kind === 'arrival'
        ? reading.serials.map((x) => `motor:${x}`)
        : [],
  );
  const known = named.length > 0 ? await knownIds(ctx.db, [...new Set(named)]) : new Set<string>();
  const planned: Planned[] = [];
  // One at a time: an arrival reads the database, and a document of 10,000 must not take the whole pool.
  for (const [index, { e, eventHash, reading }] of read.entries()) {
    const key = captureKey(eventHash, e.errorDeclaration !== undefined);
    try {
      if (reading.kind === 'refuse') throw new RefusalError(reading.code, reading.message);
      const subjects =
        reading.kind === 'record' ? reading.subjects : reading.serials.map((x) => `motor:${x}`);
      const unknown = subjects.find((x) => !known.has(x));
      if (unknown !== undefined)
        throw new RefusalError(
          unknown.startsWith('motor:') ? 'UNKNOWN_SERIAL' : 'UNKNOWN_VIN',
          `The event names ${unknown.replace(':', ' ')}, which the ledger does not know: check the EPC (a partner's event cannot start a motor's or a vehicle's history).`,
          { subject: unknown },
        );
      if (e.errorDeclaration !== undefined) await checkDeclaration(ctx.db, principal, eventHash);
      const record = recordCommand(recorder, e, eventHash, key, subjects, context);
      const command =
        reading.kind === 'arrival' ? await arrivalCommand(ctx, principal, e, key, reading, record) : record;
      planned.push({ index, eventHash, command });
    } catch (err) {
      planned.push({ index, eventHash, refusal: err as LedgerError });
    }
  }
  return planned;
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
