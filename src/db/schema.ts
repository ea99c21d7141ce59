// Kysely table types. `*Row` shapes stay in the data layer; services map them to domain types.
// int8 columns arrive as JavaScript numbers from both drivers (see connect.ts): every seq and size is < 2^53.
import type { ColumnType } from 'kysely';

export interface LedgerEntryTable {
  seq: number;
  id: string;
  type: string;
  leaf_hash: Uint8Array;
  body: Uint8Array;
  recorded: ColumnType<Date, string | Date, never>;
  request_hash: Uint8Array;
}

export interface LedgerSubjectTable {
  subject: string;
  seq: number;
}

export interface MerkleNodeTable {
  level: number;
  idx: number;
  hash: Uint8Array;
}

export interface LedgerCheckpointTable {
  size: number;
  root: Uint8Array;
  kid: string;
  jws: string;
  created: ColumnType<Date, string | Date | undefined, never>;
}

export interface SigningKeyTable {
  kid: string;
  public_jwk: ColumnType<Record<string, unknown>, string, never>;
  created: ColumnType<Date, string | Date | undefined, never>;
}

export interface ProjectionTable {
  state: ColumnType<unknown, string, string>;
  last_seq: number;
}

export interface MotorTable extends ProjectionTable {
  serial: string;
  status: ColumnType<string, never, never>;
  shipment_id: ColumnType<string | null, never, never>;
  vin: ColumnType<string | null, never, never>;
}

export interface MotorAttributeTable {
  attribute: string;
  value: string;
  serial: string;
  seq: number;
}

export interface AttributeCountTable {
  attribute: string;
  value: string;
  motors: number;
}

/** An EPCIS capture job: its document until it has run, then its outcome (src/epcis/capture.ts). */
export interface EpcisCaptureJobTable {
  id: string;
  sub: string;
  created_at: ColumnType<Date, string | Date, never>;
  finished_at: ColumnType<Date | null, string | Date | null | undefined, string | Date | null>;
  behaviour: string;
  principal: ColumnType<Record<string, unknown>, string, never>;
  document: ColumnType<Uint8Array | null, Uint8Array, Uint8Array | null>;
  outcome: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface Database {
  epcis_capture_job: EpcisCaptureJobTable;
  motor_attribute: MotorAttributeTable;
  attribute_count: AttributeCountTable;
  motor: MotorTable;
  shipment: ProjectionTable & { id: string; status: ColumnType<string, never, never> };
  vehicle: ProjectionTable & {
    vin: string;
    model: ColumnType<string, never, never>;
    brand: ColumnType<string, never, never>;
    status: ColumnType<string, never, never>;
  };
  hold: ProjectionTable & { id: string };
  incident: ProjectionTable & { id: string };
  ledger_entry: LedgerEntryTable;
  ledger_subject: LedgerSubjectTable;
  merkle_node: MerkleNodeTable;
  ledger_checkpoint: LedgerCheckpointTable;
  signing_key: SigningKeyTable;
}
