import {
  DenoiserError,
  ParameterError,
  type BatchDenoiser,
  type Rng,
  type TensorOps,
} from '@edmkit/core';
import { draw } from './draw.js';
import { isPromiseLike } from './promise.js';
import type { LossWeighting, NoiseDistribution } from './types.js';

/** Options of {@link denoisingLoss}. */
export interface DenoisingLossOptions<T> {
  /** Tensor operations for the tensor type of y and D. */
  readonly ops: TensorOps<T>;
  /** The denoiser D(x; σ) being trained, one σ per sample (e.g. from `preconditionBatch`). */
  readonly denoiser: BatchDenoiser<T>;
  /** Clean training data y, [batch, …]. Not disposed. */
  readonly y: T;
  /** One random stream per sample; required unless both `sigma` and `noise` are given. */
  readonly rngs?: readonly Rng[];
  /** p_train(σ); required unless `sigma` is given. */
  readonly distribution?: NoiseDistribution;
  /** λ(σ). */
  readonly weighting: LossWeighting;
  /** Fixed noise levels, one per sample, each > 0 (instead of drawing from `distribution`). */
  readonly sigma?: Float64Array;
  /** Fixed standard normal noise ε shaped like y, unscaled: n = σ·ε (instead of drawing it). Not disposed. */
  readonly noise?: T;
}

/** What {@link denoisingLoss} returns. */
export interface DenoisingLossResult<T> {
  /** The unreduced per-element loss λ(σ_b)·(D(y + n; σ) − y)², shaped like y. The caller owns it. */
  readonly loss: T;
  /** σ_b, one per sample. */
  readonly sigma: Float64Array;
  /** λ(σ_b), one per sample. */
  readonly weight: Float64Array;
}

/** A denoiser that answers synchronously (what a tfjs gradient tape needs). */
export type SyncBatchDenoiser<T> = (x: T, sigma: Float64Array) => T;
/** A denoiser that always answers with a promise. */
export type AsyncBatchDenoiser<T> = (x: T, sigma: Float64Array) => Promise<T>;

/**
 * The denoising score-matching loss of the EDM design space, unreduced, for any tensor type.
 *
 * Paper: Sec. 5, the denoising error of Eq. 2 weighted by λ(σ) and averaged over
 * σ ∼ p_train (Table 1, "Training" rows): E_{σ,y,n} λ(σ)·‖D(y + n; σ) − y‖²₂, n ∼ N(0, σ²I);
 * Eq. 8 is the same loss written for F ({@link denoisingLossF}). Per sample b, as the
 * official loss objects (numerics guide: “Training noise distributions”, “Denoising loss”):
 *
 * 1. σ_b ∼ p_train from `rngs[b]` — all σ first;
 * 2. ε_b ∼ N(0, I) shaped like y_b, from the same stream `rngs[b]` (after its σ);
 * 3. n_b = σ_b·ε_b, D_b = D(y_b + n_b; σ_b);
 * 4. loss = λ(σ_b)·(D_b − y_b)² per element, unreduced.
 *
 * Because sample b only reads `rngs[b]`, its σ and noise do not change with the batch size
 * (use `sampleRngs(seed, batch, first)`). Reduction is the training loop's: sum over all
 * elements, divide by the batch size ({@link lossPerSample} for Float64Arrays). Optional
 * augmentation and labels belong inside `denoiser`.
 *
 * Synchronous when the denoiser is (so it runs inside a tfjs gradient tape), a promise
 * when it is async. Intermediates (ε when drawn, n, y + n, D, D − y, (D − y)²) are disposed;
 * `y` and a given `noise` are not.
 *
 * @param options.ops - tensor operations
 * @param options.denoiser - D(x; σ), one σ per sample
 * @param options.y - clean data y, [batch, …]
 * @param options.rngs - one stream per sample (required unless sigma and noise are both given)
 * @param options.distribution - p_train(σ) (required unless sigma is given)
 * @param options.weighting - λ(σ)
 * @param options.sigma - fixed σ_b > 0, one per sample
 * @param options.noise - fixed ε (standard normal, unscaled), shaped like y
 * @example
 * const D = preconditionBatch(F, edmPrecond(), arrayOps);
 * const { loss, sigma } = denoisingLoss({
 *   ops: arrayOps, denoiser: D, y, rngs: sampleRngs(seed, batch, step * batch),
 *   distribution: logNormal(), weighting: edmWeighting(),
 * });
 * const objective = lossPerSample(loss, batch).reduce((a, b) => a + b) / batch;
 * @see https://arxiv.org/abs/2206.00364
 */
export function denoisingLoss<T>(
  options: DenoisingLossOptions<T> & { readonly denoiser: SyncBatchDenoiser<T> },
): DenoisingLossResult<T>;
export function denoisingLoss<T>(
  options: DenoisingLossOptions<T> & { readonly denoiser: AsyncBatchDenoiser<T> },
): Promise<DenoisingLossResult<T>>;
export function denoisingLoss<T>(
  options: DenoisingLossOptions<T>,
): DenoisingLossResult<T> | Promise<DenoisingLossResult<T>>;
export function denoisingLoss<T>(
  options: DenoisingLossOptions<T>,
): DenoisingLossResult<T> | Promise<DenoisingLossResult<T>> {
  const denoiser = options?.denoiser;
  if (typeof denoiser !== 'function') {
    throw new ParameterError('denoiser', 'a function (x, sigma: Float64Array) => tensor', denoiser);
  }
  const { ops, y } = options;
  const { sigma, weight, epsilon, ownsEpsilon } = draw(options);

  // x = y + σ·ε
  let x: T;
  try {
    const n = ops.scaleSamples(epsilon, sigma);
    try {
      x = ops.combine([
        [1, y],
        [1, n],
      ]);
    } finally {
      ops.dispose(n);
    }
  } finally {
    if (ownsEpsilon) ops.dispose(epsilon);
  }

  const finish = (denoised: T): DenoisingLossResult<T> => {
    try {
      // A missing, misshapen or non-finite output is refused, never turned into a NaN loss.
      const problem =
        denoised === undefined || denoised === null ? String(denoised) : ops.check?.(denoised, x);
      if (problem !== undefined) throw new DenoiserError(problem, sigma[0]!);
      const diff = ops.combine([
        [1, denoised],
        [-1, y],
      ]);
      try {
        const sq = ops.mul(diff, diff);
        try {
          return Object.freeze({ loss: ops.scaleSamples(sq, weight), sigma, weight });
        } finally {
          ops.dispose(sq);
        }
      } finally {
        ops.dispose(diff);
      }
    } finally {
      if (denoised != null && denoised !== x && denoised !== y) ops.dispose(denoised);
      ops.dispose(x);
    }
  };

  let denoised: T | Promise<T>;
  try {
    denoised = denoiser(x, sigma.slice());
  } catch (error) {
    ops.dispose(x);
    throw error;
  }
  if (isPromiseLike(denoised)) {
    return Promise.resolve(denoised).then(finish, (error: unknown) => {
      ops.dispose(x);
      throw error;
    });
  }
  return finish(denoised);
}
