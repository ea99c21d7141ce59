// The "verified" badge beside a ledger entry: this browser checks the entry's bytes, its inclusion proof and the
// signed checkpoint (verify.ts, with src/core) and says so: green when all hold, red naming the step that failed.
// A click (or Enter) opens what was checked, in plain words.
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import './audit.css';
import { Trouble } from './trouble.js';
import {
  againstShown,
  type EntryVerdict,
  n,
  SHORT_NAME,
  type ShownEntry,
  type Step,
  verifyEntry,
} from './verify.js';

/** How long to wait before asking again for an entry no checkpoint covers yet, and how many times. */
const PENDING_RETRY_MS = 3000;
const PENDING_TRIES = 20;

/**
 * Verify entry `seq` as long as the component is shown; retries while no checkpoint covers the entry. Raise
 * `recheck` to check again from scratch (nothing remembered).
 */
export function useEntryVerdict(seq: number, recheck = 0): EntryVerdict | null {
  const [verdict, setVerdict] = useState<EntryVerdict | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setVerdict(null);
    const run = (tries: number, fresh: boolean) => {
      void verifyEntry(seq, { fresh }).then((v) => {
        if (!live) return;
        setVerdict(v);
        if (v.status === 'pending' && tries > 1)
          timer = setTimeout(() => run(tries - 1, true), PENDING_RETRY_MS);
      });
    };
    run(PENDING_TRIES, recheck > 0);
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [seq, recheck]);
  return verdict;
}

function label(v: EntryVerdict | null): { cls: string; text: string } {
  if (v === null) return { cls: 'pending', text: 'verifying…' };
  switch (v.status) {
    case 'verified':
      return { cls: 'ok', text: v.entry ? '✓ verified' : '✓ verified (hash only)' };
    case 'failed':
      return { cls: 'bad', text: `✗ ${SHORT_NAME[v.failed] ?? v.failed} failed` };
    case 'pending':
      return { cls: 'pending', text: 'awaiting checkpoint' };
    case 'unavailable':
      return { cls: 'neutral', text: 'not available for your role' };
    case 'error':
      return { cls: 'neutral', text: 'not checked' };
  }
}

/** The checks of a verdict as a list: each step, whether it held, and what was computed. */
export function StepList({ steps }: { steps: Step[] }) {
  return (
    <ol class="vsteps">
      {steps.map((s) => (
        <li key={s.name} class={`vstep ${s.state}`}>
          <span class="vmark" aria-hidden="true">
            {s.state === 'ok' ? '✓' : s.state === 'bad' ? '✗' : '–'}
          </span>
          <span>
            <strong>{s.name}</strong>{' '}
            <span class="visually-hidden">
              {s.state === 'ok' ? 'holds' : s.state === 'bad' ? 'fails' : 'not checked'}
            </span>
            <br />
            {s.text}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** A page's account of its checks: the steps, and a button that runs them again (a fresh fetch). */
export function CheckedSteps({ steps, onRecheck }: { steps: Step[]; onRecheck: () => void }) {
  return (
    <section class="card" aria-labelledby="steps-h">
      <h2 id="steps-h">What this browser checked</h2>
      <StepList steps={steps} />
      <p>
        <button type="button" onClick={onRecheck}>
          Check again
        </button>
      </p>
    </section>
  );
}

/** What the badge opens: the verdict in plain words. */
export function VerdictDetail({ verdict }: { verdict: EntryVerdict | null }) {
  if (verdict === null)
    return <p>Fetching the entry, its proof and the signed checkpoint, and checking them…</p>;
  switch (verdict.status) {
    case 'verified':
    case 'failed':
      return <StepList steps={verdict.steps} />;
    case 'pending':
    case 'unavailable':
      return <p>{verdict.reason}</p>;
    case 'error':
      return <Trouble error={verdict.error} />;
  }
}

/**
 * A badge that this browser computes for ledger entry `seq`: green "verified" when its bytes, inclusion proof and
 * signed checkpoint all hold, red naming the failed step; click it to read what was checked. With `entry` (what
 * the page shows of it: leafHash, id, type, time), it also checks that this is the entry verified.
 * @example <VerifiedBadge seq={e.seq} entry={e} />
 */
export function VerifiedBadge({ seq, entry }: { seq: number; entry?: ShownEntry }) {
  const checked = useEntryVerdict(seq);
  const verdict = useMemo(
    () => (checked === null ? null : againstShown(checked, entry)),
    [checked, entry?.leafHash, entry?.id, entry?.type, entry?.time],
  );
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLSpanElement>(null);
  // Listening from the same render that opened the detail (a layout effect, not one deferred to after the next
  // paint), so an Escape pressed right after Enter closes it.
  useLayoutEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        root.current?.querySelector('button')?.focus();
      }
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  // Keep the open detail inside the window: shifted left when the badge sits near the right edge.
  const detail = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = detail.current;
    if (!open || !el) return;
    el.style.left = '';
    if (getComputedStyle(el).position !== 'absolute') return; // the phone's bottom sheet
    const over = el.getBoundingClientRect().right - (document.documentElement.clientWidth - 8);
    if (over > 0) el.style.left = `${-over}px`;
  }, [open, verdict]);
  const { cls, text } = label(verdict);
  return (
    <span class="vbadge" ref={root} data-seq={seq} data-status={verdict?.status ?? 'checking'}>
      <button
        type="button"
        class={`badge ${cls}`}
        aria-expanded={open}
        aria-controls={id}
        aria-busy={verdict === null}
        title={`Entry #${seq}: what this browser checked`}
        onClick={() => setOpen(!open)}
      >
        {text}
      </button>
      {open && (
        <section id={id} ref={detail} class="vbadge-detail" aria-label={`Verification of entry #${seq}`}>
          <VerdictDetail verdict={verdict} />
          <p class="vbadge-more">
            <a href={`/audit/entries/${seq}`}>Open entry #{n(seq)} on the Verification page</a>
          </p>
        </section>
      )}
    </span>
  );
}
