// Small parts every explorer page uses: the CSV button under a table of figures, the pager whose cursor sits
// in the URL (so page 3 of a list is a link too), and the loading / failed / not-found states in words.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api.js';
import { type Cell, download, toCsv } from '../ui/csv.js';
import { ProblemBox } from '../ui/problem.js';
import { type Loaded, queryString } from './x-data.js';

/** A "CSV" button: downloads `rows()` (the header first), exactly the figures on screen. */
export function CsvButton({
  filename,
  rows,
  label = 'CSV',
  what,
}: {
  filename: string;
  rows: () => readonly (readonly Cell[])[];
  label?: string;
  /** What the file holds, for a screen reader ("the 12 motors on this page"). */
  what?: string;
}) {
  return (
    <button
      type="button"
      class="x-csv"
      aria-label={what ? `${label}: download ${what}` : undefined}
      onClick={() => download(filename, toCsv(rows()))}
    >
      ⤓ {label}
    </button>
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
