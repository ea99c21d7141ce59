// Statistics for common-cause ranking: the one-sided Fisher exact test (hypergeometric upper tail) computed
// with log-gamma, exact enough for populations of millions and failure sets of hundreds.

// Lanczos approximation (g = 7, n = 9), accurate to ~15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * One-sided Fisher exact p-value for over-representation: the probability that a random draw of `n` from a
 * population of `N` holding `K` marked items has at least `k` marked ones.
 * @example fisherUpperTail(1_000_000, 4_000, 75, 25) // ≈ 1e-40: a lot shared by 25 of 75 failing motors
 */
export function fisherUpperTail(N: number, K: number, n: number, k: number): number {
  if (k <= 0) return 1;
  const hi = Math.min(n, K);
  if (k > hi) return 0;
  const denom = logChoose(N, n);
  // Sum the tail in log space from its largest term down, so tiny p-values do not underflow to 0 too early.
  const terms: number[] = [];
  for (let x = k; x <= hi; x++) terms.push(logChoose(K, x) + logChoose(N - K, n - x) - denom);
  const max = Math.max(...terms);
  const sum = terms.reduce((acc, t) => acc + Math.exp(t - max), 0);
  return Math.min(1, Math.exp(max + Math.log(sum)));
}
