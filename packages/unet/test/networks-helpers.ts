import * as tf from '@tensorflow/tfjs';
import { createRng } from '@edmkit/core';
import type { Network } from '@edmkit/unet';

/** Deterministic standard-normal values from a seeded edmkit stream. */
export function normals(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

/** A tensor of deterministic standard-normal values. */
export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    normals(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
    'float32',
  );
}

/** max |a − b| over all elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The weight of `layer` whose name (originalName) is `name`. */
export function weightOf(layer: tf.layers.Layer | tf.LayersModel, name: string): tf.LayerVariable {
  const w = layer.weights.find((v) => v.originalName === name);
  if (!w)
    throw new Error(
      `no weight ${name}; have ${layer.weights.map((v) => v.originalName).join(', ')}`,
    );
  return w;
}

/** Runs a network on deterministic inputs (labels one-hot, augment labels random) and returns the values. */
export function runOn(
  network: Network,
  batch: number,
  seed: number,
  options: { training?: boolean; seed?: number } = {},
): Float32Array {
  const y = tf.tidy(() => {
    const c = network.config;
    const x = randn([batch, ...c.inputShape], seed);
    const cNoise = randn([batch], seed + 1) as tf.Tensor1D;
    const labels =
      c.labelDim > 0
        ? (tf
            .oneHot(
              tf.tensor1d(
                Array.from({ length: batch }, (_, i) => i % c.labelDim),
                'int32',
              ),
              c.labelDim,
            )
            .toFloat() as tf.Tensor2D)
        : undefined;
    const augment =
      c.augmentDim > 0 ? (randn([batch, c.augmentDim], seed + 2) as tf.Tensor2D) : undefined;
    return network.apply(x, cNoise, {
      ...options,
      ...(labels ? { classLabels: labels } : {}),
      ...(augment ? { augmentLabels: augment } : {}),
    });
  });
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}
