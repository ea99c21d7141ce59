// Pieces the analysis pages (investigation, common cause, flow) share: the page's criteria in its URL (a stable
// link for an 8D report), how numbers, shares and times read, the where-is-it groups of a forward trace with
// their words and colours, a pager, and a CSV button.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { download } from '../ui/csv.js';
import './a-analysis.css';

/** The page's query (a plain object) and a way to replace it, keeping the path. */
export function useQuery(): [Record<string, string>, (next: Record<string, string | undefined>) => void] {
  const { path, query, route } = useLocation();
  const set = (next: Record<string, string | undefined>) => {
    const qs = queryString(next);
    route(qs ? `${path}?${qs}` : path);
  };
  return [query, set];
}

/** `a=1&b=2` from an object, leaving out empty values. */
export function queryString(values: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v.trim() !== '') p.set(k, v.trim());
  return p.toString();
}

const INT = new Intl.NumberFormat('en-GB');
/** 2,011 */
export const int = (n: number) => INT.format(n);
/** 78 % (one decimal under 10 %). */
export const pct = (share: number) => {
  const p = share * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
};
/** A Fisher p-value as people write it: 0.032, 7.9e-19. */
export const pValue = (p: number) => (p >= 0.001 ? p.toPrecision(2) : p.toExponential(1));
/** 2026-09-17 13:17 UTC (with the seconds: 2026-09-17 13:17:05 UTC, for an "as of" that must be exact). */
export const utc = (iso: string | null | undefined, seconds = false) => {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : `${new Date(t)
        .toISOString()
        .slice(0, seconds ? 19 : 16)
        .replace('T', ' ')} UTC`;
};

/** Where a forward trace's motor is now, as the API groups them. */
export type LocationGroup =
  | 'AT_CLEON'
  | 'IN_TRANSIT'
  | 'IN_BUFFER'
  | 'INSTALLED'
  | 'VEHICLE_SHIPPED'
  | 'HELD';

/** Each group's words; the colour (class g-*) always comes with them, never alone. */
export const GROUPS: { group: LocationGroup; label: string; short: string; holdable: boolean }[] = [
  { group: 'AT_CLEON', label: 'At Cléon', short: 'Cléon', holdable: true },
  { group: 'IN_TRANSIT', label: 'In transit', short: 'Transit', holdable: true },
  { group: 'IN_BUFFER', label: 'In an assembly buffer', short: 'Buffer', holdable: true },
  { group: 'INSTALLED', label: 'Installed in a vehicle', short: 'Installed', holdable: false },
  { group: 'VEHICLE_SHIPPED', label: 'In a shipped vehicle', short: 'Shipped', holdable: false },
  { group: 'HELD', label: 'Held', short: 'Held', holdable: false },
];
export const groupLabel = (g: string) => GROUPS.find((x) => x.group === g)?.label ?? g;

/** Links to the explorer's pages. */
export const href = {
  motor: (serial: string) => `/trace/motors/${encodeURIComponent(serial)}`,
  vehicle: (vin: string) => `/trace/vehicles/${encodeURIComponent(vin)}`,
  shipment: (id: string) => `/trace/shipments/${encodeURIComponent(id)}`,
  lot: (component: string, lot: string) =>
    `/trace/lots/${encodeURIComponent(component)}/${encodeURIComponent(lot)}`,
  incident: (id: string) => `/trace/incidents/${encodeURIComponent(id)}`,
  hold: (id: string) => `/trace/holds?id=${encodeURIComponent(id)}`,
};

/** A button that downloads `rows()` (header first) as `filename`. */
export function CsvButton({
  filename,
  rows,
  label = 'Download CSV',
  disabled,
}: {
  filename: string;
  rows: () => string | Promise<string>;
  label?: string;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      class="csv"
      disabled={disabled}
      onClick={async () => download(filename, await rows())}
    >
      ⤓ {label}
    </button>
  );
}

/** Rows `from`–`to` of `total`, with previous / next. */
export function Pager({
  page,
  pageSize,
  total,
  onPage,
  what,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  what: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span aria-live="polite">
        {what} {int(from)}–{int(to)} of {int(total)} · page {page + 1} of {pages}
      </span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}

/** A section's heading with its count and its actions on the right. */
export function SectionHead({
  id,
  title,
  count,
  children,
}: {
  id: string;
  title: string;
  count?: number;
  children?: ComponentChildren;
}) {
  return (
    <div class="section-head">
      <h2 id={id}>
        {title}
        {count !== undefined && <span class={count > 0 ? 'count bad' : 'count ok'}>{int(count)}</span>}
      </h2>
      <div class="actions">{children}</div>
    </div>
  );
}

/** The file name of an export: `forward-trace-magnets-MAG-26-0075.csv`. */
export function fileName(...parts: string[]): string {
  return `${parts
    .filter((p) => p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
}

/** Copy this page's address (a stable link for an 8D report); says so for a moment. */
export function CopyLink({ url }: { url?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard.writeText(url ?? location.href);
        setCopied(true);
        setTimeout(() => setCopied(false), 2500);
      }}
    >
      {copied ? 'Link copied ✓' : 'Copy link'}
    </button>
  );
}
