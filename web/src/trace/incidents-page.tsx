// Incidents, newest first, filtered by status (in the URL); /trace/incidents/INC-… opens one: what it is
// about, its suspect vehicles and motors (links), its findings in order, and the holds placed under it.
import { useLocation, useRoute } from 'preact-iso';
import { api } from '../api.js';
import {
  type HoldSummary,
  href,
  type Incident,
  type IncidentSummary,
  int,
  type ListPage,
  queryString,
  useLoad,
  utc,
} from './x-data.js';
import { FilterForm } from './x-filters.js';
import { CsvButton, Load, Pager } from './x-parts.js';
import { Verify } from './x-timeline.js';

const SEVERITY_TONE: Record<string, string> = {
  CRITICAL: 'bad',
  HIGH: 'bad',
  MEDIUM: 'pending',
  LOW: 'neutral',
};

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
          const holdRows = () => [
            ['hold', 'status', 'reason', 'motors', 'still held', 'opened', 'by'],
            ...holds.items.map((h) => [
              h.id,
              h.status,
              h.reason,
              h.counts.motors,
              h.counts.held,
              h.opened.time,
              h.opened.by,
            ]),
          ];
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
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">Hold</th>
                        <th scope="col">Status</th>
                        <th scope="col">Reason</th>
                        <th scope="col" class="num">
                          Motors
                        </th>
                        <th scope="col" class="num">
                          Still held
                        </th>
                        <th scope="col">Opened</th>
                      </tr>
                    </thead>
                    <tbody>
                      {holds.items.map((h) => (
                        <tr key={h.id}>
                          <td>
                            <a href={href.hold(h.id)}>{h.id}</a>
                          </td>
                          <td>
                            <span class={`badge ${h.status === 'ACTIVE' ? 'bad' : 'ok'}`}>
                              {h.status.toLowerCase()}
                            </span>
                          </td>
                          <td>{h.reason}</td>
                          <td class="num">{int(h.counts.motors)}</td>
                          <td class="num">{int(h.counts.held)}</td>
                          <td>
                            {utc(h.opened.time)} <span class="muted">by {h.opened.by}</span>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
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
        {(page) => {
          const rows = () => [
            [
              'incident',
              'title',
              'severity',
              'status',
              'opened',
              'opened by',
              'closed',
              'suspect VINs',
              'suspect motors',
              'findings',
              'holds',
              'active holds',
              'motors held',
            ],
            ...page.items.map((i) => [
              i.id,
              i.title,
              i.severity,
              i.status,
              i.opened.time,
              i.opened.by,
              i.closed?.time,
              i.counts.suspectVins,
              i.counts.suspectSerials,
              i.counts.findings,
              i.counts.holds,
              i.counts.activeHolds,
              i.counts.motorsHeld,
            ]),
          ];
          return (
            <section aria-label="Incidents found">
              <div class="x-section-head">
                <span class="muted" role="status">
                  {page.items.length === 0
                    ? 'No incident matches this filter.'
                    : `${page.items.length} incident${page.items.length === 1 ? '' : 's'} on this page`}
                </span>
                {page.items.length > 0 && (
                  <CsvButton filename="incidents.csv" rows={rows} what="the incidents on this page" />
                )}
              </div>
              {page.items.length > 0 && (
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Incident</th>
                      <th scope="col">Title</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Status</th>
                      <th scope="col">Opened</th>
                      <th scope="col" class="num">
                        Suspects
                      </th>
                      <th scope="col" class="num">
                        Findings
                      </th>
                      <th scope="col" class="num">
                        Motors held
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((i) => (
                      <tr key={i.id}>
                        <td>
                          <a href={href.incident(i.id)}>{i.id}</a>
                        </td>
                        <td>{i.title}</td>
                        <td>
                          <span class={`badge ${SEVERITY_TONE[i.severity] ?? 'neutral'}`}>{i.severity}</span>
                        </td>
                        <td>
                          <span class={`badge ${i.status === 'OPEN' ? 'pending' : 'ok'}`}>
                            {i.status.toLowerCase()}
                          </span>
                        </td>
                        <td>
                          {utc(i.opened.time)} <span class="muted">by {i.opened.by}</span>
                        </td>
                        <td class="num">{int(i.counts.suspectVins + i.counts.suspectSerials)}</td>
                        <td class="num">{int(i.counts.findings)}</td>
                        <td class="num">{int(i.counts.motorsHeld)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <Pager next={page.next} />
            </section>
          );
        }}
      </Load>
    </div>
  );
}

export default function IncidentsPage() {
  const { params } = useRoute();
  return params.id ? <IncidentDetail id={params.id} /> : <IncidentList />;
}
