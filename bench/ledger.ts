// Opening the ledger under test. The bench appends raw commands (rawCommand: the event as is, no decision), so
// the sequencer's state type never matters to it: both domains are driven as Ledger<undefined>.
import { type Ledger, type OpenLedgerOptions, openLedger } from '../src/ledger/ledger.js';
import { rawDomain } from '../src/ledger/sequencer.js';

export async function openBenchLedger(
  domain: 'plant' | 'raw',
  options: Omit<OpenLedgerOptions<undefined>, 'domain'>,
): Promise<Ledger<undefined>> {
  if (domain === 'raw') return openLedger<undefined>({ ...options, domain: rawDomain });
  // The default domain (the plant's, as the server runs): raw commands load no projection; evolve still
  // folds each appended event into the projections, which are upserted in the append transaction.
  return (await openLedger({ ...options })) as unknown as Ledger<undefined>;
}
