// The demo's seeded randomness: mulberry32, small and fast, so a seed replays the same plant day for day.
// Streams derived from (seed, label) are independent of the draws made elsewhere, which lets the generator
// replay the production clock in a planning pass before the real one.

/** A seeded pseudo-random stream (mulberry32). Not for anything secret. */
export class Rng {
  #state: number;
  #spare: number | undefined;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A stream for `label` that depends only on `seed` and `label`. */
  static derive(seed: number, label: string): Rng {
    // FNV-1a over the label, mixed with the seed.
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new Rng(h >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** Integer in [a, b], both included. */
  intBetween(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** One of `choices` by weight (weights summing to 1). */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let u = this.next();
    for (const [value, weight] of choices) {
      u -= weight;
      if (u < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** Normal(mean, sd) by Box–Muller. */
  normal(mean: number, sd: number): number {
    if (this.#spare !== undefined) {
      const z = this.#spare;
      this.#spare = undefined;
      return mean + sd * z;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Triangular on [min, max] with the given mode. */
  triangular(min: number, mode: number, max: number): number {
    const u = this.next();
    const f = (mode - min) / (max - min);
    return u < f
      ? min + Math.sqrt(u * (max - min) * (mode - min))
      : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
  }

  /** `k` distinct items of `list`, in random order (k is capped at the list's length). */
  sample<T>(list: readonly T[], k: number): T[] {
    const copy = [...list];
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + this.int(copy.length - i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}
