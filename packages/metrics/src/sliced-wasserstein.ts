import { checkInteger, ParameterError, type Rng } from '@edmkit/core';
import { checkDim, checkSamples } from './check.js';

/** Options of {@link slicedWasserstein}. */
export interface SlicedWassersteinOptions {
  /** Number of random directions L (default 128). */
  readonly projections?: number;
  /** Source of the directions θ_l (each a normalised vector of d normal draws). */
  readonly rng: Rng;
}

/**
 * The squared 2-Wasserstein distance between two 1-D empirical distributions
 * (uniform weights, any sizes), exactly: the integral over t ∈ [0, 1] of the
 * squared difference of their quantile functions, piecewise constant between
 * the breakpoints i/n and j/m. Sorts copies; inputs are not modified.
 *
 * Paper: W₂²(P, Q) = ∫₀¹ (F_P⁻¹(t) − F_Q⁻¹(t))² dt.
 *
 * @param a - values of the first distribution
 * @param b - values of the second distribution
 * @example
 * wasserstein1d(new Float64Array([0, 1]), new Float64Array([0.5])); // 0.25
 * @see https://arxiv.org/abs/2206.00364
 */
export function wasserstein1d(a: Float64Array, b: Float64Array): number {
  if (!(a instanceof Float64Array) || a.length === 0)
    throw new ParameterError('a', 'a non-empty Float64Array', a);
  if (!(b instanceof Float64Array) || b.length === 0)
    throw new ParameterError('b', 'a non-empty Float64Array', b);
  return w2SortedInPlace(a.slice().sort(), b.slice().sort());
}

/** W₂² of two sorted arrays; breakpoints compared in integers (i·m vs j·n), so no rounding in the merge. */
function w2SortedInPlace(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[i]! - b[i]!) ** 2;
    return s / n;
  }
  // Walk the merged breakpoints in units of 1/(n·m): a's quantile steps at multiples of m, b's at multiples of n.
  let i = 0;
  let j = 0;
  let pos = 0;
  let s = 0;
  while (i < n && j < m) {
    const nextA = (i + 1) * m;
    const nextB = (j + 1) * n;
    const next = Math.min(nextA, nextB);
    s += (next - pos) * (a[i]! - b[j]!) ** 2;
    pos = next;
    if (nextA === next) i++;
    if (nextB === next) j++;
  }
  return s / (n * m);
}

/**
 * The sliced 2-Wasserstein distance between two sample sets: the root mean
 * over L random unit directions θ of the exact 1-D W₂² between the
 * projections θ·a and θ·b. Equal or unequal set sizes (quantile matching).
 * O(L · (N·d + N log N)).
 *
 * Paper: SW₂(P, Q) = ( E_θ W₂²(θ♯P, θ♯Q) )^{1/2}, θ uniform on the unit sphere
 * (estimated with L directions drawn from the injected Rng).
 *
 * @param samplesA - N_a · dim values
 * @param samplesB - N_b · dim values
 * @param dim - d
 * @param options.projections - L (default 128)
 * @param options.rng - random stream for the directions
 * @example
 * slicedWasserstein(generated, reference, 196, { projections: 256, rng: createRng(0) });
 * @see https://arxiv.org/abs/2206.00364
 */
export function slicedWasserstein(
  samplesA: Float64Array,
  samplesB: Float64Array,
  dim: number,
  options: SlicedWassersteinOptions,
): number {
  checkDim(dim);
  const na = checkSamples('samplesA', samplesA, dim);
  const nb = checkSamples('samplesB', samplesB, dim);
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { projections?, rng }', options);
  }
  const L = checkInteger('projections', options.projections ?? 128, 1);
  const rng = options.rng;
  if (rng == null || typeof rng.normal !== 'function')
    throw new ParameterError('rng', 'an Rng', rng);
  const theta = new Float64Array(dim);
  const pa = new Float64Array(na);
  const pb = new Float64Array(nb);
  let total = 0;
  for (let l = 0; l < L; l++) {
    let norm2 = 0;
    do {
      rng.fillNormal(theta);
      norm2 = 0;
      for (let i = 0; i < dim; i++) norm2 += theta[i]! ** 2;
    } while (norm2 === 0);
    const inv = 1 / Math.sqrt(norm2);
    for (let i = 0; i < dim; i++) theta[i]! *= inv;
    project(samplesA, na, dim, theta, pa);
    project(samplesB, nb, dim, theta, pb);
    total += w2SortedInPlace(pa.sort(), pb.sort());
  }
  return Math.sqrt(total / L);
}

function project(
  x: Float64Array,
  count: number,
  dim: number,
  theta: Float64Array,
  out: Float64Array,
): void {
  for (let b = 0; b < count; b++) {
    let s = 0;
    const o = b * dim;
    for (let i = 0; i < dim; i++) s += x[o + i]! * theta[i]!;
    out[b] = s;
  }
}
