// Choose the truck to unload: the inbound trucks of my site (on the road or at a dock), the ones still to
// unload first, each with scanned / expected. The list is remembered, so with no network the last one shows.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError, api } from '../api.js';
import { signOut } from '../session.js';
import { ProblemBox } from '../ui/problem.js';
import { IDENT } from './device.js';
import { DeviceSetting } from './device-setting.js';
import {
  complete,
  fromSummary,
  rememberTruck,
  type ShipmentSummary,
  statusWords,
  type TruckCounts,
} from './trucks.js';

interface Page {
  items: ShipmentSummary[];
  next: string | null;
}

const listKey = (site: string) => `motor-ledger.trucks.${site}`;

export function TruckChooser({ site }: { site: string }) {
  const { route } = useLocation();
  const [trucks, setTrucks] = useState<TruckCounts[] | null>(() => {
    const raw = localStorage.getItem(listKey(site));
    return raw ? (JSON.parse(raw) as TruckCounts[]) : null;
  });
  const [next, setNext] = useState<string | null>(null);
  const [fresh, setFresh] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [typed, setTyped] = useState('');

  const load = async (cursor: string | null) => {
    setLoading(true);
    try {
      const q = new URLSearchParams({ to: site, status: 'DEPARTED,ARRIVED', limit: '50' });
      if (cursor) q.set('cursor', cursor);
      const page = await api<Page>(`/v1/shipments?${q}`);
      const rows = page.items.map(fromSummary);
      for (const t of rows) rememberTruck(t);
      setTrucks((old) => {
        const all = cursor && old ? [...old, ...rows] : rows;
        if (!cursor) localStorage.setItem(listKey(site), JSON.stringify(all));
        return all;
      });
      setNext(page.next);
      setFresh(true);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, [site]);

  const open = (id: string) => route(`/dock/${encodeURIComponent(id)}`);
  const toUnload = (trucks ?? []).filter((t) => !complete(t));
  const unloaded = (trucks ?? []).filter((t) => complete(t));

  return (
    <div class="hh-body">
      <h1>Choose the truck</h1>
      <DeviceSetting name="dock" label="This handheld is at dock" placeholder="D3" />
      <form
        class="setting"
        onSubmit={(e) => {
          e.preventDefault();
          const id = typed.trim();
          if (IDENT.test(id)) open(id);
        }}
      >
        <label for="shipment-id">Or scan the shipment label</label>
        <input
          id="shipment-id"
          class="mono"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          placeholder="SHP-…"
          autoComplete="off"
          style={{ width: '12rem' }}
        />
        <button type="submit">Open</button>
      </form>
      {error !== null && !(error instanceof ApiError) && trucks !== null && (
        <p class="warn">No network: the trucks as last seen on this handheld.</p>
      )}
      {error !== null && (error instanceof ApiError || trucks === null) && <ProblemBox error={error} />}
      {trucks === null && loading && <p>Loading the trucks for {site}…</p>}
      {trucks !== null && (
        <>
          <h2>To unload ({toUnload.length})</h2>
          {toUnload.length === 0 && (
            <p class="muted">
              No truck to unload for {site}
              {fresh ? '' : ' (as last seen)'}.
            </p>
          )}
          <TruckList trucks={toUnload} />
          {unloaded.length > 0 && (
            <details>
              <summary>Unloaded ({unloaded.length})</summary>
              <TruckList trucks={unloaded} />
            </details>
          )}
          {next && (
            <p>
              <button type="button" disabled={loading} onClick={() => void load(next)}>
                Older trucks
              </button>
            </p>
          )}
          <p>
            <button type="button" onClick={() => signOut()}>
              Sign out
            </button>
          </p>
        </>
      )}
    </div>
  );
}

function TruckList({ trucks }: { trucks: TruckCounts[] }) {
  return (
    <ul class="truck-list">
      {trucks.map((t) => (
        <li key={t.id}>
          <a class="truck-row" href={`/dock/${encodeURIComponent(t.id)}`} data-shipment={t.id}>
            <span class="truck-id mono">{t.id}</span>
            <span class="truck-count">
              {t.scanned} / {t.expected}
              <span class="visually-hidden"> scanned</span>
            </span>
            <span class="truck-meta">
              {t.from} → {t.to} · {statusWords(t)}
              {t.held > 0 ? ` · ${t.held} held` : ''}
            </span>
            <Progress truck={t} />
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The truck as a bar: received (green), quarantined (red), held on board (amber); the rest is missing. */
export function Progress({
  truck,
}: {
  truck: Pick<TruckCounts, 'expected' | 'accepted' | 'quarantined' | 'held'>;
}) {
  const pct = (n: number) => (truck.expected === 0 ? 0 : Math.min(100, (n / truck.expected) * 100));
  return (
    <span class="progress" aria-hidden="true">
      <span class="p-ok" style={{ width: `${pct(truck.accepted)}%` }} />
      <span class="p-bad" style={{ width: `${pct(truck.quarantined)}%` }} />
      <span class="p-held" style={{ width: `${pct(truck.held)}%` }} />
    </span>
  );
}
