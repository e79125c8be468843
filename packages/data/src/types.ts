import type { Rng } from '@edmkit/core';

/**
 * An exact ideal denoiser over a batch of `Float64Array` samples laid out sample
 * after sample (`x.length = batch · dim`). Synchronous, so it is also a
 * `Denoiser<Float64Array>` of `@edmkit/core`. Returns a new array; `x` is not modified.
 *
 * Paper: D(x̂; σ) = E[y | y + σn = x̂], n ~ N(0, I) (Eq. 2–3, Appendix B.3).
 */
export type IdealDenoiser = (x: Float64Array, sigma: number) => Float64Array;

/**
 * A data distribution whose ideal denoiser is known exactly: what the sampler
 * ablation runs on, so that a sampler's error is pure discretisation error.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export interface DataSet {
  /** Short identifier, e.g. `'gaussian-mixture'`, `'empirical-images'`. */
  readonly name: string;
  /** Number of coordinates d of one sample. */
  readonly dim: number;
  /**
   * Standard deviation of the data per coordinate, √(mean over coordinates of
   * the variance): the σ_data an EDM preconditioner would use for this data.
   */
  readonly sigmaData: number;
  /** The exact D(x̂; σ) for σ ≥ 0 (σ = 0 is the limit σ → 0⁺). */
  readonly denoiser: IdealDenoiser;
  /**
   * Exact samples y ~ p_data, one per stream: sample `b` (the slice
   * `[b·dim, (b+1)·dim)`) uses `rngs[b]` only.
   */
  sample(rngs: readonly Rng[]): Float64Array;
}
