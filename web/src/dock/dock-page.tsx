// The Dieppe dock handheld (role intake, 360–480 px, gloves, noise): choose the truck, then scan each motor off
// it. Every scan answers with a full-screen verdict, a sound and a buzz; the truck's progress follows. With no
// network the scans wait on the device and upload in order when it is back (use-intake.ts).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ApiError, api, OfflineError } from '../api.js';
import { currentSession } from '../session.js';
import { ProblemBox } from '../ui/problem.js';
import { newId, scannerId, setting, siteOf } from './device.js';
import { DeviceSetting } from './device-setting.js';
import { HandheldHeader, WrongToken } from './header.js';
import type { ScanRecord } from './queue.js';
import { Progress, TruckChooser } from './truck-chooser.js';
import {
  fromRead,
  rememberedTruck,
  rememberTruck,
  type ShipmentRead,
  statusWords,
  type TruckCounts,
} from './trucks.js';
import { type ScanAnswer, useIntake, verdictOf } from './use-intake.js';
import { ScanField, VerdictPanel } from './verdict.js';

export default function DockPage() {
  const { params } = useRoute();
  const shipmentId = params.shipment ? decodeURIComponent(params.shipment) : undefined;
  const session = currentSession();
  const site = siteOf(session?.sites ?? []);
  // The scan screen sets what a verdict does to its truck's counts; the loop itself outlives a change of truck.
  const onDecided = useRef<(a: ScanAnswer[]) => void>(() => {});
  const intake = useIntake(useCallback((answers: ScanAnswer[]) => onDecided.current(answers), []));
  const pending = intake.records.filter((r) => r.status === 'PENDING' && r.queued).length;
  const online = intake.online && intake.blocked === null;
  const note =
    pending > 0 ? `${pending} pending${online && intake.uploading ? ', uploading' : ''}` : undefined;

  useEffect(() => {
    document.title = shipmentId ? `Dock · ${shipmentId}` : 'Dock · choose the truck';
  }, [shipmentId]);

  if (!site || !session?.roles.includes('intake')) {
    return (
      <div class="handheld">
        <HandheldHeader where="Dock intake" online={intake.online} />
        <WrongToken screen="dock screen" needs="intake" />
      </div>
    );
  }

  return (
    <div class="handheld">
      <HandheldHeader
        where={
          <>
            {site} · {setting('dock') ? `Dock ${setting('dock')}` : 'Dock'}
          </>
        }
        online={online}
        note={note}
      />
      <main id="main" class="hh-main">
        {shipmentId ? (
          <ScanScreen key={shipmentId} shipmentId={shipmentId} intake={intake} onDecided={onDecided} />
        ) : (
          <TruckChooser site={site} />
        )}
      </main>
    </div>
  );
}

function ScanScreen(props: {
  shipmentId: string;
  intake: ReturnType<typeof useIntake>;
  onDecided: { current: (a: ScanAnswer[]) => void };
}) {
  const { shipmentId, intake } = props;
  const [truck, setTruck] = useState<TruckCounts | null>(() => rememberedTruck(shipmentId));
  const [error, setError] = useState<unknown>(null);
  const [dock, setDock] = useState(() => setting('dock') || '');
  const [arriving, setArriving] = useState(false);
  const [unreachable, setUnreachable] = useState(false);
  const scanRef = useRef<HTMLInputElement>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const refresh = useCallback(async () => {
    try {
      const t = fromRead(await api<ShipmentRead>(`/v1/shipments/${encodeURIComponent(shipmentId)}`));
      rememberTruck(t);
      setTruck(t);
      setError(null);
      setUnreachable(false);
    } catch (err) {
      if (err instanceof OfflineError) setUnreachable(true);
      else setError(err);
    }
  }, [shipmentId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // The answer's counts show at once; the full ones (missing, held, quarantined) follow from one read.
  props.onDecided.current = (answers) => {
    const mine = answers.filter((a) => a.shipment?.id === shipmentId);
    const last = mine[mine.length - 1]?.shipment;
    const accepted = mine.filter((a) => a.verdict === 'ACCEPTED').length;
    if (last)
      setTruck((t) =>
        t
          ? {
              ...t,
              expected: last.expected,
              scanned: last.scanned,
              accepted: t.accepted + accepted,
              missing: Math.max(0, t.missing - accepted),
            }
          : t,
      );
    if (mine.length === 0) return;
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refresh(), 150);
  };

  const effectiveDock = dock || truck?.arrivedDock || '';

  const arrive = async () => {
    setArriving(true);
    try {
      await api(`/v1/shipments/${encodeURIComponent(shipmentId)}/arrival`, {
        body: { id: newId(), dock: effectiveDock, time: new Date().toISOString() },
      });
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setArriving(false);
      scanRef.current?.focus();
    }
  };

  const pendingHere = intake.records.filter(
    (r) => r.status === 'PENDING' && r.queued && r.shipmentId === shipmentId,
  );
  const offlineRows = intake.records.filter((r) => r.queued);
  const lastRows = intake.records.filter((r) => !r.queued && r.shipmentId === shipmentId).slice(0, 5);

  return (
    <div class="hh-body">
      <h1 class="visually-hidden">Unloading truck {shipmentId}</h1>
      <section class="hh-bar" aria-label="Truck">
        <div class="hh-bar-top">
          <span class="hh-bar-title mono">{shipmentId}</span>
          <a href="/dock" class="hh-bar-link">
            Change truck
          </a>
        </div>
        {truck ? (
          <>
            <p class="muted hh-bar-sub">
              {truck.from} → {truck.to} · {statusWords(truck)}
            </p>
            <Progress truck={truck} />
            <p class="counts">
              <span>
                <span class="big" data-testid="scanned">
                  {truck.scanned} / {truck.expected}
                </span>{' '}
                scanned
              </span>
              {pendingHere.length > 0 && <span class="held">+{pendingHere.length} pending</span>}
            </p>
            <p class="counts" data-testid="progress">
              <span data-testid="missing">missing {truck.missing}</span>
              <span class={truck.quarantined ? 'bad-count' : ''} data-testid="quarantined">
                quarantined {truck.quarantined}
              </span>
              <span class={truck.held ? 'held' : ''} data-testid="held">
                held {truck.held}
              </span>
            </p>
            {truck.status === 'DEPARTED' && effectiveDock && intake.online && (
              <button type="button" class="hh-small" disabled={arriving} onClick={() => void arrive()}>
                Truck at dock {effectiveDock}: record arrival
              </button>
            )}
          </>
        ) : (
          !error && (
            <p class="muted">
              {unreachable
                ? 'No network: the truck’s counts show when it is back. Scans are kept meanwhile.'
                : 'Reading the truck…'}
            </p>
          )
        )}
        {error !== null && <ProblemBox error={error} />}
        {error instanceof ApiError && error.code === 'UNKNOWN_SHIPMENT' && (
          <p>
            <a href="/dock">Choose another truck</a>
          </p>
        )}
      </section>

      {!intake.durable && (
        <p class="warn">
          This browser does not keep scans on the device: stay online, or they are lost on reload.
        </p>
      )}
      {intake.blocked && (
        <div class="problem" role="alert">
          <strong>Scans kept on this handheld, not uploaded: {intake.blocked.problem.detail}</strong>{' '}
          {intake.blocked.status === 401 ? 'Sign out and sign in again: nothing is lost.' : ''}
        </div>
      )}

      <VerdictPanel verdict={intake.verdict} />

      {effectiveDock ? (
        <ScanField
          id="scan"
          name="serial"
          label={`Scan a motor off ${shipmentId}`}
          placeholder="serial"
          inputRef={scanRef}
          onScan={(serial) => intake.scan(serial, { shipmentId, dock: effectiveDock, scanner: scannerId() })}
        />
      ) : (
        <DeviceSetting
          name="dock"
          label="This handheld is at dock"
          placeholder="D3"
          onSet={setDock}
          startLabel="Start scanning"
        />
      )}

      {offlineRows.length > 0 && (
        <section class="hh-section" aria-labelledby="offline-title">
          <h2 id="offline-title">
            Scanned offline ({offlineRows.length}): {summary(offlineRows)}
            {offlineRows.every((r) => r.status !== 'PENDING') && (
              <button type="button" onClick={intake.clearOffline}>
                Done, clear
              </button>
            )}
          </h2>
          <ScanList rows={offlineRows} testid="offline-scans" />
        </section>
      )}
      {lastRows.length > 0 && (
        <section class="hh-section" aria-labelledby="last-title">
          <h2 id="last-title">Last scans</h2>
          <ScanList rows={lastRows} testid="last-scans" />
        </section>
      )}
    </div>
  );
}

function summary(rows: ScanRecord[]): string {
  const n = (s: string) => rows.filter((r) => r.status === s).length;
  const parts = [
    n('PENDING') ? `${n('PENDING')} pending` : '',
    n('ACCEPTED') ? `${n('ACCEPTED')} accepted` : '',
    n('REJECTED') ? `${n('REJECTED')} refused` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

const MARK = { ACCEPTED: '✔', REJECTED: '✖', PENDING: '◷' } as const;

function ScanList({ rows, testid }: { rows: ScanRecord[]; testid: string }) {
  return (
    <ul class="scan-list" data-testid={testid}>
      {rows.map((r) => {
        const v = verdictOf(r);
        return (
          <li key={r.id} data-status={r.status} data-serial={r.serial}>
            <span class="mark" aria-hidden="true">
              {MARK[r.status]}
            </span>
            <span class="mono">
              <strong>{r.serial}</strong>{' '}
              <span
                class={`badge ${r.status === 'ACCEPTED' ? 'ok' : r.status === 'REJECTED' ? 'bad' : 'pending'}`}
              >
                {r.status === 'PENDING' ? 'pending' : r.status === 'ACCEPTED' ? 'accepted' : 'refused'}
              </span>
            </span>
            <time dateTime={r.time}>{new Date(r.time).toLocaleTimeString()}</time>
            {r.status === 'REJECTED' && (
              <span class="why">
                {v.headline}. {v.instruction}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
