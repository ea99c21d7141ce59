// /audit/consistency?from=&to=: that the signed checkpoint of `to` entries extends the one of `from` entries,
// checked in this browser: both Ed25519 signatures, then the consistency proof between their signed roots.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { CheckedSteps } from './badge.js';
import { ConsistencyForm } from './forms.js';
import { Trouble } from './trouble.js';
import { type ConsistencyVerdict, n, SHORT_NAME, verifyConsistency } from './verify.js';

function size(text: string | undefined): number | undefined {
  const v = Number(text);
  return text !== undefined && text !== '' && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

function Banner({ verdict }: { verdict: ConsistencyVerdict }) {
  switch (verdict.status) {
    case 'verified':
      return (
        <p class="verdict ok" role="status">
          ✓ Consistent, checked in this browser: the log of {n(verdict.to)} entries extends the log of{' '}
          {n(verdict.from)} entries it signed before.
        </p>
      );
    case 'failed':
      return (
        <p class="verdict bad" role="alert">
          ✗ Not consistent: the {SHORT_NAME[verdict.failed] ?? verdict.failed} check failed.{' '}
          <code>{verdict.code}</code>
        </p>
      );
    case 'unavailable':
      return <p class="verdict pending">Not available for your role: {verdict.reason}</p>;
    case 'error':
      return <Trouble error={verdict.error} />;
  }
}

export function ConsistencyPage() {
  const { query } = useLocation();
  const from = size(query.from);
  const to = size(query.to);
  const [verdict, setVerdict] = useState<ConsistencyVerdict | null>(null);
  const [recheck, setRecheck] = useState(0);

  useEffect(() => {
    setVerdict(null);
    if (from === undefined || to === undefined || from === to) return;
    let live = true;
    void verifyConsistency(from, to).then((v) => live && setVerdict(v));
    return () => {
      live = false;
    };
  }, [from, to, recheck]);

  const asked = from !== undefined && to !== undefined && from !== to;
  return (
    <>
      <p class="crumbs">
        <a href="/audit">Verification</a> › Consistency
      </p>
      <h1>
        {asked
          ? `Consistency: checkpoint ${n(Math.min(from, to))} → ${n(Math.max(from, to))}`
          : 'Consistency between two checkpoints'}
      </h1>
      <section class="card" aria-label="Choose two checkpoints">
        <ConsistencyForm key={`${from}-${to}`} from={from} to={to} />
      </section>
      {!asked && (
        <p class="muted">
          Give the sizes of two signed checkpoints (see the history on the Verification page).
        </p>
      )}
      {asked && verdict === null && (
        <p class="verdict pending" role="status">
          Checking: fetching both checkpoints and the consistency proof…
        </p>
      )}
      {verdict && <Banner verdict={verdict} />}
      {verdict && (verdict.status === 'verified' || verdict.status === 'failed') && (
        <CheckedSteps steps={verdict.steps} onRecheck={() => setRecheck((r) => r + 1)} />
      )}
    </>
  );
}
