import * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';

/**
 * A float32 tensor of `shape` from float64 values laid out sample after sample
 * (e.g. latents drawn with `sampleRngs`), so code outside the tfjs packages needs
 * no tfjs import.
 * @example
 * const z = tensorFromArray(latents, [batch, 28, 28, 1]);
 */
export function tensorFromArray(values: ArrayLike<number>, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 1) || size !== values.length) {
    throw new ParameterError(
      'shape',
      `positive integers whose product is values.length = ${values.length}`,
      shape,
    );
  }
  return tf.tensor(Float32Array.from(values), [...shape], 'float32');
}

/** The values of a tensor as float64 (awaits the backend), leaving the tensor alive. */
export async function tensorToArray(x: tf.Tensor): Promise<Float64Array> {
  return Float64Array.from(await x.data());
}
