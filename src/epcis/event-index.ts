// GET /epcis/events/{eventID}: an event found by its id. The ledger's own events are identified by the CBV 2.0 hash
// of their mapping, computed when read: an index of hashes (epcis_event_index, hash → seq) is kept by a follower
// that maps the log in order behind the writers, as a projection is (rebuilt from scratch when the namespace it
// was built under changes: the URIs, and so the hashes, change with it); it maps outside any transaction and
// leaves room between batches, so that requests are not kept waiting behind it. A lookup reads the index up to
// where it has reached and maps the few entries after it, so an event is found the moment it is committed. What
// capture wrote is also found by the eventID its partner sent (any URI).
import { type Kysely, sql } from 'kysely';
import { fromHex, toHex } from '../core/encoding.js';
import { CAPTURED_TYPE, captureKey } from '../core/epcis/capture.js';
import type { EpcisNamespace } from '../core/epcis/ids.js';
import type { EpcisEvent, LedgerEntry } from '../core/epcis/map.js';
import type { Database } from '../db/schema.js';
import { ALL_BRANDS, type Scope } from '../query/scope.js';
import { eventsOf, type Row, readEntries, toEntry } from './read.js';

const EVENT_HASH = /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV2\.0$/;
/** Entries the follower maps in one transaction. */
const BATCH = 1000;

/** The 32 bytes of an event hash id, or undefined for another kind of eventID. */
const hashBytes = (id: unknown): Uint8Array | undefined => {
  const m = typeof id === 'string' ? EVENT_HASH.exec(id) : null;
  return m ? fromHex(m[1]!) : undefined;
};

/** Where the index has reached (the first seq it has not mapped), under the namespace `ns`; 0 if another one. */
async function reached(db: Kysely<Database>, ns: EpcisNamespace): Promise<number> {
  const { rows } = await sql<{ namespace: string; next_seq: string }>`
    SELECT namespace, next_seq FROM epcis_index_state WHERE id = 1`.execute(db);
  const state = rows[0];
  return state && state.namespace === ns.base ? Number(state.next_seq) : 0;
}

/**
 * Map the next entries of the log into the index (up to BATCH); returns how many. The entries are read and
 * mapped outside any transaction (on the embedded database a transaction holds its only session: requests would
 * wait for the mapping); the rows go in with a short one that first checks, under the state row's lock, that no
 * other follower (a second server on the database) moved the index on meanwhile.
 * @example while ((await indexEpcisEvents(db, ns)) > 0);
 */
export async function indexEpcisEvents(db: Kysely<Database>, ns: EpcisNamespace): Promise<number> {
  type State = { namespace: string; next_seq: string };
  const { rows } = await sql<State>`SELECT namespace, next_seq FROM epcis_index_state WHERE id = 1`.execute(
    db,
  );
  // Built under another namespace (or never): its hashes are not this one's, so it starts again from 0.
  const rebuild = rows[0]?.namespace !== ns.base;
  const next = rebuild ? 0 : Number(rows[0]!.next_seq);
  const entries = await readEntries(db, null, next, BATCH);
  if (entries.length === 0 && !rebuild) return 0;
  const keys = new Map<string, { hash: Uint8Array; seq: number }>();
  const add = (id: unknown, seq: number) => {
    const hash = hashBytes(id);
    if (hash) keys.set(`${toHex(hash)} ${seq}`, { hash, seq });
  };
  // A partner's event is indexed by the hash it was captured under, never by the eventID it came with: a sent
  // `ni:` id could name another event's hash, and the lookup would then show it beside that event.
  const captured = new Set(entries.filter((x) => x.envelope.type === CAPTURED_TYPE).map((x) => x.seq));
  for (const { at, event } of await eventsOf(db, ALL_BRANDS, ns, entries, undefined))
    if (!captured.has(at.seq)) add(event.eventID, at.seq);
  for (const x of entries) if (captured.has(x.seq)) add(x.envelope.data.eventHash, x.seq);
  const list = [...keys.values()];
  return db.transaction().execute(async (trx) => {
    const { rows: now } = await sql<State>`
      SELECT namespace, next_seq FROM epcis_index_state WHERE id = 1 FOR UPDATE`.execute(trx);
    if (rebuild) {
      if (now[0]?.namespace === ns.base) return 0; // another follower rebuilt it meanwhile
      await sql`DELETE FROM epcis_event_index`.execute(trx);
      await sql`INSERT INTO epcis_index_state (id, namespace, next_seq) VALUES (1, ${ns.base}, 0)
        ON CONFLICT (id) DO UPDATE SET namespace = excluded.namespace, next_seq = 0`.execute(trx);
    } else if (now[0]?.namespace !== ns.base || Number(now[0]?.next_seq) !== next) {
      return 0; // another follower moved the index on meanwhile
    }
    if (list.length > 0) {
      await sql`INSERT INTO epcis_event_index (event_hash, seq)
        SELECT * FROM unnest(${list.map((k) => k.hash)}::bytea[], ${list.map((k) => k.seq)}::bigint[])
        ON CONFLICT DO NOTHING`.execute(trx);
    }
    if (entries.length > 0)
      await sql`UPDATE epcis_index_state SET next_seq = ${entries.at(-1)!.seq + 1} WHERE id = 1`.execute(trx);
    return entries.length;
  });
}

/**
 * Keep the index up with the log: map while there is a backlog, then look again every `idleMs`. `stop()`
 * finishes the batch in progress. A failed batch (the database away) is tried again after `idleMs`.
 * @example const follower = followEpcisIndex(db, ns, (err) => log.warn({ err })); … await follower.stop();
 */
export function followEpcisIndex(
  db: Kysely<Database>,
  ns: EpcisNamespace,
  onError: (err: unknown) => void,
  idleMs = 1000,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let mapped = 0;
      try {
        mapped = await indexEpcisEvents(db, ns);
      } catch (err) {
        if (!stopped) onError(err);
      }
      // A backlog: on at once, after letting the requests waiting on the database and the event loop go first.
      if (mapped === BATCH || stopped) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, idleMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

/** Entries that may hold events of this id: the indexed ones, the unindexed tail, capture's by a sent id. */
async function entriesOfId(
  db: Kysely<Database>,
  ns: EpcisNamespace,
  eventId: string,
): Promise<LedgerEntry[]> {
  const hash = hashBytes(eventId);
  if (!hash) {
    // Any other URI is an eventID a partner sent: capture's entries only (a small partial index).
    const { rows } = await sql<Row>`SELECT seq, leaf_hash, body FROM ledger_entry
      WHERE type = ${sql.lit(CAPTURED_TYPE)} ORDER BY seq`.execute(db);
    return rows
      .map(toEntry)
      .filter((x) => (x.envelope.data.event as { eventID?: unknown })?.eventID === eventId);
  }
  const from = await reached(db, ns);
  // Indexed, or written by capture under this hash (a partner's arrival: the ledger's own reading of it).
  // One index lookup each (an OR of the two would read the whole log).
  const { rows } = await sql<Row>`SELECT seq, leaf_hash, body FROM ledger_entry
    WHERE seq IN (
      SELECT seq FROM epcis_event_index WHERE event_hash = ${hash} AND seq < ${from}
      UNION
      SELECT seq FROM ledger_entry
        WHERE id IN (${captureKey(eventId, false)}::uuid, ${captureKey(eventId, true)}::uuid) AND seq < ${from})
    ORDER BY seq`.execute(db);
  const tail: LedgerEntry[] = [];
  for (let next = from; ; ) {
    const batch = await readEntries(db, null, next, BATCH);
    tail.push(...batch);
    if (batch.length < BATCH) break;
    next = batch.at(-1)!.seq + 1;
  }
  return [...rows.map(toEntry), ...tail];
}

/**
 * Answer GET /epcis/events/{eventID}: every event the reader may see with that eventID (the event, and its
 * restatements with an errorDeclaration), in log order; empty when there is none. A partner's event is found by
 * its hash or by the eventID it was sent with.
 * @example const events = await findEpcisEvent(db, scope, ns, 'ni:///sha-256;…?ver=CBV2.0');
 */
export async function findEpcisEvent(
  db: Kysely<Database>,
  scope: Scope,
  ns: EpcisNamespace,
  eventId: string,
  options: { timeZone?: string } = {},
): Promise<EpcisEvent[]> {
  const entries = await entriesOfId(db, ns, eventId);
  const keys = hashBytes(eventId) ? [captureKey(eventId, false), captureKey(eventId, true)] : [];
  const bySeq = new Map(entries.map((x) => [x.seq, x.envelope]));
  return (await eventsOf(db, scope, ns, entries, options.timeZone))
    .filter(({ at, event }) => {
      const envelope = bySeq.get(at.seq);
      // A partner's event is its hash, or (not a hash) the eventID it was sent with.
      if (envelope?.type === CAPTURED_TYPE)
        return keys.length > 0 ? envelope.data.eventHash === eventId : event.eventID === eventId;
      // The ledger's own events by their hash, and a partner's arrival by the key made from its hash.
      return event.eventID === eventId || (keys.length > 0 && keys.includes(envelope?.id ?? ''));
    })
    .map(({ event }) => event);
}
