import { arrayOps } from '@edmkit/core';
import type { Rng, TensorOps } from '@edmkit/core';

/** arrayOps that tracks the tensors it creates and the ones released by dispose. */
export function countingOps(): TensorOps<Float64Array> & {
  live: Set<Float64Array>;
  disposed: number;
} {
  const live = new Set<Float64Array>();
  const track = (out: Float64Array) => {
    live.add(out);
    return out;
  };
  const ops = {
    ...arrayOps,
    live,
    disposed: 0,
    combine: (terms: readonly (readonly [number, Float64Array])[]) =>
      track(arrayOps.combine(terms)),
    randnLike: (like: Float64Array, rngs: readonly Rng[]) => track(arrayOps.randnLike(like, rngs)),
    mul: (a: Float64Array, b: Float64Array) => track(arrayOps.mul(a, b)),
    scaleSamples: (x: Float64Array, s: Float64Array) => track(arrayOps.scaleSamples(x, s)),
    dispose(x: Float64Array) {
      ops.disposed++;
      live.delete(x);
    },
  };
  return ops;
}

/** erf(x) by its Maclaurin series (|x| ≤ 3) or continued fraction, to ~1e-14. */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x <= 3) {
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) (Lentz-free, evaluated backwards).
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/** Kolmogorov–Smirnov distance sup |F_n − F| of a sample against a continuous CDF. */
export function ksDistance(values: ArrayLike<number>, cdf: (v: number) => number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let d = 0;
  sorted.forEach((v, i) => {
    const f = cdf(v);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  });
  return d;
}

/** Empirical p-quantile (p in (0, 1)) of a sample, nearest rank. */
export function quantile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Mean and (population) standard deviation. */
export function moments(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}
