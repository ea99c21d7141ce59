// The log: entries (exact canonical bytes), per-subject index, stored Merkle nodes, signed checkpoints and the
// public keys that signed them. All of it is append-only, enforced by trigger and by the application role's grants.
import { type Kysely, sql } from 'kysely';

export const LOG_TABLES = [
  'ledger_entry',
  'ledger_subject',
  'merkle_node',
  'ledger_checkpoint',
  'signing_key',
];

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ledger_entry (
      seq bigint PRIMARY KEY CHECK (seq >= 0),
      id uuid NOT NULL,
      type text NOT NULL,
      leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
      body bytea NOT NULL,
      recorded timestamptz NOT NULL,
      request_hash bytea NOT NULL
    );
    CREATE UNIQUE INDEX ledger_entry_id_key ON ledger_entry (id);

    CREATE TABLE ledger_subject (
      subject text NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (subject, seq)
    );

    -- Complete subtrees at levels 4, 8, 12…; any other node is folded from at most 16 stored ones.
    CREATE TABLE merkle_node (
      level smallint NOT NULL CHECK (level > 0 AND level % 4 = 0),
      idx bigint NOT NULL CHECK (idx >= 0),
      hash bytea NOT NULL CHECK (octet_length(hash) = 32),
      PRIMARY KEY (level, idx)
    );

    CREATE TABLE ledger_checkpoint (
      size bigint PRIMARY KEY CHECK (size >= 0),
      root bytea NOT NULL CHECK (octet_length(root) = 32),
      kid text NOT NULL,
      jws text NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE signing_key (
      kid text PRIMARY KEY,
      public_jwk jsonb NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );

    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'motor-ledger: % on % is refused: the log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$;
  `.execute(db);

  for (const table of LOG_TABLES) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_no_change`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
    `.execute(db);
  }

  // The role the server runs as: it may read and append the log, never rewrite it. Roles are cluster-wide,
  // so several databases (one per test file) share it; creating it twice at once is not an error.
  await sql`
    DO $$ BEGIN
      CREATE ROLE motor_ledger_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
  `.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO motor_ledger_app`.execute(db);
  for (const table of LOG_TABLES) {
    await sql`REVOKE ALL ON ${sql.table(table)} FROM motor_ledger_app`.execute(db);
    await sql`GRANT SELECT, INSERT ON ${sql.table(table)} TO motor_ledger_app`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('The log is append-only: its migration is never rolled back.');
}
