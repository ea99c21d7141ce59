// A hold as the explorer's tables list it (the holds page, an incident's holds, a motor's holds): one set of
// columns, the table and its CSV alike, each page picking the ones it shows.
import { type HoldSummary, href, utc } from './x-data.js';
import type { Column } from './x-parts.js';

type HoldColumn = Column<HoldSummary>;

const hold: HoldColumn = {
  head: 'Hold',
  csv: 'hold',
  value: (h) => h.id,
  show: (h) => <a href={href.hold(h.id)}>{h.id}</a>,
};
const status: HoldColumn = {
  head: 'Status',
  csv: 'status',
  value: (h) => h.status,
  show: (h) => <span class={`badge ${h.status === 'ACTIVE' ? 'bad' : 'ok'}`}>{h.status.toLowerCase()}</span>,
};
const reason: HoldColumn = { head: 'Reason', csv: 'reason', value: (h) => h.reason };
const incident: HoldColumn = {
  head: 'Incident',
  csv: 'incident',
  value: (h) => h.incidentId,
  show: (h) => (h.incidentId ? <a href={href.incident(h.incidentId)}>{h.incidentId}</a> : '—'),
};
const motors: HoldColumn = { head: 'Motors', csv: 'motors', value: (h) => h.counts.motors, num: true };
const held: HoldColumn = { head: 'Still held', csv: 'still held', value: (h) => h.counts.held, num: true };
const released: HoldColumn = { csv: 'released', value: (h) => h.counts.released };
const opened: HoldColumn = {
  head: 'Opened',
  csv: 'opened',
  value: (h) => h.opened.time,
  show: (h) => (
    <>
      {utc(h.opened.time)} <span class="muted">by {h.opened.by}</span>
    </>
  ),
};
const openedBy: HoldColumn = { csv: 'opened by', value: (h) => h.opened.by };
const releasedAt: HoldColumn = {
  head: 'Released',
  csv: 'released at',
  value: (h) => h.releasedAt?.time,
  show: (h) =>
    h.releasedAt ? (
      <>
        {utc(h.releasedAt.time)} <span class="muted">by {h.releasedAt.by}</span>
      </>
    ) : (
      '—'
    ),
};

/** The columns of a hold, by name. */
export const HOLD = { hold, status, reason, incident, motors, held, released, opened, openedBy, releasedAt };
