// Investigation (/trace/investigate): from a lot, a station, a shift, a production window, a truck… to every
// motor that shares it, drawn as the blast radius (where each one is now), listed with its VIN, exported as
// CSV, and contained in one call ("hold all not yet installed"). The criteria live in the URL, so the page is a
// link for an 8D report; opened with criteria, it traces at once.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiText } from '../api.js';
import { ProblemBox } from '../ui/problem.js';
import { HoldPanel } from './a-hold.js';
import { BlastRadius } from './a-radius.js';
import { CopyLink, fileName, ListPager, useQuery } from './a-shared.js';
import { CRITERIA_KEYS, describeFilter, filterOf, SIMPLE, type Trace, traceAll } from './a-trace.js';
import { GROUPS, groupLabel, int, type LocationGroup, type TracedMotor, utc } from './x-data.js';
import { CsvButton, DataTable } from './x-parts.js';
import { tracedColumns } from './x-traced.js';

const PAGE_SIZE = 50;
const COMPONENTS = ['magnets', 'rotor', 'stator', 'bearing', 'inverter'];

export default function InvestigatePage() {
  const [query, setQuery] = useQuery();
  const filter = useMemo(() => filterOf(query), [query]);
  const asOf = query.asOf?.trim() || undefined;
  const where = (GROUPS.find((g) => g.group === query.where)?.group ?? null) as LocationGroup | null;
  const key = filter ? JSON.stringify([filter, asOf]) : '';

  // The trace with the criteria it answers: a trace for other criteria is never shown under these ones.
  const [answer, setAnswer] = useState<{ key: string; trace: Trace } | null>(null);
  const trace = answer && answer.key === key ? answer.trace : null;
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const [page, setPage] = useState(0);
  // With criteria the page leads with the answer; the form opens on demand.
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    if (!filter) {
      setAnswer(null);
      setError(null);
      return;
    }
    const ctl = { cancelled: false };
    setLoading(true);
    setError(null);
    traceAll(filter, asOf)
      .then((t) => {
        if (ctl.cancelled) return;
        setAnswer({ key, trace: t });
      })
      .catch((e) => {
        if (ctl.cancelled) return;
        setError(e);
        setAnswer(null);
      })
      .finally(() => !ctl.cancelled && setLoading(false));
    return () => {
      ctl.cancelled = true;
    };
    // The criteria's text is the dependency: a new object with the same criteria does not trace again.
  }, [key, reload]);

  useEffect(() => setPage(0), [key, where]);

  const rows = useMemo(
    () => (trace ? (where ? trace.items.filter((m) => m.group === where) : trace.items) : []),
    [trace, where],
  );
  const vehicles = useMemo(() => {
    const all = new Set<string>();
    const by: Partial<Record<LocationGroup, Set<string>>> = {};
    for (const m of trace?.items ?? []) {
      if (!m.vin) continue;
      all.add(m.vin);
      const set = by[m.group] ?? new Set<string>();
      set.add(m.vin);
      by[m.group] = set;
    }
    return {
      total: all.size,
      byGroup: Object.fromEntries(Object.entries(by).map(([g, set]) => [g, set.size])) as Partial<
        Record<LocationGroup, number>
      >,
    };
  }, [trace]);
  const described = filter ? describeFilter(filter) : '';

  return (
    <div class="analysis">
      <h1>Investigation</h1>
      <p class="lead">
        Start from a lot, a station, a shift, a production window or a truck: every motor that shares it,
        where it is now, and one call to hold the ones not yet installed.
      </p>
      {filter && !editing ? (
        <div class="card criteria-line">
          <span class="what">
            Traced: <strong>{described}</strong>
            {asOf ? ` · as of ${utc(asOf, true)}` : ''}
          </span>
          <button type="button" onClick={() => setEditing(true)}>
            Change criteria
          </button>
          <CopyLink />
          <button
            type="button"
            onClick={() => {
              setQuery({});
              setEditing(true);
            }}
          >
            New investigation
          </button>
        </div>
      ) : (
        <CriteriaForm
          query={query}
          onSubmit={(values) => {
            setQuery(values);
            setEditing(false);
          }}
          onClear={() => setQuery({})}
          loading={loading}
          focus={editing}
        />
      )}
      <ProblemBox error={error} />
      {!filter && !error && (
        <p class="muted">
          Give at least one criterion. A common-cause analysis links here with its criteria filled in.
        </p>
      )}
      {loading && !trace && (
        <p role="status" aria-live="polite">
          Tracing {described}…
        </p>
      )}
      {trace && filter && (
        <>
          <section class="card" aria-labelledby="radius-title">
            <div class="section-head">
              <h2 id="radius-title" data-testid="trace-total">
                {int(trace.total)} motors with {described}
              </h2>
              <div class="actions">
                <CsvButton
                  label={`CSV of all ${int(trace.total)} motors`}
                  filename={fileName('forward-trace', described, `seq${trace.asOfSeq}`)}
                  rows={() =>
                    apiText('/v1/trace/forward?format=csv', {
                      body: { filter, asOfSeq: trace.asOfSeq },
                      timeoutMs: 60_000,
                    })
                  }
                />
              </div>
            </div>
            <p class="muted">
              {asOf ? `As the ledger stood at ${utc(asOf, true)}` : 'Now'} (ledger seq {int(trace.asOfSeq)}) ·
              in {int(vehicles.total)} vehicles{loading ? ' · updating…' : ''}
            </p>
            {trace.total > 0 && (
              <BlastRadius
                groups={trace.groups}
                vehicles={vehicles.byGroup}
                total={trace.total}
                selected={where}
                onSelect={(g) => setQuery({ ...query, where: g ?? undefined })}
              />
            )}
          </section>

          <HoldPanel
            filter={filter}
            trace={trace}
            described={described}
            asOf={asOf}
            onHeld={() => setReload((n) => n + 1)}
          />

          <section aria-labelledby="motors-title">
            <div class="section-head">
              <h2 id="motors-title">Motors and vehicles</h2>
              {where && (
                <div class="filter-note">
                  <span>
                    Showing <strong>{groupLabel(where)}</strong> only
                  </span>
                  <button type="button" onClick={() => setQuery({ ...query, where: undefined })}>
                    Show all {int(trace.total)}
                  </button>
                </div>
              )}
            </div>
            <MotorTable rows={rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)} />
            <ListPager page={page} pageSize={PAGE_SIZE} total={rows.length} onPage={setPage} what="Motors" />
          </section>
        </>
      )}
    </div>
  );
}

/** The investigation's motors: where each one is now in the blast radius' colours. */
const MOTOR_COLUMNS = tracedColumns((m) => (
  <>
    <span class={`swatch-inline g-${m.group}`} aria-hidden="true" /> {groupLabel(m.group)}
    {m.status.includes("another brand's") && <small> (another brand's vehicle)</small>}
  </>
));

function MotorTable({ rows }: { rows: TracedMotor[] }) {
  return (
    <div class="table-wrap">
      <DataTable
        rows={rows}
        columns={MOTOR_COLUMNS}
        rowKey={(m) => m.serial}
        describedBy="motors-title"
        wide
      />
    </div>
  );
}

/** `2026-09-10T08:00:00Z` ↔ the `2026-09-10T08:00:00` a datetime-local input holds (the page works in UTC). */
const toInput = (iso: string | undefined) =>
  iso
    ? iso
        .replace(/Z$/, '')
        .replace(/\.\d+$/, '')
        .slice(0, 19)
    : '';
const fromInput = (v: string) => (v ? `${v.length === 16 ? `${v}:00` : v}Z` : '');

function CriteriaForm({
  query,
  onSubmit,
  onClear,
  loading,
  focus,
}: {
  query: Record<string, string>;
  onSubmit: (values: Record<string, string>) => void;
  onClear: () => void;
  loading: boolean;
  /** Put the cursor in the first field (the person asked to change the criteria). */
  focus: boolean;
}) {
  const [draft, setDraft] = useState<Record<string, string>>(query);
  useEffect(() => setDraft(query), [JSON.stringify(query)]);
  const set = (k: string) => (e: Event) =>
    setDraft((d) => ({ ...d, [k]: (e.currentTarget as HTMLInputElement).value }));
  const [invalid, setInvalid] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focus) first.current?.focus();
  }, []);
  const primary = ['line', 'station', 'shift', 'shipment', 'truck'];
  const more = SIMPLE.filter((s) => !primary.includes(s.key));
  const moreOpen = [...more.map((s) => s.key), 'measure', 'asOf'].some((k) => draft[k]);

  const field = (k: string, label: string, hint: string, extra: Record<string, unknown> = {}) => (
    <div class="field" key={k}>
      <label for={`c-${k}`}>{label}</label>
      <input
        id={`c-${k}`}
        value={draft[k] ?? ''}
        onInput={set(k)}
        aria-describedby={hint ? `h-${k}` : undefined}
        {...extra}
      />
      {hint && (
        <span class="hint" id={`h-${k}`}>
          {hint}
        </span>
      )}
    </div>
  );
  const when = (k: string, label: string) => (
    <div class="field" key={k}>
      <label for={`c-${k}`}>{label}</label>
      <input
        id={`c-${k}`}
        type="datetime-local"
        step="1"
        value={toInput(draft[k])}
        onInput={(e) => setDraft((d) => ({ ...d, [k]: fromInput(e.currentTarget.value) }))}
      />
      <span class="hint">UTC</span>
    </div>
  );

  return (
    <form
      class="card"
      aria-label="What to trace"
      onSubmit={(e) => {
        e.preventDefault();
        const values = Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim() !== ''));
        if ((values.component && !values.lot) || (!values.component && values.lot)) {
          setInvalid('A lot needs its component (magnets, rotor…) and the lot number.');
          return;
        }
        if (!CRITERIA_KEYS.some((k) => values[k])) {
          setInvalid(
            'Give at least one criterion: a lot, a line, a station, a shift, a window, a shipment or a truck.',
          );
          return;
        }
        setInvalid(null);
        onSubmit({ ...values, where: '' });
      }}
    >
      <div class="criteria">
        <div class="field">
          <label for="c-component">Component</label>
          <input
            id="c-component"
            ref={first}
            list="components"
            value={draft.component ?? ''}
            onInput={set('component')}
            aria-describedby="h-component"
          />
          <datalist id="components">
            {COMPONENTS.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <span class="hint" id="h-component">
            magnets, rotor, stator, bearing, inverter
          </span>
        </div>
        {field('lot', 'Lot', 'e.g. MAG-26-0075', { class: 'mono' })}
        {SIMPLE.filter((s) => primary.includes(s.key)).map((s) => field(s.key, s.label, s.hint))}
        {when('from', 'Produced from')}
        {when('to', 'Produced until')}
      </div>
      <details class="more" open={moreOpen}>
        <summary>More criteria and “as of”</summary>
        <div class="criteria">
          {more.map((s) => field(s.key, s.label, s.hint))}
          {field('measure', 'EOL measurement', 'e.g. noiseDb')}
          {field('min', 'at least', '', { type: 'number', step: 'any' })}
          {field('max', 'at most', '', { type: 'number', step: 'any' })}
          {when('asOf', 'As of (what the ledger knew then)')}
        </div>
      </details>
      {invalid && (
        <p class="problem" role="alert">
          {invalid}
        </p>
      )}
      <div class="form-actions">
        <button type="submit" class="primary" aria-busy={loading}>
          {loading ? 'Tracing…' : 'Trace forward'}
        </button>
        <button type="button" onClick={onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}
