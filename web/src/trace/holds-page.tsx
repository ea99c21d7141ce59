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
import { CsvButton, Load, Pager } from './x-parts.js';
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
        {(page) => {
          const rows = () => [
            [
              'hold',
              'status',
              'reason',
              'incident',
              'motors',
              'held',
              'released',
              'opened',
              'opened by',
              'released at',
            ],
            ...page.items.map((h) => [
              h.id,
              h.status,
              h.reason,
              h.incidentId,
              h.counts.motors,
              h.counts.held,
              h.counts.released,
              h.opened.time,
              h.opened.by,
              h.releasedAt?.time,
            ]),
          ];
          return (
            <section aria-label="Holds found">
              <div class="x-section-head">
                <span class="muted" role="status">
                  {page.items.length === 0
                    ? 'No hold matches these filters.'
                    : `${page.items.length} hold${page.items.length === 1 ? '' : 's'} on this page`}
                </span>
                {page.items.length > 0 && (
                  <CsvButton filename="holds.csv" rows={rows} what="the holds on this page" />
                )}
              </div>
              {page.items.length > 0 && (
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Hold</th>
                      <th scope="col">Status</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Incident</th>
                      <th scope="col" class="num">
                        Motors
                      </th>
                      <th scope="col" class="num">
                        Still held
                      </th>
                      <th scope="col">Opened</th>
                      <th scope="col">Released</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((h) => (
                      <tr key={h.id} aria-current={h.id === query.id ? 'true' : undefined}>
                        <td>
                          <a href={href.hold(h.id)}>{h.id}</a>
                        </td>
                        <td>
                          <span class={`badge ${h.status === 'ACTIVE' ? 'bad' : 'ok'}`}>
                            {h.status.toLowerCase()}
                          </span>
                        </td>
                        <td>{h.reason}</td>
                        <td>
                          {h.incidentId ? <a href={href.incident(h.incidentId)}>{h.incidentId}</a> : '—'}
                        </td>
                        <td class="num">{int(h.counts.motors)}</td>
                        <td class="num">{int(h.counts.held)}</td>
                        <td>
                          {utc(h.opened.time)} <span class="muted">by {h.opened.by}</span>
                        </td>
                        <td>
                          {h.releasedAt ? (
                            <>
                              {utc(h.releasedAt.time)} <span class="muted">by {h.releasedAt.by}</span>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
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
