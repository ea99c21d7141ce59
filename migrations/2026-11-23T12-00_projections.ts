// Projections: current state of motors, shipments, vehicles, holds and incidents, updated in the append
// transaction and rebuilt from the log by `motor-ledger rebuild`. Each row is the JSON state produced by
// evolve() plus generated columns for the queries; the JSON is the single source, so the columns cannot drift.
import { type Kysely, sql } from 'kysely';

export const PROJECTION_TABLES = ['motor', 'shipment', 'vehicle', 'hold', 'incident'];

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE motor (
      serial text PRIMARY KEY,
      state jsonb NOT NULL,
      last_seq bigint NOT NULL,
      status text GENERATED ALWAYS AS (state->>'status') STORED,
      shipment_id text GENERATED ALWAYS AS (state->>'shipmentId') STORED,
      vin text GENERATED ALWAYS AS (state->>'vin') STORED
    );
    CREATE INDEX motor_shipment_idx ON motor (shipment_id) WHERE shipment_id IS NOT NULL;
    CREATE INDEX motor_vin_idx ON motor (vin) WHERE vin IS NOT NULL;

    CREATE TABLE shipment (
      id text PRIMARY KEY,
      state jsonb NOT NULL,
      last_seq bigint NOT NULL,
      status text GENERATED ALWAYS AS (state->>'status') STORED
    );

    CREATE TABLE vehicle (
      vin text PRIMARY KEY,
      state jsonb NOT NULL,
      last_seq bigint NOT NULL,
      model text GENERATED ALWAYS AS (state->>'model') STORED,
      brand text GENERATED ALWAYS AS (state->>'brand') STORED,
      status text GENERATED ALWAYS AS (state->>'status') STORED
    );

    CREATE TABLE hold (
      id text PRIMARY KEY,
      state jsonb NOT NULL,
      last_seq bigint NOT NULL
    );

    CREATE TABLE incident (
      id text PRIMARY KEY,
      state jsonb NOT NULL,
      last_seq bigint NOT NULL
    );
  `.execute(db);
  for (const table of PROJECTION_TABLES) {
    await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ${sql.table(table)} TO motor_ledger_app`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of PROJECTION_TABLES) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
