import type { Rng } from './rng.js';

/**
 * The few tensor operations the samplers and losses need. A backend implements
 * it for its own tensor type: {@link arrayOps} for `Float64Array`, `tfjsOps` (in
 * `@edmkit/unet`) for float32 `tf.Tensor`. Every solver update is one
 * {@link TensorOps.combine} call, so a backend can fuse it.
 *
 * The leading axis of a tensor is the batch; the rest is opaque to edmkit.
 */
export interface TensorOps<T> {
  /** Backend name, for reports. */
  readonly name: string;
  /** Σₖ aₖ·xₖ for scalar coefficients aₖ (float64 numbers) and equally shaped tensors xₖ. */
  combine(terms: readonly (readonly [number, T])[]): T;
  /**
   * A standard normal tensor shaped like `like`, drawn one sample at a time: the
   * slice of sample `b` along the leading axis comes from `rngs[b]` only.
   */
  randnLike(like: T, rngs: readonly Rng[]): T;
  /** Elementwise product a ⊙ b of equally shaped tensors. */
  mul(a: T, b: T): T;
  /** Scales sample b (its slice along the leading axis) by `scale[b]`: per-sample σ, c_skip(σ), λ(σ)… */
  scaleSamples(x: T, scale: Float64Array): T;
  /** Runs `fn`, releasing intermediate tensors it created except the result. */
  tidy<R>(fn: () => R): R;
  /** Releases a tensor (no-op for garbage-collected backends). */
  dispose(x: T): void;
  /**
   * Optional check of a denoiser's output `y` against its input `like`: returns
   * what is wrong (wrong type or shape, non-finite values), or undefined when `y`
   * is usable. The samplers and losses call it on every denoiser output and raise
   * a `DenoiserError` with the message. A backend may check only what is cheap
   * (the shape) where reading values back would stall it.
   */
  check?(y: unknown, like: T): string | undefined;
}

/**
 * A denoiser D(x; σ): the expected clean data given a noisy sample `x` at
 * noise level `sigma` (paper Eq. 2 ff.). It may be async (a network on a GPU).
 * `x` is in the denoiser's own unscaled coordinates x̂ = x / s(t).
 */
export type Denoiser<T> = (x: T, sigma: number) => T | Promise<T>;

/**
 * A denoiser with one noise level per sample, as training needs it: `sigma[b]`
 * is the noise level of sample b (the slice of `x` along the leading axis).
 */
export type BatchDenoiser<T> = (x: T, sigma: Float64Array) => T | Promise<T>;
