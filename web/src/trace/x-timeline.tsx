// A timeline as a person reads it: each ledger entry with its business time, what happened in words, where
// and by whom, its key data (lots as links, EOL measurements with their units), its seq and a verified badge.
// A correction is drawn beside the entry it corrects (nothing in the ledger is edited; the reader must see
// both), and in its own place in time as a pointer to it. The same description feeds the CSV.
import { useEffect, useRef, useState } from 'preact/hooks';
import { VerifiedBadge } from '../audit/badge.js';
import type { Cell } from '../ui/csv.js';
import { type Entry, utc } from './x-data.js';
import { type Described, describe, type Fact, type Subject } from './x-describe.js';
import { CsvButton } from './x-parts.js';

/**
 * The verified badge, started when its entry comes near the screen: each badge fetches the entry, its proof
 * and a checkpoint, and a long timeline's badges all at once would hold up the next page's own calls.
 */
export function Verify({ seq }: { seq: number }) {
  const slot = useRef<HTMLSpanElement>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const el = slot.current;
    if (!el || near) return;
    if (typeof IntersectionObserver === 'undefined') {
      setNear(true);
      return;
    }
    const io = new IntersectionObserver((seen) => seen.some((s) => s.isIntersecting) && setNear(true), {
      rootMargin: '300px 0px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [near]);
  return (
    <span ref={slot} class="x-verify">
      {near ? <VerifiedBadge seq={seq} /> : <span class="badge neutral">not checked yet</span>}
    </span>
  );
}

function FactList({ facts, class: cls }: { facts: Fact[]; class: string }) {
  return (
    <dl class={cls}>
      {facts.map((f) => (
        <div key={`${f.label}:${f.text}`}>
          <dt>{f.label}</dt>
          <dd>
            {f.href ? (
              <a href={f.href}>{f.text}</a>
            ) : f.tone ? (
              <span class={`badge ${f.tone}`}>{f.text}</span>
            ) : (
              f.text
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function EntryBody({ e, d }: { e: Entry; d: Described }) {
  return (
    <>
      <h3 class={d.tone ? `x-title t-${d.tone}` : 'x-title'}>{d.title}</h3>
      <FactList facts={d.facts} class="x-facts" />
      {d.measures && d.measures.length > 0 && <FactList facts={d.measures} class="x-facts x-measures" />}
      <p class="x-by muted">
        by {e.actor.sub} ({e.actor.role}
        {e.actor.site ? `, ${e.actor.site}` : ''}) · recorded {utc(e.recorded)} · id <code>{e.id}</code>
      </p>
    </>
  );
}

/**
 * The timeline of one motor, vehicle or shipment, oldest first, with its CSV.
 * @example <Timeline entries={m.timeline} subject={{ serial }} filename="7DL-000101-timeline.csv" />
 */
export function Timeline({
  entries,
  subject,
  filename,
}: {
  entries: Entry[];
  subject: Subject;
  filename: string;
}) {
  const bySeq = new Set(entries.map((e) => e.seq));
  const correctionsOf = new Map<number, Entry[]>();
  for (const e of entries)
    if (e.type === 'correction') {
      const target = Number(e.data.targetSeq);
      if (bySeq.has(target)) correctionsOf.set(target, [...(correctionsOf.get(target) ?? []), e]);
    }
  const described = entries.map((e) => ({ e, d: describe(e, subject) }));
  const csv = (): Cell[][] => [
    ['seq', 'time', 'event', 'what', 'site', 'by', 'details', 'corrected by', 'leaf hash'],
    ...described.map(({ e, d }) => [
      e.seq,
      e.time,
      e.type,
      d.title,
      e.actor.site,
      e.actor.sub,
      [...d.facts, ...(d.measures ?? [])].map((f) => `${f.label}: ${f.text}`).join('; '),
      (correctionsOf.get(e.seq) ?? []).map((c) => `#${c.seq} ${String(c.data.reason)}`).join('; '),
      e.leafHash,
    ]),
  ];
  return (
    <section class="x-timeline" aria-labelledby="x-timeline-h">
      <div class="x-section-head">
        <h2 id="x-timeline-h">Timeline</h2>
        <span class="muted">
          {entries.length} entr{entries.length === 1 ? 'y' : 'ies'}, oldest first
        </span>
        <CsvButton filename={filename} rows={csv} what="the timeline" />
      </div>
      <ol class="x-entries">
        {described.map(({ e, d }) => {
          const corrections = correctionsOf.get(e.seq) ?? [];
          const pointer = e.type === 'correction' && bySeq.has(Number(e.data.targetSeq));
          return (
            <li
              key={e.seq}
              id={`seq-${e.seq}`}
              class={`x-entry${corrections.length > 0 ? ' corrected' : ''}${pointer ? ' pointer' : ''}`}
              data-type={e.type}
              data-entry-seq={e.seq}
            >
              <div class="x-when">
                <time dateTime={e.time}>{utc(e.time)}</time>
                <span class="x-seq">#{e.seq}</span>
                <Verify seq={e.seq} />
              </div>
              <div class="x-what">
                {pointer ? (
                  <p class="x-title t-pending">
                    Correction of{' '}
                    <a href={`#seq-${String(e.data.targetSeq)}`}>entry #{String(e.data.targetSeq)}</a>, shown
                    beside it: {String(e.data.reason)} <span class="muted">(by {e.actor.sub})</span>
                  </p>
                ) : (
                  <EntryBody e={e} d={d} />
                )}
              </div>
              {corrections.length > 0 && (
                <aside class="x-correction" aria-label={`Corrections of entry #${e.seq}`}>
                  {corrections.map((c) => (
                    <div key={c.seq} class="x-correction-item">
                      <p class="x-correction-head">
                        <span class="badge pending">Corrected</span> by entry{' '}
                        <a href={`#seq-${c.seq}`}>#{c.seq}</a> <Verify seq={c.seq} />
                      </p>
                      <p class="x-correction-why">{String(c.data.reason)}</p>
                      <p class="muted">
                        {utc(c.time)} by {c.actor.sub} ({c.actor.role})
                      </p>
                    </div>
                  ))}
                </aside>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
