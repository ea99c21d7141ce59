// The list of migrations, in order. Listed statically (not read from disk) so that the same list runs from
// TypeScript in tests and from the compiled build. Files are date-prefixed and never edited once landed.
import type { Migration } from 'kysely';
import * as ledger from './2026-11-23T10-00_ledger.js';
import * as projections from './2026-11-23T12-00_projections.js';
import * as rootCause from './2026-11-23T13-00_root-cause.js';
import * as epcisCapture from './2026-11-29T15-00_epcis-capture.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T10-00_ledger': ledger,
  '2026-11-23T12-00_projections': projections,
  '2026-11-23T13-00_root-cause': rootCause,
  '2026-11-29T15-00_epcis-capture': epcisCapture,
};
