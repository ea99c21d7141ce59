// Loading and saving projection rows for a batch (or a replay): one query loads every row a batch's commands
// read, one statement upserts every row they changed. The table names are a parameter so `rebuild` can replay
// into fresh tables with the same code.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { attributeKey, motorAttributes } from '../core/domain/attributes.js';
import {
  type DomainState,
  type MotorState,
  PROJECTION_KINDS,
  type ProjectionKind,
} from '../core/domain/state.js';
import type { Database } from '../db/schema.js';

export type ProjectionTables = Record<ProjectionKind | 'motor_attribute' | 'attribute_count', string>;

export const LIVE_TABLES: ProjectionTables = {
  motor: 'motor',
  shipment: 'shipment',
  vehicle: 'vehicle',
  hold: 'hold',
  incident: 'incident',
  motor_attribute: 'motor_attribute',
  attribute_count: 'attribute_count',
};
export const KEY_COLUMN: Record<ProjectionKind, string> = {
  motor: 'serial',
  shipment: 'id',
  vehicle: 'vin',
  hold: 'id',
  incident: 'id',
};

export type KeysToLoad = Partial<Record<ProjectionKind | 'entries', Iterable<string>>>;

/** Load the rows for `keys` into `state` (keys already in state are skipped; missing rows become null). */
export async function loadProjections(
  db: Kysely<Database>,
  state: DomainState,
  keys: KeysToLoad,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> {
  const parts = [];
  const wanted: { kind: ProjectionKind | 'entries'; keys: string[] }[] = [];
  for (const kind of PROJECTION_KINDS) {
    const list = [...new Set(keys[kind] ?? [])].filter((k) => !state[kind].has(k));
    if (list.length === 0) continue;
    wanted.push({ kind, keys: list });
    parts.push(
      sql`SELECT ${kind}::text AS kind, ${sql.ref(KEY_COLUMN[kind])} AS key, state FROM ${sql.table(tables[kind])} WHERE ${sql.ref(KEY_COLUMN[kind])} = ANY(${list}::text[])`,
    );
  }
  const entryIds = [...new Set(keys.entries ?? [])].filter((k) => !state.entries.has(k));
  const validIds = entryIds.filter((id) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id),
  );
  if (entryIds.length > 0) wanted.push({ kind: 'entries', keys: entryIds });
  if (validIds.length > 0) {
    parts.push(
      sql`SELECT 'entries'::text AS kind, id::text AS key, jsonb_build_object('seq', seq, 'type', type, 'subjects', convert_from(body, 'UTF8')::jsonb->'subjects') AS state FROM ledger_entry WHERE id = ANY(${validIds}::uuid[])`,
    );
  }
  if (parts.length > 0) {
    const { rows } = await sql<{
      kind: ProjectionKind | 'entries';
      key: string;
      state: unknown;
    }>`${sql.join(parts, sql` UNION ALL `)}`.execute(db);
    for (const r of rows) {
      const value = typeof r.state === 'string' ? JSON.parse(r.state) : r.state;
      (state[r.kind] as Map<string, unknown>).set(r.key, value);
      if (r.kind === 'motor') {
        state.loadedAttributes.set(
          r.key,
          new Set(motorAttributes(value as MotorState).map(([a, v]) => attributeKey(a, v))),
        );
      }
    }
  }
  for (const { kind, keys: list } of wanted) {
    const map = state[kind] as Map<string, unknown>;
    for (const k of list) if (!map.has(k)) map.set(k, null);
  }
}

/** Upsert every projection row marked dirty in `state`, in one statement; clears the dirty set. */
export async function persistProjections(
  db: Kysely<Database>,
  state: DomainState,
  tables: ProjectionTables = LIVE_TABLES,
): Promise<void> {
  const ctes = projectionCtes(state, tables);
  if (ctes.length === 0) return;
  await sql`WITH ${sql.join(ctes, sql`, `)} SELECT 1`.execute(db);
}

/**
 * The upserts of every projection row marked dirty in `state` (and of the attributes the motors gained), as
 * common table expressions for one statement; clears what they cover. `after`: the name of a CTE of that
 * statement that every write must read first (the sequencer's lock, `ml_lock`).
 */
export function projectionCtes(
  state: DomainState,
  tables: ProjectionTables = LIVE_TABLES,
  after?: string,
): RawBuilder<unknown>[] {
  if (state.dirty.size === 0) return [];
  const join = after === undefined ? sql`` : sql` CROSS JOIN ${sql.table(after)}`;
  const byKind = new Map<ProjectionKind, { keys: string[]; states: string[]; seqs: number[] }>();
  for (const tag of state.dirty) {
    const i = tag.indexOf(':');
    const kind = tag.slice(0, i) as ProjectionKind;
    const key = tag.slice(i + 1);
    const value = state[kind].get(key) as { lastSeq: number } | null | undefined;
    if (!value) continue;
    const b = byKind.get(kind) ?? { keys: [], states: [], seqs: [] };
    byKind.set(kind, b);
    b.keys.push(key);
    b.states.push(JSON.stringify(value));
    b.seqs.push(value.lastSeq);
  }
  state.dirty.clear();
  // Attributes the motors gained (insert-only, each with the seq that brought it), counted for the population.
  const gained = state.newAttributes;
  state.newAttributes = [];
  const ctes = [...byKind].map(([kind, b], i) => {
    const key = sql.ref(KEY_COLUMN[kind]);
    return sql`${sql.raw(`u${i}`)} AS (
      INSERT INTO ${sql.table(tables[kind])} (${key}, state, last_seq)
      SELECT p.k, p.s, p.q FROM unnest(${b.keys}::text[], ${b.states}::jsonb[], ${b.seqs}::bigint[]) AS p(k, s, q)${join}
      ON CONFLICT (${key}) DO UPDATE SET state = EXCLUDED.state, last_seq = EXCLUDED.last_seq
    )`;
  });
  if (gained.length > 0) {
    ctes.push(sql`a_ins AS (
      INSERT INTO ${sql.table(tables.motor_attribute)} (attribute, value, serial, seq)
      SELECT p.a, p.v, p.m, p.q FROM unnest(${gained.map((g) => g[0])}::text[], ${gained.map((g) => g[1])}::text[],
                           ${gained.map((g) => g[2])}::text[], ${gained.map((g) => g[3])}::bigint[]) AS p(a, v, m, q)${join}
      ON CONFLICT DO NOTHING
      RETURNING attribute, value
    ), a_cnt AS (
      INSERT INTO ${sql.table(tables.attribute_count)} (attribute, value, motors)
      SELECT attribute, value, count(*) FROM a_ins GROUP BY attribute, value
      ON CONFLICT (attribute, value) DO UPDATE SET motors = ${sql.table(tables.attribute_count)}.motors + EXCLUDED.motors
    )`);
  }
  return ctes;
}
