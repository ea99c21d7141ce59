// The screens: one shell, a chunk per screen, routed in the browser. Every page has a stable URL (paste it into
// an 8D report); a page that needs a token sends the person to sign in and back.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, lazy, Route, Router, useLocation } from 'preact-iso';
import './app.css';
import { HomePage } from './pages/home.js';
import { LoginCallbackPage, LoginPage } from './pages/login.js';
import { currentSession, onSessionChange } from './session.js';

const DockPage = lazy(() => import('./dock/dock-page.js'));
const StationPage = lazy(() => import('./station/station-page.js'));
const TraceApp = lazy(() => import('./trace/trace-app.js'));
const AuditApp = lazy(() => import('./audit/audit-app.js'));

/** Renders its page only when someone is signed in; otherwise goes to /login?next=<this page>. */
function SignedIn({ page: Page, ...rest }: { page: preact.ComponentType<Record<string, unknown>> }) {
  const { url, route } = useLocation();
  const [session, setSession] = useState(currentSession());
  useEffect(() => onSessionChange(setSession), []);
  useEffect(() => {
    if (session === null) route(`/login?next=${encodeURIComponent(url)}`, true);
  }, [session, url, route]);
  return session === null ? null : <Page {...rest} />;
}

function NotFound() {
  return (
    <main id="main" class="login">
      <h1>No such page</h1>
      <p>
        <a href="/">Go to your screen</a>
      </p>
    </main>
  );
}

function App() {
  return (
    <LocationProvider>
      <ErrorBoundary>
        <Router>
          <Route path="/" component={HomePage} />
          <Route path="/login" component={LoginPage} />
          <Route path="/login/callback" component={LoginCallbackPage} />
          <Route path="/dock/:shipment?" component={(p) => <SignedIn page={DockPage} {...p} />} />
          <Route path="/station/:vin?" component={(p) => <SignedIn page={StationPage} {...p} />} />
          <Route path="/trace/*" component={(p) => <SignedIn page={TraceApp} {...p} />} />
          <Route path="/trace" component={(p) => <SignedIn page={TraceApp} {...p} />} />
          <Route path="/audit/*" component={(p) => <SignedIn page={AuditApp} {...p} />} />
          <Route path="/audit" component={(p) => <SignedIn page={AuditApp} {...p} />} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // No service worker (a plain http:// address that is not localhost): the screens still work online.
  });
}
