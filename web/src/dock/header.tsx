// The slim header of the handheld and station screens: where the device is, and whether it reaches the server.
import type { ComponentChildren } from 'preact';
import { currentSession, signOut } from '../session.js';

export function HandheldHeader(props: { where: ComponentChildren; online: boolean; note?: string }) {
  return (
    <header class="hh-header">
      <span class="hh-where">{props.where}</span>
      <span class={`hh-conn${props.online ? '' : ' offline'}`} role="status" data-testid="connection">
        {props.online ? '● online' : '○ offline'}
        {props.note ? ` · ${props.note}` : ''}
      </span>
    </header>
  );
}

/** The body of a handheld screen opened with a token that cannot use it: what it has, and a way out. */
export function WrongToken(props: { screen: string; needs: string }) {
  const session = currentSession();
  return (
    <main id="main" class="hh-body">
      <p class="problem" role="alert">
        The {props.screen} needs a token with role {props.needs} for a site (this one has{' '}
        {session?.roles.join(', ') || 'no role'} at {session?.sites.join(', ') || 'no site'}). Sign out and
        sign in as {props.needs}.
      </p>
      <p>
        <button type="button" class="primary" onClick={() => signOut()}>
          Sign out
        </button>
      </p>
    </main>
  );
}
