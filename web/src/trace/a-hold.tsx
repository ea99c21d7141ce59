// Containment from an investigation: hold, in one call (POST /v1/trace/forward/hold), every motor of the trace
// that is not yet installed. A reason is required, a dialog says how many motors will be held before anything
// is written, and the answer says what was held and what was skipped and why (installed, in a shipped vehicle,
// already held: the states the trace showed just before the hold).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { currentSession } from '../session.js';
import { ProblemBox } from '../ui/problem.js';
import type { Trace, TraceFilter } from './a-trace.js';
import { GROUPS, groupWords, href, int, type LocationGroup, utc } from './x-data.js';
import { LinkList } from './x-parts.js';

interface HoldAnswer {
  event: { seq: number; id: string; type: string; leafHash: string; recorded: string };
  held: number;
  serials: string[];
  skipped: number;
}

interface HoldResult extends HoldAnswer {
  holdId: string;
  reason: string;
  skippedBy: { group: LocationGroup; count: number }[];
}

/** Why a motor in this state is not held: what the quality engineer does with it instead. */
const SKIP_WHY: Partial<Record<LocationGroup, string>> = {
  INSTALLED: 'already installed in a vehicle: a rework decision for the assembly plant',
  VEHICLE_SHIPPED: 'in a vehicle already shipped: the recall list (CSV above)',
  HELD: 'already on hold',
};

/** Where the motors a hold stops are, as the sentence says it. */
const HOLDABLE_WHERE: Partial<Record<LocationGroup, string>> = {
  AT_CLEON: 'still at Cléon',
  IN_TRANSIT: 'on a truck',
  IN_BUFFER: 'in an assembly buffer',
};

function suggestedHoldId(): string {
  const d = new Date().toISOString();
  return `HOLD-${d.slice(0, 10).replaceAll('-', '')}-${d.slice(11, 16).replace(':', '')}`;
}

export function HoldPanel({
  filter,
  trace,
  described,
  asOf,
  onHeld,
}: {
  filter: TraceFilter;
  trace: Trace;
  described: string;
  asOf: string | undefined;
  onHeld: () => void;
}) {
  const isQuality = currentSession()?.roles.includes('quality') ?? false;
  const [holdId, setHoldId] = useState(suggestedHoldId);
  const [reason, setReason] = useState('');
  const [incidentId, setIncidentId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<HoldResult | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  // One idempotency id per confirmation: a double click or a retry after a lost answer holds once.
  const requestId = useRef<string>('');

  const holdable = GROUPS.filter((g) => g.holdable).map((g) => ({
    meta: g,
    count: trace.groups.find((x) => x.group === g.group)?.count ?? 0,
  }));
  const toHold = holdable.reduce((n, g) => n + g.count, 0);
  const skippedNow = GROUPS.filter((g) => !g.holdable)
    .map((g) => ({ group: g.group, count: trace.groups.find((x) => x.group === g.group)?.count ?? 0 }))
    .filter((g) => g.count > 0);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const before = new Map(trace.items.map((m) => [m.serial, m.group]));
    try {
      const answer = await api<HoldAnswer>('/v1/trace/forward/hold', {
        body: {
          filter,
          holdId,
          reason: reason.trim(),
          ...(incidentId.trim() ? { incidentId: incidentId.trim() } : {}),
          id: requestId.current,
        },
        timeoutMs: 60_000,
      });
      const held = new Set(answer.serials);
      const skippedBy = new Map<LocationGroup, number>();
      for (const [serial, group] of before)
        if (!held.has(serial)) skippedBy.set(group, (skippedBy.get(group) ?? 0) + 1);
      setResult({
        ...answer,
        holdId,
        reason: reason.trim(),
        skippedBy: GROUPS.flatMap((g) =>
          skippedBy.has(g.group) ? [{ group: g.group, count: skippedBy.get(g.group)! }] : [],
        ),
      });
      dialog.current?.close();
      setReason('');
      setHoldId(suggestedHoldId());
      onHeld();
    } catch (e) {
      setError(e);
      dialog.current?.close();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {result && <HoldDone result={result} />}
      <section class="card contain" aria-labelledby="contain-title">
        <h2 id="contain-title">Contain: hold all not yet installed</h2>
        {asOf ? (
          <p>
            This trace is as of {utc(asOf, true)}; a hold acts on the motors as they are now. Clear “as of” to
            hold.
          </p>
        ) : !isQuality ? (
          <p>Holding motors needs the quality role; this token does not have it.</p>
        ) : toHold === 0 ? (
          <p data-testid="nothing-to-hold">
            Nothing left to hold: every motor of this trace is installed, in a shipped vehicle or already
            held.
          </p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              requestId.current = crypto.randomUUID();
              setError(null);
              dialog.current?.showModal();
            }}
          >
            <p>
              <strong>{int(toHold)}</strong> of the {int(trace.total)} motors can still be held:{' '}
              {holdable
                .filter((g) => g.count > 0)
                .map((g) => `${int(g.count)} ${HOLDABLE_WHERE[g.meta.group] ?? g.meta.label}`)
                .join(', ')}
              .
            </p>
            <div class="row">
              <div class="field">
                <label for="hold-id">Hold id</label>
                <input
                  id="hold-id"
                  class="mono"
                  required
                  pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
                  value={holdId}
                  onInput={(e) => setHoldId(e.currentTarget.value)}
                />
              </div>
              <div class="field">
                <label for="hold-reason">Reason (recorded on the ledger)</label>
                <textarea
                  id="hold-reason"
                  required
                  maxLength={500}
                  rows={2}
                  value={reason}
                  onInput={(e) => setReason(e.currentTarget.value)}
                  placeholder={`Suspect ${described}: field complaints`}
                />
              </div>
              <div class="field">
                <label for="hold-incident">Incident (optional)</label>
                <input
                  id="hold-incident"
                  class="mono"
                  value={incidentId}
                  onInput={(e) => setIncidentId(e.currentTarget.value)}
                  placeholder="INC-2026-017"
                />
              </div>
            </div>
            <div class="form-actions">
              <button type="submit" class="danger">
                Hold all not yet installed ({int(toHold)})…
              </button>
            </div>
          </form>
        )}
        <ProblemBox error={error} />
      </section>

      <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
        <h2 id="confirm-title">
          Hold {int(toHold)} motor{toHold === 1 ? '' : 's'}?
        </h2>
        <div id="confirm-text">
          <p>
            Hold <strong class="mono">{holdId}</strong> on {int(toHold)} motors with {described}. Until it is
            released they cannot be loaded at Cléon, are refused at the assembly docks and cannot be
            installed.
          </p>
          <p>Reason: “{reason.trim()}”</p>
          {skippedNow.length > 0 && (
            <p>
              Not held ({int(skippedNow.reduce((n, g) => n + g.count, 0))}):{' '}
              {skippedNow.map((g) => `${int(g.count)} ${groupWords(g.group)}`).join(', ')}.
            </p>
          )}
        </div>
        <div class="form-actions">
          <button type="button" class="danger" disabled={busy} onClick={confirm}>
            {busy ? 'Holding…' : `Hold ${int(toHold)} motors`}
          </button>
          <button type="button" autofocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

function HoldDone({ result }: { result: HoldResult }) {
  // The button that opened the dialog is gone once everything is held: the person lands on the answer.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [result]);
  return (
    <section class="card held" aria-labelledby="held-title" role="status">
      <h2 id="held-title" data-testid="held-summary" ref={heading} tabIndex={-1}>
        Held {int(result.held)} · skipped {int(result.skipped)}
      </h2>
      <p>
        Hold <a href={href.hold(result.holdId)}>{result.holdId}</a> is on the ledger at seq{' '}
        {int(result.event.seq)} (<span class="mono">{result.event.type}</span>, recorded{' '}
        {utc(result.event.recorded)}): “{result.reason}”.
      </p>
      {result.skippedBy.length > 0 && (
        <>
          <h3>Skipped, and why</h3>
          <ul data-testid="skipped-reasons">
            {result.skippedBy.map((s) => (
              <li key={s.group}>
                <strong>{int(s.count)}</strong> {SKIP_WHY[s.group] ?? groupWords(s.group)}
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>The {int(result.held)} held serials</summary>
        <p class="serial-list">
          <LinkList items={result.serials} to={href.motor} />
        </p>
      </details>
    </section>
  );
}
