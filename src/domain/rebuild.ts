// `motor-ledger rebuild`: replay the log into fresh projection tables with the same evolve() the write path
// uses, compare them row for row with the live ones, and (with --swap) replace the live ones under the
// writers' lock after catching up with entries appended meanwhile.
import { type Kysely, sql, type Transaction } from 'kysely';
import { applyEvent, emptyState, PROJECTION_KINDS, type ProjectionKind } from '../core/domain/state.js';
import { utf8Decode } from '../core/encoding.js';
import type { Envelope } from '../core/envelope.js';
import type { Database } from '../db/schema.js';
import { logSize, streamEntries } from '../ledger/reader.js';
import { LOCK_KEY } from '../ledger/sequencer.js';
import {
  KEY_COLUMN,
  type KeysToLoad,
  LIVE_TABLES,
  loadProjections,
  type ProjectionTables,
  persistProjections,
} from './projections.js';

export const REBUILD_TABLES: ProjectionTables = {
  motor: 'motor_rebuild',
  shipment: 'shipment_rebuild',
  vehicle: 'vehicle_rebuild',
  hold: 'hold_rebuild',
  incident: 'incident_rebuild',
  motor_attribute: 'motor_attribute_rebuild',
  attribute_count: 'attribute_count_rebuild',
};

// Derived tables compared and swapped as sets of whole rows, beside the keyed projections.
const SET_TABLES = ['motor_attribute', 'attribute_count'] as const;

export interface RebuildReport {
  entries: number;
  rows: Record<ProjectionKind | (typeof SET_TABLES)[number], number>;
  /** Rows that differ between live and rebuilt (missing on either side or different state): 0 = identical. */
  differences: Record<ProjectionKind | (typeof SET_TABLES)[number], number>;
}

/** Create empty rebuild tables shaped like the live ones (generated columns and indexes included). */
async function createRebuildTables(db: Kysely<Database>): Promise<void> {
  for (const kind of [...PROJECTION_KINDS, ...SET_TABLES]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(REBUILD_TABLES[kind])}`.execute(db);
    await sql`CREATE TABLE ${sql.table(REBUILD_TABLES[kind])} (LIKE ${sql.table(LIVE_TABLES[kind])} INCLUDING ALL)`.execute(
      db,
    );
  }
}

/** Replay entries [from, to) into the rebuild tables, a page at a time (memory stays flat). */
async function replay(
  db: Kysely<Database>,
  from: number,
  to: number | undefined,
  onProgress?: (done: number) => void,
): Promise<number> {
  let done = from;
  let page: Envelope[] = [];
  const flush = async () => {
    if (page.length === 0) return;
    const state = emptyState();
    const keys: { [K in keyof KeysToLoad]: string[] } = {};
    for (const e of page) {
      for (const s of e.subjects) {
        const i = s.indexOf(':');
        const kind = s.slice(0, i) as ProjectionKind;
        if ((PROJECTION_KINDS as readonly string[]).includes(kind)) {
          const list = keys[kind] ?? [];
          list.push(s.slice(i + 1));
          keys[kind] = list;
        }
      }
    }
    await loadProjections(db, state, keys, REBUILD_TABLES);
    for (const e of page) applyEvent(state, e);
    await persistProjections(db, state, REBUILD_TABLES);
    page = [];
    onProgress?.(done);
  };
  for await (const e of streamEntries(db, { from, ...(to === undefined ? {} : { to }) })) {
    page.push(JSON.parse(utf8Decode(e.body)) as Envelope);
    done = e.seq + 1;
    if (page.length === 5000) await flush();
  }
  await flush();
  return done;
}

/** Count rows that differ between the live and rebuilt table of each kind. */
async function compare(db: Kysely<Database>): Promise<Pick<RebuildReport, 'rows' | 'differences'>> {
  const rows = {} as RebuildReport['rows'];
  const differences = {} as RebuildReport['differences'];
  for (const kind of PROJECTION_KINDS) {
    const key = sql.ref(KEY_COLUMN[kind]);
    const live = sql.table(LIVE_TABLES[kind]);
    const rebuilt = sql.table(REBUILD_TABLES[kind]);
    const { rows: r } = await sql<{ rows: number; diff: number }>`
      SELECT (SELECT count(*) FROM ${rebuilt})::int AS rows,
             (SELECT count(*) FROM (
               (SELECT ${key}, state, last_seq FROM ${live} EXCEPT SELECT ${key}, state, last_seq FROM ${rebuilt})
               UNION ALL
               (SELECT ${key}, state, last_seq FROM ${rebuilt} EXCEPT SELECT ${key}, state, last_seq FROM ${live})
             ) d)::int AS diff
    `.execute(db);
    rows[kind] = Number(r[0]?.rows ?? 0);
    differences[kind] = Number(r[0]?.diff ?? 0);
  }
  for (const table of SET_TABLES) {
    const live = sql.table(LIVE_TABLES[table]);
    const rebuilt = sql.table(REBUILD_TABLES[table]);
    const { rows: r } = await sql<{ rows: number; diff: number }>`
      SELECT (SELECT count(*) FROM ${rebuilt})::int AS rows,
             (SELECT count(*) FROM ((TABLE ${live} EXCEPT TABLE ${rebuilt}) UNION ALL (TABLE ${rebuilt} EXCEPT TABLE ${live})) d)::int AS diff
    `.execute(db);
    rows[table] = Number(r[0]?.rows ?? 0);
    differences[table] = Number(r[0]?.diff ?? 0);
  }
  return { rows, differences };
}

/**
 * Replay the whole log into fresh tables and compare with the live projections. With `swap`, catch up under
 * the writers' lock and replace the live projections with the rebuilt ones.
 */
export async function rebuildProjections(
  db: Kysely<Database>,
  options: { swap?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<RebuildReport> {
  await createRebuildTables(db);
  const total = await logSize(db);
  let entries = await replay(db, 0, total, (d) => options.onProgress?.(d, total));
  if (!options.swap) {
    // Writers may have appended meanwhile: compare against a consistent moment under their lock.
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
      entries = await replay(trx, entries, undefined);
      return { entries, ...(await compare(trx)) };
    });
  }
  return db.transaction().execute(async (trx: Transaction<Database>) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    entries = await replay(trx, entries, undefined);
    const before = await compare(trx);
    for (const kind of PROJECTION_KINDS) {
      const key = sql.ref(KEY_COLUMN[kind]);
      await sql`DELETE FROM ${sql.table(LIVE_TABLES[kind])}`.execute(trx);
      await sql`INSERT INTO ${sql.table(LIVE_TABLES[kind])} (${key}, state, last_seq) SELECT ${key}, state, last_seq FROM ${sql.table(REBUILD_TABLES[kind])}`.execute(
        trx,
      );
    }
    for (const table of SET_TABLES) {
      await sql`DELETE FROM ${sql.table(LIVE_TABLES[table])}`.execute(trx);
      await sql`INSERT INTO ${sql.table(LIVE_TABLES[table])} TABLE ${sql.table(REBUILD_TABLES[table])}`.execute(
        trx,
      );
    }
    return { entries, rows: before.rows, differences: before.differences };
  });
}
