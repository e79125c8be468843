import { checkPositive, ParameterError } from '@edmkit/core';
import { checkDim, checkSamples } from './check.js';

/** Options of {@link mmd}. */
export interface MmdOptions {
  /**
   * RBF bandwidth h > 0, or `'median'` (default): the median distance between
   * distinct points of the pooled set (the median heuristic).
   */
  readonly bandwidth?: number | 'median';
}

/** Result of {@link mmd}. */
export interface MmdResult {
  /** Unbiased estimate of MMD² (can be slightly negative when the sets agree). */
  readonly mmd2: number;
  /** The bandwidth used. */
  readonly bandwidth: number;
}

/**
 * The maximum mean discrepancy between two sample sets with the Gaussian
 * (RBF) kernel, unbiased estimator (Gretton et al. 2012). O((N_a + N_b)² · d).
 *
 * Paper: k(x, y) = exp(−‖x − y‖² / (2h²));
 * MMD² = mean_{i≠j} k(a_i, a_j) + mean_{i≠j} k(b_i, b_j) − 2 mean_{i,j} k(a_i, b_j).
 *
 * @param samplesA - N_a · dim values, N_a ≥ 2
 * @param samplesB - N_b · dim values, N_b ≥ 2
 * @param dim - d
 * @param options.bandwidth - h, or 'median' (default)
 * @example
 * const { mmd2 } = mmd(generated, reference, 16);
 * @see https://arxiv.org/abs/2206.00364
 */
export function mmd(
  samplesA: Float64Array,
  samplesB: Float64Array,
  dim: number,
  options: MmdOptions = {},
): MmdResult {
  checkDim(dim);
  const na = checkSamples('samplesA', samplesA, dim);
  const nb = checkSamples('samplesB', samplesB, dim);
  if (na < 2) throw new ParameterError('samplesA', 'at least 2 samples', na);
  if (nb < 2) throw new ParameterError('samplesB', 'at least 2 samples', nb);
  const n = na + nb;
  const pooled = new Float64Array(n * dim);
  pooled.set(samplesA, 0);
  pooled.set(samplesB, na * dim);
  // All pairwise squared distances of the pooled set (upper triangle).
  const d2 = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      const oi = i * dim;
      const oj = j * dim;
      for (let c = 0; c < dim; c++) {
        const t = pooled[oi + c]! - pooled[oj + c]!;
        s += t * t;
      }
      d2[p++] = s;
    }
  }
  const requested = options.bandwidth ?? 'median';
  let h: number;
  if (requested === 'median') {
    const sorted = d2.slice().sort();
    const mid = sorted.length >> 1;
    const med2 = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    h = Math.sqrt(med2);
    if (!(h > 0))
      throw new ParameterError('bandwidth', "a number > 0 ('median' found all points equal)", h);
  } else {
    h = checkPositive('bandwidth', requested);
  }
  const inv2h2 = 1 / (2 * h * h);
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const k = Math.exp(-d2[p++]! * inv2h2);
      if (j < na) saa += k;
      else if (i >= na) sbb += k;
      else sab += k;
    }
  }
  const mmd2 = (2 * saa) / (na * (na - 1)) + (2 * sbb) / (nb * (nb - 1)) - (2 * sab) / (na * nb);
  return Object.freeze({ mmd2, bandwidth: h });
}
