// The simulation's agenda: what happens next in the plant, in business-time order. A binary heap keyed by
// (time, order of scheduling), so two things due in the same second run in the order they were planned and
// a consequence never runs before its cause.

interface Item {
  t: number;
  n: number;
  run: (t: number) => void;
}

/** Actions due at whole seconds (Unix time), popped earliest first. */
export class Agenda {
  #heap: Item[] = [];
  #n = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Time of the next action, or Infinity when nothing is planned. */
  peekTime(): number {
    return this.#heap[0]?.t ?? Number.POSITIVE_INFINITY;
  }

  /** Plan `run` at second `t`. */
  at(t: number, run: (t: number) => void): void {
    const item = { t: Math.round(t), n: this.#n++, run };
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = item;
  }

  /** Run the earliest action. */
  runNext(): void {
    const h = this.#heap;
    const top = h[0];
    if (!top) return;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    top.run(top.t);
  }
}

function before(a: Item, b: Item): boolean {
  return a.t < b.t || (a.t === b.t && a.n < b.n);
}
