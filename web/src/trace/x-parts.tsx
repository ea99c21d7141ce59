// Small parts every explorer page uses: a table and its CSV from one list of columns, the CSV button, the pager
// whose cursor sits in the URL (so page 3 of a list is a link too), and the loading / failed / not-found states
// in words.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api.js';
import { type Cell, download, toCsv } from '../ui/csv.js';
import { ProblemBox } from '../ui/problem.js';
import { href, int, type ListPage, type Loaded, queryString } from './x-data.js';

/**
 * A "CSV" button: downloads `rows()`, exactly the figures on screen (the header first), or the CSV text the
 * API made (a whole trace, fetched when asked for).
 */
export function CsvButton({
  filename,
  rows,
  label = 'CSV',
  what,
  disabled,
}: {
  filename: string;
  rows: () => readonly (readonly Cell[])[] | string | Promise<string>;
  label?: string;
  /** What the file holds, for a screen reader ("the 12 motors on this page"). */
  what?: string;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      class="x-csv"
      disabled={disabled}
      aria-label={what ? `${label}: download ${what}` : undefined}
      onClick={async () => {
        const r = await rows();
        download(filename, typeof r === 'string' ? r : toCsv(r));
      }}
    >
      ⤓ {label}
    </button>
  );
}

/**
 * One column of a table of figures: its header on screen and in the CSV (either may be absent: a column of one
 * only), the figure the CSV holds, and how the page shows it (the figure itself unless said otherwise; a number
 * with its thousands separator, aligned right).
 */
export interface Column<T> {
  head?: string;
  csv?: string;
  value: (row: T) => Cell;
  show?: (row: T) => ComponentChildren;
  num?: boolean;
  mono?: boolean;
}

/** A column of motor serials (`serial` in the CSV), each a link to the motor's page. */
export function motorColumn<T>(serial: (row: T) => string, head = 'Motor'): Column<T> {
  return {
    head,
    csv: 'serial',
    value: serial,
    show: (r) => (
      <a class="mono" href={href.motor(serial(r))}>
        {serial(r)}
      </a>
    ),
  };
}

/** The CSV of `rows` by `columns` (the header first): what `DataTable` shows, the figures as they are. */
export function csvOf<T>(columns: readonly Column<T>[], rows: readonly T[]): Cell[][] {
  const inCsv = columns.filter((c) => c.csv !== undefined);
  return [inCsv.map((c) => c.csv), ...rows.map((r) => inCsv.map((c) => c.value(r)))];
}

/**
 * A table of `rows` by `columns`; `current` marks the row the page is about (aria-current), `describedBy` names
 * the heading that says what the table holds.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  current,
  describedBy,
  wide,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  current?: (row: T) => boolean;
  describedBy?: string;
  /** Many columns (class `wide`): the page lets it scroll sideways rather than wrap. */
  wide?: boolean;
}) {
  const onScreen = columns.filter((c) => c.head !== undefined);
  const shown = (c: Column<T>, r: T) => {
    if (c.show) return c.show(r);
    const v = c.value(r);
    return c.num && typeof v === 'number' ? int(v) : v;
  };
  return (
    <table class={wide ? 'data wide' : 'data'} aria-describedby={describedBy}>
      <thead>
        <tr>
          {onScreen.map((c) => (
            <th key={c.head} scope="col" class={c.num ? 'num' : undefined}>
              {c.head}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)} aria-current={current?.(r) ? 'true' : undefined}>
            {onScreen.map((c) => (
              <td key={c.head} class={c.num ? 'num' : c.mono ? 'mono' : undefined}>
                {shown(c, r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One page of a list the API pages with a cursor: how many it holds (or that none matches), its CSV, its table
 * and the pager.
 */
export function ListSection<T>({
  label,
  noun,
  none,
  filename,
  page,
  columns,
  rowKey,
  current,
}: {
  label: string;
  /** One of the things listed ("hold"); an s is added for more. */
  noun: string;
  /** What to say when the page is empty. */
  none: string;
  filename: string;
  page: ListPage<T>;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  current?: (row: T) => boolean;
}) {
  const n = page.items.length;
  return (
    <section aria-label={label}>
      <div class="x-section-head">
        <span class="muted" role="status">
          {n === 0 ? none : `${n} ${noun}${n === 1 ? '' : 's'} on this page`}
        </span>
        {n > 0 && (
          <CsvButton
            filename={filename}
            rows={() => csvOf(columns, page.items)}
            what={`the ${noun}s on this page`}
          />
        )}
      </div>
      {n > 0 && <DataTable rows={page.items} columns={columns} rowKey={rowKey} current={current} />}
      <Pager next={page.next} />
    </section>
  );
}

/** Serials or ids, each a link to its page, separated by commas: `<LinkList items={serials} to={href.motor} />`. */
export function LinkList({ items, to }: { items: readonly string[]; to: (item: string) => string }) {
  return (
    <>
      {items.map((x, i) => (
        <span key={x}>
          {i > 0 && ', '}
          <a href={to(x)}>{x}</a>
        </span>
      ))}
    </>
  );
}

/** "Next page" and "First page" links that keep the page's other criteria; the cursor is in the URL. */
export function Pager({ next, param = 'cursor' }: { next: string | null; param?: string }) {
  const { path, query } = useLocation();
  const at = (cursor: string | undefined) => {
    const qs = queryString({ ...query, [param]: cursor });
    return qs ? `${path}?${qs}` : path;
  };
  if (!next && !query[param]) return null;
  return (
    <nav class="x-pager" aria-label="Pages">
      {query[param] && <a href={at(undefined)}>« First page</a>}
      {next ? <a href={at(next)}>Next page »</a> : <span class="muted">Last page</span>}
    </nav>
  );
}

/** Render `children(data)` once loaded; a sentence while loading; the server's problem when it failed. */
export function Load<T>({
  loaded,
  children,
  notFound,
  what = 'Loading',
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
  /** What to say on a 404 instead of the bare problem. */
  notFound?: ComponentChildren;
  what?: string;
}) {
  if (loaded.state === 'loading')
    return (
      <p class="muted x-loading" aria-live="polite">
        {what}…
      </p>
    );
  if (loaded.state === 'failed') {
    if (notFound && loaded.error instanceof ApiError && loaded.error.status === 404)
      return (
        <div class="card x-notfound" role="status">
          {notFound}
          <p class="muted">{loaded.error.problem.detail}</p>
        </div>
      );
    return <ProblemBox error={loaded.error} />;
  }
  return <>{children(loaded.data)}</>;
}
