import { ParameterError } from '@edmkit/core';

/** Summary statistics of {@link summarize}. */
export interface Summary {
  /** Number of values. */
  readonly count: number;
  readonly mean: number;
  /** Median (mean of the two middle values for an even count). */
  readonly median: number;
  /** 90th percentile, linear interpolation between order statistics (type 7). */
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Summary statistics of a list of values, e.g. per-sample errors: mean,
 * median, 90th percentile, min, max. Refuses empty input and NaN.
 *
 * Paper: quantile q at position (n − 1)·q of the sorted values, interpolated.
 *
 * @param values - finite numbers (or ±∞), at least one
 * @example
 * summarize(rmsError(samples, reference.x, dim)); // { median: 7.1e-3, ... }
 * @see https://arxiv.org/abs/2206.00364
 */
export function summarize(values: ArrayLike<number>): Summary {
  if (values == null || typeof values.length !== 'number' || values.length === 0) {
    throw new ParameterError('values', 'a non-empty array of numbers', values);
  }
  const sorted = Float64Array.from(values);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (typeof (values as ArrayLike<unknown>)[i] !== 'number' || Number.isNaN(v)) {
      throw new ParameterError(
        `values[${i}]`,
        'a number (not NaN)',
        (values as ArrayLike<unknown>)[i],
      );
    }
    sum += v;
  }
  sorted.sort();
  const n = sorted.length;
  return Object.freeze({
    count: n,
    mean: sum / n,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0]!,
    max: sorted[n - 1]!,
  });
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  return t === 0 ? sorted[lo]! : sorted[lo]! + t * (sorted[hi]! - sorted[lo]!);
}
