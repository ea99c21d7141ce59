// /audit: the checkpoint history (each signature checked in this browser), the latest checkpoint, the keys the
// verdicts rest on, the two verification forms and the export.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { ExportPanel } from './export-panel.js';
import { ConsistencyForm, EntryForm } from './forms.js';
import { KeysPanel } from './keys-panel.js';
import { Trouble } from './trouble.js';
import {
  type CheckpointView,
  type ConsistencyVerdict,
  checkListedCheckpoint,
  type ListedCheck,
  n,
  short,
  verifyConsistency,
} from './verify.js';

const PAGE = 50;

interface LatestCheckpoint extends CheckpointView {
  origin: string;
}

/** "2026-11-29 12:14:38 UTC": one reading for every auditor, whatever the browser's zone. */
export function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function SignatureCell({ cp, keysVersion }: { cp: CheckpointView; keysVersion: number }) {
  const [check, setCheck] = useState<ListedCheck | null>(null);
  useEffect(() => {
    let live = true;
    setCheck(null);
    void checkListedCheckpoint(cp).then((c) => live && setCheck(c));
    return () => {
      live = false;
    };
  }, [cp.jws, keysVersion]);
  if (check === null) return <span class="badge pending">checking…</span>;
  if (check.state === 'ok') return <span class="badge ok">✓ signature verified</span>;
  return (
    <span>
      <span class={`badge ${check.state === 'bad' ? 'bad' : 'neutral'}`}>
        {check.state === 'bad' ? '✗ does not verify' : 'not checked'}
      </span>{' '}
      <small>{check.reason}</small>
    </span>
  );
}

/** One link of the chain: this checkpoint extends the one before it, checked in the browser. */
function ConsistencyCell({
  from,
  to,
  known,
  keysVersion,
}: {
  from: number;
  to: number;
  known: readonly CheckpointView[];
  keysVersion: number;
}) {
  const [verdict, setVerdict] = useState<ConsistencyVerdict | null>(null);
  useEffect(() => {
    let live = true;
    setVerdict(null);
    void verifyConsistency(from, to, known).then((v) => live && setVerdict(v));
    return () => {
      live = false;
    };
  }, [from, to, keysVersion]);
  const href = `/audit/consistency?from=${from}&to=${to}`;
  if (verdict === null) return <span class="badge pending">checking…</span>;
  const [cls, text] =
    verdict.status === 'verified'
      ? ['ok', '✓ consistent']
      : verdict.status === 'failed'
        ? ['bad', '✗ not consistent']
        : ['neutral', 'not checked'];
  return (
    <span data-consistency={verdict.status}>
      <span class={`badge ${cls}`}>{text}</span> <a href={href}>with size {n(from)}</a>
    </span>
  );
}

export function HistoryPage() {
  const { query } = useLocation();
  const after = Number.isSafeInteger(Number(query.after)) ? Math.max(-1, Number(query.after)) : -1;
  const [latest, setLatest] = useState<LatestCheckpoint | null>(null);
  const [page, setPage] = useState<{ checkpoints: CheckpointView[]; next?: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [keysVersion, setKeysVersion] = useState(0);
  const [chain, setChain] = useState(false);

  useEffect(() => {
    let live = true;
    setError(null);
    setPage(null);
    Promise.all([
      api<LatestCheckpoint>('/v1/ledger/checkpoint').catch((err: unknown) => {
        if ((err as { code?: string }).code === 'NO_CHECKPOINT') return null;
        throw err;
      }),
      api<{ checkpoints: CheckpointView[]; next?: number }>(
        `/v1/ledger/checkpoints?after=${after}&limit=${PAGE}`,
      ),
    ]).then(
      ([l, p]) => {
        if (!live) return;
        setLatest(l);
        setPage(p);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [after]);

  const rows = page?.checkpoints ?? [];
  const first = rows[0]?.size;
  return (
    <>
      <h1>Verification</h1>
      <p class="muted">
        Every ✓ on these pages was computed by this browser, with the same code as{' '}
        <code>motor-ledger verify-proof</code>: the entry's bytes are hashed, the Merkle proof followed and
        the checkpoint's Ed25519 signature checked here, not taken from the server's word.
      </p>
      <Trouble error={error} />
      <div class="audit-grid">
        <section class="card" aria-labelledby="verify-entry-h">
          <h2 id="verify-entry-h">Verify an entry</h2>
          <p class="muted">
            Its bytes, its inclusion proof and the signed checkpoint that covers it, checked step by step.
          </p>
          <EntryForm key={latest?.size ?? 0} initial={latest ? Math.max(0, latest.size - 1) : undefined} />
        </section>
        <section class="card" aria-labelledby="consistency-h">
          <h2 id="consistency-h">Consistency between two checkpoints</h2>
          <p class="muted">
            That the newer signed tree extends the older one: no entry before it was changed or removed.
          </p>
          {page && (
            <ConsistencyForm
              from={first}
              to={latest?.size}
              sizes={[...rows.map((c) => c.size), ...(latest ? [latest.size] : [])]}
            />
          )}
        </section>
      </div>
      <div class="audit-grid">
        <section class="card" aria-labelledby="latest-h">
          <h2 id="latest-h">Latest checkpoint</h2>
          {latest === null && page !== null && <p>No checkpoint has been signed yet: the log is empty.</p>}
          {latest && (
            <dl class="facts">
              <dt>Size</dt>
              <dd>{n(latest.size)} entries</dd>
              <dt>Signed at</dt>
              <dd>{utc(latest.created)}</dd>
              <dt>Log</dt>
              <dd class="hash">{latest.origin}</dd>
              <dt>Root</dt>
              <dd class="hash">{latest.root}</dd>
              <dt>Key id</dt>
              <dd class="hash">{latest.kid}</dd>
              <dt>Signature</dt>
              <dd>
                <SignatureCell cp={latest} keysVersion={keysVersion} />
              </dd>
            </dl>
          )}
        </section>
        <KeysPanel onChange={() => setKeysVersion((v) => v + 1)} />
      </div>
      <ExportPanel />
      <section aria-labelledby="history-h">
        <h2 id="history-h">Checkpoint history</h2>
        <p class="muted">
          Oldest first, {PAGE} a page. Each signature is checked by this browser; "consistency" checks that a
          checkpoint extends the one before it.
        </p>
        {page === null && !error && (
          <p role="status" class="muted">
            Loading the checkpoints…
          </p>
        )}
        {page && (
          <>
            {rows.length > 1 && (
              <p>
                <button type="button" disabled={chain} onClick={() => setChain(true)}>
                  Check each checkpoint of this page against the one before
                </button>
              </p>
            )}
            <div class="table-scroll">
              <table class="data checkpoints">
                <caption class="visually-hidden">Signed checkpoints, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      Size
                    </th>
                    <th scope="col">Signed at</th>
                    <th scope="col">Key id</th>
                    <th scope="col">Root</th>
                    <th scope="col">Signature</th>
                    <th scope="col">Consistency</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((cp, i) => {
                    const prev = i > 0 ? rows[i - 1]?.size : after >= 1 ? after : undefined;
                    return (
                      <tr key={cp.size} data-size={cp.size}>
                        <td data-label="Size" class="num">
                          {n(cp.size)}
                        </td>
                        <td data-label="Signed at">{utc(cp.created)}</td>
                        <td class="hash" data-label="Key id" title={cp.kid}>
                          {short(cp.kid)}
                        </td>
                        <td class="hash" data-label="Root" title={cp.root}>
                          {short(cp.root)}
                        </td>
                        <td data-label="Signature">
                          <SignatureCell cp={cp} keysVersion={keysVersion} />
                        </td>
                        <td data-label="Consistency">
                          {prev !== undefined && chain ? (
                            <ConsistencyCell
                              from={prev}
                              to={cp.size}
                              known={rows}
                              keysVersion={keysVersion}
                            />
                          ) : prev !== undefined ? (
                            <a href={`/audit/consistency?from=${prev}&to=${cp.size}`}>with size {n(prev)}</a>
                          ) : (
                            <span class="muted">first checkpoint</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {rows.length === 0 && <p>No checkpoint here.</p>}
            <nav class="pager" aria-label="Checkpoint pages">
              {after >= 0 && <a href="/audit">First page</a>}
              {page.next !== undefined && <a href={`/audit?after=${page.next}`}>Next {PAGE} checkpoints</a>}
            </nav>
          </>
        )}
      </section>
    </>
  );
}
