import * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';

/**
 * A 0/1 mask of `shape` that keeps each element with probability 1 − p, a pure function
 * of (`seed`, `path`): the same call seed gives the same masks, and each layer (`path`)
 * of a network draws its own.
 *
 * @param shape - the mask's shape
 * @param rate - p in [0, 1)
 * @param seed - the call's integer seed ({@link ApplyOptions.seed}); required
 * @param path - the layer's unique path in its network
 * @see https://arxiv.org/abs/2206.00364
 */
export function seededKeepMask(
  shape: number[],
  rate: number,
  seed: number | undefined,
  path: string,
): tf.Tensor {
  if (seed === undefined) {
    throw new ParameterError(
      'seed',
      `an integer seed for the dropout masks when training with dropout > 0 (at ${path})`,
      seed,
    );
  }
  return tf.tidy(() =>
    tf.cast(
      tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', `${seed}/${path}`), rate),
      'float32',
    ),
  );
}

/**
 * Dropout whose mask is a pure function of (`seed`, `path`) ({@link seededKeepMask}): each
 * element is kept with probability 1 − p and scaled by 1/(1 − p) (inverted dropout, as
 * `torch.nn.functional.dropout`), so a training run resumes exactly.
 *
 * Paper: Appendix F.2 (dropout 0.13 for CIFAR-10, 0.10 for ImageNet-64).
 *
 * @param x - the activations
 * @param rate - p in [0, 1); 0 returns x unchanged
 * @param seed - the call's integer seed ({@link ApplyOptions.seed}); required when p > 0
 * @param path - the layer's unique path in its network
 * @example
 * const y = seededDropout(x, 0.13, 42, 'enc_32x32_block0'); // same y for the same seed
 * @see https://arxiv.org/abs/2206.00364
 */
export function seededDropout(
  x: tf.Tensor,
  rate: number,
  seed: number | undefined,
  path: string,
): tf.Tensor {
  if (rate === 0) return x;
  return tf.tidy(() =>
    tf.mul(x, tf.mul(seededKeepMask(x.shape, rate, seed, path), 1 / (1 - rate))),
  );
}
