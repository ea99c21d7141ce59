// A list's filters as a small form whose answer is the page's URL (?status=ACTIVE&incident=…): applying them
// starts again at the first page, and the filtered list can be pasted into a report.
import { useLocation } from 'preact-iso';
import { queryString } from './x-data.js';

export interface FilterField {
  name: string;
  label: string;
  /** A choice list; without it, a text field. */
  options?: [value: string, words: string][];
  placeholder?: string;
  /** Identifiers the ledger keeps in capitals (serials): typed in any case. */
  upper?: boolean;
}

export function FilterForm({
  label,
  fields,
  values,
}: {
  label: string;
  fields: FilterField[];
  values: Record<string, string | undefined>;
}) {
  const { path, route } = useLocation();
  const active = Object.values(values).some((v) => v);
  return (
    <form
      class="x-filters"
      aria-label={label}
      // The form's values are read on submit, so typing does not reload the list at each key.
      key={queryString(values)}
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        const next: Record<string, string> = {};
        for (const f of fields) {
          const v = String(data.get(f.name) ?? '').trim();
          next[f.name] = f.upper ? v.toUpperCase() : v;
        }
        const qs = queryString(next);
        route(qs ? `${path}?${qs}` : path);
      }}
    >
      {fields.map((f) => (
        <div key={f.name} class="field">
          <label for={`x-filter-${f.name}`}>{f.label}</label>
          {f.options ? (
            <select id={`x-filter-${f.name}`} name={f.name}>
              {f.options.map(([v, words]) => (
                <option key={v} value={v} selected={v === (values[f.name] ?? '').toUpperCase()}>
                  {words}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={`x-filter-${f.name}`}
              name={f.name}
              defaultValue={values[f.name] ?? ''}
              placeholder={f.placeholder}
              autocomplete="off"
              spellcheck={false}
            />
          )}
        </div>
      ))}
      <button type="submit" class="primary">
        Apply filters
      </button>
      {active && <a href={path}>Clear filters</a>}
    </form>
  );
}
