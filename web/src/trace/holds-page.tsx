// Holds, newest first, filtered by status, motor or incident (the filters are the URL's query, so a filtered
// list is a link); ?id=HOLD-… opens one hold with the motors it names above the list.
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import {
  type Hold,
  type HoldSummary,
  href,
  int,
  type ListPage,
  queryString,
  useLoad,
  utc,
} from './x-data.js';
import { FilterForm } from './x-filters.js';
import { HOLD } from './x-holds.js';
import { CsvButton, ListSection, Load } from './x-parts.js';
import { Verify } from './x-timeline.js';

function HoldDetail({ id }: { id: string }) {
  const loaded = useLoad(id, (signal) => api<Hold>(`/v1/holds/${encodeURIComponent(id)}`, { signal }));
  return (
    <Load loaded={loaded} what={`Loading hold ${id}`} notFound={<h1>No hold {id} in the ledger</h1>}>
      {(h) => {
        const released = new Set(h.released);
        const rows = () => [
          ['serial', 'state under this hold'],
          ...h.serials.map((s) => [s, released.has(s) ? 'released' : 'held']),
        ];
        return (
          <section class="card x-head" aria-labelledby="x-hold-h">
            <h1 id="x-hold-h">
              Hold <span class="mono">{h.id}</span>{' '}
              <span class={`badge ${h.status === 'ACTIVE' ? 'bad' : 'ok'}`}>{h.status.toLowerCase()}</span>
            </h1>
            <p>{h.reason}</p>
            <p class="muted">
              Opened {utc(h.opened.time)} by {h.opened.by} (entry #{h.opened.seq}{' '}
              <Verify seq={h.opened.seq} />)
              {h.incidentId && (
                <>
                  {' '}
                  · incident <a href={href.incident(h.incidentId)}>{h.incidentId}</a>
                </>
              )}
            </p>
            <div class="x-section-head">
              <h2>
                {int(h.serials.length)} motor{h.serials.length === 1 ? '' : 's'}:{' '}
                {int(h.serials.length - released.size)} held, {int(released.size)} released
              </h2>
              <CsvButton filename={`${h.id}-motors.csv`} rows={rows} what="the motors of this hold" />
            </div>
            <ul class="x-chips">
              {h.serials.map((s) => (
                <li key={s}>
                  <a class={`badge ${released.has(s) ? 'neutral' : 'bad'}`} href={href.motor(s)}>
                    {s} · {released.has(s) ? 'released' : 'held'}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        );
      }}
    </Load>
  );
}

export default function HoldsPage() {
  const { query } = useLocation();
  const filters = { status: query.status, serial: query.serial, incident: query.incident };
  const qs = queryString({ ...filters, cursor: query.cursor, limit: '50' });
  const loaded = useLoad(qs, (signal) => api<ListPage<HoldSummary>>(`/v1/holds?${qs}`, { signal }));
  return (
    <div class="x-page">
      {query.id && <HoldDetail id={query.id} />}
      <h1>Holds</h1>
      <FilterForm
        label="Filter holds"
        values={filters}
        fields={[
          {
            name: 'status',
            label: 'Status',
            options: [
              ['', 'any'],
              ['ACTIVE', 'active (still holds motors)'],
              ['RELEASED', 'released'],
            ],
          },
          { name: 'serial', label: 'Motor serial', placeholder: '7DL-000128', upper: true },
          { name: 'incident', label: 'Incident', placeholder: 'INC-2026-017' },
        ]}
      />
      <Load loaded={loaded} what="Loading holds">
        {(page) => (
          <ListSection
            label="Holds found"
            noun="hold"
            none="No hold matches these filters."
            filename="holds.csv"
            page={page}
            columns={Object.values(HOLD)}
            rowKey={(h) => h.id}
            current={(h) => h.id === query.id}
          />
        )}
      </Load>
    </div>
  );
}
