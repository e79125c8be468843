import type { Rng } from '@edmkit/core';

/**
 * A training noise distribution p_train(σ) (paper Table 1, row "Noise distribution"):
 * how the loss draws the noise level of each training image.
 *
 * `sample(rngs)` returns one σ per sample, σ_b drawn from `rngs[b]` only, so a sample's
 * σ does not depend on the batch it is in. The loss draws every σ before the per-pixel
 * noise, from the same streams (numerics guide: “Training noise distributions”).
 */
export interface NoiseDistribution {
  /** Literal name of the distribution, e.g. `'log-normal'`. */
  readonly name: string;
  /** One σ > 0 per stream: σ_b from `rngs[b]` only. */
  sample(rngs: readonly Rng[]): Float64Array;
}

/**
 * A loss weighting λ(σ) (paper Table 1, row "Loss weighting"): the factor of the
 * squared denoising error λ(σ)·‖D(y + n; σ) − y‖² at noise level σ.
 */
export interface LossWeighting {
  /** Literal name of the weighting, e.g. `'edm'`. */
  readonly name: string;
  /** λ(σ) for a noise level σ. */
  weight(sigma: number): number;
}
