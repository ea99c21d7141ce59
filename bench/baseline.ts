// The baseline: what plain PostgreSQL does with the same rows and no ledger. A table with ledger_entry's columns,
// primary key and unique index; body is the JSON bytes of an envelope of the same shape and size (the same
// fields, a prev link when the serial had events before), leaf_hash is sha256 of the body, seq comes from an
// in-process counter (no gapless guarantee, no lock, no Merkle nodes, no subject index, no checkpoints).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { BenchEvent } from './events.js';

export const BASELINE_TABLE = 'bench_baseline_entry';

const DDL = `
  CREATE TABLE IF NOT EXISTS ${BASELINE_TABLE} (
    seq bigint PRIMARY KEY CHECK (seq >= 0),
    id uuid NOT NULL,
    type text NOT NULL,
    leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
    body bytea NOT NULL,
    recorded timestamptz NOT NULL,
    request_hash bytea NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS ${BASELINE_TABLE}_id_key ON ${BASELINE_TABLE} (id);
`;

const INSERT_ONE = `INSERT INTO ${BASELINE_TABLE} (seq, id, type, leaf_hash, body, recorded, request_hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

const INSERT_MANY = `INSERT INTO ${BASELINE_TABLE} (seq, id, type, leaf_hash, body, recorded, request_hash)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::timestamptz[], $7::bytea[])`;

// A base64 SHA-256, the size of a real prev link's hash.
const FAKE_LINK_HASH = Buffer.alloc(32, 7).toString('base64');

interface Row {
  seq: number;
  id: string;
  type: string;
  leafHash: Buffer;
  body: Buffer;
  recorded: string;
  requestHash: Buffer;
}

function sha256(bytes: Buffer | string): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export class Baseline {
  /** One connection for the sequential and bulk workloads. */
  readonly client: pg.Client;
  /** A pool for the concurrent workload (one connection per client). */
  readonly pool: pg.Pool;
  #nextSeq = 0;
  // insertGrouped writes on `client`; insertPipelined on connections of its own (openPipeline).
  readonly #grouped: GroupCommit;
  #pipelined: GroupCommit | undefined;
  #pipeClients: pg.Client[] = [];

  private constructor(client: pg.Client, pool: pg.Pool) {
    this.client = client;
    this.pool = pool;
    this.#grouped = new GroupCommit([client], (conn, events) => this.insertMany(conn, events));
  }

  static async open(url: string, poolSize: number): Promise<Baseline> {
    const client = new pg.Client({ connectionString: url, application_name: 'motor-ledger-bench-baseline' });
    await client.connect();
    await client.query(DDL);
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      application_name: 'motor-ledger-bench-baseline',
    });
    return new Baseline(client, pool);
  }

  /** The row a naive store would write for this event: its envelope as JSON, hashed (done inside the timing). */
  row(event: BenchEvent): Row {
    const { draft } = event;
    const seq = this.#nextSeq++;
    const id = uuidv7();
    const recorded = new Date().toISOString();
    const prev: Record<string, { seq: number; hash: string }> = {};
    if (event.existing)
      for (const s of draft.subjects) prev[s] = { seq: Math.max(0, seq - 1), hash: FAKE_LINK_HASH };
    const body = Buffer.from(
      JSON.stringify({
        actor: draft.actor,
        data: draft.data,
        id,
        prev,
        recorded,
        seq,
        subjects: draft.subjects,
        time: draft.time,
        type: draft.type,
        v: 1,
      }),
    );
    return {
      seq,
      id,
      type: draft.type,
      leafHash: sha256(body),
      body,
      recorded,
      requestHash: sha256(JSON.stringify(draft)),
    };
  }

  /** One autocommit INSERT (one transaction, one WAL flush). */
  async insertOne(conn: pg.Client | pg.Pool, event: BenchEvent): Promise<void> {
    const r = this.row(event);
    await conn.query(INSERT_ONE, [r.seq, r.id, r.type, r.leafHash, r.body, r.recorded, r.requestHash]);
  }

  /** One INSERT … SELECT FROM unnest(…) of all the events (one transaction). */
  async insertMany(conn: pg.Client | pg.Pool, events: readonly BenchEvent[]): Promise<void> {
    const rows = events.map((e) => this.row(e));
    await conn.query(INSERT_MANY, [
      rows.map((r) => r.seq),
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.leafHash),
      rows.map((r) => r.body),
      rows.map((r) => r.recorded),
      rows.map((r) => r.requestHash),
    ]);
  }

  /**
   * Group commit of the baseline's rows with the baseline's own code (a reference, not a proven ceiling):
   * callers queue one event each; one connection writes whatever is queued as one INSERT … unnest (one
   * transaction), then the next lot. No lock, no head read, no links, no Merkle nodes, no subject index.
   */
  insertGrouped(event: BenchEvent): Promise<void> {
    return this.#grouped.insert(event);
  }

  /**
   * Group commit with overlap, the most a group-committing writer of these rows can hope for here (a reference
   * for the probe, not a ledger design: with no gapless order to keep, lots may commit in any order): as
   * insertGrouped, on `depth` connections of its own (openPipeline first).
   */
  async openPipeline(url: string, depth: number): Promise<void> {
    while (this.#pipeClients.length < depth) {
      const c = new pg.Client({ connectionString: url, application_name: 'motor-ledger-bench-baseline' });
      await c.connect();
      this.#pipeClients.push(c);
    }
    this.#pipelined = new GroupCommit(this.#pipeClients.slice(0, depth), (conn, events) =>
      this.insertMany(conn, events),
    );
  }

  insertPipelined(event: BenchEvent): Promise<void> {
    if (!this.#pipelined) return Promise.reject(new Error('Call openPipeline before insertPipelined.'));
    return this.#pipelined.insert(event);
  }

  async count(): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${BASELINE_TABLE}`);
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    for (const c of this.#pipeClients.splice(0)) await c.end();
    await this.pool.end();
    await this.client.end();
  }
}

/**
 * Callers queue one event each; each idle connection writes a lot of what is queued (one transaction). When no
 * lot is in flight the queue is cut into as many lots as there are connections, so that with a closed loop of
 * clients one lot's rows are built while another commits; with one connection, a lot is everything queued.
 */
class GroupCommit {
  readonly #idle: pg.Client[];
  readonly #size: number;
  readonly #write: (conn: pg.Client, events: BenchEvent[]) => Promise<void>;
  #queue: { event: BenchEvent; resolve(): void; reject(err: unknown): void }[] = [];
  #scheduled = false;

  constructor(conns: pg.Client[], write: (conn: pg.Client, events: BenchEvent[]) => Promise<void>) {
    this.#idle = [...conns];
    this.#size = conns.length;
    this.#write = write;
  }

  insert(event: BenchEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // As the sequencer does: let the callers of this tick queue first, so that they share the transaction.
      setImmediate(() => {
        this.#scheduled = false;
        this.#pump();
      });
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#idle.length > 0) {
      const inFlight = this.#size - this.#idle.length;
      const n = inFlight === 0 ? Math.ceil(this.#queue.length / this.#size) : this.#queue.length;
      const lot = this.#queue.splice(0, n);
      const conn = this.#idle.pop()!;
      this.#write(
        conn,
        lot.map((w) => w.event),
      ).then(
        () => {
          this.#idle.push(conn);
          for (const w of lot) w.resolve();
          this.#pump();
        },
        (err: unknown) => {
          this.#idle.push(conn);
          for (const w of lot) w.reject(err);
          this.#pump();
        },
      );
    }
  }
}
