// The binding's capture jobs: a document accepted for capture is stored with its job before the client is
// answered (202), run in the background (src/epcis/capture.ts), and its outcome stored in place of the document.
// A job a stopped server left unfinished runs again at the next start: its events' idempotency keys (their event
// hashes) make a second run write nothing twice. A partner sees its own jobs; an administrator of every site all.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Principal, Role } from '../auth/principal.js';
import { utf8Decode, utf8Encode } from '../core/encoding.js';
import type { JsonObject } from '../core/envelope.js';
import { isUuid } from '../core/envelope.js';
import { NotFoundError } from '../core/errors.js';
import {
  type CaptureBehaviour,
  type CaptureContext,
  captureDocument,
  type EventOutcome,
  seesAllJobs,
} from './capture.js';

/** A capture job as the binding shows it (CaptureJob), with the ledger's per-event results. */
export interface CaptureJobView {
  captureID: string;
  createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: CaptureBehaviour;
  /** One problem per refused event (its `instance` points at the event in the document). */
  errors: Record<string, unknown>[];
  /** Each event's outcome in document order: its eventID, and its seq and leaf hash once written. */
  'ml:events'?: EventOutcome[];
}

interface JobRow {
  id: string;
  sub: string;
  created_at: Date;
  finished_at: Date | null;
  behaviour: string;
  principal: Record<string, unknown>;
  document: Uint8Array | null;
  outcome: Record<string, unknown> | null;
}

/** What a job's outcome column holds. */
interface Outcome {
  events: EventOutcome[];
}

function viewOf(row: JobRow): CaptureJobView {
  const events = ((row.outcome as Outcome | null)?.events ?? []) as EventOutcome[];
  const errors = events.flatMap((e) => (e.error ? [e.error] : []));
  return {
    captureID: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    ...(row.finished_at ? { finishedAt: new Date(row.finished_at).toISOString() } : {}),
    running: row.finished_at === null,
    success: errors.length === 0,
    captureErrorBehaviour: row.behaviour as CaptureBehaviour,
    errors,
    ...(row.outcome ? { 'ml:events': events } : {}),
  };
}

/** The principal a job runs as, stored with it (never its token). */
function storedPrincipal(p: Principal): Record<string, unknown> {
  return { sub: p.sub, roles: p.roles, sites: p.sites, brands: p.brands };
}

function principalOf(stored: Record<string, unknown>): Principal {
  return {
    sub: String(stored.sub),
    roles: (stored.roles ?? []) as Role[],
    sites: (stored.sites ?? []) as string[],
    brands: (stored.brands ?? []) as string[],
    token: '',
  };
}

/**
 * The capture jobs of one server: submit, wait for, read, list, and resume at start.
 * @example const id = await jobs.submit(principal, doc, 'rollback'); await jobs.wait(id, 30_000);
 */
export class CaptureJobs {
  readonly #ctx: CaptureContext;
  readonly #onError: (err: unknown, id: string) => void;
  readonly #running = new Map<string, Promise<void>>();

  constructor(ctx: CaptureContext, onError: (err: unknown, id: string) => void) {
    this.#ctx = ctx;
    this.#onError = onError;
  }

  /** Store a validated document as a job (durable before the caller answers), and start it. */
  async submit(principal: Principal, doc: JsonObject, behaviour: CaptureBehaviour): Promise<string> {
    const id = uuidv7();
    await this.#ctx.db
      .insertInto('epcis_capture_job')
      .values({
        id,
        sub: principal.sub,
        created_at: new Date(),
        behaviour,
        principal: JSON.stringify(storedPrincipal(principal)),
        document: utf8Encode(JSON.stringify(doc)),
      })
      .execute();
    this.#start(id, principal, doc, behaviour);
    return id;
  }

  #start(id: string, principal: Principal, doc: JsonObject, behaviour: CaptureBehaviour): void {
    const run = captureDocument(this.#ctx, principal, doc, behaviour)
      .then((events) => {
        // A failure of the server, not of the event (the database away, a shutdown): run it again at start.
        const unavailable = events.find((e) => Number(e.error?.status) >= 500);
        if (unavailable) throw new Error(`capture job ${id}: ${String(unavailable.error?.code)}`);
        return this.#ctx.db
          .updateTable('epcis_capture_job')
          .set({
            finished_at: new Date(),
            document: null,
            // jsonb refuses U+0000, which a refusal's sentence may quote from the document.
            outcome: JSON.stringify({ events } satisfies Outcome).replaceAll('\\u0000', '\\ufffd'),
          })
          .where('id', '=', id)
          .execute();
      })
      // Left unfinished (the database went away): it runs again at the next start.
      .catch((err) => this.#onError(err, id))
      .then(() => {
        this.#running.delete(id);
      });
    this.#running.set(id, run);
  }

  /** Wait up to `ms` for a job started here to finish; true if it did (or is not running here). */
  async wait(id: string, ms: number): Promise<boolean> {
    const run = this.#running.get(id);
    if (!run) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([run.then(() => true as const), late]);
    clearTimeout(timer);
    return done;
  }

  /** A job of this principal (any job, for an administrator of every site); 404 otherwise. */
  async get(principal: Principal, id: string): Promise<CaptureJobView> {
    const row = isUuid(id)
      ? await this.#ctx.db.selectFrom('epcis_capture_job').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!row || (row.sub !== principal.sub && !seesAllJobs(principal))) {
      throw new NotFoundError('EPCIS_CAPTURE_NOT_FOUND', `There is no capture job ${id} of yours.`, {
        captureID: id,
      });
    }
    return viewOf(row as JobRow);
  }

  /** This principal's jobs (every job, for an administrator of every site), newest first, without results. */
  async list(principal: Principal, limit: number): Promise<CaptureJobView[]> {
    let query = this.#ctx.db
      .selectFrom('epcis_capture_job')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(limit);
    if (!seesAllJobs(principal)) query = query.where('sub', '=', principal.sub);
    const rows = (await query.execute()) as JobRow[];
    return rows.map((r) => {
      const { 'ml:events': _, ...view } = viewOf(r);
      return view;
    });
  }

  /** Run again the jobs a stopped server left unfinished, oldest first. */
  async resume(): Promise<number> {
    const rows = (await this.#ctx.db
      .selectFrom('epcis_capture_job')
      .selectAll()
      .where('finished_at', 'is', null)
      .where(sql<boolean>`document IS NOT NULL`)
      .orderBy('created_at')
      .execute()) as JobRow[];
    for (const row of rows) {
      if (this.#running.has(row.id)) continue;
      const doc = JSON.parse(utf8Decode(row.document!)) as JsonObject;
      this.#start(row.id, principalOf(row.principal), doc, row.behaviour as CaptureBehaviour);
    }
    return rows.length;
  }

  /** Let the jobs started here finish (before the ledger closes). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }
}
