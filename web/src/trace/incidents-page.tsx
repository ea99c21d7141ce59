// Incidents, newest first, filtered by status (in the URL); /trace/incidents/INC-… opens one: what it is
// about, its suspect vehicles and motors (links), its findings in order, and the holds placed under it.
import { useLocation, useRoute } from 'preact-iso';
import { api } from '../api.js';
import {
  type HoldSummary,
  href,
  type Incident,
  type IncidentSummary,
  type ListPage,
  queryString,
  useLoad,
  utc,
} from './x-data.js';
import { FilterForm } from './x-filters.js';
import { HOLD } from './x-holds.js';
import { type Column, CsvButton, csvOf, DataTable, ListSection, Load } from './x-parts.js';
import { Verify } from './x-timeline.js';

const SEVERITY_TONE: Record<string, string> = {
  CRITICAL: 'bad',
  HIGH: 'bad',
  MEDIUM: 'pending',
  LOW: 'neutral',
};

const { hold, status, reason, motors, held, opened, openedBy } = HOLD;
const HOLDS_OF_INCIDENT = [hold, status, reason, motors, held, opened, openedBy];

const INCIDENT_COLUMNS: Column<IncidentSummary>[] = [
  {
    head: 'Incident',
    csv: 'incident',
    value: (i) => i.id,
    show: (i) => <a href={href.incident(i.id)}>{i.id}</a>,
  },
  { head: 'Title', csv: 'title', value: (i) => i.title },
  {
    head: 'Severity',
    csv: 'severity',
    value: (i) => i.severity,
    show: (i) => <span class={`badge ${SEVERITY_TONE[i.severity] ?? 'neutral'}`}>{i.severity}</span>,
  },
  {
    head: 'Status',
    csv: 'status',
    value: (i) => i.status,
    show: (i) => (
      <span class={`badge ${i.status === 'OPEN' ? 'pending' : 'ok'}`}>{i.status.toLowerCase()}</span>
    ),
  },
  {
    head: 'Opened',
    csv: 'opened',
    value: (i) => i.opened.time,
    show: (i) => (
      <>
        {utc(i.opened.time)} <span class="muted">by {i.opened.by}</span>
      </>
    ),
  },
  { csv: 'opened by', value: (i) => i.opened.by },
  { csv: 'closed', value: (i) => i.closed?.time },
  { csv: 'suspect VINs', value: (i) => i.counts.suspectVins },
  { csv: 'suspect motors', value: (i) => i.counts.suspectSerials },
  { head: 'Suspects', value: (i) => i.counts.suspectVins + i.counts.suspectSerials, num: true },
  { head: 'Findings', csv: 'findings', value: (i) => i.counts.findings, num: true },
  { csv: 'holds', value: (i) => i.counts.holds },
  { csv: 'active holds', value: (i) => i.counts.activeHolds },
  { head: 'Motors held', csv: 'motors held', value: (i) => i.counts.motorsHeld, num: true },
];

function IncidentDetail({ id }: { id: string }) {
  const path = encodeURIComponent(id);
  const loaded = useLoad(id, (signal) =>
    Promise.all([
      api<Incident>(`/v1/incidents/${path}`, { signal }),
      api<ListPage<HoldSummary>>(`/v1/holds?incident=${path}&limit=500`, { signal }),
    ]),
  );
  return (
    <div class="x-page">
      <p>
        <a href="/trace/incidents">« All incidents</a>
      </p>
      <Load
        loaded={loaded}
        what={`Loading incident ${id}`}
        notFound={<h1>No incident {id} in the ledger</h1>}
      >
        {([inc, holds]) => {
          const holdRows = () => csvOf(HOLDS_OF_INCIDENT, holds.items);
          return (
            <>
              <header class="card x-head">
                <h1>
                  Incident <span class="mono">{inc.id}</span>{' '}
                  <span class={`badge ${SEVERITY_TONE[inc.severity] ?? 'neutral'}`}>{inc.severity}</span>{' '}
                  <span class={`badge ${inc.status === 'OPEN' ? 'pending' : 'ok'}`}>
                    {inc.status.toLowerCase()}
                  </span>
                </h1>
                <p class="x-lead">{inc.title}</p>
                <p class="muted">
                  Opened {utc(inc.opened.time)} by {inc.opened.by} (entry #{inc.opened.seq}{' '}
                  <Verify seq={inc.opened.seq} />)
                  {inc.closed ? ` · closed ${utc(inc.closed.time)} (entry #${inc.closed.seq})` : ''}
                </p>
                {inc.closed && (
                  <p>
                    <strong>Resolution:</strong> {inc.closed.resolution}
                  </p>
                )}
              </header>
              <section aria-labelledby="x-suspects-h">
                <h2 id="x-suspects-h">Suspects</h2>
                {inc.suspectVins.length === 0 && inc.suspectSerials.length === 0 ? (
                  <p class="muted">
                    No suspect vehicle or motor named (or none of the brands your token may see).
                  </p>
                ) : (
                  <ul class="x-chips">
                    {inc.suspectVins.map((v) => (
                      <li key={v}>
                        <a class="badge neutral" href={href.vehicle(v)}>
                          VIN {v}
                        </a>
                      </li>
                    ))}
                    {inc.suspectSerials.map((s) => (
                      <li key={s}>
                        <a class="badge neutral" href={href.motor(s)}>
                          motor {s}
                        </a>
                      </li>
                    ))}
                  </ul>
                )}
                {inc.suspectVins.length > 1 && (
                  <p>
                    <a href={`/trace/common-cause?${queryString({ vins: inc.suspectVins.join(',') })}`}>
                      What do these {inc.suspectVins.length} vehicles have in common?
                    </a>
                  </p>
                )}
              </section>
              <section aria-labelledby="x-findings-h">
                <h2 id="x-findings-h">Findings</h2>
                {inc.findings.length === 0 ? (
                  <p class="muted">No finding recorded yet.</p>
                ) : (
                  <ol class="x-findings">
                    {inc.findings.map((f) => (
                      <li key={f.seq}>
                        <time dateTime={f.time}>{utc(f.time)}</time> <span class="muted">#{f.seq}</span>{' '}
                        <Verify seq={f.seq} /> {f.text}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
              <section aria-labelledby="x-inc-holds-h">
                <div class="x-section-head">
                  <h2 id="x-inc-holds-h">Holds under it</h2>
                  {holds.items.length > 0 && (
                    <CsvButton
                      filename={`${inc.id}-holds.csv`}
                      rows={holdRows}
                      what="the holds of this incident"
                    />
                  )}
                </div>
                {holds.items.length === 0 ? (
                  <p class="muted">No hold placed under this incident.</p>
                ) : (
                  <DataTable rows={holds.items} columns={HOLDS_OF_INCIDENT} rowKey={(h) => h.id} />
                )}
              </section>
            </>
          );
        }}
      </Load>
    </div>
  );
}

function IncidentList() {
  const { query } = useLocation();
  const qs = queryString({ status: query.status, cursor: query.cursor, limit: '50' });
  const loaded = useLoad(qs, (signal) => api<ListPage<IncidentSummary>>(`/v1/incidents?${qs}`, { signal }));
  return (
    <div class="x-page">
      <h1>Incidents</h1>
      <FilterForm
        label="Filter incidents"
        values={{ status: query.status }}
        fields={[
          {
            name: 'status',
            label: 'Status',
            options: [
              ['', 'any'],
              ['OPEN', 'open'],
              ['CLOSED', 'closed'],
            ],
          },
        ]}
      />
      <Load loaded={loaded} what="Loading incidents">
        {(page) => (
          <ListSection
            label="Incidents found"
            noun="incident"
            none="No incident matches this filter."
            filename="incidents.csv"
            page={page}
            columns={INCIDENT_COLUMNS}
            rowKey={(i) => i.id}
          />
        )}
      </Load>
    </div>
  );
}

export default function IncidentsPage() {
  const { params } = useRoute();
  return params.id ? <IncidentDetail id={params.id} /> : <IncidentList />;
}
