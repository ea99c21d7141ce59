import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { currentSession, homeOf } from '../session.js';

/** / sends a person to their screen, or to sign in. */
export function HomePage() {
  const { route } = useLocation();
  useEffect(() => {
    const s = currentSession();
    route(s ? homeOf(s) : '/login', true);
  }, [route]);
  return null;
}
