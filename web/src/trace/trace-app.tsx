// The trace explorer (role quality, a desktop browser): one search box, then a page per thing. Each page has a
// stable URL to paste into an 8D report. Sub-pages load on demand; the search box is in every page's frame.
import { ErrorBoundary, lazy, Route, Router } from 'preact-iso';
import { Layout } from '../ui/layout.js';
import { SearchBox } from './x-search-box.js';
import './x-trace.css';

const SearchPage = lazy(() => import('./search-page.js'));
const MotorPage = lazy(() => import('./motor-page.js'));
const VehiclePage = lazy(() => import('./vehicle-page.js'));
const ShipmentPage = lazy(() => import('./shipment-page.js'));
const LotPage = lazy(() => import('./lot-page.js'));
const HoldsPage = lazy(() => import('./holds-page.js'));
const IncidentsPage = lazy(() => import('./incidents-page.js'));
const InvestigatePage = lazy(() => import('./investigate-page.js'));
const CommonCausePage = lazy(() => import('./common-cause-page.js'));
const FlowPage = lazy(() => import('./flow-page.js'));

export default function TraceApp() {
  return (
    <Layout>
      <SearchBox />
      <ErrorBoundary>
        <Router>
          <Route path="/" component={SearchPage} />
          <Route path="/motors/:serial" component={MotorPage} />
          <Route path="/vehicles/:vin" component={VehiclePage} />
          <Route path="/shipments/:id" component={ShipmentPage} />
          <Route path="/lots/:component/:lot" component={LotPage} />
          <Route path="/holds" component={HoldsPage} />
          <Route path="/incidents/:id?" component={IncidentsPage} />
          <Route path="/investigate" component={InvestigatePage} />
          <Route path="/common-cause" component={CommonCausePage} />
          <Route path="/flow" component={FlowPage} />
        </Router>
      </ErrorBoundary>
    </Layout>
  );
}
