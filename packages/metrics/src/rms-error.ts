import { ParameterError } from '@edmkit/core';
import { checkDim, checkSamples } from './check.js';

/**
 * Per-sample root-mean-square distance between two batches: the sampling
 * error of a sampler's output `a` against the reference solution `b` from the
 * same latents.
 *
 * Paper: e_b = √( (1/d) Σ_i (a_b,i − b_b,i)² ), one value per sample b.
 *
 * @param a - batch · dim values
 * @param b - batch · dim values (same length as a)
 * @param dim - coordinates per sample
 * @returns Float64Array of length batch
 * @example
 * const err = rmsError(samples, reference.x, 16);
 * summarize(err).median;
 * @see https://arxiv.org/abs/2206.00364
 */
export function rmsError(a: Float64Array, b: Float64Array, dim: number): Float64Array {
  checkDim(dim);
  const batch = checkSamples('a', a, dim);
  checkSamples('b', b, dim);
  if (a.length !== b.length)
    throw new ParameterError('b.length', `equal to a.length = ${a.length}`, b.length);
  const out = new Float64Array(batch);
  for (let s = 0; s < batch; s++) {
    let acc = 0;
    for (let i = s * dim, end = i + dim; i < end; i++) {
      const t = a[i]! - b[i]!;
      acc += t * t;
    }
    out[s] = Math.sqrt(acc / dim);
  }
  return out;
}
