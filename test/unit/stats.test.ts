import { describe, expect, it } from 'vitest';
import { fisherUpperTail, logGamma } from '../../src/core/stats.js';

describe('logGamma', () => {
  it('matches ln((n-1)!) for integers', () => {
    let f = 0;
    for (let n = 1; n < 30; n++) {
      expect(logGamma(n)).toBeCloseTo(f, 9);
      f += Math.log(n);
    }
  });
});

describe('fisherUpperTail', () => {
  it('matches the textbook lady-tasting-tea value (N=8, K=4, n=4, k=3 → 17/70)', () => {
    expect(fisherUpperTail(8, 4, 4, 3)).toBeCloseTo(17 / 70, 12);
    expect(fisherUpperTail(8, 4, 4, 4)).toBeCloseTo(1 / 70, 12);
  });

  it('matches a hypergeometric tail summed directly', () => {
    const choose = (n: number, k: number) => {
      let r = 1;
      for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
      return r;
    };
    const [N, K, n] = [60, 12, 15];
    for (let k = 0; k <= 12; k++) {
      let p = 0;
      for (let x = k; x <= Math.min(n, K); x++) p += (choose(K, x) * choose(N - K, n - x)) / choose(N, n);
      expect(fisherUpperTail(N, K, n, k)).toBeCloseTo(p, 12);
    }
  });

  it('is 1 for k = 0, 0 beyond the possible, and tiny but positive for a planted cause at plant scale', () => {
    expect(fisherUpperTail(100, 10, 10, 0)).toBe(1);
    expect(fisherUpperTail(100, 10, 10, 11)).toBe(0);
    const p = fisherUpperTail(1_000_000, 4_000, 75, 25);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-30);
  });
});
