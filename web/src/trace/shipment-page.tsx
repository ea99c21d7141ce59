// A shipment (a truck's load): its route, truck and times, the intake counts (expected = accepted +
// quarantined + held + missing), each motor with its intake state, and the shipment's timeline.
import { useRoute } from 'preact-iso';
import { api } from '../api.js';
import { href, int, type ShipmentAnswer, type TimelineAnswer, useLoad, utc } from './x-data.js';
import { type Column, CsvButton, csvOf, DataTable, LinkList, Load, motorColumn } from './x-parts.js';
import { Timeline } from './x-timeline.js';

type Intake = 'ACCEPTED' | 'QUARANTINED' | 'HELD' | 'MISSING';
const INTAKE: Record<Intake, { words: string; tone: string }> = {
  ACCEPTED: { words: 'accepted', tone: 'ok' },
  QUARANTINED: { words: 'rejected, in quarantine', tone: 'bad' },
  HELD: { words: 'on hold, not scanned', tone: 'bad' },
  MISSING: { words: 'missing', tone: 'pending' },
};

export default function ShipmentPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const path = encodeURIComponent(id);
  const loaded = useLoad(id, (signal) =>
    Promise.all([
      api<ShipmentAnswer>(`/v1/shipments/${path}`, { signal }),
      api<TimelineAnswer>(`/v1/shipments/${path}/timeline`, { signal }),
    ]),
  );
  return (
    <div class="x-page">
      <Load
        loaded={loaded}
        what={`Loading shipment ${id}`}
        notFound={<h1>No shipment {id} in the ledger</h1>}
      >
        {([s, timeline]) => {
          const sh = s.shipment;
          const received = new Map(
            timeline.entries
              .filter((e) => e.type === 'motor.received')
              .map((e) => [String(e.data.serial), e]),
          );
          const rejected = new Map(
            timeline.entries
              .filter((e) => e.type === 'intake.rejected')
              .map((e) => [String(e.data.serial), e]),
          );
          const missing = new Set(s.missing);
          const rackOf = new Map(sh.racks.flatMap((r) => r.serials.map((x) => [x, r.rack] as const)));
          const motors = sh.serials.map((serial) => {
            const state: Intake = sh.received.includes(serial)
              ? 'ACCEPTED'
              : missing.has(serial)
                ? 'MISSING'
                : rejected.has(serial)
                  ? 'QUARANTINED'
                  : 'HELD';
            const scan = received.get(serial) ?? rejected.get(serial);
            return { serial, rack: rackOf.get(serial) ?? '', state, scan };
          });
          const quarantined = (m: (typeof motors)[number], field: 'code' | 'reason') =>
            m.state === 'QUARANTINED' ? String(m.scan?.data[field] ?? '') : '';
          const columns: Column<(typeof motors)[number]>[] = [
            motorColumn((m) => m.serial),
            { head: 'Rack', csv: 'rack', value: (m) => m.rack },
            {
              head: 'Intake',
              csv: 'intake',
              value: (m) => m.state,
              show: (m) => <span class={`badge ${INTAKE[m.state].tone}`}>{INTAKE[m.state].words}</span>,
            },
            {
              head: 'Scanned',
              csv: 'scanned',
              value: (m) => m.scan?.time,
              show: (m) =>
                m.scan ? (
                  <>
                    {utc(m.scan.time)}{' '}
                    <span class="muted">
                      dock {String(m.scan.data.dock)}, {String(m.scan.data.scanner)}
                    </span>
                  </>
                ) : (
                  '—'
                ),
            },
            { csv: 'dock', value: (m) => m.scan?.data.dock as string | undefined },
            { csv: 'scanner', value: (m) => m.scan?.data.scanner as string | undefined },
            { csv: 'refusal code', value: (m) => quarantined(m, 'code') },
            {
              head: 'Refusal',
              csv: 'refusal',
              value: (m) => quarantined(m, 'reason'),
              show: (m) =>
                m.state === 'QUARANTINED' ? (
                  <>
                    <code>{quarantined(m, 'code')}</code> {quarantined(m, 'reason')}
                  </>
                ) : (
                  '—'
                ),
            },
          ];
          const rows = () => csvOf(columns, motors);
          const counts: [string, number, string][] = [
            ['Expected', s.expected, 'neutral'],
            ['Accepted', s.accepted, 'ok'],
            ['Quarantined', s.quarantined, 'bad'],
            ['Held', s.held, 'bad'],
            ['Missing', s.missing.length, 'pending'],
            ['Not on it, scanned', s.unexpected.length, 'pending'],
          ];
          return (
            <>
              <header class="card x-head">
                <h1>
                  Shipment <span class="mono">{sh.id}</span>{' '}
                  <span class={`badge ${sh.status === 'ARRIVED' ? 'ok' : 'pending'}`}>
                    {sh.status.toLowerCase()}
                  </span>
                </h1>
                <p>
                  {sh.from} → {sh.to} · ASN {sh.asn}
                  {sh.departed
                    ? ` · truck ${sh.departed.truck} (${sh.departed.carrier}), seal ${sh.departed.seal}`
                    : ''}
                </p>
                <p class="muted">
                  Loaded {utc(sh.loaded.time)}
                  {sh.departed ? ` · departed ${utc(sh.departed.time)}` : ' · not departed'}
                  {sh.arrived ? ` · arrived ${utc(sh.arrived.time)} at dock ${sh.arrived.dock}` : ''}
                </p>
              </header>
              <section aria-labelledby="x-counts-h">
                <div class="x-section-head">
                  <h2 id="x-counts-h">Intake</h2>
                  <CsvButton
                    filename={`${sh.id}-counts.csv`}
                    rows={() => [['count', 'motors'], ...counts.map(([k, n]) => [k, n])]}
                    what="the intake counts"
                  />
                </div>
                <ul class="x-counts">
                  {counts.map(([k, n, tone]) => (
                    <li key={k} class={`x-count t-${tone}`}>
                      <strong>{int(n)}</strong> {k.toLowerCase()}
                    </li>
                  ))}
                </ul>
              </section>
              <section aria-labelledby="x-motors-h">
                <div class="x-section-head">
                  <h2 id="x-motors-h">Motors on it</h2>
                  <span class="muted">{motors.length}</span>
                  <CsvButton filename={`${sh.id}-motors.csv`} rows={rows} what="the motors table" />
                </div>
                <DataTable rows={motors} columns={columns} rowKey={(m) => m.serial} />
                {s.unexpected.length > 0 && (
                  <p class="warn">
                    Scanned against this truck but not on its ASN:{' '}
                    <LinkList items={s.unexpected} to={href.motor} />
                  </p>
                )}
              </section>
              <Timeline
                entries={timeline.entries}
                subject={{ shipment: sh.id }}
                filename={`${sh.id}-timeline.csv`}
              />
            </>
          );
        }}
      </Load>
    </div>
  );
}
