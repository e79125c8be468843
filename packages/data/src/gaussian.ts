import { checkInteger, checkNumber, checkPositive, ParameterError } from '@edmkit/core';
import { checkBatch, checkSigma } from './check.js';
import { buildMixture, type GaussianMixture } from './gaussian-mixture.js';

/** Options of {@link isotropicGaussian}. */
export interface IsotropicGaussianOptions {
  /** σ_data > 0, the standard deviation of every coordinate (default 0.5, EDM's σ_data). */
  readonly sigmaData?: number;
  /** Number of coordinates d (integer ≥ 1). */
  readonly dim: number;
}

/**
 * The single Gaussian N(0, σ_data² I): a one-component {@link GaussianMixture}
 * whose denoiser, score and probability-flow trajectories are closed-form.
 */
export interface IsotropicGaussian extends GaussianMixture<'gaussian'> {
  /**
   * The exact solution of the probability-flow ODE dx̂/dσ = (x̂ − D(x̂; σ))/σ
   * (σ(t) = t, s(t) = 1) carried from `sigmaFrom` to `sigmaTo`, batched.
   *
   * Paper: x̂(σ_to) = x̂(σ_from) · √((σ_to² + σ_data²) / (σ_from² + σ_data²)).
   */
  flow(x: Float64Array, sigmaFrom: number, sigmaTo: number): Float64Array;
}

/**
 * The Gaussian data distribution N(0, σ_data² I), the closed-form special case
 * of {@link gaussianMixture} used to test samplers and reference solvers.
 *
 * Paper: D(x̂; σ) = σ_data² / (σ² + σ_data²) · x̂; ∇ log p_σ(x̂) = −x̂ / (σ² + σ_data²).
 *
 * @param options.sigmaData - σ_data (default 0.5)
 * @param options.dim - d
 * @example
 * const data = isotropicGaussian({ dim: 16 });
 * data.denoiser(x, 1);           // = x · 0.25 / 1.25
 * data.flow(x, 80, 0);           // exact ODE solution from σ = 80 to 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function isotropicGaussian(options: IsotropicGaussianOptions): IsotropicGaussian {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { sigmaData?, dim }', options);
  }
  const dim = checkInteger('dim', options.dim, 1);
  const sigmaData = checkPositive('sigmaData', options.sigmaData ?? 0.5);
  const sd2 = sigmaData * sigmaData;
  const mixture = buildMixture('gaussian', {
    weights: [1],
    means: new Float64Array(dim),
    stds: [sigmaData],
    dim,
  });

  const scaled = (x: Float64Array, factor: number): Float64Array => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = factor * x[i]!;
    return out;
  };

  return Object.freeze({
    ...mixture,
    denoiser(x: Float64Array, sigma: number): Float64Array {
      checkBatch('x', x, dim);
      checkSigma(sigma);
      return scaled(x, sd2 / (sigma * sigma + sd2));
    },
    score(x: Float64Array, sigma: number): Float64Array {
      checkBatch('x', x, dim);
      checkSigma(sigma);
      return scaled(x, -1 / (sigma * sigma + sd2));
    },
    flow(x: Float64Array, sigmaFrom: number, sigmaTo: number): Float64Array {
      checkBatch('x', x, dim);
      checkNumber('sigmaFrom', sigmaFrom, { min: 0 });
      checkNumber('sigmaTo', sigmaTo, { min: 0 });
      return scaled(x, Math.sqrt((sigmaTo * sigmaTo + sd2) / (sigmaFrom * sigmaFrom + sd2)));
    },
  });
}
