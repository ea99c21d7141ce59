// A motor: where it is now (state, site, buffer or VIN and slot), the holds that ever named it, its genealogy
// as a graph, and its whole timeline with corrections beside what they correct. Two calls, in parallel.
import type { ComponentChildren } from 'preact';
import { useRoute } from 'preact-iso';
import { api } from '../api.js';
import {
  type HoldSummary,
  href,
  type ListPage,
  MOTOR_STATUS,
  type Motor,
  type MotorAnswer,
  queryString,
  useLoad,
  utc,
} from './x-data.js';
import { GenealogyGraph } from './x-graph.js';
import { HOLD } from './x-holds.js';
import { type Column, CsvButton, csvOf, DataTable, LinkList, Load } from './x-parts.js';
import { Timeline } from './x-timeline.js';

/** Where the motor is now, in one sentence with its links. */
function WhereNow({ m }: { m: Motor }) {
  const ship = m.shipmentId ? <a href={href.shipment(m.shipmentId)}>{m.shipmentId}</a> : null;
  switch (m.status) {
    case 'PRODUCED':
      return (
        <>
          At {m.site ?? 'Cléon'}, produced {utc(m.produced.time)}, not yet loaded on a truck.
        </>
      );
    case 'LOADED':
      return (
        <>
          At {m.site}, loaded on shipment {ship}
          {m.rack ? ` (rack ${m.rack})` : ''}, not yet departed.
        </>
      );
    case 'IN_TRANSIT':
      return (
        <>
          On truck {m.transport?.truck ?? '?'} ({m.transport?.carrier}), shipment {ship}, departed{' '}
          {utc(m.transport?.departed)}.
        </>
      );
    case 'ARRIVED':
      return (
        <>
          At {m.site ?? 'the destination'}: shipment {ship} arrived {utc(m.transport?.arrived)}; this motor is
          not scanned yet.
        </>
      );
    case 'RECEIVED':
      return (
        <>
          In {m.received?.site ?? m.site}'s buffer since {utc(m.received?.time)} (scanned at dock{' '}
          {m.received?.dock} by {m.received?.scanner}, shipment {ship}).
        </>
      );
    case 'INSTALLED':
    case 'VEHICLE_SHIPPED':
      return (
        <>
          In vehicle {m.vin ? <a href={href.vehicle(m.vin)}>{m.vin}</a> : '(another brand)'}, slot{' '}
          <strong>{m.slot}</strong>
          {m.installed
            ? ` (${m.installed.brand} ${m.installed.model}, installed at ${m.installed.station})`
            : ''}
          {m.status === 'VEHICLE_SHIPPED' ? '; the vehicle has shipped.' : '.'}
        </>
      );
    default:
      return <>{m.status}</>;
  }
}

/**
 * Ways into the investigation from what this motor shares with others (the investigation page's URL keys):
 * the same line and shift that day, the same station, work order, EOL bench, shipment or truck.
 */
function Shares({ m }: { m: Motor }) {
  const day = m.produced.time.slice(0, 10);
  const to = (criteria: Record<string, string>) => `/trace/investigate?${queryString(criteria)}`;
  const ways: [words: string, url: string][] = [
    [
      `line ${m.produced.line}, shift ${m.produced.shift} on ${day}`,
      to({
        line: m.produced.line,
        shift: m.produced.shift,
        from: `${day}T00:00:00Z`,
        to: `${day}T23:59:59Z`,
      }),
    ],
    [`station ${m.produced.station}`, to({ station: m.produced.station })],
    [`work order ${m.produced.workOrder}`, to({ workOrder: m.produced.workOrder })],
    ...(m.lastTest
      ? [[`EOL bench ${m.lastTest.bench}`, to({ bench: m.lastTest.bench })] as [string, string]]
      : []),
    ...(m.shipmentId
      ? [[`shipment ${m.shipmentId}`, to({ shipment: m.shipmentId })] as [string, string]]
      : []),
    ...(m.transport
      ? [[`truck ${m.transport.truck}`, to({ truck: m.transport.truck })] as [string, string]]
      : []),
  ];
  return (
    <nav class="x-shares" aria-label="Investigate motors that share">
      <span class="muted">Investigate the motors that share its</span>
      <ul>
        {ways.map(([words, url]) => (
          <li key={url}>
            <a href={url}>{words}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Holds({ serial, holds, active }: { serial: string; holds: HoldSummary[]; active: string[] }) {
  const columns: Column<HoldSummary>[] = [
    HOLD.hold,
    {
      head: 'Status',
      csv: 'status',
      value: (h) => (active.includes(h.id) ? 'holds it' : 'released'),
      show: (h) => (
        <span class={`badge ${active.includes(h.id) ? 'bad' : 'ok'}`}>
          {active.includes(h.id) ? 'holds it' : 'released'}
        </span>
      ),
    },
    HOLD.reason,
    HOLD.incident,
    HOLD.opened,
    HOLD.openedBy,
  ];
  const rows = () => csvOf(columns, holds);
  return (
    <section aria-labelledby="x-holds-h">
      <div class="x-section-head">
        <h2 id="x-holds-h">Holds</h2>
        <span class="muted">{active.length > 0 ? `held now by ${active.join(', ')}` : 'not held now'}</span>
        {holds.length > 0 && <CsvButton filename={`${serial}-holds.csv`} rows={rows} what="the holds" />}
      </div>
      {holds.length === 0 ? (
        <p class="muted">No hold has ever named this motor.</p>
      ) : (
        <DataTable rows={holds} columns={columns} rowKey={(h) => h.id} />
      )}
    </section>
  );
}

export default function MotorPage() {
  const { params } = useRoute();
  const serial = params.serial ?? '';
  const loaded = useLoad(serial, (signal) =>
    Promise.all([
      api<MotorAnswer>(`/v1/motors/${encodeURIComponent(serial)}`, { signal }),
      api<ListPage<HoldSummary>>(`/v1/holds?serial=${encodeURIComponent(serial)}&limit=500`, { signal }),
    ]),
  );
  return (
    <div class="x-page">
      <Load
        loaded={loaded}
        what={`Loading motor ${serial}`}
        notFound={<h1>No motor {serial} in the ledger</h1>}
      >
        {([{ motor: m, timeline }, holds]) => {
          const held = m.holds.length > 0;
          return (
            <>
              <header class="card x-head">
                <h1>
                  Motor <span class="mono">{m.serial}</span> <span class="badge neutral">{m.motorType}</span>{' '}
                  <span class={`badge ${held ? 'bad' : m.status === 'VEHICLE_SHIPPED' ? 'ok' : 'neutral'}`}>
                    {held
                      ? `On hold · ${MOTOR_STATUS[m.status] ?? m.status}`
                      : (MOTOR_STATUS[m.status] ?? m.status)}
                  </span>
                </h1>
                <p class="x-where">
                  <strong>Where now: </strong>
                  <WhereNow m={m} />
                </p>
                {held && (
                  <p class="problem" role="status">
                    On quality hold: <LinkList items={m.holds} to={href.hold} />. It cannot be loaded,
                    received or installed until released.
                  </p>
                )}
                <dl class="x-facts x-summary">
                  <Fact label="Produced">
                    {utc(m.produced.time)} · {m.produced.site} line {m.produced.line}, station{' '}
                    {m.produced.station}, shift {m.produced.shift}
                  </Fact>
                  <Fact label="End-of-line test">
                    {m.lastTest ? (
                      <>
                        <span class={`badge ${m.lastTest.verdict === 'PASS' ? 'ok' : 'bad'}`}>
                          {m.lastTest.verdict}
                        </span>{' '}
                        {m.lastTest.bench}, {utc(m.lastTest.time)}
                        {m.tests > 1 ? ` (${m.tests} tests)` : ''}
                      </>
                    ) : (
                      'not tested'
                    )}
                  </Fact>
                  <Fact label="Shipment">
                    {m.shipmentId ? (
                      <>
                        <a href={href.shipment(m.shipmentId)}>{m.shipmentId}</a>
                        {m.transport ? ` · truck ${m.transport.truck}` : ''}
                        {m.rack ? ` · rack ${m.rack}` : ''}
                      </>
                    ) : (
                      'not shipped'
                    )}
                  </Fact>
                  <Fact label="Vehicle">
                    {m.vin ? (
                      <>
                        <a href={href.vehicle(m.vin)}>{m.vin}</a> · {m.slot}
                      </>
                    ) : (
                      'not installed'
                    )}
                    {m.removals > 0 ? ` · removed ${m.removals}×` : ''}
                  </Fact>
                </dl>
                <Shares m={m} />
              </header>
              <Holds serial={m.serial} holds={holds.items} active={m.holds} />
              <section aria-labelledby="x-genealogy-h">
                <h2 id="x-genealogy-h">Genealogy</h2>
                <GenealogyGraph
                  current={`motor:${m.serial}`}
                  motors={[
                    {
                      serial: m.serial,
                      slot: m.slot,
                      lots: m.produced.lots,
                      shipmentId: m.shipmentId,
                      truck: m.transport?.truck ?? null,
                      vin: m.vin,
                      removedFrom: timeline
                        .filter((e) => e.type === 'motor.removed')
                        .map((e) => String(e.data.vin)),
                    },
                  ]}
                />
              </section>
              <Timeline
                entries={timeline}
                subject={{ serial: m.serial }}
                filename={`${m.serial}-timeline.csv`}
              />
            </>
          );
        }}
      </Load>
    </div>
  );
}
