import { checkNumber, ParameterError } from '@edmkit/core';
import type { Rng, TensorOps } from '@edmkit/core';
import { checkRngs, checkSigmas } from './check.js';
import type { LossWeighting, NoiseDistribution } from './types.js';

/** The random inputs of one loss evaluation. */
export interface Draws<T> {
  /** σ_b, one per sample (a private copy). */
  readonly sigma: Float64Array;
  /** λ(σ_b), one per sample. */
  readonly weight: Float64Array;
  /** ε ~ N(0, I) shaped like y (drawn here, or the caller's). */
  readonly epsilon: T;
  /** Whether `epsilon` was drawn here (and so must be disposed here). */
  readonly ownsEpsilon: boolean;
}

/** The draw-related options shared by the D-space and F-space losses. */
export interface DrawOptions<T> {
  readonly ops: TensorOps<T>;
  readonly y: T;
  readonly rngs?: readonly Rng[] | undefined;
  readonly distribution?: NoiseDistribution | undefined;
  readonly sigma?: Float64Array | undefined;
  readonly noise?: T | undefined;
  readonly weighting: LossWeighting;
}

/**
 * Draws (or takes) σ and ε in the official order: every sample's σ first, then the
 * per-element noise, sample b's both from `rngs[b]` (numerics guide: “Training noise
 * distributions”).
 */
export function draw<T>(options: DrawOptions<T>): Draws<T> {
  const { ops, y, distribution, weighting } = options;
  if (weighting == null || typeof weighting.weight !== 'function') {
    throw new ParameterError('weighting', 'a LossWeighting { name, weight(sigma) }', weighting);
  }
  if (ops == null || typeof ops.combine !== 'function' || typeof ops.scaleSamples !== 'function') {
    throw new ParameterError('ops', 'a TensorOps implementation', ops);
  }
  if (y == null) throw new ParameterError('y', 'a tensor of clean data, [batch, …]', y);
  const needRngs = options.sigma === undefined || options.noise === undefined;
  const rngs = needRngs ? checkRngs(options.rngs) : undefined;
  let sigma: Float64Array;
  if (options.sigma !== undefined) {
    sigma = checkSigmas(options.sigma);
  } else {
    if (distribution == null || typeof distribution.sample !== 'function') {
      throw new ParameterError(
        'distribution',
        'a NoiseDistribution (required unless sigma is given)',
        distribution,
      );
    }
    sigma = checkSigmas(distribution.sample(rngs!), 'distribution.sample(rngs)');
  }
  if (rngs !== undefined && rngs.length !== sigma.length) {
    throw new ParameterError('rngs', `one Rng per sample (${sigma.length})`, rngs.length);
  }
  const weight = weights(options.weighting, sigma);
  if (options.noise !== undefined) {
    return { sigma, weight, epsilon: options.noise, ownsEpsilon: false };
  }
  return { sigma, weight, epsilon: ops.randnLike(y, rngs!), ownsEpsilon: true };
}

/** λ(σ_b) for every sample, each checked finite and ≥ 0. */
function weights(weighting: LossWeighting, sigma: Float64Array): Float64Array {
  return sigma.map((s, b) =>
    checkNumber(`weighting.weight(sigma[${b}])`, weighting.weight(s), { min: 0 }),
  );
}
