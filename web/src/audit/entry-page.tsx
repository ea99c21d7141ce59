// /audit/entries/:seq: one entry verified in this browser, step by step (its bytes → leaf hash, the inclusion
// proof → root, the root's Ed25519 signature), then what the entry says, with links along each subject's chain.
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { utf8Decode } from '../../../src/core/encoding.js';
import type { Envelope } from '../../../src/core/envelope.js';
import { download } from '../ui/csv.js';
import { CheckedSteps, useEntryVerdict, VerifiedBadge } from './badge.js';
import { EntryForm } from './forms.js';
import { Trouble } from './trouble.js';
import { type EntryVerdict, n, SHORT_NAME, short } from './verify.js';

function Banner({ verdict }: { verdict: EntryVerdict | null }) {
  if (verdict === null) {
    return (
      <p class="verdict pending" role="status">
        Checking: fetching the entry, its inclusion proof and the signed checkpoint…
      </p>
    );
  }
  switch (verdict.status) {
    case 'verified':
      return (
        <p class="verdict ok" role="status">
          ✓ Verified in this browser: entry #{n(verdict.seq)} is in the log "{verdict.checkpoint.origin}" of{' '}
          {n(verdict.checkpoint.size)} entries, signed by key {short(verdict.checkpoint.kid)} (Ed25519).
        </p>
      );
    case 'failed':
      return (
        <p class="verdict bad" role="alert">
          ✗ Not verified: the {SHORT_NAME[verdict.failed] ?? verdict.failed} check failed. {verdict.reason}{' '}
          <code>{verdict.code}</code>
        </p>
      );
    case 'pending':
      return (
        <p class="verdict pending" role="status">
          {verdict.reason}
        </p>
      );
    case 'unavailable':
      return <p class="verdict pending">Not available for your role: {verdict.reason}</p>;
    case 'error':
      return <Trouble error={verdict.error} />;
  }
}

/** The trace explorer's page for a subject, when it has one. */
function subjectHref(subject: string): string | undefined {
  const [kind, id = ''] = subject.split(/:(.*)/s);
  const e = encodeURIComponent(id);
  if (kind === 'motor') return `/trace/motors/${e}`;
  if (kind === 'vehicle') return `/trace/vehicles/${e}`;
  if (kind === 'shipment') return `/trace/shipments/${e}`;
  if (kind === 'incident') return `/trace/incidents/${e}`;
  return undefined;
}

function EntryContent({ bytes }: { bytes: Uint8Array }) {
  const text = utf8Decode(bytes);
  let env: Envelope;
  try {
    env = JSON.parse(text) as Envelope;
  } catch {
    return <pre class="entry-json">{text}</pre>;
  }
  return (
    <section class="card" aria-labelledby="content-h">
      <h2 id="content-h">What the entry says</h2>
      <dl class="facts">
        <dt>Type</dt>
        <dd>
          <code>{env.type}</code>
        </dd>
        <dt>Business time</dt>
        <dd>{env.time}</dd>
        <dt>Recorded</dt>
        <dd>{env.recorded}</dd>
        <dt>By</dt>
        <dd>
          {env.actor?.sub} ({env.actor?.role} at {env.actor?.site})
        </dd>
        <dt>Subjects</dt>
        <dd>
          <ul class="plain">
            {(env.subjects ?? []).map((s) => {
              const href = subjectHref(s);
              const prev = env.prev?.[s];
              return (
                <li key={s}>
                  {href ? <a href={href}>{s}</a> : <code>{s}</code>}
                  {prev ? (
                    <>
                      {' '}
                      · previous entry of it: <a href={`/audit/entries/${prev.seq}`}>#{n(prev.seq)}</a>{' '}
                      <VerifiedBadge seq={prev.seq} entry={{ leafHash: prev.hash }} />
                    </>
                  ) : (
                    <span class="muted"> · its first entry</span>
                  )}
                </li>
              );
            })}
          </ul>
        </dd>
      </dl>
      <h3>Data</h3>
      <pre class="entry-json">{JSON.stringify(env.data, null, 2)}</pre>
      <p>
        <button
          type="button"
          onClick={() => download(`entry-${env.seq}.json`, text, 'application/json')}
          title="The exact stored bytes: pass them to motor-ledger verify-proof --entry"
        >
          Download the entry's bytes (entry-{env.seq}.json)
        </button>
      </p>
    </section>
  );
}

export function EntryPage() {
  const { params } = useRoute();
  const seq = Number(params.seq);
  const valid = Number.isSafeInteger(seq) && seq >= 0;
  const [recheck, setRecheck] = useState(0);
  const verdict = useEntryVerdict(valid ? seq : 0, recheck);
  if (!valid) {
    return (
      <>
        <h1>Entry</h1>
        <p class="problem" role="alert">
          "{params.seq}" is not an entry number: an entry is named by its seq, a whole number from 0.
        </p>
        <EntryForm />
      </>
    );
  }
  const entry = verdict?.status === 'verified' || verdict?.status === 'failed' ? verdict.entry : undefined;
  return (
    <>
      <p class="crumbs">
        <a href="/audit">Verification</a> › Entry #{n(seq)}
      </p>
      <h1>Entry #{n(seq)}</h1>
      <nav class="pager" aria-label="Neighbouring entries">
        {seq > 0 && <a href={`/audit/entries/${seq - 1}`}>← Entry #{n(seq - 1)}</a>}
        <a href={`/audit/entries/${seq + 1}`}>Entry #{n(seq + 1)} →</a>
      </nav>
      <Banner verdict={verdict} />
      {(verdict?.status === 'verified' || verdict?.status === 'failed') && (
        <CheckedSteps steps={verdict.steps} onRecheck={() => setRecheck((r) => r + 1)} />
      )}
      {entry && <EntryContent bytes={entry} />}
      <section class="card" aria-labelledby="other-h">
        <h2 id="other-h">Verify another entry</h2>
        <EntryForm key={seq} />
      </section>
    </>
  );
}
