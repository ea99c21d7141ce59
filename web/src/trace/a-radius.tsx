// The blast radius of a forward trace: one horizontal bar of the motors per state (at Cléon, in transit per
// truck, in a buffer, installed, in shipped vehicles, held), each part written as well as coloured, and a legend
// that says where exactly (which trucks, which sites, how many vehicles). A part is a button: it narrows the
// table below to that state.
import { GROUPS, href, int, type LocationGroup, type TraceGroup } from './x-data.js';

export function BlastRadius({
  groups,
  vehicles,
  total,
  selected,
  onSelect,
}: {
  groups: TraceGroup[];
  /** Distinct VINs per state, counted from every motor of the trace (the API's `by` stops at 100 keys). */
  vehicles: Partial<Record<LocationGroup, number>>;
  total: number;
  selected: LocationGroup | null;
  onSelect: (g: LocationGroup | null) => void;
}) {
  const ordered = GROUPS.map((meta) => ({
    meta,
    g: groups.find((x) => x.group === meta.group) ?? { group: meta.group, count: 0, by: [] },
  }));
  return (
    <div class="blast">
      <fieldset class="radius" aria-label={`Blast radius: ${int(total)} motors by where they are now`}>
        {ordered
          .filter(({ g }) => g.count > 0)
          .map(({ meta, g }) => {
            const text = `${meta.short} ${int(g.count)}`;
            return (
              <button
                key={meta.group}
                type="button"
                class={`seg g-${meta.group}`}
                style={{ flex: `${g.count} 1 0` }}
                aria-pressed={selected === meta.group}
                // The name starts with what the part shows, then says it in full (WCAG 2.5.3, label in name).
                aria-label={`${text} — ${meta.label}: ${int(g.count)} motors. ${selected === meta.group ? 'Show all motors' : 'Show only these in the table'}`}
                title={`${meta.label}: ${int(g.count)}`}
                onClick={() => onSelect(selected === meta.group ? null : meta.group)}
              >
                {/* The part writes what fits its width (a container query): "Shipped 151", "151" or nothing. */}
                <span class="long">{text}</span>
                <span class="num">{int(g.count)}</span>
              </button>
            );
          })}
      </fieldset>
      <ul class="legend" aria-label="Legend">
        {ordered.map(({ meta, g }) => (
          <li key={meta.group}>
            <span class={`swatch g-${meta.group}`} aria-hidden="true" />
            <span>
              {g.count > 0 ? (
                <button
                  type="button"
                  class="link"
                  aria-pressed={selected === meta.group}
                  onClick={() => onSelect(selected === meta.group ? null : meta.group)}
                >
                  {meta.label}
                </button>
              ) : (
                <span>{meta.label}</span>
              )}{' '}
              <span class="n" data-group={meta.group}>
                {int(g.count)}
              </span>
              <Detail g={g} vehicles={vehicles[meta.group] ?? 0} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Where exactly a state's motors are, from the API's `by` (at most its 100 largest keys). */
function Detail({ g, vehicles }: { g: TraceGroup; vehicles: number }) {
  if (g.count === 0 || g.by.length === 0) return null;
  const listed = g.by.reduce((n, b) => n + b.count, 0);
  const more = g.count > listed ? ' …' : '';
  switch (g.group) {
    case 'IN_TRANSIT':
      return (
        <span class="by">
          {g.by.map((b, i) => (
            <span key={b.key}>
              {i > 0 && ', '}
              <a href={href.shipment(b.key)}>{b.key}</a> ({int(b.count)})
            </span>
          ))}
          {more}
        </span>
      );
    case 'INSTALLED':
    case 'VEHICLE_SHIPPED': {
      const hidden = g.by.find((b) => b.key === "another brand's vehicle")?.count ?? 0;
      return (
        <span class="by">
          in {int(vehicles)} vehicle{vehicles === 1 ? '' : 's'}
          {hidden > 0 ? `, ${int(hidden)} in another brand's vehicles` : ''}
        </span>
      );
    }
    case 'HELD':
      // A motor under two holds is counted under "A,B": each id links to its hold.
      return (
        <span class="by">
          {g.by.map((b, i) => (
            <span key={b.key}>
              {i > 0 && ', '}
              {b.key.split(',').map((id, j) => (
                <span key={id}>
                  {j > 0 && ' + '}
                  <a href={href.hold(id)}>{id}</a>
                </span>
              ))}{' '}
              ({int(b.count)})
            </span>
          ))}
          {more}
        </span>
      );
    default:
      return (
        <span class="by">
          {g.by.map((b) => `${b.key} ${int(b.count)}`).join(', ')}
          {more}
        </span>
      );
  }
}
