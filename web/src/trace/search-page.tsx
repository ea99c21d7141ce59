// The explorer's front page (/trace): what the search box finds, and the ways in to the lists and analyses.
// With ?q=… it is the search's answer: one thing found → its page (this URL is replaced, so Back returns to
// where the search started); several → a choice; none → a sentence saying what was looked for.
import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ProblemBox } from '../ui/problem.js';
import { queryString, useLoad } from './x-data.js';
import { type Hit, resolve } from './x-resolve.js';

const KIND_WORDS: Record<Hit['kind'], string> = {
  motor: 'Motor',
  vehicle: 'Vehicle',
  lot: 'Component lot',
  shipment: 'Shipment',
  truck: 'Truck',
  incident: 'Incident',
  hold: 'Hold',
};

function Answer({ q }: { q: string }) {
  const { route } = useLocation();
  const loaded = useLoad(q, (signal) => resolve(q, signal));
  const single = loaded.state === 'done' && loaded.data.length === 1 ? loaded.data[0]!.href : null;
  useEffect(() => {
    if (single) route(single, true);
  }, [single, route]);
  if (loaded.state === 'loading' || single)
    return (
      <p class="muted" aria-live="polite">
        Looking for “{q}”…
      </p>
    );
  if (loaded.state === 'failed') return <ProblemBox error={loaded.error} />;
  const hits = loaded.data;
  if (hits.length === 0)
    return (
      <div class="card x-notfound" role="status">
        <h1>Nothing found for “{q}”</h1>
        <p>
          The ledger has no motor serial, VIN, component lot, shipment, truck, incident or hold by that name —
          or none your token may see. Check for a mistyped character (a VIN has 17 characters and never I, O
          or Q); a lot can be searched with its component, for example <code>magnets MAG-26-0075</code>.
        </p>
      </div>
    );
  const trucks = hits.filter((h) => h.kind === 'truck');
  const plate = trucks.length > 0 ? q.trim().toUpperCase() : null;
  return (
    <section aria-labelledby="x-hits-h">
      <h1 id="x-hits-h">
        “{q}” names {hits.length} thing{hits.length === 1 ? '' : 's'}
      </h1>
      <p class="muted">
        {plate
          ? `Truck ${plate} carried ${trucks.length} shipments: choose one.`
          : 'Choose the one you mean.'}
      </p>
      <ul class="x-hits">
        {hits.map((h) => (
          <li key={h.href}>
            <a href={h.href}>
              <span class="badge neutral">{KIND_WORDS[h.kind]}</span> <strong>{h.label}</strong>
            </a>{' '}
            <span class="muted">{h.detail}</span>
          </li>
        ))}
      </ul>
      {plate && (
        <p>
          <a href={`/trace/investigate?${queryString({ truck: plate })}`}>
            Investigate every motor truck {plate} carried
          </a>
        </p>
      )}
    </section>
  );
}

const FINDS: [what: string, example: string, note: string][] = [
  ['A motor serial', '7DL-000101', 'where it is now, its holds, its whole timeline and genealogy'],
  ['A VIN', 'VF1A390EA00012301', 'its slots and their motors, traced back, and its timeline'],
  [
    'A component lot',
    'magnets MAG-24-031',
    'every motor built with it, and where each one is (the lot code alone works too)',
  ],
  ['A shipment', 'SHP-20261122-01', 'its motors and their intake verdicts, expected against scanned'],
  ['A truck', 'FR-118-KD', 'the shipments it carried'],
  ['An incident', 'INC-2026-017', 'its suspects, findings and holds'],
  ['A hold', 'HOLD-2026-031', 'the motors it names, held or released'],
];

export default function SearchPage() {
  const { query } = useLocation();
  const q = (query.q ?? '').trim();
  if (q !== '') return <Answer q={q} />;
  return (
    <div class="x-page">
      <h1>Trace explorer</h1>
      <p class="x-lead">
        Type or paste one identifier into <strong>Find</strong> above (press <kbd>/</kbd> to get there) and
        press Enter. Every page here has its own address: paste it into an 8D report.
      </p>
      <table class="data x-finds">
        <caption class="visually-hidden">What the search finds</caption>
        <thead>
          <tr>
            <th scope="col">Search for</th>
            <th scope="col">For example</th>
            <th scope="col">You get</th>
          </tr>
        </thead>
        <tbody>
          {FINDS.map(([what, example, note]) => (
            <tr key={what}>
              <th scope="row">{what}</th>
              <td>
                <code>{example}</code>
              </td>
              <td>{note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Start from a question</h2>
      <ul class="x-ways">
        <li>
          <a href="/trace/investigate">Investigate</a>: from a lot, a station, a shift, a time window or a
          truck, every motor that shares it and where it is now; hold all not yet installed.
        </li>
        <li>
          <a href="/trace/common-cause">Common cause</a>: paste the failing VINs, get what they share, ranked
          against the whole population.
        </li>
        <li>
          <a href="/trace/flow">Flow</a>: trucks shipped but not received, overdue, ASN mismatches, incomplete
          vehicles.
        </li>
        <li>
          <a href="/trace/holds">Holds</a> and <a href="/trace/incidents">incidents</a>, with filters.
        </li>
      </ul>
    </div>
  );
}
