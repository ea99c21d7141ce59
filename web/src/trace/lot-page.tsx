// Where a component lot was used: every motor built with it, counted by where it is now, then listed (100 a
// page, the cursor in the URL), with a way into the investigation (blast radius, hold) for that lot.
import { useLocation, useRoute } from 'preact-iso';
import { api, apiText } from '../api.js';
import { download } from '../ui/csv.js';
import { type ForwardTrace, href, int, type LocationGroup, queryString, useLoad, utc } from './x-data.js';
import { CsvButton, Load, Pager } from './x-parts.js';

const PAGE = 100;

const GROUP_WORDS: Record<LocationGroup, { words: string; tone: string }> = {
  AT_CLEON: { words: 'at Cléon', tone: 'neutral' },
  IN_TRANSIT: { words: 'in transit', tone: 'pending' },
  IN_BUFFER: { words: 'in an assembly buffer', tone: 'pending' },
  INSTALLED: { words: 'installed', tone: 'neutral' },
  VEHICLE_SHIPPED: { words: 'vehicle shipped', tone: 'ok' },
  HELD: { words: 'held', tone: 'bad' },
};

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
          const rows = () => [
            ['serial', 'type', 'produced', 'where', 'site', 'shipment', 'vin', 'slot', 'holds'],
            ...t.items.map((m) => [
              m.serial,
              m.motorType,
              m.producedAt,
              m.group,
              m.site,
              m.shipmentId,
              m.vin,
              m.slot,
              m.holds.join(' '),
            ]),
          ];
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
                    <li key={g.group} class={`x-count t-${GROUP_WORDS[g.group].tone}`} data-group={g.group}>
                      <strong>{int(g.count)}</strong> {GROUP_WORDS[g.group].words}
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
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Motor</th>
                      <th scope="col">Produced</th>
                      <th scope="col">Where now</th>
                      <th scope="col">Shipment</th>
                      <th scope="col">Vehicle</th>
                      <th scope="col">Holds</th>
                    </tr>
                  </thead>
                  <tbody>
                    {t.items.map((m) => (
                      <tr key={m.serial}>
                        <td>
                          <a class="mono" href={href.motor(m.serial)}>
                            {m.serial}
                          </a>{' '}
                          <span class="muted">{m.motorType}</span>
                        </td>
                        <td>{utc(m.producedAt)}</td>
                        <td>
                          <span class={`badge ${GROUP_WORDS[m.group].tone}`}>
                            {GROUP_WORDS[m.group].words}
                          </span>
                          {m.site ? <span class="muted"> {m.site}</span> : null}
                        </td>
                        <td>
                          {m.shipmentId ? <a href={href.shipment(m.shipmentId)}>{m.shipmentId}</a> : '—'}
                        </td>
                        <td>
                          {m.vin ? (
                            <>
                              <a href={href.vehicle(m.vin)}>{m.vin}</a> <span class="muted">{m.slot}</span>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>
                          {m.holds.length > 0
                            ? m.holds.map((h) => (
                                <a key={h} class="badge bad" href={href.hold(h)}>
                                  {h}
                                </a>
                              ))
                            : '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <Pager next={t.nextCursor} />
              </section>
            </>
          );
        }}
      </Load>
    </div>
  );
}
