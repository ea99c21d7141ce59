// EPCIS: the index of event hashes (hash → seq, kept by a follower behind the writers, src/epcis/event-index.ts),
// and capture jobs (the REST binding's asynchronous capture): a job is stored with its document when it is
// accepted (so that a 202 is never lost: a server that stops mid-job runs it again at start, and the events'
// idempotency keys make that safe), then its outcome. Plus two small indexes of entries an EPCIS query finds by
// type: the partners' events kept as sent (an identifier that is not the plant's) and the loadings (a rack).
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE epcis_capture_job (
      id uuid PRIMARY KEY,
      sub text NOT NULL,
      created_at timestamptz NOT NULL,
      finished_at timestamptz,
      behaviour text NOT NULL,
      principal jsonb NOT NULL,
      document bytea,
      outcome jsonb
    );
    CREATE INDEX epcis_capture_job_sub_idx ON epcis_capture_job (sub, created_at);
    CREATE INDEX epcis_capture_job_running_idx ON epcis_capture_job (created_at) WHERE finished_at IS NULL;
    CREATE INDEX ledger_entry_captured_idx ON ledger_entry (seq) WHERE type = 'epcis.captured';
    CREATE INDEX ledger_entry_loaded_idx ON ledger_entry (seq) WHERE type = 'shipment.loaded';
    CREATE TABLE epcis_event_index (
      event_hash bytea NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (event_hash, seq)
    );
    CREATE TABLE epcis_index_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      namespace text NOT NULL,
      next_seq bigint NOT NULL
    );
    GRANT SELECT, INSERT, UPDATE, DELETE ON epcis_capture_job, epcis_event_index, epcis_index_state
      TO motor_ledger_app;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE epcis_capture_job; DROP TABLE epcis_event_index; DROP TABLE epcis_index_state; DROP INDEX ledger_entry_captured_idx; DROP INDEX ledger_entry_loaded_idx`.execute(
    db,
  );
}
