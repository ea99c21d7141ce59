// What every route needs: the ledger (database, sequencer) and the catalog, plus configuration.
import type { Config } from '../config.js';
import type { Catalog } from '../core/domain/catalog.js';
import type { DomainState } from '../core/domain/state.js';
import type { Ledger } from '../ledger/ledger.js';

export interface AppContext {
  ledger: Ledger<DomainState>;
  catalog: Catalog;
  config: Config;
}
