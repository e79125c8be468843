import { checkNumber, ParameterError } from '@edmkit/core';
import type { Rng, TensorOps } from '@edmkit/core';
import type { BatchRawNetwork, Preconditioner } from '@edmkit/precond';
import { draw } from './draw.js';
import { isPromiseLike } from './promise.js';
import type { LossWeighting, NoiseDistribution } from './types.js';

/** Options of {@link denoisingLossF}. */
export interface DenoisingLossFOptions<T> {
  /** Tensor operations for the tensor type of y and F. */
  readonly ops: TensorOps<T>;
  /** The raw network F(c_in·x; c_noise) being trained, one c_noise per sample. */
  readonly F: BatchRawNetwork<T>;
  /** The preconditioner (c_skip, c_out, c_in, c_noise). */
  readonly precond: Preconditioner;
  /** Clean training data y, [batch, …]. Not disposed. */
  readonly y: T;
  /** One random stream per sample; required unless both `sigma` and `noise` are given. */
  readonly rngs?: readonly Rng[];
  /** p_train(σ); required unless `sigma` is given. */
  readonly distribution?: NoiseDistribution;
  /** λ(σ). */
  readonly weighting: LossWeighting;
  /** Fixed noise levels, one per sample, each > 0. */
  readonly sigma?: Float64Array;
  /** Fixed standard normal noise ε shaped like y, unscaled: n = σ·ε. Not disposed. */
  readonly noise?: T;
}

/** What {@link denoisingLossF} returns. */
export interface DenoisingLossFResult<T> {
  /**
   * The unreduced per-element loss λ(σ_b)·c_out(σ_b)²·(F(c_in(y + n); c_noise) − target)²,
   * shaped like y; equal to the D-space loss. The caller owns it.
   */
  readonly loss: T;
  /** The effective training target of F, (y − c_skip(σ)·(y + n))/c_out(σ). The caller owns it. */
  readonly target: T;
  /** σ_b, one per sample. */
  readonly sigma: Float64Array;
  /** λ(σ_b), the D-space weight, one per sample. */
  readonly weight: Float64Array;
  /** λ(σ_b)·c_out(σ_b)², the weight of F's own squared error, one per sample. */
  readonly effectiveWeight: Float64Array;
}

/** A raw network that answers synchronously (what a tfjs gradient tape needs). */
export type SyncBatchRawNetwork<T> = (xIn: T, cNoise: Float64Array) => T;
/** A raw network that always answers with a promise. */
export type AsyncBatchRawNetwork<T> = (xIn: T, cNoise: Float64Array) => Promise<T>;

/**
 * The denoising loss written in terms of the raw network F: what F itself is trained to
 * output, and with what weight.
 *
 * Paper: Eq. 8: E λ(σ)·c_out(σ)²·‖F(c_in(σ)·(y + n); c_noise(σ)) − (y − c_skip(σ)·(y + n))/c_out(σ)‖²₂,
 * identical to λ(σ)·‖D(y + n; σ) − y‖²₂ (numerics guide: “Denoising loss”). With the EDM
 * preconditioner and weighting the
 * effective weight λ(σ)·c_out(σ)² is 1 at every σ; with VP/VE/iDDPM and λ = 1/σ² it is also 1
 * and the target is ∓ε (noise prediction).
 *
 * σ and ε are drawn exactly as in {@link denoisingLoss} (all σ first, then ε, sample b from
 * `rngs[b]` only), so both losses see the same draws for the same streams. The target is
 * evaluated from y and ε as ((1 − c_skip)·y − c_skip·σ·ε)/c_out, algebraically equal to
 * (y − c_skip·(y + n))/c_out but without its cancellation (which costs digits in float32
 * where c_skip ≈ 1); for c_skip = 1 it is −(σ/c_out)·ε exactly. c_out(σ_b) must be finite
 * and non-zero (σ_b > 0 for the four preconditioners).
 *
 * Synchronous when F is, a promise when F is async. Intermediates are disposed; `y` and a
 * given `noise` are not; `loss` and `target` are the caller's.
 *
 * @param options.ops - tensor operations
 * @param options.F - the raw network F(c_in·x; c_noise), one c_noise per sample
 * @param options.precond - the preconditioner
 * @param options.y - clean data y, [batch, …]
 * @param options.rngs - one stream per sample (required unless sigma and noise are both given)
 * @param options.distribution - p_train(σ) (required unless sigma is given)
 * @param options.weighting - λ(σ)
 * @param options.sigma - fixed σ_b > 0, one per sample
 * @param options.noise - fixed ε (standard normal, unscaled), shaped like y
 * @example
 * const { loss, target, effectiveWeight } = denoisingLossF({
 *   ops: arrayOps, F, precond: edmPrecond(), y, rngs: sampleRngs(seed, batch),
 *   distribution: logNormal(), weighting: edmWeighting(),
 * }); // effectiveWeight ≈ [1, 1, …]
 * @see https://arxiv.org/abs/2206.00364
 */
export function denoisingLossF<T>(
  options: DenoisingLossFOptions<T> & { readonly F: SyncBatchRawNetwork<T> },
): DenoisingLossFResult<T>;
export function denoisingLossF<T>(
  options: DenoisingLossFOptions<T> & { readonly F: AsyncBatchRawNetwork<T> },
): Promise<DenoisingLossFResult<T>>;
export function denoisingLossF<T>(
  options: DenoisingLossFOptions<T>,
): DenoisingLossFResult<T> | Promise<DenoisingLossFResult<T>>;
export function denoisingLossF<T>(
  options: DenoisingLossFOptions<T>,
): DenoisingLossFResult<T> | Promise<DenoisingLossFResult<T>> {
  const F = options?.F;
  if (typeof F !== 'function') {
    throw new ParameterError('F', 'a function (xIn, cNoise: Float64Array) => tensor', F);
  }
  const precond = options.precond;
  if (precond == null || typeof precond.cOut !== 'function') {
    throw new ParameterError('precond', 'a Preconditioner { cSkip, cOut, cIn, cNoise }', precond);
  }
  const { ops, y } = options;
  const { sigma, weight, epsilon, ownsEpsilon } = draw(options);

  const batch = sigma.length;
  const cIn = new Float64Array(batch);
  const cNoise = new Float64Array(batch);
  const yScale = new Float64Array(batch); // (1 − c_skip)/c_out
  const epsilonScale = new Float64Array(batch); // −c_skip·σ/c_out
  const xScale = sigma; // x = y + σ·ε
  const effectiveWeight = new Float64Array(batch);
  let xIn: T;
  let target: T;
  try {
    for (let b = 0; b < batch; b++) {
      const s = sigma[b]!;
      const cSkip = precond.cSkip(s);
      const cOut = precond.cOut(s);
      if (!(Number.isFinite(cOut) && cOut !== 0)) {
        throw new ParameterError(
          `sigma[${b}]`,
          'a noise level with a finite, non-zero c_out(σ)',
          s,
        );
      }
      cIn[b] = precond.cIn(s);
      cNoise[b] = precond.cNoise(s);
      yScale[b] = (1 - cSkip) / cOut;
      epsilonScale[b] = (-cSkip * s) / cOut;
      // Stryker disable next-line ObjectLiteral: λ ≥ 0 is checked already, so only finiteness can fail here
      effectiveWeight[b] = checkNumber(`effectiveWeight[${b}]`, weight[b]! * cOut * cOut, {
        min: 0,
      });
    }
    target = combineScaled(ops, y, yScale, epsilon, epsilonScale);
    try {
      const x = combineScaled(ops, y, null, epsilon, xScale);
      try {
        xIn = ops.scaleSamples(x, cIn);
      } finally {
        ops.dispose(x);
      }
    } catch (error) {
      ops.dispose(target);
      throw error;
    }
  } finally {
    if (ownsEpsilon) ops.dispose(epsilon);
  }

  const finish = (f: T): DenoisingLossFResult<T> => {
    try {
      const diff = ops.combine([
        [1, f],
        [-1, target],
      ]);
      try {
        const sq = ops.mul(diff, diff);
        try {
          const loss = ops.scaleSamples(sq, effectiveWeight);
          return Object.freeze({ loss, target, sigma, weight, effectiveWeight });
        } finally {
          ops.dispose(sq);
        }
      } finally {
        ops.dispose(diff);
      }
    } catch (error) {
      ops.dispose(target);
      throw error;
    } finally {
      if (f !== xIn && f !== y && f !== target) ops.dispose(f);
      ops.dispose(xIn);
    }
  };

  let f: T | Promise<T>;
  try {
    f = F(xIn, cNoise);
  } catch (error) {
    ops.dispose(xIn);
    ops.dispose(target);
    throw error;
  }
  if (isPromiseLike(f)) {
    return Promise.resolve(f).then(finish, (error: unknown) => {
      ops.dispose(xIn);
      ops.dispose(target);
      throw error;
    });
  }
  return finish(f);
}

/** a ⊙ y + e ⊙ ε with per-sample factors (a = null: factor 1). */
function combineScaled<T>(
  ops: TensorOps<T>,
  y: T,
  a: Float64Array | null,
  epsilon: T,
  e: Float64Array,
): T {
  const ys = a === null ? y : ops.scaleSamples(y, a);
  try {
    const es = ops.scaleSamples(epsilon, e);
    try {
      return ops.combine([
        [1, ys],
        [1, es],
      ]);
    } finally {
      ops.dispose(es);
    }
  } finally {
    if (ys !== y) ops.dispose(ys);
  }
}
