// The buffer of the station's site as a pick list: the motors of the type the next slot takes, oldest received
// first (first in, first out) with how long each has waited; the oldest is the next pick. A tap (or Enter)
// installs a motor in the next slot, exactly as scanning its label would. Held motors are listed apart, marked
// "on hold — do not install", never offered. A count per motor type above; another type can be looked at.
import { useEffect, useState } from 'preact/hooks';
import { OfflineError } from '../api.js';
import { ProblemBox } from '../ui/problem.js';
import {
  type BufferMotor,
  PICK_PAGE,
  receivedAt,
  useBufferList,
  useBufferSummary,
  waited,
} from './buffer-data.js';
import { type SlotView, slotWords } from './build-sheet.js';
import type { Catalog } from './station-data.js';

export function PickList(props: {
  site: string;
  catalog: Catalog;
  /** The motor types the VIN's model takes, in slot order. */
  modelTypes: string[];
  /** The slot the next motor goes into (null: none to fill). */
  need: SlotView | null;
  /** The first empty slot taking each motor type. */
  emptyByType: Record<string, string>;
  /** Changes after each install or removal: the buffer is read again. */
  refresh: number;
  /** No pick while an install is on its way, the vehicle has shipped, or a removal is being asked. */
  disabled: boolean;
  onPick: (serial: string) => void;
  onChooseSlot: (slot: string) => void;
}) {
  const { need } = props;
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => setChosen(null), [need?.type, need?.slot]);
  const { summary, error: summaryError } = useBufferSummary(props.site, props.refresh);
  const type = chosen ?? need?.type ?? props.modelTypes[0] ?? null;
  const list = useBufferList(props.site, type, props.refresh);
  const now = Date.now();

  const types = [...new Set([...props.modelTypes, ...Object.keys(summary?.counts ?? {})])];
  const pickable = need !== null && type === need.type && !props.disabled;
  const ready = list.items.filter((m) => m.holds.length === 0);
  const heldHere = new Map<string, BufferMotor>();
  for (const m of summary?.held ?? []) if (m.motorType === type) heldHere.set(m.serial, m);
  for (const m of list.items) if (m.holds.length > 0) heldHere.set(m.serial, m);
  const held = [...heldHere.values()].sort((a, b) => a.received.seq - b.received.seq);
  const count = type ? summary?.counts[type] : undefined;
  const error = list.error ?? summaryError;
  const slotFor = type ? props.emptyByType[type] : undefined;
  const typeName = (t: string) => props.catalog.motorTypes?.[t]?.name ?? t;

  return (
    <section class="picklist" aria-labelledby="picklist-title" data-type={type ?? undefined}>
      <h2 id="picklist-title">
        Buffer · {props.site} <span class="muted">oldest first</span>
      </h2>
      <fieldset class="pick-types">
        <legend class="visually-hidden">Motor type to list</legend>
        {types.map((t) => {
          const c = summary?.counts[t];
          return (
            <button
              key={t}
              type="button"
              class="pick-type"
              aria-pressed={t === type}
              data-type={t}
              title={typeName(t)}
              onClick={() => setChosen(t === need?.type ? null : t)}
            >
              <span class="pick-type-code">{t}</span>
              <span class="pick-type-count" data-testid={`count-${t}`}>
                {c ? c.ready : summary ? 0 : '…'}
              </span>
              <span class="pick-type-words">
                ready{c && c.held > 0 ? <span class="pick-type-held"> · {c.held} held</span> : null}
              </span>
            </button>
          );
        })}
      </fieldset>

      {type && (
        <p class="pick-for">
          {need && type === need.type ? (
            <>
              For <strong>{slotWords(need.slot).toLowerCase()}</strong>: a {type}. Take the oldest first; tap
              one to install it.
            </>
          ) : need && slotFor ? (
            <>
              The next slot takes a {need.type}.{' '}
              <button type="button" class="hh-small" onClick={() => props.onChooseSlot(slotFor)}>
                Fill {slotWords(slotFor).toLowerCase()} next
              </button>
            </>
          ) : need ? (
            <>
              No empty slot of this VIN takes a {type}: listed to look at, not to pick (the next slot takes a{' '}
              {need.type}).
            </>
          ) : (
            <>No slot to fill: listed to look at.</>
          )}
        </p>
      )}

      {error !== null &&
        (error instanceof OfflineError ? (
          <p class="problem" role="status">
            No network: the buffer below may be out of date.
          </p>
        ) : (
          <ProblemBox error={error} />
        ))}

      {type && (
        <>
          <HeldMotors held={held} now={now} />
          <ol class="pick-rows" aria-label={`${type} motors ready to install, oldest first`}>
            {ready.map((m, i) => {
              const first = i === 0 && type === need?.type;
              const body = (
                <>
                  <span class="pick-serial mono">
                    {m.serial}
                    {first && <span class="pick-next-tag">Next pick</span>}
                  </span>
                  <span class="pick-meta">
                    <span class="pick-wait">
                      waiting <strong>{waited(m.received.time, now)}</strong>
                    </span>{' '}
                    · <span class="nw">in since {receivedAt(m.received.time)}</span> ·{' '}
                    <span class="nw">dock {m.received.dock}</span> ·{' '}
                    <span class="nw">{m.received.shipmentId}</span>
                  </span>
                </>
              );
              return (
                <li key={m.serial} data-serial={m.serial} class={first ? 'pick-next' : undefined}>
                  {pickable ? (
                    <button
                      type="button"
                      class="pick-row"
                      aria-label={`${m.serial}: install in ${slotWords(need.slot).toLowerCase()}, waiting ${waited(m.received.time, now)}${first ? ', next pick' : ''}`}
                      onClick={() => props.onPick(m.serial)}
                    >
                      {body}
                      <span class="pick-act" aria-hidden="true">
                        Install ›
                      </span>
                    </button>
                  ) : (
                    <div class="pick-row pick-look">{body}</div>
                  )}
                </li>
              );
            })}
          </ol>
          {ready.length === 0 && !list.loading && list.next === null && (
            <p class="muted pick-empty">
              No {type} ready in the buffer of {props.site}.
            </p>
          )}
          {list.loading && list.items.length === 0 && <p class="muted">Reading the buffer…</p>}
          {(list.items.length > 0 || list.next !== null) && (
            <p class="pick-page">
              <span class="muted">
                {ready.length}
                {count ? ` of ${count.ready}` : ''} ready shown
              </span>
              {list.next !== null && (
                <button type="button" class="hh-small" disabled={list.loading} onClick={list.more}>
                  More: the next {PICK_PAGE}
                </button>
              )}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Held motors of the listed type: first, apart, never offered; the first three, the others on demand. */
function HeldMotors({ held, now }: { held: BufferMotor[]; now: number }) {
  const [all, setAll] = useState(false);
  if (held.length === 0) return null;
  const shown = all ? held : held.slice(0, 3);
  return (
    <section class="pick-held" aria-labelledby="pick-held-title">
      <h3 id="pick-held-title">On hold — do not install ({held.length})</h3>
      <ul>
        {shown.map((m) => (
          <li key={m.serial} data-serial={m.serial} data-held="true">
            <span class="pick-serial mono">{m.serial}</span>
            <span class="pick-held-tag">on hold — do not install</span>
            <span class="pick-meta">
              {m.holds.join(', ')} · waiting {waited(m.received.time, now)}
            </span>
          </li>
        ))}
      </ul>
      {held.length > 3 && (
        <button type="button" class="hh-small" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Show the first 3 only' : `Show all ${held.length} on hold`}
        </button>
      )}
    </section>
  );
}
