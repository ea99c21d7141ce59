// Collections the browser screens list: shipments (trucks) with their intake counts, holds and incidents, newest
// first, in pages. A page is cut by keyset on the seq that created each row (loaded, placed, opened), so a row
// never moves between pages as later events update it; the cursor is that seq, opaque to clients.
//
// A shipment's intake counts are decided here once (intakeCounts) for the list and for GET /v1/shipments/{id}:
// every motor on the ASN is in exactly one of accepted, quarantined, held and missing.
//
// Reads are scoped by brand (query/scope.ts), as the single reads are: shipments and holds are the motor plant's
// upstream data and carry no brand; an incident's suspect VINs count only those the reader may see.
import { type Kysely, sql } from 'kysely';
import type { HoldState, IncidentState, MotorState, ShipmentState, Stamp } from '../core/domain/state.js';
import { ValidationError } from '../core/errors.js';
import type { Database } from '../db/schema.js';
import { type Scope, visibleVins } from './scope.js';

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A page of a list, newest first; `next` continues it (null: this was the last page). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** The cursor of the page after `seq`. */
function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

/** The seq a cursor stands for; BAD_CURSOR for anything this API did not give out. */
function decodeCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new ValidationError(
      'BAD_CURSOR',
      'The cursor is not one this API gave out; start again without it.',
      {
        field: 'querystring/cursor',
      },
    );
  return Number(m[1]);
}

/** Cut a page from rows fetched with limit + 1, in the order of their keys. */
function pageFrom<R extends { key: number }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { items: kept.map(map), next: more && last ? encodeCursor(last.key) : null };
}

/**
 * The statuses a `status` filter names (comma-separated, any case), each mapped to the domain's spelling by
 * `names` (e.g. OPEN → ACTIVE for holds); UNKNOWN_STATUS for one it does not know.
 * @example statusFilter('loaded,Departed', { LOADED: 'LOADED', DEPARTED: 'DEPARTED', ARRIVED: 'ARRIVED' }) // ['LOADED', 'DEPARTED']
 */
export function statusFilter(
  value: string | undefined,
  names: Readonly<Record<string, string>>,
): string[] | undefined {
  if (value === undefined) return undefined;
  const statuses = value.split(',').map((s) => s.trim().toUpperCase());
  const unknown = statuses.find((s) => !Object.hasOwn(names, s));
  if (unknown !== undefined) {
    const known = [...new Set(Object.values(names))].join(', ');
    throw new ValidationError(
      'UNKNOWN_STATUS',
      `status "${unknown}" is not one this list knows: use one or more of ${known}, separated by commas.`,
      { field: 'querystring/status' },
    );
  }
  return [...new Set(statuses.map((s) => names[s]!))];
}

// ---------------------------------------------------------------------------------------------- shipments

export const SHIPMENT_STATUSES: Readonly<Record<string, ShipmentState['status']>> = {
  LOADED: 'LOADED',
  DEPARTED: 'DEPARTED',
  ARRIVED: 'ARRIVED',
};

/** What intake made of a shipment's motors. accepted + quarantined + held + missing = expected. */
export interface IntakeCounts {
  /** Motors on the ASN. */
  expected: number;
  /** Motors of it scanned at intake: accepted or quarantined. */
  scanned: number;
  /** Received into the buffer. */
  accepted: number;
  /** Scanned and rejected (held, not shipped in the ledger…), not received since: in the quarantine area. */
  quarantined: number;
  /** Not scanned yet and under an open hold: expected to go to quarantine, so not missing. */
  held: number;
  /** Not scanned yet and not held. */
  missing: number;
  /** Scans against it of serials that are not on it. */
  unexpected: number;
}

/** The motors of some shipments that intake rejected, and those under an open hold, by shipment id. */
export interface IntakeFacts {
  rejected: Map<string, Set<string>>;
  held: Map<string, Set<string>>;
}

/**
 * Read what intakeCounts needs of these shipments beyond their projection: the held motors (one indexed
 * query) and, only for projections written before they recorded `quarantined`, the rejected scans from the log.
 */
export async function loadIntakeFacts(
  db: Kysely<Database>,
  shipments: readonly ShipmentState[],
): Promise<IntakeFacts> {
  const facts: IntakeFacts = { rejected: new Map(), held: new Map() };
  if (shipments.length === 0) return facts;
  const ids = shipments.map((sh) => sh.id);
  const add = (map: Map<string, Set<string>>, id: string, serial: string) => {
    const set = map.get(id) ?? new Set<string>();
    set.add(serial);
    map.set(id, set);
  };
  // A projection written before it recorded `quarantined` has only the count of rejected scans: the log has
  // them. A scan at another site than the destination (WRONG_DESTINATION) is not this shipment's intake.
  const subjects = shipments.filter((sh) => sh.quarantined === undefined).map((sh) => `shipment:${sh.id}`);
  const [rejected, held] = await Promise.all([
    subjects.length === 0
      ? { rows: [] }
      : sql<{ subject: string; serial: string | null }>`
      SELECT subject, data->>'serial' AS serial FROM (
        SELECT s.subject, convert_from(e.body, 'UTF8')::jsonb->'data' AS data
        FROM ledger_subject s JOIN ledger_entry e ON e.seq = s.seq
        WHERE s.subject IN (${sql.join(subjects)}) AND e.type = 'intake.rejected'
      ) r WHERE data->>'code' <> 'WRONG_DESTINATION'
    `.execute(db),
    sql<{ shipment_id: string; serial: string }>`
      SELECT shipment_id, serial FROM motor
      WHERE shipment_id IN (${sql.join([...ids])}) AND jsonb_array_length(state->'holds') > 0
    `.execute(db),
  ]);
  for (const r of rejected.rows) if (r.serial) add(facts.rejected, r.subject.slice(9), r.serial);
  for (const r of held.rows) add(facts.held, r.shipment_id, r.serial);
  return facts;
}

/**
 * Sort each motor of a shipment into accepted, quarantined, held or missing; also the missing serials.
 * @example intakeCounts(shipment, await loadIntakeFacts(db, [shipment])).counts.missing
 */
export function intakeCounts(
  sh: ShipmentState,
  facts: IntakeFacts,
): { counts: IntakeCounts; missing: string[] } {
  const received = new Set(sh.received);
  const rejected = new Set(sh.quarantined ?? facts.rejected.get(sh.id));
  const held = facts.held.get(sh.id) ?? new Set<string>();
  let accepted = 0;
  let quarantined = 0;
  let onHold = 0;
  const missing: string[] = [];
  for (const serial of sh.serials) {
    if (received.has(serial)) accepted++;
    else if (rejected.has(serial)) quarantined++;
    else if (held.has(serial)) onHold++;
    else missing.push(serial);
  }
  return {
    counts: {
      expected: sh.serials.length,
      scanned: accepted + quarantined,
      accepted,
      quarantined,
      held: onHold,
      missing: missing.length,
      unexpected: sh.unexpected.length,
    },
    missing,
  };
}

export type ShipmentSummary = Pick<
  ShipmentState,
  'id' | 'asn' | 'from' | 'to' | 'status' | 'loaded' | 'departed' | 'arrived' | 'rejectedScans' | 'lastSeq'
> &
  IntakeCounts;

export interface ShipmentFilter {
  to?: string | undefined;
  from?: string | undefined;
  statuses?: string[] | undefined;
}

/** Shipments newest first (by the seq that loaded them), with their intake counts. */
export async function listShipments(
  db: Kysely<Database>,
  filter: ShipmentFilter,
  page: PageRequest,
): Promise<Page<ShipmentSummary>> {
  const loadedSeq = sql<number>`(state->'loaded'->>'seq')::bigint`;
  let q = db
    .selectFrom('shipment')
    .select(['state', loadedSeq.as('key')])
    .orderBy(loadedSeq, 'desc')
    .limit(page.limit + 1);
  if (filter.statuses) q = q.where('status', 'in', filter.statuses);
  if (filter.to !== undefined) q = q.where(sql<string>`state->>'to'`, '=', filter.to);
  if (filter.from !== undefined) q = q.where(sql<string>`state->>'from'`, '=', filter.from);
  if (page.cursor !== undefined) q = q.where(loadedSeq, '<', decodeCursor(page.cursor));
  const rows = (await q.execute()).map((r) => ({ key: Number(r.key), sh: parse<ShipmentState>(r.state) }));
  const facts = await loadIntakeFacts(
    db,
    rows.slice(0, page.limit).map((r) => r.sh),
  );
  return pageFrom(rows, page.limit, ({ sh }) => ({
    id: sh.id,
    asn: sh.asn,
    from: sh.from,
    to: sh.to,
    status: sh.status,
    loaded: sh.loaded,
    departed: sh.departed,
    arrived: sh.arrived,
    ...intakeCounts(sh, facts).counts,
    rejectedScans: sh.rejectedScans,
    lastSeq: sh.lastSeq,
  }));
}

// ---------------------------------------------------------------------------------------------- holds

/** Holds: ACTIVE until every motor of it is released; OPEN is accepted for ACTIVE. */
export const HOLD_STATUSES: Readonly<Record<string, HoldState['status']>> = {
  ACTIVE: 'ACTIVE',
  OPEN: 'ACTIVE',
  RELEASED: 'RELEASED',
};

type By = Stamp & { by: string };

export interface HoldSummary {
  id: string;
  status: HoldState['status'];
  reason: string;
  incidentId: string | null;
  /** Motors the hold named, those still held, those released. */
  counts: { motors: number; held: number; released: number };
  opened: By;
  /** The release that freed its last motor (a RELEASED hold), else null. */
  releasedAt: By | null;
  lastSeq: number;
}

export interface HoldFilter {
  statuses?: string[] | undefined;
  serial?: string | undefined;
  incidentId?: string | undefined;
}

/** Who wrote the entries at these seqs, and when (business time). */
async function stampsAt(db: Kysely<Database>, seqs: readonly number[]): Promise<Map<number, By>> {
  if (seqs.length === 0) return new Map();
  const { rows } = await sql<{ seq: number; time: string; by: string }>`
    SELECT seq, b->>'time' AS time, b #>> '{actor,sub}' AS by
    FROM (SELECT seq, convert_from(body, 'UTF8')::jsonb AS b FROM ledger_entry WHERE seq IN (${sql.join([...seqs])})) x
  `.execute(db);
  return new Map(rows.map((r) => [Number(r.seq), { seq: Number(r.seq), time: r.time, by: r.by }]));
}

/** Holds newest first (by the seq that placed them), without their serial lists (GET /v1/holds/{id} has them). */
export async function listHolds(
  db: Kysely<Database>,
  filter: HoldFilter,
  page: PageRequest,
): Promise<Page<HoldSummary>> {
  const openedSeq = sql<number>`(state->'opened'->>'seq')::bigint`;
  // Only the counts of a hold's serials leave the database: a hold may name 100,000 motors.
  let q = db
    .selectFrom('hold')
    .select([
      'id',
      'last_seq',
      openedSeq.as('key'),
      sql<string>`state->>'status'`.as('status'),
      sql<string>`state->>'reason'`.as('reason'),
      sql<string | null>`state->>'incidentId'`.as('incident_id'),
      sql<unknown>`state->'opened'`.as('opened'),
      sql<number>`jsonb_array_length(state->'serials')`.as('motors'),
      sql<number>`jsonb_array_length(state->'released')`.as('released'),
    ])
    .orderBy(openedSeq, 'desc')
    .limit(page.limit + 1);
  if (filter.statuses) q = q.where(sql<string>`state->>'status'`, 'in', filter.statuses);
  if (filter.incidentId !== undefined) q = q.where(sql<string>`state->>'incidentId'`, '=', filter.incidentId);
  if (filter.serial !== undefined)
    q = q.where(sql<boolean>`state->'serials' @> jsonb_build_array(${filter.serial}::text)`);
  if (page.cursor !== undefined) q = q.where(openedSeq, '<', decodeCursor(page.cursor));
  const rows = (await q.execute()).map((r) => ({ ...r, key: Number(r.key) }));
  const kept = rows.slice(0, page.limit);
  // A hold changes no more once released: its last entry is the release that completed it.
  const releases = await stampsAt(
    db,
    kept.filter((r) => r.status === 'RELEASED').map((r) => Number(r.last_seq)),
  );
  return pageFrom(rows, page.limit, (r) => {
    const motors = Number(r.motors);
    const released = Number(r.released);
    return {
      id: r.id,
      status: r.status as HoldState['status'],
      reason: r.reason,
      incidentId: r.incident_id,
      counts: { motors, held: motors - released, released },
      opened: parse<By>(r.opened),
      releasedAt: r.status === 'RELEASED' ? (releases.get(Number(r.last_seq)) ?? null) : null,
      lastSeq: Number(r.last_seq),
    };
  });
}

// ---------------------------------------------------------------------------------------------- incidents

export const INCIDENT_STATUSES: Readonly<Record<string, IncidentState['status']>> = {
  OPEN: 'OPEN',
  CLOSED: 'CLOSED',
};

export interface IncidentSummary
  extends Pick<IncidentState, 'id' | 'title' | 'severity' | 'status' | 'opened' | 'closed' | 'lastSeq'> {
  /** Suspects (VINs: those the reader may see), findings, holds placed under it and the motors they still hold. */
  counts: {
    suspectVins: number;
    suspectSerials: number;
    findings: number;
    holds: number;
    activeHolds: number;
    motorsHeld: number;
  };
}

/** Incidents newest first (by the seq that opened them), with what is linked to them counted. */
export async function listIncidents(
  db: Kysely<Database>,
  filter: { statuses?: string[] | undefined },
  page: PageRequest,
  scope: Scope,
): Promise<Page<IncidentSummary>> {
  const openedSeq = sql<number>`(state->'opened'->>'seq')::bigint`;
  let q = db
    .selectFrom('incident')
    .select(['state', openedSeq.as('key')])
    .orderBy(openedSeq, 'desc')
    .limit(page.limit + 1);
  if (filter.statuses) q = q.where(sql<string>`state->>'status'`, 'in', filter.statuses);
  if (page.cursor !== undefined) q = q.where(openedSeq, '<', decodeCursor(page.cursor));
  const rows = (await q.execute()).map((r) => ({ key: Number(r.key), inc: parse<IncidentState>(r.state) }));
  const kept = rows.slice(0, page.limit);
  const ids = kept.map((r) => r.inc.id);
  const holds = ids.length
    ? (
        await sql<{ incident: string; holds: number; active: number; held: number }>`
          SELECT state->>'incidentId' AS incident, count(*) AS holds,
                 count(*) FILTER (WHERE state->>'status' = 'ACTIVE') AS active,
                 coalesce(sum(jsonb_array_length(state->'serials') - jsonb_array_length(state->'released'))
                   FILTER (WHERE state->>'status' = 'ACTIVE'), 0) AS held
          FROM hold WHERE state->>'incidentId' IN (${sql.join(ids)}) GROUP BY 1
        `.execute(db)
      ).rows
    : [];
  const byIncident = new Map(holds.map((h) => [h.incident, h]));
  const seen = new Set(
    await visibleVins(
      db,
      scope,
      kept.flatMap((r) => r.inc.suspectVins),
    ),
  );
  return pageFrom(rows, page.limit, ({ inc }) => {
    const h = byIncident.get(inc.id);
    return {
      id: inc.id,
      title: inc.title,
      severity: inc.severity,
      status: inc.status,
      opened: inc.opened,
      closed: inc.closed,
      counts: {
        suspectVins: inc.suspectVins.filter((v) => seen.has(v)).length,
        suspectSerials: inc.suspectSerials.length,
        findings: inc.findings.length,
        holds: Number(h?.holds ?? 0),
        activeHolds: Number(h?.active ?? 0),
        motorsHeld: Number(h?.held ?? 0),
      },
      lastSeq: inc.lastSeq,
    };
  });
}

// ---------------------------------------------------------------------------------------------- buffer

/** A motor waiting in a site's buffer: received, not installed. */
export interface BufferMotor {
  serial: string;
  motorType: string;
  received: NonNullable<MotorState['received']>;
  /** Active holds: a held motor stays in the buffer but must not be installed. */
  holds: string[];
  lastSeq: number;
}

/**
 * A site's buffer as a pick list: motors received there and not installed, oldest first (first in, first out),
 * optionally of one motor type. Keyset on the seq of the reception, so a row never moves between pages.
 */
export async function listBuffer(
  db: Kysely<Database>,
  filter: { site: string; motorType?: string | undefined },
  page: PageRequest,
): Promise<Page<BufferMotor>> {
  const receivedSeq = sql<number>`(state->'received'->>'seq')::bigint`;
  let q = db
    .selectFrom('motor')
    .select(['state', receivedSeq.as('key')])
    .where('status', '=', 'RECEIVED')
    .where(sql<string>`state->>'site'`, '=', filter.site)
    .orderBy(receivedSeq, 'asc')
    .limit(page.limit + 1);
  if (filter.motorType !== undefined) q = q.where(sql<string>`state->>'motorType'`, '=', filter.motorType);
  if (page.cursor !== undefined) q = q.where(receivedSeq, '>', decodeCursor(page.cursor));
  const rows = (await q.execute()).map((r) => ({ key: Number(r.key), m: parse<MotorState>(r.state) }));
  return pageFrom(rows, page.limit, ({ m }) => ({
    serial: m.serial,
    motorType: m.motorType,
    received: m.received!,
    holds: m.holds,
    lastSeq: m.lastSeq,
  }));
}
