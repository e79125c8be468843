import * as tf from '@tensorflow/tfjs';
import { checkNumber, ParameterError } from '@edmkit/core';

/**
 * Checks a resampling FIR filter (1-D taps, e.g. [1, 1] or [1, 3, 3, 1]) and returns it
 * normalised to unit sum. The 2-D filter is the outer product of the normalised taps.
 *
 * @example
 * normalizeFilter([1, 3, 3, 1]); // [0.125, 0.375, 0.375, 0.125]
 * @see https://arxiv.org/abs/2206.00364
 */
export function normalizeFilter(filter: readonly number[]): number[] {
  const value: unknown = filter;
  if (!Array.isArray(value) || filter.length < 1) {
    throw new ParameterError('resampleFilter', 'a non-empty array of finite numbers', filter);
  }
  filter.forEach((v, i) => checkNumber(`resampleFilter[${i}]`, v));
  const sum = filter.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new ParameterError('resampleFilter', 'taps with a non-zero sum', filter);
  return filter.map((v) => v / sum);
}

/**
 * Padding the official code applies around a resampling filter: ⌊(L − 1)/2⌋.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function filterPad(filter: readonly number[]): number {
  return Math.floor((filter.length - 1) / 2);
}

/**
 * Output size of {@link firDown} along one axis: ⌊(n + 2·pad − L)/2⌋ + 1.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function downSize(n: number, filterLength: number, pad: number): number {
  return Math.floor((n + 2 * pad - filterLength) / 2) + 1;
}

/**
 * Output size of {@link firUp} along one axis: 2(n − 1) + L − 2·pad.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function upSize(n: number, filterLength: number, pad: number): number {
  return 2 * (n - 1) + filterLength - 2 * pad;
}

function isBox(taps: readonly number[]): boolean {
  return taps.length === 2 && taps[0] === taps[1];
}

/** The [L, L, 1, 1] 2-D filter gain·(taps ⊗ taps). */
function filter2d(taps: readonly number[], gain: number): tf.Tensor4D {
  const l = taps.length;
  const values = new Float32Array(l * l);
  for (let i = 0; i < l; i++)
    for (let j = 0; j < l; j++) values[i * l + j] = gain * taps[i]! * taps[j]!;
  return tf.tensor4d(values, [l, l, 1, 1]);
}

/** [N, H, W, C] → [N·C, H, W, 1]: each channel becomes its own one-channel image. */
function foldChannels(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return x.transpose([0, 3, 1, 2]).reshape([n * c, h, w, 1]);
}

function unfoldChannels(y: tf.Tensor4D, n: number, c: number): tf.Tensor4D {
  const [, h, w] = y.shape;
  return y.reshape([n, c, h, w]).transpose([0, 2, 3, 1]);
}

/**
 * Downsamples by 2 with a FIR filter: the depthwise convolution of each channel with
 * taps ⊗ taps at stride 2, zero-padded by `pad` on every side (official `Conv2d` with
 * `down=True`: `conv2d(x, f, stride=2, padding=pad, groups=C)`).
 *
 * Paper: Appendix F.2 — resampling filter [1, 1] (DDPM++, ADM: 2×2 box) or
 * [1, 3, 3, 1] (NCSN++). With [1, 1] and no padding this is exact 2×2 average pooling,
 * computed by a reshape and a mean (cheaper, same gradients on every backend).
 *
 * @param x - [N, H, W, C]
 * @param taps - normalised 1-D taps ({@link normalizeFilter})
 * @param pad - zero padding on each side
 * @example
 * firDown(tf.ones([1, 4, 4, 1]), normalizeFilter([1, 1]), 0); // [1, 2, 2, 1] of ones
 * @see https://arxiv.org/abs/2206.00364
 */
export function firDown(x: tf.Tensor4D, taps: readonly number[], pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (isBox(taps) && pad === 0 && h % 2 === 0 && w % 2 === 0) {
      return x.reshape([n, h / 2, 2, w / 2, 2, c]).mean<tf.Tensor4D>([2, 4]);
    }
    const y = tf.conv2d(foldChannels(x), filter2d(taps, 1), 2, pad);
    return unfoldChannels(y, n, c);
  });
}

/**
 * Upsamples by 2 with a FIR filter: the depthwise transposed convolution of each channel
 * with 4·(taps ⊗ taps) at stride 2, cropped by `pad` (official `Conv2d` with `up=True`:
 * `conv_transpose2d(x, 4f, stride=2, padding=pad, groups=C)`).
 *
 * Paper: Appendix F.2. With [1, 1] and no padding this is nearest-neighbour upsampling,
 * computed by a reshape and a broadcast (tfjs's `ResizeNearestNeighbor` gradient is wrong
 * on the cpu backend for batch > 1, so it is not used).
 *
 * @param x - [N, H, W, C]
 * @param taps - normalised 1-D taps ({@link normalizeFilter})
 * @param pad - crop on each side
 * @example
 * firUp(tf.ones([1, 2, 2, 1]), normalizeFilter([1, 3, 3, 1]), 1); // [1, 4, 4, 1]
 * @see https://arxiv.org/abs/2206.00364
 */
export function firUp(x: tf.Tensor4D, taps: readonly number[], pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (isBox(taps) && pad === 0) {
      const ones = tf.ones([1, 1, 2, 1, 2, 1]);
      return tf.mul(x.reshape([n, h, 1, w, 1, c]), ones).reshape<tf.Tensor4D>([n, 2 * h, 2 * w, c]);
    }
    const l = taps.length;
    const outShape: [number, number, number, number] = [
      n * c,
      upSize(h, l, pad),
      upSize(w, l, pad),
      1,
    ];
    const y = tf.conv2dTranspose(foldChannels(x), filter2d(taps, 4), outShape, 2, pad);
    return unfoldChannels(y, n, c);
  });
}
