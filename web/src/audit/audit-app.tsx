// Verification (role auditor; quality and admin may read it too): the checkpoint history, any entry verified in
// this browser, consistency between two checkpoints, the export. Each page has a stable URL for an audit report.
import { ErrorBoundary, Route, Router } from 'preact-iso';
import { Layout } from '../ui/layout.js';
import './audit.css';
import { ConsistencyPage } from './consistency-page.js';
import { EntryPage } from './entry-page.js';
import { HistoryPage } from './history-page.js';

export default function AuditApp() {
  return (
    <Layout>
      <div class="audit">
        <ErrorBoundary>
          <Router>
            <Route path="/" component={HistoryPage} />
            <Route path="/entries/:seq" component={EntryPage} />
            <Route path="/consistency" component={ConsistencyPage} />
            <Route default component={HistoryPage} />
          </Router>
        </ErrorBoundary>
      </div>
    </Layout>
  );
}
