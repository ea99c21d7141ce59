// Which keys the verdicts rest on. The log's own JWKS proves the log is consistent with itself; an audit anchors
// it with keys obtained out of band (as `verify --trusted-keys` does): loaded here, kept on this device.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Trouble } from './trouble.js';
import { currentKeys, setTrustedJwks, trustedJwks } from './verify.js';

export function KeysPanel({ onChange }: { onChange: () => void }) {
  const [kids, setKids] = useState<string[] | null>(null);
  const [trusted, setTrusted] = useState(trustedJwks() !== null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    currentKeys().then(
      (ring) => live && setKids(ring.kids),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [version]);

  const changed = () => {
    setTrusted(trustedJwks() !== null);
    setVersion((v) => v + 1);
    onChange();
  };

  return (
    <section class="card" aria-labelledby="keys-h">
      <h2 id="keys-h">Keys</h2>
      {trusted ? (
        <p>
          Checkpoints are checked against <strong>the keys you trust</strong> (loaded from your file on this
          device): one signed by any other key fails.
        </p>
      ) : (
        <p>
          Checkpoints are checked against <strong>the log's own JWKS</strong>. Compare these key ids with the
          keys you obtained out of band, or load those keys so that only they are trusted.
        </p>
      )}
      {kids && (
        <ul class="kids">
          {kids.map((k) => (
            <li key={k} class="hash">
              {k}
            </li>
          ))}
        </ul>
      )}
      <Trouble error={error} />
      <div class="actions">
        <button type="button" onClick={() => picker.current?.click()}>
          Load trusted keys (JWKS file)…
        </button>
        <input
          ref={picker}
          hidden
          aria-label="Trusted keys (JWKS file)"
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!file) return;
            setError(null);
            try {
              await setTrustedJwks(JSON.parse(await file.text()));
              changed();
            } catch (err) {
              setError(
                err instanceof SyntaxError
                  ? new Error(`${file.name} is not JSON: a JWKS file is {"keys": [...]}.`)
                  : err,
              );
            }
          }}
        />
        {trusted && (
          <button
            type="button"
            onClick={async () => {
              await setTrustedJwks(null);
              changed();
            }}
          >
            Use the log's JWKS instead
          </button>
        )}
      </div>
    </section>
  );
}
