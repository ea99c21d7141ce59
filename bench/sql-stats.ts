// Naming the ledger's SQL statements for timing reports (bench/profile-writes.ts, bench/intake-server.ts).

/** A short name for a statement the ledger sends, or its first 60 characters. */
export function classify(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  if (s === 'begin' || s === 'commit' || s === 'rollback') return s.toUpperCase();
  if (s.startsWith('begin; select pg_advisory_xact_lock')) return 'BEGIN + advisory lock';
  if (s.startsWith('with ml_lock as materialized'))
    return 'insert batch (lock, entries, nodes, cp, projections)';
  if (s.startsWith('with ml_found as materialized'))
    return 'insert batch checking subjects taken for new (lock, entries, nodes, cp, projections)';
  if (s.includes('pg_advisory_xact_lock')) return 'advisory lock';
  if (s.startsWith("select 'head'::text as kind")) return 'head + idempotency keys + subjects';
  if (s.startsWith('with ml_entries as ( insert into ledger_entry'))
    return 'insert entries+subjects+nodes(+cp)';
  if (s.startsWith('with ins as ( insert into ledger_checkpoint')) return 'checkpoint without entries';
  if (s.includes('select coalesce((select seq + 1 from ledger_entry'))
    return 'load frontier (size, checkpoint)';
  if (s.includes('cross join lateral')) return 'load subject heads';
  if (s.startsWith('with e as ( insert into ledger_entry')) return 'insert entries+subjects+nodes';
  if (/^with u0 as \( insert into "(motor|shipment|vehicle|hold|incident)"/.test(s))
    return 'persist projections';
  if (s.startsWith('insert into "ledger_checkpoint"')) return 'checkpoint insert';
  if (s.startsWith('select "size", "root", "kid", "jws" from "ledger_checkpoint"'))
    return 'checkpoint re-read';
  if (s.includes('from merkle_node')) return 'fetch node hashes';
  if (/^select \$1::text as kind/.test(s) || s.includes('::text as kind, "')) return 'load projections';
  return s.slice(0, 60);
}
