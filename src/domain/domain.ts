// The plant's domain plugged into the sequencer: each batch loads the projection rows its commands read,
// decides each command in order against the state the earlier ones left (core/domain/decide.ts), folds each
// event into that state (core/domain/state.ts evolve) and upserts the changed rows in the same transaction.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Catalog, validateCatalog } from '../core/domain/catalog.js';
import { type DomainCommand, decide, dependentKeysOf, keysOf } from '../core/domain/decide.js';
import { applyEvent, type DomainState, emptyState } from '../core/domain/state.js';
import type { Command, DecidedEvent, Domain } from '../ledger/sequencer.js';
import { requestHashOf } from '../ledger/sequencer.js';
import {
  type KeysToLoad,
  LIVE_TABLES,
  loadProjections,
  persistProjections,
  projectionCtes,
} from './projections.js';

export type PlantCommand = Command<DomainState> & { readonly domain: DomainCommand };

/** The sequencer's hooks for the plant domain. */
export function plantDomain(): Domain<DomainState> {
  return {
    async load(trx, commands) {
      const state = emptyState();
      const keys: { [K in keyof KeysToLoad]: string[] } = {};
      for (const c of commands as readonly Partial<PlantCommand>[]) {
        if (!c.domain) continue; // a raw command (tests, bench) reads no projection
        for (const [kind, list] of Object.entries(keysOf(c.domain)) as [keyof KeysToLoad, string[]][]) {
          keys[kind] = [...(keys[kind] ?? []), ...list];
        }
      }
      await loadProjections(trx, state, keys);
      const more: string[] = [];
      for (const c of commands as readonly Partial<PlantCommand>[]) {
        if (c.domain) more.push(...(dependentKeysOf(state, c.domain).motor ?? []));
      }
      if (more.length > 0) await loadProjections(trx, state, { motor: more });
      return state;
    },
    apply(state, e: DecidedEvent) {
      applyEvent(state, { seq: e.seq, id: e.id, ...e.draft });
    },
    async persist(trx, state) {
      await persistProjections(trx, state);
    },
    // The same upserts inside the sequencer's insert statement, after its lock.
    persistCtes(state) {
      return projectionCtes(state, LIVE_TABLES, 'ml_lock');
    },
  };
}

/**
 * Wrap a domain command for the sequencer. `request` is what the client sent (without its id): a retry with
 * the same id must send the same request.
 * @example await sequencer.append(plantCommand(catalog, { kind: 'shipVehicle', vin, actor, time }, id, body))
 */
export function plantCommand(
  catalog: Catalog,
  command: DomainCommand,
  id: string | undefined,
  request: unknown,
  answer?: (state: DomainState, event: DecidedEvent) => unknown,
): PlantCommand {
  return {
    id,
    domain: command,
    requestHash: requestHashOf({ kind: command.kind, sub: command.actor.sub, request }),
    decide: (state) => decide(state, catalog, command),
    ...(answer ? { answer } : {}),
  };
}

const DEFAULT_CATALOG = fileURLToPath(new URL('../../../catalog/default.json', import.meta.url));

/** Load the catalog from CATALOG_FILE or the built-in one. */
export function loadCatalog(file?: string): Catalog {
  // The built-in file sits at the repository root; from dist/src/domain it is three levels up, from src/domain two.
  const candidates = file
    ? [file]
    : [DEFAULT_CATALOG, fileURLToPath(new URL('../../catalog/default.json', import.meta.url))];
  for (const path of candidates) {
    try {
      return validateCatalog(JSON.parse(readFileSync(path, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`Catalog not found at ${candidates.join(' or ')}`);
}
