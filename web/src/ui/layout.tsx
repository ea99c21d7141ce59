// The frame of the desk screens: the product, the screens this token may use, who is signed in, sign out.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { currentSession, signOut } from '../session.js';

const SCREENS = [
  { href: '/dock', label: 'Dock intake', roles: ['intake'] },
  { href: '/station', label: 'Marriage station', roles: ['assembly'] },
  { href: '/trace', label: 'Trace explorer', roles: ['quality', 'auditor', 'admin'] },
  { href: '/audit', label: 'Verification', roles: ['auditor', 'quality', 'admin'] },
] as const;

export function Layout({ children, wide = true }: { children: ComponentChildren; wide?: boolean }) {
  const session = currentSession();
  const { path, route } = useLocation();
  const screens = SCREENS.filter((s) => s.roles.some((r) => session?.roles.includes(r)));
  return (
    <div class={wide ? 'layout wide' : 'layout'}>
      <header class="topbar">
        <a class="brand" href="/">
          motor-ledger
        </a>
        <nav aria-label="Screens">
          {screens.map((s) => (
            <a key={s.href} href={s.href} aria-current={path.startsWith(s.href) ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        {session && (
          <span class="who">
            {session.sub} · {session.roles.join(', ')} · {session.sites.join(', ')}
            <button
              type="button"
              class="link"
              onClick={() => {
                signOut();
                route('/login');
              }}
            >
              Sign out
            </button>
          </span>
        )}
      </header>
      <main id="main">{children}</main>
    </div>
  );
}
