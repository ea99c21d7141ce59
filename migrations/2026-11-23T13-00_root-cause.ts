// Root-cause support: every attribute a motor ever had (insert-only, with the seq that recorded it, so
// queries can be asked as of a past seq), running counts per attribute value (the population side of common
// cause), and indexes for the flow reconciliation and for "what did the ledger know at time T".
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE motor_attribute (
      attribute text NOT NULL,
      value text NOT NULL,
      serial text NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (attribute, value, serial)
    );
    CREATE INDEX motor_attribute_serial_idx ON motor_attribute (serial);

    CREATE TABLE attribute_count (
      attribute text NOT NULL,
      value text NOT NULL,
      motors bigint NOT NULL,
      PRIMARY KEY (attribute, value)
    );

    -- The few motors in the pipeline (not yet installed) and vehicles not yet shipped: small partial indexes.
    CREATE INDEX motor_pipeline_idx ON motor (status) WHERE status IN ('LOADED', 'IN_TRANSIT', 'ARRIVED', 'RECEIVED');
    CREATE INDEX vehicle_in_assembly_idx ON vehicle (status) WHERE status = 'IN_ASSEMBLY';
    CREATE INDEX ledger_entry_recorded_idx ON ledger_entry (recorded);

    GRANT SELECT, INSERT, UPDATE, DELETE ON motor_attribute, attribute_count TO motor_ledger_app;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE motor_attribute; DROP TABLE attribute_count; DROP INDEX motor_pipeline_idx; DROP INDEX vehicle_in_assembly_idx; DROP INDEX ledger_entry_recorded_idx`.execute(
    db,
  );
}
