// A vehicle: its VIN with the slots its model has in the catalog (an A390: rear left and right 7DL, front
// 6AM), each slot linking to its motor; the backward trace of those motors as a table; the genealogy graph;
// and the vehicle's own timeline. Three calls, in parallel (the catalog once per visit).
import { useRoute } from 'preact-iso';
import { api } from '../api.js';
import {
  type Catalog,
  type Genealogy,
  href,
  MOTOR_STATUS,
  type MotorGenealogy,
  type TimelineAnswer,
  useLoad,
  utc,
} from './x-data.js';
import { GenealogyGraph } from './x-graph.js';
import { CsvButton, Load } from './x-parts.js';
import { Timeline } from './x-timeline.js';

let catalog: Promise<Catalog> | undefined;
/** The catalog changes with a deployment, not during a visit: asked once. */
function loadCatalog(signal: AbortSignal): Promise<Catalog> {
  catalog ??= api<Catalog>('/v1/catalog', { signal }).catch((err: unknown) => {
    catalog = undefined;
    throw err;
  });
  return catalog;
}

/** Where a slot sits in a car seen from above: front row on top, left on the left. */
function place(slot: string): { row: number; col: number } {
  const s = slot.toUpperCase();
  return {
    row: s.includes('FRONT') ? 1 : s.includes('REAR') ? 3 : 2,
    col: s.includes('LEFT') ? 1 : s.includes('RIGHT') ? 3 : 2,
  };
}

function SlotMap({ g, cat }: { g: Genealogy; cat: Catalog }) {
  const model = cat.models[g.vehicle.model];
  const takes: Record<string, string> = model?.slots ?? {};
  const names = [...new Set([...Object.keys(takes), ...g.vehicle.slots.map((s) => s.slot)])];
  const motorOf = new Map(g.slots.map((m) => [m.slot, m]));
  const serialOf = new Map(g.vehicle.slots.map((s) => [s.slot, s.serial]));
  return (
    <section aria-labelledby="x-slots-h">
      <h2 id="x-slots-h">Slots</h2>
      <p class="muted">
        {model
          ? `${model.name}: ${names.length} motor slot${names.length === 1 ? '' : 's'} in the catalog.`
          : `Model ${g.vehicle.model} is not in your catalog.`}{' '}
        Seen from above, front at the top.
      </p>
      <ul class="x-car" aria-label={`Slots of ${g.vehicle.vin}`}>
        {names.map((slot) => {
          const serial = serialOf.get(slot) ?? null;
          const m = motorOf.get(slot);
          const { row, col } = place(slot);
          const held = (m?.holds ?? []).some((h) => h.status === 'ACTIVE');
          return (
            <li
              key={slot}
              class={`x-slot${serial ? ' filled' : ' empty'}${held ? ' held' : ''}`}
              style={{ gridRow: row, gridColumn: col }}
              data-slot={slot}
            >
              <span class="x-slot-name">{slot.replace(/_/g, ' ').toLowerCase()}</span>
              <span class="muted">takes {takes[slot] ?? '?'}</span>
              {serial ? (
                <a class="x-slot-motor mono" href={href.motor(serial)}>
                  {serial}
                </a>
              ) : (
                <span class="badge pending">empty</span>
              )}
              {held && <span class="badge bad">on hold</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

const measureText = (m: unknown) =>
  Object.entries((m ?? {}) as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');

/** The motors of a vehicle traced back; for motors removed from it, the removal instead of the installation. */
function TraceTable({
  vin,
  motors,
  caption,
  removed = false,
}: {
  vin: string;
  motors: MotorGenealogy[];
  caption: string;
  removed?: boolean;
}) {
  const removal = (m: MotorGenealogy) => m.removals.filter((r) => r.vin === vin).at(-1);
  const slotOf = (m: MotorGenealogy) => (removed ? removal(m)?.slot : m.slot) ?? null;
  const rows = () => [
    [
      'slot',
      'serial',
      'type',
      'state',
      'produced',
      'line',
      'station',
      'shift',
      'operator',
      'lots',
      'EOL verdict',
      'bench',
      'measurements',
      'shipment',
      'truck',
      'departed',
      'arrived',
      'transit minutes',
      'intake',
      'dock',
      ...(removed ? ['removed', 'removal reason'] : ['installed', 'install station']),
      'holds',
      'corrections',
    ],
    ...motors.map((m) => {
      const t = m.tests.at(-1);
      return [
        slotOf(m),
        m.serial,
        m.motorType,
        m.status,
        m.production.time,
        m.production.line,
        m.production.station,
        m.production.shift,
        m.production.operator,
        Object.entries(m.production.lots)
          .map(([c, l]) => `${c}=${l}`)
          .join(' '),
        t?.verdict,
        t?.bench,
        measureText(t?.measurements),
        m.shipment?.id,
        m.shipment?.truck,
        m.shipment?.departed,
        m.shipment?.arrived,
        m.shipment?.transitMinutes,
        m.intake?.time,
        m.intake?.dock,
        ...(removed
          ? [removal(m)?.time, removal(m)?.reason]
          : [m.installation?.time, m.installation?.station]),
        m.holds.map((h) => `${h.id} ${h.status}`).join(' '),
        m.corrections.map((c) => `#${c.seq} ${c.reason}`).join('; '),
      ];
    }),
  ];
  return (
    <section aria-label={caption}>
      <div class="x-section-head">
        <h2>{caption}</h2>
        <CsvButton
          filename={`${vin}-${removed ? 'removed-motors' : 'motors'}.csv`}
          rows={rows}
          what={removed ? 'the removed motors table' : 'the motors table'}
        />
      </div>
      <div class="x-scroll">
        <table class="data x-trace-table">
          <thead>
            <tr>
              <th scope="col">Slot</th>
              <th scope="col">Motor</th>
              <th scope="col">Production</th>
              <th scope="col">EOL test</th>
              <th scope="col">Transport</th>
              <th scope="col">Intake</th>
              <th scope="col">{removed ? 'Removed' : 'Installed'}</th>
              <th scope="col">Holds · corrections</th>
            </tr>
          </thead>
          <tbody>
            {motors.map((m) => {
              const t = m.tests.at(-1);
              return (
                <tr key={`${slotOf(m)}:${m.serial}`}>
                  <td>{slotOf(m) ?? '—'}</td>
                  <td>
                    <a class="mono" href={href.motor(m.serial)}>
                      {m.serial}
                    </a>
                    <br />
                    <span class="muted">
                      {m.motorType} · {MOTOR_STATUS[m.status] ?? m.status}
                    </span>
                  </td>
                  <td>
                    {utc(m.production.time)}
                    <br />
                    <span class="muted">
                      line {m.production.line}, {m.production.station}, shift {m.production.shift}
                    </span>
                  </td>
                  <td>
                    {t ? (
                      <>
                        <span class={`badge ${t.verdict === 'PASS' ? 'ok' : 'bad'}`}>{t.verdict}</span>{' '}
                        {t.bench}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {m.shipment ? (
                      <>
                        <a href={href.shipment(m.shipment.id)}>{m.shipment.id}</a>
                        <br />
                        <span class="muted">
                          {m.shipment.truck ? `truck ${m.shipment.truck}` : ''}
                          {m.shipment.transitMinutes !== null ? ` · ${m.shipment.transitMinutes} min` : ''}
                        </span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {m.intake ? (
                      <>
                        {utc(m.intake.time)}
                        <br />
                        <span class="muted">dock {m.intake.dock}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {removed ? (
                      <>
                        {utc(removal(m)?.time)}
                        <br />
                        <span class="muted">{removal(m)?.reason}</span>
                      </>
                    ) : m.installation ? (
                      <>
                        {utc(m.installation.time)}
                        <br />
                        <span class="muted">{m.installation.station}</span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {m.holds.map((h) => (
                      <span key={h.id} class={`badge ${h.status === 'ACTIVE' ? 'bad' : 'neutral'}`}>
                        <a href={href.hold(h.id)}>{h.id}</a>
                      </span>
                    ))}
                    {m.corrections.map((c) => (
                      <div key={c.seq} class="x-corr-note">
                        <span class="badge pending">corrected</span>{' '}
                        <a href={`${href.motor(m.serial)}#seq-${c.seq}`}>#{c.seq}</a>: {c.reason}
                      </div>
                    ))}
                    {m.holds.length === 0 && m.corrections.length === 0 ? '—' : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export default function VehiclePage() {
  const { params } = useRoute();
  const vin = params.vin ?? '';
  const path = encodeURIComponent(vin);
  const loaded = useLoad(vin, (signal) =>
    Promise.all([
      api<Genealogy>(`/v1/vehicles/${path}/genealogy`, { signal }),
      api<TimelineAnswer>(`/v1/vehicles/${path}/timeline`, { signal }),
      loadCatalog(signal),
    ]),
  );
  return (
    <div class="x-page">
      <Load
        loaded={loaded}
        what={`Loading vehicle ${vin}`}
        notFound={<h1>No vehicle {vin} in the ledger</h1>}
      >
        {([g, timeline, cat]) => {
          const v = g.vehicle;
          const removed = g.removed ?? [];
          return (
            <>
              <header class="card x-head">
                <h1>
                  Vehicle <span class="mono">{v.vin}</span>{' '}
                  <span class="badge neutral">
                    {v.brand} {v.model}
                  </span>{' '}
                  <span class={`badge ${v.status === 'SHIPPED' ? 'ok' : 'pending'}`}>
                    {v.status === 'SHIPPED' ? `Shipped ${utc(v.shipped?.time)}` : 'In assembly'}
                  </span>
                </h1>
                <p class="muted">
                  Assembled at {v.site}. Answer as of ledger entry #{g.asOfSeq}.
                </p>
              </header>
              <SlotMap g={g} cat={cat} />
              <TraceTable vin={v.vin} motors={g.slots} caption="Its motors, traced back" />
              {removed.length > 0 && (
                <TraceTable vin={v.vin} motors={removed} caption="Motors removed from it" removed />
              )}
              <section aria-labelledby="x-genealogy-h">
                <h2 id="x-genealogy-h">Genealogy</h2>
                <GenealogyGraph
                  current={`vehicle:${v.vin}`}
                  motors={[...g.slots, ...removed].map((m) => {
                    const now = g.slots.includes(m);
                    return {
                      serial: m.serial,
                      slot: now ? m.slot : 'removed',
                      lots: m.production.lots,
                      shipmentId: m.shipment?.id ?? null,
                      truck: m.shipment?.truck ?? null,
                      vin: now ? v.vin : null,
                      removedFrom: now ? [] : [v.vin],
                    };
                  })}
                />
              </section>
              <Timeline
                entries={timeline.entries}
                subject={{ vin: v.vin }}
                filename={`${v.vin}-timeline.csv`}
              />
            </>
          );
        }}
      </Load>
    </div>
  );
}
