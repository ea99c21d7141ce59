// Where a component lot was used: every motor built with it, counted by where it is now, then listed (100 a
// page, the cursor in the URL), with a way into the investigation (blast radius, hold) for that lot.
import { useLocation, useRoute } from 'preact-iso';
import { api, apiText } from '../api.js';
import { download } from '../ui/csv.js';
import {
  type ForwardTrace,
  groupLabel,
  groupWords,
  int,
  type LocationGroup,
  queryString,
  useLoad,
} from './x-data.js';
import { CsvButton, csvOf, DataTable, Load, Pager } from './x-parts.js';
import { tracedColumns } from './x-traced.js';

const PAGE = 100;

/** Each group's colour on this page (its words are the explorer's: x-data GROUPS). */
const TONE: Record<LocationGroup, string> = {
  AT_CLEON: 'neutral',
  IN_TRANSIT: 'pending',
  IN_BUFFER: 'pending',
  INSTALLED: 'neutral',
  VEHICLE_SHIPPED: 'ok',
  HELD: 'bad',
};

/** The lot's motors: where each one is now in this page's colours. */
const COLUMNS = tracedColumns((m) => <span class={`badge ${TONE[m.group]}`}>{groupLabel(m.group)}</span>);

export default function LotPage() {
  const { params } = useRoute();
  const { query } = useLocation();
  const component = params.component ?? '';
  const lot = params.lot ?? '';
  const cursor = query.cursor;
  const qs = queryString({ limit: String(PAGE), cursor });
  const loaded = useLoad(`${component}/${lot}?${qs}`, (signal) =>
    api<ForwardTrace>(
      `/v1/lots/${encodeURIComponent(component)}/${encodeURIComponent(lot)}/where-used?${qs}`,
      {
        signal,
      },
    ),
  );
  const investigate = `/trace/investigate?${queryString({ component, lot })}`;
  return (
    <div class="x-page">
      <header class="card x-head">
        <h1>
          {component} lot <span class="mono">{lot}</span>
        </h1>
        <p>
          <a class="button primary" href={investigate}>
            Investigate this lot
          </a>{' '}
          <span class="muted">blast radius, hold everything not yet installed</span>
        </p>
      </header>
      <Load loaded={loaded} what={`Finding the motors built with ${lot}`}>
        {(t) => {
          if (t.total === 0)
            return (
              <div class="card x-notfound" role="status">
                <h2>
                  No motor was built with {component} lot {lot}
                </h2>
                <p class="muted">
                  Check the lot code and its component (rotor, stator, magnets, bearing, inverter…), or search
                  it alone in the box above.
                </p>
              </div>
            );
          const rows = () => csvOf(COLUMNS, t.items);
          return (
            <>
              <section aria-labelledby="x-where-h">
                <div class="x-section-head">
                  <h2 id="x-where-h">Where the {int(t.total)} motors are now</h2>
                  <span class="muted">as of ledger entry #{t.asOfSeq}</span>
                  <CsvButton
                    filename={`${component}-${lot}-where.csv`}
                    rows={() => [
                      ['where', 'motors', 'by', 'count'],
                      ...t.groups.flatMap((g) =>
                        g.by.length > 0
                          ? g.by.map((b) => [g.group, g.count, b.key, b.count])
                          : [[g.group, g.count, '', '']],
                      ),
                    ]}
                    what="the counts per place"
                  />
                </div>
                <ul class="x-counts">
                  {t.groups.map((g) => (
                    <li key={g.group} class={`x-count t-${TONE[g.group]}`} data-group={g.group}>
                      <strong>{int(g.count)}</strong> {groupWords(g.group)}
                      {g.by.length > 0 && g.by.length <= 4 && (
                        <small class="muted"> ({g.by.map((b) => `${b.key}: ${b.count}`).join(', ')})</small>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
              <section aria-labelledby="x-used-h">
                <div class="x-section-head">
                  <h2 id="x-used-h">Motors built with it</h2>
                  <span class="muted">
                    {t.items.length < t.total
                      ? `${int(t.items.length)} on this page of ${int(t.total)}`
                      : int(t.total)}
                  </span>
                  <CsvButton
                    filename={`${component}-${lot}-motors.csv`}
                    rows={rows}
                    what="the motors on this page"
                  />
                  {t.items.length < t.total && (
                    <button
                      type="button"
                      class="x-csv"
                      onClick={async () => {
                        const csv = await apiText('/v1/trace/forward?format=csv', {
                          body: { filter: { lots: { [component]: lot } } },
                        });
                        download(`${component}-${lot}-all-motors.csv`, csv);
                      }}
                    >
                      ⤓ CSV of all {int(t.total)}
                    </button>
                  )}
                </div>
                <div class="x-scroll">
                  <DataTable rows={t.items} columns={COLUMNS} rowKey={(m) => m.serial} wide />
                </div>
                <Pager next={t.nextCursor} />
              </section>
            </>
          );
        }}
      </Load>
    </div>
  );
}
