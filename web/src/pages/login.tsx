// Sign in. Dev mode: pick a role and sites and the server mints a token (what `motor-ledger token` does).
// Otherwise: paste a bearer token issued by the plant's identity provider.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api.js';
import { finishSignIn, type OidcConfig, startSignIn } from '../oidc.js';
import { homeOf, signIn } from '../session.js';
import { ProblemBox } from '../ui/problem.js';

interface SessionConfig {
  mode: 'dev' | 'oidc' | 'token';
  roles: string[];
  sites: { code: string; name: string }[];
  oidc?: OidcConfig;
}

const safeNext = (next: string | undefined) =>
  next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : undefined;

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
    route(safeNext(query.next) ?? homeOf(s), true);
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
      {config?.mode === 'oidc' && config.oidc && (
        <div class="card">
          <p>Sign in with your plant account at {new URL(config.oidc.issuer).host}.</p>
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              startSignIn(config.oidc!, safeNext(query.next) ?? '/').catch((err) => {
                setError(err);
                setBusy(false);
              });
            }}
          >
            Sign in with the identity provider
          </button>
        </div>
      )}
      {config && (
        <details class="card" open={config.mode === 'token'}>
          <summary>{config.mode === 'token' ? 'Sign in with a token' : 'Or paste a bearer token'}</summary>
          <form onSubmit={usePasted}>
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
        </details>
      )}
    </main>
  );
}

/** /login/callback: the identity provider sends the person back here with a code; exchange it and go on. */
export function LoginCallbackPage() {
  const { route } = useLocation();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<SessionConfig>('/v1/session/config', { anonymous: true })
      .then((config) => {
        if (!config.oidc) throw new Error('This server has no identity provider configured.');
        return finishSignIn(config.oidc);
      })
      .then(({ token, next }) => {
        const s = signIn(token);
        route(safeNext(next) ?? homeOf(s), true);
      })
      .catch(setError);
  }, [route]);
  return (
    <main class="login" id="main">
      <h1>Signing in…</h1>
      <ProblemBox error={error} />
      {error !== null && (
        <p>
          <a href="/login">Sign in again</a>
        </p>
      )}
    </main>
  );
}
