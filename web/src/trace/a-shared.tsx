// Pieces the analysis pages (investigation, common cause, flow) share: the page's criteria in its URL (a stable
// link for an 8D report), how shares and p-values read, and a pager over a list held in memory. Times, counts,
// links, the where-is-it groups' words and the CSV button are the explorer's own (x-data.ts, x-parts.tsx).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { int, queryString } from './x-data.js';
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

/** 78 % (one decimal under 10 %). */
export const pct = (share: number) => {
  const p = share * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
};
/** A Fisher p-value as people write it: 0.032, 7.9e-19. */
export const pValue = (p: number) => (p >= 0.001 ? p.toPrecision(2) : p.toExponential(1));

/**
 * Rows `from`–`to` of `total`, with previous / next: for a list the page already holds (the cursor-paged lists
 * of the API use x-parts' `Pager`, whose cursor is in the URL).
 */
export function ListPager({
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
