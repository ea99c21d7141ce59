// Flow (/trace/flow): the reconciliation a supervisor keeps open (GET /v1/flow/reconciliation) — what should
// have happened by now and did not: motors shipped and not received (and the overdue trucks they are on), ASN
// vs scanned mismatches, VINs missing a motor or with a slot twice, motors waiting in a buffer too long, and the
// daily balance of Cléon's output against the assembly plants' consumption. It refreshes every 30 s.
//
// `?now=` reconciles at a fixed business time and the thresholds are in the URL too, so the page is a stable
// link for an 8D report (the thresholds are measured from that time; the motors' states are the ledger's now).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { toCsv } from '../ui/csv.js';
import { ProblemBox } from '../ui/problem.js';
import { CsvButton, fileName, href, int, SectionHead, useQuery, utc } from './a-shared.js';

interface Reconciliation {
  now: string;
  shippedNotReceived: {
    serial: string;
    shipmentId: string | null;
    truck: string | null;
    departed: string;
    hoursSince: number;
  }[];
  receivedNotInstalled: { serial: string; site: string; received: string; daysSince: number }[];
  incompleteVehicles: {
    vin: string;
    model: string;
    emptySlots: string[];
    firstInstalled: string;
    daysSince: number;
  }[];
  duplicateSlots: { vin: string; slot: string; serials: string[] }[];
  asnMismatches: {
    shipmentId: string;
    asn: string;
    to: string;
    expected: number;
    scanned: number;
    missing: string[];
    unexpected: string[];
  }[];
  daily: { day: string; produced: number; consumed: Record<string, number> }[];
}

const EVERY_MS = 30_000;
const DEFAULTS = { hours: '24', days: '5', incomplete: '2' };

/** Trucks still not fully received: the shipped-not-received motors grouped by shipment. */
function overdueTrucks(r: Reconciliation) {
  const by = new Map<
    string,
    { shipmentId: string; truck: string | null; departed: string; hoursSince: number; serials: string[] }
  >();
  for (const m of r.shippedNotReceived) {
    const key = m.shipmentId ?? '?';
    const t = by.get(key) ?? {
      shipmentId: key,
      truck: m.truck,
      departed: m.departed,
      hoursSince: m.hoursSince,
      serials: [],
    };
    t.serials.push(m.serial);
    by.set(key, t);
  }
  return [...by.values()].sort((a, b) => b.hoursSince - a.hoursSince);
}

const hhmmss = (d: Date) =>
  d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export default function FlowPage() {
  const [query, setQuery] = useQuery();
  const now = query.now?.trim() || undefined;
  const hours = query.hours ?? DEFAULTS.hours;
  const days = query.days ?? DEFAULTS.days;
  const incomplete = query.incomplete ?? DEFAULTS.incomplete;
  const key = JSON.stringify([now, hours, days, incomplete]);

  const [data, setData] = useState<Reconciliation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [refreshedAt, setRefreshedAt] = useState<Date | null>(null);
  const [live, setLive] = useState(true);
  const inFlight = useRef<AbortController | null>(null);

  const refresh = async () => {
    inFlight.current?.abort();
    const ctl = new AbortController();
    inFlight.current = ctl;
    setLoading(true);
    const p = new URLSearchParams({
      notReceivedAfterHours: hours,
      notInstalledAfterDays: days,
      incompleteAfterDays: incomplete,
    });
    if (now) p.set('now', now);
    try {
      const r = await api<Reconciliation>(`/v1/flow/reconciliation?${p}`, {
        signal: ctl.signal,
        timeoutMs: 30_000,
      });
      if (ctl.signal.aborted) return;
      setData(r);
      setError(null);
      setRefreshedAt(new Date());
    } catch (e) {
      if (!ctl.signal.aborted) setError(e);
    } finally {
      if (inFlight.current === ctl) setLoading(false);
    }
  };

  useEffect(() => {
    void refresh();
    if (!live) return;
    const t = setInterval(() => {
      // A hidden tab does not poll; it refreshes as soon as it is looked at again.
      if (document.visibilityState === 'visible') void refresh();
    }, EVERY_MS);
    const onVisible = () => document.visibilityState === 'visible' && void refresh();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(t);
      document.removeEventListener('visibilitychange', onVisible);
      inFlight.current?.abort();
    };
  }, [key, live]);

  const trucks = data ? overdueTrucks(data) : [];
  const sites = data ? [...new Set(data.daily.flatMap((d) => Object.keys(d.consumed)))].sort() : [];
  const tiles = data
    ? [
        { id: 'overdue', label: 'Overdue trucks', n: trucks.length },
        { id: 'not-received', label: 'Motors shipped, not received', n: data.shippedNotReceived.length },
        { id: 'asn', label: 'ASN vs scanned mismatches', n: data.asnMismatches.length },
        { id: 'incomplete', label: 'VINs missing a motor', n: data.incompleteVehicles.length },
        { id: 'duplicate', label: 'Slots filled twice', n: data.duplicateSlots.length },
        { id: 'waiting', label: 'Waiting in a buffer too long', n: data.receivedNotInstalled.length },
      ]
    : [];
  const stamp = data ? `at-${data.now.slice(0, 16).replace(':', '')}` : '';

  return (
    <div class="analysis">
      <h1>Flow</h1>
      <p class="lead">What should have happened between Cléon and the assembly plants by now, and did not.</p>
      <section class="card live" aria-label="Refresh">
        <span aria-live="polite" data-testid="refreshed">
          <span class={live ? 'dot' : 'dot paused'} aria-hidden="true" />
          {live ? 'Live, every 30 s' : 'Paused'} · last refresh{' '}
          {refreshedAt ? <time dateTime={refreshedAt.toISOString()}>{hhmmss(refreshedAt)}</time> : '—'}
          {loading ? ' · refreshing…' : ''}
        </span>
        <button type="button" class="primary" onClick={() => void refresh()} aria-busy={loading}>
          Refresh now
        </button>
        <label class="choice inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> refresh
          every 30 s
        </label>
        <span>
          {now ? (
            <>
              Reconciled at <strong>{utc(now)}</strong> (a fixed time, from the link){' · '}
              <a href="/trace/flow">reconcile at the current time</a>
            </>
          ) : (
            <>Reconciled at the current time</>
          )}
        </span>
      </section>
      <Settings
        values={{ now: now ?? '', hours, days, incomplete }}
        onApply={(v) =>
          setQuery({
            now: v.now || undefined,
            hours: v.hours !== DEFAULTS.hours ? v.hours : undefined,
            days: v.days !== DEFAULTS.days ? v.days : undefined,
            incomplete: v.incomplete !== DEFAULTS.incomplete ? v.incomplete : undefined,
          })
        }
      />
      <ProblemBox error={error} />
      {data && (
        <>
          <nav class="tiles" aria-label="Anomalies by kind">
            {tiles.map((t) => (
              <a
                key={t.id}
                class={t.n > 0 ? 'tile bad' : 'tile ok'}
                href={`#${t.id}`}
                data-testid={`tile-${t.id}`}
              >
                <span class="n">{int(t.n)}</span>
                {t.label}
              </a>
            ))}
          </nav>

          <SectionHead id="overdue" title="Overdue trucks" count={trucks.length}>
            <CsvButton
              filename={fileName('overdue-trucks', stamp)}
              disabled={trucks.length === 0}
              rows={() =>
                toCsv([
                  ['shipment_id', 'truck', 'departed', 'hours_since', 'motors_not_received', 'serials'],
                  ...trucks.map((t) => [
                    t.shipmentId,
                    t.truck,
                    t.departed,
                    t.hoursSince,
                    t.serials.length,
                    t.serials.join(' '),
                  ]),
                ])
              }
            />
          </SectionHead>
          <p class="muted">Departed more than {hours} h ago with motors not yet received.</p>
          {trucks.length > 0 && (
            <Table head={['Shipment', 'Truck', 'Departed', 'Hours since', 'Not received']} nums={[3, 4]}>
              {trucks.map((t) => (
                <tr key={t.shipmentId}>
                  <td>
                    <a href={href.shipment(t.shipmentId)}>{t.shipmentId}</a>
                  </td>
                  <td class="mono">{t.truck ?? ''}</td>
                  <td>{utc(t.departed)}</td>
                  <td class="num">{t.hoursSince}</td>
                  <td class="num">{int(t.serials.length)}</td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead
            id="not-received"
            title="Motors shipped, not received"
            count={data.shippedNotReceived.length}
          >
            <CsvButton
              filename={fileName('shipped-not-received', stamp)}
              disabled={data.shippedNotReceived.length === 0}
              rows={() =>
                toCsv([
                  ['serial', 'shipment_id', 'truck', 'departed', 'hours_since'],
                  ...data.shippedNotReceived.map((m) => [
                    m.serial,
                    m.shipmentId,
                    m.truck,
                    m.departed,
                    m.hoursSince,
                  ]),
                ])
              }
            />
          </SectionHead>
          {data.shippedNotReceived.length > 0 && (
            <Table head={['Motor', 'Shipment', 'Truck', 'Departed', 'Hours since']} nums={[4]}>
              {data.shippedNotReceived.map((m) => (
                <tr key={m.serial}>
                  <td>
                    <a class="mono" href={href.motor(m.serial)}>
                      {m.serial}
                    </a>
                  </td>
                  <td>{m.shipmentId && <a href={href.shipment(m.shipmentId)}>{m.shipmentId}</a>}</td>
                  <td class="mono">{m.truck ?? ''}</td>
                  <td>{utc(m.departed)}</td>
                  <td class="num">{m.hoursSince}</td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead id="asn" title="ASN vs scanned mismatches" count={data.asnMismatches.length}>
            <CsvButton
              filename={fileName('asn-mismatches', stamp)}
              disabled={data.asnMismatches.length === 0}
              rows={() =>
                toCsv([
                  ['shipment_id', 'asn', 'to', 'expected', 'scanned', 'missing', 'unexpected'],
                  ...data.asnMismatches.map((s) => [
                    s.shipmentId,
                    s.asn,
                    s.to,
                    s.expected,
                    s.scanned,
                    s.missing.join(' '),
                    s.unexpected.join(' '),
                  ]),
                ])
              }
            />
          </SectionHead>
          {data.asnMismatches.length > 0 && (
            <Table
              head={['Shipment', 'ASN', 'To', 'Expected', 'Scanned', 'Missing', 'Scanned but not on the ASN']}
              nums={[3, 4]}
            >
              {data.asnMismatches.map((s) => (
                <tr key={s.shipmentId}>
                  <td>
                    <a href={href.shipment(s.shipmentId)}>{s.shipmentId}</a>
                  </td>
                  <td class="mono">{s.asn}</td>
                  <td>{s.to}</td>
                  <td class="num">{int(s.expected)}</td>
                  <td class="num">{int(s.scanned)}</td>
                  <td>
                    <Serials list={s.missing} />
                  </td>
                  <td>
                    <Serials list={s.unexpected} />
                  </td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead id="incomplete" title="VINs missing a motor" count={data.incompleteVehicles.length}>
            <CsvButton
              filename={fileName('incomplete-vins', stamp)}
              disabled={data.incompleteVehicles.length === 0}
              rows={() =>
                toCsv([
                  ['vin', 'model', 'empty_slots', 'first_installed', 'days_since'],
                  ...data.incompleteVehicles.map((v) => [
                    v.vin,
                    v.model,
                    v.emptySlots.join(' '),
                    v.firstInstalled,
                    v.daysSince,
                  ]),
                ])
              }
            />
          </SectionHead>
          <p class="muted">
            In assembly with an empty slot more than {incomplete} days after the first motor went in.
          </p>
          {data.incompleteVehicles.length > 0 && (
            <Table head={['VIN', 'Model', 'Empty slots', 'First motor installed', 'Days since']} nums={[4]}>
              {data.incompleteVehicles.map((v) => (
                <tr key={v.vin}>
                  <td>
                    <a class="mono" href={href.vehicle(v.vin)}>
                      {v.vin}
                    </a>
                  </td>
                  <td>{v.model}</td>
                  <td>{v.emptySlots.join(', ')}</td>
                  <td>{utc(v.firstInstalled)}</td>
                  <td class="num">{v.daysSince}</td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead id="duplicate" title="Slots filled twice" count={data.duplicateSlots.length}>
            <CsvButton
              filename={fileName('duplicate-slots', stamp)}
              disabled={data.duplicateSlots.length === 0}
              rows={() =>
                toCsv([
                  ['vin', 'slot', 'serials'],
                  ...data.duplicateSlots.map((d) => [d.vin, d.slot, d.serials.join(' ')]),
                ])
              }
            />
          </SectionHead>
          {data.duplicateSlots.length > 0 && (
            <Table head={['VIN', 'Slot', 'Motors']}>
              {data.duplicateSlots.map((d) => (
                <tr key={`${d.vin}-${d.slot}`}>
                  <td>
                    <a class="mono" href={href.vehicle(d.vin)}>
                      {d.vin}
                    </a>
                  </td>
                  <td>{d.slot}</td>
                  <td>
                    <Serials list={d.serials} />
                  </td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead
            id="waiting"
            title="Waiting in a buffer too long"
            count={data.receivedNotInstalled.length}
          >
            <CsvButton
              filename={fileName('received-not-installed', stamp)}
              disabled={data.receivedNotInstalled.length === 0}
              rows={() =>
                toCsv([
                  ['serial', 'site', 'received', 'days_since'],
                  ...data.receivedNotInstalled.map((m) => [m.serial, m.site, m.received, m.daysSince]),
                ])
              }
            />
          </SectionHead>
          <p class="muted">Received more than {days} days ago and not installed.</p>
          {data.receivedNotInstalled.length > 0 && (
            <Table head={['Motor', 'Site', 'Received', 'Days since']} nums={[3]}>
              {data.receivedNotInstalled.map((m) => (
                <tr key={m.serial}>
                  <td>
                    <a class="mono" href={href.motor(m.serial)}>
                      {m.serial}
                    </a>
                  </td>
                  <td>{m.site}</td>
                  <td>{utc(m.received)}</td>
                  <td class="num">{m.daysSince}</td>
                </tr>
              ))}
            </Table>
          )}

          <SectionHead id="daily" title="Daily balance: Cléon output vs consumption">
            <CsvButton
              filename={fileName('daily-balance', stamp)}
              disabled={data.daily.length === 0}
              rows={() =>
                toCsv([
                  ['day', 'produced', ...sites.map((s) => `installed_${s}`)],
                  ...data.daily.map((d) => [d.day, d.produced, ...sites.map((s) => d.consumed[s] ?? 0)]),
                ])
              }
            />
          </SectionHead>
          <Table
            head={['Day', 'Produced at Cléon', ...sites.map((s) => `Installed at ${s}`), 'Balance']}
            nums={sites.map((_, i) => i + 2).concat([1, sites.length + 2])}
          >
            {data.daily.map((d) => {
              const used = sites.reduce((n, s) => n + (d.consumed[s] ?? 0), 0);
              return (
                <tr key={d.day}>
                  <td>{d.day}</td>
                  <td class="num">{int(d.produced)}</td>
                  {sites.map((s) => (
                    <td key={s} class="num">
                      {int(d.consumed[s] ?? 0)}
                    </td>
                  ))}
                  <td class="num">
                    {d.produced - used > 0 ? '+' : ''}
                    {int(d.produced - used)}
                  </td>
                </tr>
              );
            })}
          </Table>
        </>
      )}
    </div>
  );
}

function Serials({ list }: { list: string[] }) {
  return (
    <span class="serial-list">
      {list.map((s, i) => (
        <span key={s}>
          {i > 0 && ', '}
          <a href={href.motor(s)}>{s}</a>
        </span>
      ))}
    </span>
  );
}

/** A section's table; the headers of the number columns (`nums`, by index) align right as their cells do. */
function Table({
  head,
  children,
  nums = [],
}: {
  head: string[];
  children: preact.ComponentChildren;
  nums?: number[];
}) {
  return (
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={h} scope="col" class={nums.includes(i) ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** `2026-09-22T00:29:58Z` ↔ the `2026-09-22T00:29:58` a datetime-local input holds (UTC). */
const toInput = (iso: string) =>
  iso
    .replace(/Z$/, '')
    .replace(/\.\d+$/, '')
    .slice(0, 19);

function Settings({
  values,
  onApply,
}: {
  values: { now: string; hours: string; days: string; incomplete: string };
  onApply: (v: { now: string; hours: string; days: string; incomplete: string }) => void;
}) {
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [JSON.stringify(values)]);
  const num = (k: 'hours' | 'days' | 'incomplete') => (e: Event) =>
    setDraft((d) => ({ ...d, [k]: (e.currentTarget as HTMLInputElement).value }));
  return (
    <details class="more">
      <summary>Thresholds and time</summary>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(draft);
        }}
      >
        <div class="criteria">
          <div class="field">
            <label for="f-hours">Not received after (hours)</label>
            <input id="f-hours" type="number" min="0" step="any" value={draft.hours} onInput={num('hours')} />
          </div>
          <div class="field">
            <label for="f-days">Not installed after (days)</label>
            <input id="f-days" type="number" min="0" step="any" value={draft.days} onInput={num('days')} />
          </div>
          <div class="field">
            <label for="f-incomplete">Incomplete VIN after (days)</label>
            <input
              id="f-incomplete"
              type="number"
              min="0"
              step="any"
              value={draft.incomplete}
              onInput={num('incomplete')}
            />
          </div>
          <div class="field">
            <label for="f-now">Reconcile at (UTC; empty: now)</label>
            <input
              id="f-now"
              type="datetime-local"
              step="1"
              value={draft.now ? toInput(draft.now) : ''}
              onInput={(e) => {
                const v = e.currentTarget.value;
                setDraft((d) => ({ ...d, now: v ? `${v.length === 16 ? `${v}:00` : v}Z` : '' }));
              }}
            />
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </form>
    </details>
  );
}
