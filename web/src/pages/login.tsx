// Sign in. Dev mode: pick a role and sites and the server mints a token (what `motor-ledger token` does).
// Otherwise: paste a bearer token issued by the plant's identity provider.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { homeOf, signIn } from '../session.js';
import { ProblemBox } from '../ui/problem.js';

interface SessionConfig {
  mode: 'dev' | 'oidc' | 'token';
  roles: string[];
  sites: { code: string; name: string }[];
}

const ROLE_HINT: Record<string, string> = {
  intake: 'Dieppe dock: scan motors off the truck',
  assembly: 'Marriage station: install motors into VINs',
  quality: 'Trace explorer: investigate, hold, correct',
  auditor: 'Verification: checkpoints and proofs',
  producer: 'Cléon end of line (API only)',
  logistics: 'Trucks and loading (API only)',
  admin: 'Administration (API only)',
};

const DEFAULT_SITE: Record<string, string> = {
  intake: 'DIEPPE',
  assembly: 'DIEPPE',
  producer: 'CLEON',
  logistics: 'CLEON',
};

export function LoginPage() {
  const { route, query } = useLocation();
  const [config, setConfig] = useState<SessionConfig | null>(null);
  const [role, setRole] = useState('intake');
  const [sites, setSites] = useState<string[]>(['DIEPPE']);
  const [sub, setSub] = useState('');
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<SessionConfig>('/v1/session/config', { anonymous: true }).then(setConfig, setError);
  }, []);

  const done = (token: string) => {
    const s = signIn(token);
    const next = query.next;
    route(next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(s), true);
  };

  const pickRole = (r: string) => {
    setRole(r);
    const site = DEFAULT_SITE[r];
    setSites(site ? [site] : ['*']);
  };

  const mint = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { role, sites, ...(sub.trim() ? { sub: sub.trim() } : {}) };
      const { token } = await api<{ token: string }>('/v1/dev/tokens', { body, anonymous: true });
      done(token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const usePasted = (e: Event) => {
    e.preventDefault();
    try {
      done(pasted.trim().replace(/^Bearer\s+/i, ''));
    } catch {
      setError(new Error('That is not a bearer token (a JWT: three base64url parts separated by dots).'));
    }
  };

  return (
    <main class="login" id="main">
      <h1>motor-ledger</h1>
      <p class="lead">Motor traceability, Cléon → Dieppe. Sign in to open your screen.</p>
      <ProblemBox error={error} />
      {config?.mode === 'dev' && (
        <form onSubmit={mint} class="card">
          <p class="warn">
            Development server: tokens are minted here with the local dev key. A plant server signs in through
            its identity provider.
          </p>
          <fieldset>
            <legend>Role</legend>
            {config.roles.map((r) => (
              <label key={r} class="choice">
                <input type="radio" name="role" value={r} checked={role === r} onChange={() => pickRole(r)} />
                <span>
                  <strong>{r}</strong> <small>{ROLE_HINT[r] ?? ''}</small>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Sites</legend>
            {[{ code: '*', name: 'every site' }, ...config.sites].map((s) => (
              <label key={s.code} class="choice inline">
                <input
                  type="checkbox"
                  name="site"
                  value={s.code}
                  checked={sites.includes(s.code)}
                  onChange={(e) =>
                    setSites((prev) =>
                      (e.currentTarget as HTMLInputElement).checked
                        ? [...prev.filter((x) => x !== s.code), s.code]
                        : prev.filter((x) => x !== s.code),
                    )
                  }
                />
                <span>
                  {s.code} <small>{s.name}</small>
                </span>
              </label>
            ))}
          </fieldset>
          <label class="field">
            Your name or badge (optional)
            <input value={sub} onInput={(e) => setSub((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="primary" disabled={busy || sites.length === 0}>
            Sign in as {role}
          </button>
        </form>
      )}
      {config && config.mode !== 'dev' && (
        <form onSubmit={usePasted} class="card">
          <label class="field">
            Bearer token from your identity provider
            <textarea
              rows={4}
              value={pasted}
              onInput={(e) => setPasted((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </label>
          <button type="submit" class="primary" disabled={pasted.trim() === ''}>
            Sign in
          </button>
        </form>
      )}
    </main>
  );
}
