// Common cause (/trace/common-cause): paste or upload the failing VINs (or motor serials) → every attribute
// value their motors share, ranked as POST /v1/analysis/common-cause ranks them (Fisher exact p first), drawn
// as bars of lift with support and p-value in words, against the population the answer names. Each value links
// to the investigation of everything that shares it.
//
// A field report's list does not fit a URL: the last analysis is kept in this tab (sessionStorage), and the URL
// carries the list (a link to paste into an 8D report) only while it stays short.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isVin } from '../../../src/core/domain/catalog.js';
import { api } from '../api.js';
import { toCsv } from '../ui/csv.js';
import { ProblemBox } from '../ui/problem.js';
import { CopyLink, fileName, pct, pValue, useQuery } from './a-shared.js';
import { investigateHref } from './a-trace.js';
import { href, int } from './x-data.js';
import { CsvButton, LinkList } from './x-parts.js';

interface SharedValue {
  attribute: string;
  label: string;
  value: string;
  failures: number;
  support: number;
  population: number;
  populationShare: number;
  lift: number;
  pValue: number;
}

interface CommonCause {
  asOfSeq: number;
  failingMotors: string[];
  populationSize: number;
  shared: SharedValue[];
}

interface Analysis {
  vins: string[];
  serials: string[];
  answer: CommonCause;
  at: string;
}

const STORE = 'motor-ledger.common-cause';
/** Past this length the list is not put in the URL (browsers and mail clients cut long links). */
const MAX_LINK = 1800;
const SERIAL = /^[A-Z0-9][A-Z0-9-]{3,39}$/;

/** The VINs and serials in a pasted or uploaded text (any separator; a CSV's header and other cells are skipped). */
export function parseUnits(text: string): { vins: string[]; serials: string[]; ignored: string[] } {
  const vins = new Set<string>();
  const serials = new Set<string>();
  const ignored: string[] = [];
  for (const raw of text.split(/[\s,;"'\t]+/)) {
    const t = raw.trim().toUpperCase();
    if (t === '') continue;
    if (isVin(t)) vins.add(t);
    // A serial has letters, digits and a dash (7DL-000123); a date (2026-09-30) or a count is not one.
    else if (SERIAL.test(t) && /\d/.test(t) && /[A-Z]/.test(t) && t.includes('-')) serials.add(t);
    else ignored.push(raw.trim());
  }
  return { vins: [...vins], serials: [...serials], ignored };
}

function linkQuery(vins: string[], serials: string[]): string | null {
  const p = new URLSearchParams();
  if (vins.length) p.set('vins', vins.join(','));
  if (serials.length) p.set('serials', serials.join(','));
  const qs = p.toString();
  return qs.length <= MAX_LINK ? qs : null;
}

function loadStored(): Analysis | null {
  try {
    const s = sessionStorage.getItem(STORE);
    return s ? (JSON.parse(s) as Analysis) : null;
  } catch {
    return null;
  }
}

type Order = 'evidence' | 'lift' | 'support';

export default function CommonCausePage() {
  const [query, setQuery] = useQuery();
  const fromUrl = (query.vins ?? query.serials) !== undefined;
  const stored = useMemo(loadStored, []);
  const [text, setText] = useState(() =>
    fromUrl
      ? [...(query.vins?.split(',') ?? []), ...(query.serials?.split(',') ?? [])].join('\n')
      : stored
        ? [...stored.vins, ...stored.serials].join('\n')
        : '',
  );
  const [analysis, setAnalysis] = useState<Analysis | null>(fromUrl ? null : stored);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [order, setOrder] = useState<Order>('evidence');
  const [limit, setLimit] = useState(20);
  const units = useMemo(() => parseUnits(text), [text]);

  const run = async (vins: string[], serials: string[]) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<CommonCause>('/v1/analysis/common-cause', {
        body: { ...(vins.length ? { vins } : {}), ...(serials.length ? { serials } : {}), limit: 50 },
        timeoutMs: 60_000,
      });
      const a: Analysis = { vins, serials, answer, at: new Date().toISOString() };
      setAnalysis(a);
      try {
        sessionStorage.setItem(STORE, JSON.stringify(a));
      } catch {
        // A full sessionStorage only loses the restore after a reload.
      }
      const qs = linkQuery(vins, serials);
      if (qs !== (new URLSearchParams(query).toString() || null))
        setQuery(qs ? Object.fromEntries(new URLSearchParams(qs)) : {});
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // Opened from a link with the list in it: analyse at once (unless this tab already has that very analysis).
  useEffect(() => {
    if (!fromUrl) return;
    const vins = query.vins?.split(',').filter(Boolean) ?? [];
    const serials = query.serials?.split(',').filter(Boolean) ?? [];
    const same =
      stored && stored.vins.join(',') === vins.join(',') && stored.serials.join(',') === serials.join(',');
    if (same) setAnalysis(stored);
    else void run(vins, serials);
  }, []);

  const link = analysis ? linkQuery(analysis.vins, analysis.serials) : null;

  return (
    <div class="analysis">
      <h1>Common cause</h1>
      <p class="lead">
        Paste or upload the VINs (or motor serials) that failed: every attribute value their motors share,
        ranked by how unlikely the sharing is by chance.
      </p>
      <form
        class="card"
        aria-label="Failing units"
        onSubmit={(e) => {
          e.preventDefault();
          void run(units.vins, units.serials);
        }}
      >
        <div class="drop">
          <div class="field">
            <label for="units">Failing VINs or motor serials</label>
            <textarea
              id="units"
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
              aria-describedby="units-read"
              placeholder={'VF1RJAEV2TU000124\nVFAA290E9TD000542\n…'}
              spellcheck={false}
            />
            <span class="hint" id="units-read" aria-live="polite">
              Read: {int(units.vins.length)} VINs, {int(units.serials.length)} serials
              {units.ignored.length > 0 &&
                ` · not a VIN or serial, left out: ${units.ignored.slice(0, 5).join(', ')}${units.ignored.length > 5 ? ` and ${units.ignored.length - 5} more` : ''}`}
            </span>
          </div>
          <div>
            <div class="field">
              <label for="units-file">Or upload a file (CSV or text)</label>
              <input
                id="units-file"
                type="file"
                accept=".csv,.txt,text/csv,text/plain"
                onChange={async (e) => {
                  const file = e.currentTarget.files?.[0];
                  if (!file) return;
                  const content = await file.text();
                  setText((t) => (t.trim() ? `${t.trim()}\n${content}` : content));
                  e.currentTarget.value = '';
                }}
              />
              <span class="hint">Any column layout: the VINs and serials in it are picked out.</span>
            </div>
            <div class="form-actions">
              <button
                type="submit"
                class="primary"
                disabled={busy || units.vins.length + units.serials.length === 0}
              >
                {busy ? 'Comparing…' : 'Find the common cause'}
              </button>
              <button type="button" onClick={() => setText('')}>
                Clear
              </button>
            </div>
          </div>
        </div>
      </form>
      <ProblemBox error={error} />
      {analysis && (
        <Result
          analysis={analysis}
          order={order}
          setOrder={setOrder}
          limit={limit}
          setLimit={setLimit}
          link={link}
        />
      )}
    </div>
  );
}

function Result({
  analysis,
  order,
  setOrder,
  limit,
  setLimit,
  link,
}: {
  analysis: Analysis;
  order: Order;
  setOrder: (o: Order) => void;
  limit: number;
  setLimit: (n: number) => void;
  link: string | null;
}) {
  const a = analysis.answer;
  const n = a.failingMotors.length;
  const sorted = [...a.shared];
  if (order === 'lift') sorted.sort((x, y) => y.lift - x.lift || x.pValue - y.pValue);
  if (order === 'support') sorted.sort((x, y) => y.failures - x.failures || x.pValue - y.pValue);
  const shown = sorted.slice(0, limit);
  const units = `${int(analysis.vins.length)} VIN${analysis.vins.length === 1 ? '' : 's'}${analysis.serials.length ? ` and ${int(analysis.serials.length)} serials` : ''}`;

  const csv = () =>
    toCsv([
      [
        'rank',
        'attribute',
        'label',
        'value',
        'failing_with_value',
        'failing_motors',
        'support',
        'population_with_value',
        'population_size',
        'population_share',
        'lift',
        'p_value',
        'as_of_seq',
      ],
      ...a.shared.map((s, i) => [
        i + 1,
        s.attribute,
        s.label,
        s.value,
        s.failures,
        n,
        s.support,
        s.population,
        a.populationSize,
        s.populationShare,
        s.lift,
        s.pValue,
        a.asOfSeq,
      ]),
    ]);

  return (
    <section class="card" aria-labelledby="cc-title">
      <div class="section-head">
        <h2 id="cc-title">What the failing motors share</h2>
        <div class="actions">
          <CsvButton filename={fileName('common-cause', `seq${a.asOfSeq}`)} rows={csv} label="Download CSV" />
          {link ? <CopyLink url={`${location.origin}/trace/common-cause?${link}`} /> : null}
        </div>
      </div>
      <p data-testid="population">
        <strong>{int(n)}</strong> failing motors (in {units}) against a population of{' '}
        <strong>{int(a.populationSize)}</strong> motors in the ledger at seq {int(a.asOfSeq)}. A value shared
        by at least 2 failing motors is listed.
        {!link && (
          <>
            {' '}
            This list is too long for a link: the analysis stays in this tab; download the CSV for a report.
          </>
        )}
      </p>
      <details>
        <summary>The {int(n)} failing motors</summary>
        <p class="serial-list">
          <LinkList items={a.failingMotors} to={href.motor} />
        </p>
      </details>
      <div class="form-actions">
        <label for="cc-order">Order by</label>
        <select id="cc-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as Order)}>
          <option value="evidence">evidence (Fisher p, smallest first)</option>
          <option value="lift">lift</option>
          <option value="support">failing motors with it</option>
        </select>
        <label for="cc-limit">Show</label>
        <select id="cc-limit" value={limit} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
          {[10, 20, 50].map((v) => (
            <option key={v} value={v}>
              top {v}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <p>No value is shared by two failing motors or more: nothing in common to rank.</p>
      ) : (
        <ol class="causes" aria-label="Shared values, ranked">
          <li class="cause cause-head" aria-hidden="true">
            <span />
            <span>Shared value</span>
            <span>
              <span class="key fail" /> failing motors with it · <span class="key pop" /> the population ·
              lift = their ratio
            </span>
            <span>Support and p-value</span>
          </li>
          {shown.map((s, i) => (
            <Cause key={`${s.attribute}=${s.value}`} s={s} rank={i + 1} n={n} total={a.populationSize} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Cause({ s, rank, n, total }: { s: SharedValue; rank: number; n: number; total: number }) {
  const investigate = investigateHref(s.attribute, s.value);
  const lot = s.attribute.startsWith('lot:') ? s.attribute.slice(4) : null;
  const w = (share: number) => `${Math.max(0.4, share * 100)}%`;
  return (
    <li class={rank === 1 ? 'cause top' : 'cause'} data-rank={rank}>
      <span class="rank">{rank}</span>
      <span class="what">
        <span class="muted">{s.label}</span>
        <strong class="mono">{lot ? <a href={href.lot(lot, s.value)}>{s.value}</a> : s.value}</strong>
        {investigate ? (
          <a href={investigate}>Investigate everything with it →</a>
        ) : (
          <small class="muted">no forward trace for this attribute</small>
        )}
      </span>
      <span class="bar">
        <svg
          role="img"
          aria-label={`${pct(s.support)} of the failing motors against ${pct(s.populationShare)} of the population: lift ${s.lift.toFixed(1)}`}
        >
          <rect x="0" y="1" height="26" width="100%" fill="#eef1f4" />
          <rect x="0" y="3" height="12" width={w(s.support)} fill="#a4161a" />
          <rect x="0" y="18" height="7" width={w(s.populationShare)} fill="#4a5866" />
        </svg>
        <span class="lift">
          <strong>× {s.lift.toFixed(1)}</strong> lift
          {s.pValue >= 0.05 ? ' · could be chance' : ''}
        </span>
      </span>
      <span class="stats">
        <strong>
          {int(s.failures)}/{int(n)}
        </strong>{' '}
        failing ({pct(s.support)}) vs {pct(s.populationShare)} of the population ({int(s.population)} of{' '}
        {int(total)})
        <br />
        <span class="p">p = {pValue(s.pValue)}</span>
      </span>
    </li>
  );
}
