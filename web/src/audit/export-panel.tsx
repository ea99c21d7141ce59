// The export, as the three files `motor-ledger verify <folder>` reads (docs/auditor.md, "Get the export"):
// entries.ndjson (every entry, its stored bytes a line; the server signs a checkpoint of the tail first),
// checkpoints.jws (every signed checkpoint the entries cover, one JWS a line) and jwks.json.
import { useState } from 'preact/hooks';
import { api, apiBytes } from '../api.js';
import { download } from '../ui/csv.js';
import { Trouble } from './trouble.js';
import { type CheckpointView, n } from './verify.js';

type FileName = 'entries.ndjson' | 'checkpoints.jws' | 'jwks.json';

async function allCheckpoints(upTo: number | undefined): Promise<CheckpointView[]> {
  const out: CheckpointView[] = [];
  let after = -1;
  for (;;) {
    const page = await api<{ checkpoints: CheckpointView[]; next?: number }>(
      `/v1/ledger/checkpoints?after=${after}&limit=10000`,
    );
    out.push(...page.checkpoints.filter((c) => upTo === undefined || c.size <= upTo));
    if (page.next === undefined) return out;
    after = page.next;
  }
}

function megabytes(chars: number): string {
  return chars >= 1e6 ? `${(chars / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(chars / 1e3))} kB`;
}

export function ExportPanel() {
  const [busy, setBusy] = useState<FileName | null>(null);
  const [done, setDone] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  // The size of the entries downloaded: the checkpoints file then keeps only the checkpoints they cover.
  const [entries, setEntries] = useState<number | undefined>(undefined);

  const run = async (file: FileName) => {
    setBusy(file);
    setError(null);
    try {
      let said: string;
      if (file === 'entries.ndjson') {
        // The bytes as served, saved as they are: `motor-ledger verify` checks exactly what the server sent.
        const bytes = await apiBytes('/v1/ledger/export', { timeoutMs: 300_000 });
        let lines = 0;
        for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lines++;
        if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) lines++;
        download(file, bytes, 'application/x-ndjson');
        setEntries(lines);
        said = `${file}: ${n(lines)} entries (${megabytes(bytes.length)})`;
      } else if (file === 'checkpoints.jws') {
        const cps = await allCheckpoints(entries);
        download(file, cps.map((c) => `${c.jws}\n`).join(''), 'text/plain');
        said = `${file}: ${n(cps.length)} signed checkpoints${entries !== undefined ? ` covering the ${n(entries)} entries` : ''}`;
      } else {
        const jwks = await api<unknown>('/.well-known/jwks.json');
        download(file, `${JSON.stringify(jwks, null, 2)}\n`, 'application/json');
        said = `${file}: the log's public keys`;
      }
      setDone((d) => [...d.filter((x) => !x.startsWith(file)), said]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const button = (file: FileName, label: string, primary = false) => (
    <button
      type="button"
      class={primary ? 'primary' : undefined}
      disabled={busy !== null}
      aria-busy={busy === file}
      onClick={() => void run(file)}
    >
      {busy === file ? `Preparing ${file}…` : label}
    </button>
  );

  return (
    <section class="card" aria-labelledby="export-h">
      <h2 id="export-h">Export</h2>
      <p class="muted">
        The whole log for an audit on your own machine: save the three files in one folder and run{' '}
        <code>motor-ledger verify &lt;folder&gt; --trusted-keys &lt;your keys&gt;</code>. The export needs a
        token for every brand; the server signs a checkpoint of the newest entries first, so every entry is
        covered.
      </p>
      <div class="actions">
        {button('entries.ndjson', 'Download the export (entries.ndjson)', true)}
        {button('checkpoints.jws', 'Download checkpoints.jws')}
        {button('jwks.json', 'Download jwks.json')}
      </div>
      <Trouble error={error} />
      {done.length > 0 && (
        <ul role="status" class="downloaded">
          {done.map((d) => (
            <li key={d}>Downloaded {d}.</li>
          ))}
        </ul>
      )}
    </section>
  );
}
