import * as tf from '@tensorflow/tfjs';
import { checkNumber } from '@edmkit/core';

/**
 * Replaces the non-finite entries of a gradient: NaN → 0, +∞ → +10⁵, −∞ → −10⁵,
 * finite values unchanged — `torch.nan_to_num(grad, nan=0, posinf=1e5, neginf=-1e5)`
 * of the official training loop (numerics guide: “Adam”).
 *
 * @param grad - a gradient tensor (not disposed)
 * @returns a new tensor
 * @example
 * replaceNonFinite(tf.tensor1d([NaN, Infinity, -Infinity, 2])); // [0, 1e5, -1e5, 2]
 * @see https://arxiv.org/abs/2206.00364
 */
export function replaceNonFinite(grad: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const big = tf.mul(tf.sign(grad), 1e5);
    return tf.where(tf.isNaN(grad), tf.zerosLike(grad), tf.where(tf.isInf(grad), big, grad));
  });
}

/**
 * The global L2 norm √(Σ_k ‖g_k‖²) of a list of gradients, as a float64 number
 * (each ‖g_k‖² is a float32 reduction, their sum is float64). NaN or ∞ when a
 * gradient is (or when a float32 ‖g_k‖² overflows, |g| ≳ 10¹⁹).
 *
 * @param grads - the gradients (not disposed)
 * @example
 * globalNorm([tf.tensor1d([3]), tf.tensor1d([4])]); // 5
 * @see https://arxiv.org/abs/2206.00364
 */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  if (grads.length === 0) return 0;
  const squares = tf.tidy(() => tf.stack(grads.map((g) => tf.sum(tf.square(g)))));
  try {
    let total = 0;
    for (const s of squares.dataSync()) total += s;
    return Math.sqrt(total);
  } finally {
    squares.dispose();
  }
}

/**
 * Clips a list of gradients to a global L2 norm: when ‖g‖ = √(Σ_k ‖g_k‖²) exceeds
 * `maxNorm`, every g_k is multiplied by maxNorm/‖g‖; otherwise they are returned as
 * they are (the same tensors). Not part of the official EDM recipe (it has no
 * clipping); common in later work. Use after {@link replaceNonFinite}.
 *
 * A non-finite norm is left alone (nothing is clipped); {@link train} never gets there, as
 * it replaces or refuses non-finite gradients first.
 *
 * @param grads - the gradients (not disposed)
 * @param maxNorm - the largest global norm allowed, > 0
 * @param norm - the global norm when already known (see {@link globalNorm})
 * @returns the clipped gradients (new tensors when clipped) and the norm before clipping
 * @example
 * const { grads: clipped, norm } = clipGlobalNorm(grads, 1);
 * @see https://arxiv.org/abs/2206.00364
 */
export function clipGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
  norm: number = globalNorm(grads),
): { readonly grads: readonly tf.Tensor[]; readonly norm: number; readonly clipped: boolean } {
  checkNumber('maxNorm', maxNorm, { min: 0, minInclusive: false });
  if (!(norm > maxNorm) || !Number.isFinite(norm)) return { grads, norm, clipped: false };
  const scale = maxNorm / norm;
  return { grads: grads.map((g) => tf.mul(g, scale)), norm, clipped: true };
}

/**
 * The training objective of a minibatch from the per-element loss: the sum over all
 * elements divided by the batch size — "sum over pixels, mean over images", as the
 * official loop's `loss.sum() / batch_size` (numerics guide: “Loss reduction”), not a per-pixel mean.
 *
 * @param loss - per-element loss λ(σ)·(D − y)², leading axis the batch (not disposed)
 * @param batchSize - number of images in the minibatch (default: loss.shape[0])
 * @returns a scalar tensor
 * @example
 * reduceLoss(tf.ones([4, 8]), 4); // 8
 * @see https://arxiv.org/abs/2206.00364
 */
export function reduceLoss(loss: tf.Tensor, batchSize: number = loss.shape[0] ?? 1): tf.Scalar {
  checkNumber('batchSize', batchSize, { min: 1, integer: true });
  return tf.tidy(() => tf.div(tf.sum(loss), batchSize));
}
