// The one search box at the top of every explorer page: type or paste a serial, a VIN, a lot, a shipment, a
// truck, an incident or a hold and press Enter. The search page (/trace?q=…) finds where it goes, so a search
// is a link too; "/" from anywhere on the page puts the cursor in the box.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';

export function SearchBox() {
  const { path, query, route } = useLocation();
  const current = path === '/trace' || path === '/trace/' ? (query.q ?? '') : '';
  const [text, setText] = useState(current);
  const input = useRef<HTMLInputElement>(null);
  // The search page shows its query in the box. Elsewhere the box keeps what it holds: clearing it when a search
  // lands on its page raced with a person typing the next search at once (their text was wiped before Enter).
  useEffect(() => {
    if (current !== '') setText(current);
  }, [current]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t?.closest('input, textarea, select, [contenteditable="true"]');
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    // biome-ignore lint/a11y/noRedundantRoles: browsers and screen readers older than <search> (2023) still need the role to announce the landmark
    <search role="search">
      <form
        class="x-search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = text.trim();
          if (q !== '') route(`/trace?q=${encodeURIComponent(q)}`);
        }}
      >
        <label for="x-search-input">Find</label>
        <input
          id="x-search-input"
          ref={input}
          type="search"
          name="q"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder="serial, VIN, lot, shipment, truck, incident or hold"
          autocomplete="off"
          spellcheck={false}
          aria-describedby="x-search-hint"
        />
        <button type="submit" class="primary">
          Search
        </button>
        <span id="x-search-hint" class="visually-hidden">
          Press slash to come back to this box from anywhere on the page.
        </span>
        <nav class="x-shortcuts" aria-label="Explorer">
          <a href="/trace/investigate">Investigate</a>
          <a href="/trace/common-cause">Common cause</a>
          <a href="/trace/flow">Flow</a>
          <a href="/trace/holds">Holds</a>
          <a href="/trace/incidents">Incidents</a>
        </nav>
      </form>
    </search>
  );
}
