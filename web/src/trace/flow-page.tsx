// Flow (/trace/flow): the reconciliation a supervisor keeps open (GET /v1/flow/reconciliation) — what should
// have happened by now and did not: motors shipped and not received (and the overdue trucks they are on), ASN
// vs scanned mismatches, VINs missing a motor or with a slot twice, motors waiting in a buffer too long, and the
// daily balance of Cléon's output against the assembly plants' consumption. It refreshes every 30 s.
//
// `?now=` reconciles at a fixed business time and the thresholds are in the URL too, so the page is a stable
// link for an 8D report (the thresholds are measured from that time; the motors' states are the ledger's now).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ProblemBox } from '../ui/problem.js';
import { fileName, SectionHead, useQuery } from './a-shared.js';
import { href, int, utc } from './x-data.js';
import { type Column, CsvButton, csvOf, DataTable, LinkList, motorColumn } from './x-parts.js';

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
  /** A day's output less what the assembly plants installed. */
  const balance = (d: Reconciliation['daily'][number]) =>
    d.produced - sites.reduce((n, site) => n + (d.consumed[site] ?? 0), 0);
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

          <Anomaly
            id="overdue"
            title="Overdue trucks"
            note={`Departed more than ${hours} h ago with motors not yet received.`}
            file={fileName('overdue-trucks', stamp)}
            rows={trucks}
            rowKey={(t) => t.shipmentId}
            columns={[
              {
                head: 'Shipment',
                csv: 'shipment_id',
                value: (t) => t.shipmentId,
                show: (t) => shipmentLink(t.shipmentId),
              },
              { head: 'Truck', csv: 'truck', value: (t) => t.truck, mono: true },
              { head: 'Departed', csv: 'departed', value: (t) => t.departed, show: (t) => utc(t.departed) },
              { head: 'Hours since', csv: 'hours_since', value: (t) => t.hoursSince, num: true },
              { head: 'Not received', csv: 'motors_not_received', value: (t) => t.serials.length, num: true },
              { csv: 'serials', value: (t) => t.serials.join(' ') },
            ]}
          />
          <Anomaly
            id="not-received"
            title="Motors shipped, not received"
            file={fileName('shipped-not-received', stamp)}
            rows={data.shippedNotReceived}
            rowKey={(m) => m.serial}
            columns={[
              motorColumn((m: { serial: string }) => m.serial),
              {
                head: 'Shipment',
                csv: 'shipment_id',
                value: (m) => m.shipmentId,
                show: (m) => shipmentLink(m.shipmentId),
              },
              { head: 'Truck', csv: 'truck', value: (m) => m.truck, mono: true },
              { head: 'Departed', csv: 'departed', value: (m) => m.departed, show: (m) => utc(m.departed) },
              { head: 'Hours since', csv: 'hours_since', value: (m) => m.hoursSince, num: true },
            ]}
          />
          <Anomaly
            id="asn"
            title="ASN vs scanned mismatches"
            file={fileName('asn-mismatches', stamp)}
            rows={data.asnMismatches}
            rowKey={(s) => s.shipmentId}
            columns={[
              {
                head: 'Shipment',
                csv: 'shipment_id',
                value: (s) => s.shipmentId,
                show: (s) => shipmentLink(s.shipmentId),
              },
              { head: 'ASN', csv: 'asn', value: (s) => s.asn, mono: true },
              { head: 'To', csv: 'to', value: (s) => s.to },
              { head: 'Expected', csv: 'expected', value: (s) => s.expected, num: true },
              { head: 'Scanned', csv: 'scanned', value: (s) => s.scanned, num: true },
              {
                head: 'Missing',
                csv: 'missing',
                value: (s) => s.missing.join(' '),
                show: (s) => <Serials list={s.missing} />,
              },
              {
                head: 'Scanned but not on the ASN',
                csv: 'unexpected',
                value: (s) => s.unexpected.join(' '),
                show: (s) => <Serials list={s.unexpected} />,
              },
            ]}
          />
          <Anomaly
            id="incomplete"
            title="VINs missing a motor"
            note={`In assembly with an empty slot more than ${incomplete} days after the first motor went in.`}
            file={fileName('incomplete-vins', stamp)}
            rows={data.incompleteVehicles}
            rowKey={(v) => v.vin}
            columns={[
              { head: 'VIN', csv: 'vin', value: (v) => v.vin, show: (v) => vehicleLink(v.vin) },
              { head: 'Model', csv: 'model', value: (v) => v.model },
              {
                head: 'Empty slots',
                csv: 'empty_slots',
                value: (v) => v.emptySlots.join(' '),
                show: (v) => v.emptySlots.join(', '),
              },
              {
                head: 'First motor installed',
                csv: 'first_installed',
                value: (v) => v.firstInstalled,
                show: (v) => utc(v.firstInstalled),
              },
              { head: 'Days since', csv: 'days_since', value: (v) => v.daysSince, num: true },
            ]}
          />
          <Anomaly
            id="duplicate"
            title="Slots filled twice"
            file={fileName('duplicate-slots', stamp)}
            rows={data.duplicateSlots}
            rowKey={(d) => `${d.vin}-${d.slot}`}
            columns={[
              { head: 'VIN', csv: 'vin', value: (d) => d.vin, show: (d) => vehicleLink(d.vin) },
              { head: 'Slot', csv: 'slot', value: (d) => d.slot },
              {
                head: 'Motors',
                csv: 'serials',
                value: (d) => d.serials.join(' '),
                show: (d) => <Serials list={d.serials} />,
              },
            ]}
          />
          <Anomaly
            id="waiting"
            title="Waiting in a buffer too long"
            note={`Received more than ${days} days ago and not installed.`}
            file={fileName('received-not-installed', stamp)}
            rows={data.receivedNotInstalled}
            rowKey={(m) => m.serial}
            columns={[
              motorColumn((m: { serial: string }) => m.serial),
              { head: 'Site', csv: 'site', value: (m) => m.site },
              { head: 'Received', csv: 'received', value: (m) => m.received, show: (m) => utc(m.received) },
              { head: 'Days since', csv: 'days_since', value: (m) => m.daysSince, num: true },
            ]}
          />
          <Anomaly
            id="daily"
            title="Daily balance: Cléon output vs consumption"
            counted={false}
            file={fileName('daily-balance', stamp)}
            rows={data.daily}
            rowKey={(d) => d.day}
            columns={[
              { head: 'Day', csv: 'day', value: (d) => d.day },
              { head: 'Produced at Cléon', csv: 'produced', value: (d) => d.produced, num: true },
              ...sites.map(
                (site): Column<Reconciliation['daily'][number]> => ({
                  head: `Installed at ${site}`,
                  csv: `installed_${site}`,
                  value: (d) => d.consumed[site] ?? 0,
                  num: true,
                }),
              ),
              {
                head: 'Balance',
                value: balance,
                show: (d) => `${balance(d) > 0 ? '+' : ''}${int(balance(d))}`,
                num: true,
              },
            ]}
          />
        </>
      )}
    </div>
  );
}

function Serials({ list }: { list: string[] }) {
  return (
    <span class="serial-list">
      <LinkList items={list} to={href.motor} />
    </span>
  );
}

const vehicleLink = (vin: string) => (
  <a class="mono" href={href.vehicle(vin)}>
    {vin}
  </a>
);
const shipmentLink = (id: string | null) => id && <a href={href.shipment(id)}>{id}</a>;

/**
 * A kind of anomaly: its heading with the count (green at none, red otherwise), a CSV of its rows, what it
 * means, and its table; the table and the CSV come from the same columns, so they always hold the same rows.
 */
function Anomaly<T>({
  id,
  title,
  note,
  file,
  rows,
  rowKey,
  columns,
  counted = true,
}: {
  id: string;
  title: string;
  note?: string;
  file: string;
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  /** False for a section of figures rather than of anomalies: no count in its heading. */
  counted?: boolean;
}) {
  return (
    <>
      <SectionHead id={id} title={title} count={counted ? rows.length : undefined}>
        <CsvButton
          label="Download CSV"
          filename={file}
          disabled={rows.length === 0}
          rows={() => csvOf(columns, rows)}
        />
      </SectionHead>
      {note && <p class="muted">{note}</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <DataTable rows={rows} columns={columns} rowKey={rowKey} />
        </div>
      )}
    </>
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
