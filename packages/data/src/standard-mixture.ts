import { checkInteger, checkNumber, createRng, ParameterError } from '@edmkit/core';
import { buildMixture, type GaussianMixture } from './gaussian-mixture.js';

/** Options of {@link standardMixture}. */
export interface StandardMixtureOptions {
  /** Seed of the draw of means, standard deviations and weights (integer in [0, 2³² − 1]; default 0). */
  readonly seed?: number;
  /** Number of coordinates d (default 16). */
  readonly dim?: number;
  /** Number of components K (default 4). */
  readonly components?: number;
}

/**
 * The sampler ablation's standard data set: a seeded isotropic Gaussian
 * mixture, by default 16-dimensional with 4 components (numerics guide: “Expected sampling
 * errors”). Scaled like
 * images in [−1, 1]:
 *
 * - means μ_k,i ~ N(0, 0.5²) per coordinate,
 * - component standard deviations s_k ~ U[0.05, 0.3],
 * - weights w_k ∝ 0.5 + U[0, 1) (so no component is below 1/3 of another).
 *
 * The draws come from `createRng(seed)` in this order: all K·d mean
 * coordinates (component after component), then the K standard deviations,
 * then the K weights. The same seed gives the same mixture everywhere.
 *
 * Paper: p(y) = Σ_k w_k N(y; μ_k, s_k² I) with its exact D (numerics guide: “Ideal denoiser of a
 * Gaussian mixture”).
 *
 * @param options.seed - default 0
 * @param options.dim - d, default 16
 * @param options.components - K, default 4
 * @example
 * const data = standardMixture({ seed: 0 });   // 16-d, 4 components
 * const latents = arrayOps.randnLike(new Float64Array(256 * data.dim), sampleRngs(1, 256));
 * @see https://arxiv.org/abs/2206.00364
 */
export function standardMixture(
  options: StandardMixtureOptions = {},
): GaussianMixture<'standard-mixture'> {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { seed?, dim?, components? }', options);
  }
  const seed = checkNumber('seed', options.seed ?? 0, { min: 0, max: 0xffffffff, integer: true });
  const dim = checkInteger('dim', options.dim ?? 16, 1);
  const K = checkInteger('components', options.components ?? 4, 1);
  const rng = createRng(seed);
  const means = new Float64Array(K * dim);
  for (let j = 0; j < means.length; j++) means[j] = 0.5 * rng.normal();
  const stds = new Float64Array(K);
  for (let k = 0; k < K; k++) stds[k] = 0.05 + 0.25 * rng.uniform();
  const weights = new Float64Array(K);
  for (let k = 0; k < K; k++) weights[k] = 0.5 + rng.uniform();
  return buildMixture('standard-mixture', { weights, means, stds, dim });
}
