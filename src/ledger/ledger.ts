// The ledger as one object: database, signer and sequencer opened together from the configuration, for the
// server, the CLI and tests. Reads are the plain functions of reader.ts.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { DomainState } from '../core/domain/state.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../db/connect.js';
import { plantDomain } from '../domain/domain.js';
import { type Domain, Sequencer, type SequencerOptions } from './sequencer.js';
import { type CheckpointSigner, loadSigningKey, registerSigningKey } from './signing.js';

export interface Ledger<S> {
  readonly handle: DatabaseHandle;
  readonly sequencer: Sequencer<S>;
  readonly signer: CheckpointSigner;
  readonly origin: string;
  /** True when the signing key was made just now (dev mode): say so loudly. */
  readonly devKeyCreated: boolean;
  close(): Promise<void>;
}

export interface OpenLedgerOptions<S> {
  config: Config;
  domain?: Domain<S>;
  /** Migrate before use (the CLI and embedded server do; a server running as the restricted role does not). */
  migrate?: boolean;
  /** Pass an already open database (tests); it is closed with the ledger unless `ownsHandle` is false. */
  handle?: DatabaseHandle;
  ownsHandle?: boolean;
  signer?: CheckpointSigner;
  /** Sequencer settings that are not in the configuration (tests, the bench). */
  sequencer?: Pick<SequencerOptions, 'fastPath'>;
}

/** Open the database, the signing key and the sequencer described by the configuration. */
export async function openLedger<S = DomainState>(options: OpenLedgerOptions<S>): Promise<Ledger<S>> {
  const { config } = options;
  const handle =
    options.handle ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
      role: config.DATABASE_ROLE,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    }));
  const ownsHandle = options.handle ? options.ownsHandle !== false : true;
  try {
    if (options.migrate ?? config.MIGRATE_ON_START) await migrateToLatest(handle.db);
    let signer = options.signer;
    let devKeyCreated = false;
    if (!signer) {
      const file = config.SIGNING_KEY_FILE ?? join(config.DATA_DIR ?? '.motor-ledger', 'signing-key.jwk');
      const loaded = await loadSigningKey(file, { createIfMissing: config.SIGNING_KEY_FILE === undefined });
      signer = loaded.signer;
      devKeyCreated = loaded.created;
    }
    await registerSigningKey(handle.db, signer);
    const sequencer = new Sequencer<S>(handle.db, (options.domain ?? plantDomain()) as Domain<S>, {
      origin: config.LEDGER_ORIGIN ?? 'motor-ledger.local/cleon-dieppe',
      signer,
      checkpointEvery: config.CHECKPOINT_EVERY,
      checkpointIntervalMs: config.CHECKPOINT_INTERVAL_MS,
      ...options.sequencer,
    });
    return {
      handle,
      sequencer,
      signer,
      origin: config.LEDGER_ORIGIN ?? 'motor-ledger.local/cleon-dieppe',
      devKeyCreated,
      close: async () => {
        await sequencer.close();
        if (ownsHandle) await handle.close();
      },
    };
  } catch (err) {
    if (ownsHandle) await handle.close();
    throw err;
  }
}
