// Who is signed in on this device: the bearer token and what it claims (read for display and for choosing the
// screens; the server verifies it on every call). Kept in localStorage so a handheld stays signed in across a
// reload or a night without network; signing out forgets it.
import { decodeJwt } from 'jose';

export interface Session {
  token: string;
  sub: string;
  roles: string[];
  sites: string[];
  /** Seconds since the epoch; undefined when the token does not say. */
  exp: number | undefined;
}

const KEY = 'motor-ledger.session';
const listeners = new Set<(s: Session | null) => void>();

/** Read a token's claims (not its signature: the server checks that). Throws on a token that is not a JWT. */
export function sessionOf(token: string): Session {
  const claims = decodeJwt(token);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    token,
    sub: typeof claims.sub === 'string' ? claims.sub : 'unknown',
    roles: list(claims.roles),
    sites: list(claims.sites),
    exp: typeof claims.exp === 'number' ? claims.exp : undefined,
  };
}

/** The current session, or null when nobody is signed in or the token has expired. */
export function currentSession(): Session | null {
  const token = localStorage.getItem(KEY);
  if (token === null) return null;
  try {
    const s = sessionOf(token);
    if (s.exp !== undefined && s.exp * 1000 < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

/** Sign in with a token (from dev mode, the OIDC provider or pasted). */
export function signIn(token: string): Session {
  const s = sessionOf(token);
  localStorage.setItem(KEY, token);
  for (const l of listeners) l(s);
  return s;
}

export function signOut(): void {
  localStorage.removeItem(KEY);
  for (const l of listeners) l(null);
}

/** Be told when the session changes (sign in, sign out). Returns the unsubscribe function. */
export function onSessionChange(listener: (s: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The screen a role starts on. */
export function homeOf(session: Session): string {
  const r = session.roles;
  if (r.includes('intake')) return '/dock';
  if (r.includes('assembly')) return '/station';
  if (r.includes('auditor')) return '/audit';
  return '/trace';
}
