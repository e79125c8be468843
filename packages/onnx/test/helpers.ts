import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { createRng } from '@edmkit/core';
import type { Network, NetworkConfig } from '@edmkit/unet';

/** Deterministic standard-normal values. */
export function normals(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

/**
 * Overwrites every trainable weight with random values so that every branch contributes
 * (the networks zero- or 1e-5-initialise their output and residual layers): kernels
 * N(0, 1/fanIn), γ ≈ 1 ± 0.3, biases and β N(0, 0.3²). The Fourier frequencies are kept.
 */
export function randomizeWeights(network: Network, seed: number): void {
  network.model.weights.forEach((w, k) => {
    if (!w.trainable) return;
    const shape = w.shape.map((d) => d ?? 1);
    const size = shape.reduce((a, b) => a * b, 1);
    const z = normals(size, seed * 1000 + k);
    const fanIn = shape.length >= 2 ? size / shape[shape.length - 1]! : 0;
    const values = z.map((v) =>
      fanIn > 0 ? v / Math.sqrt(fanIn) : w.originalName.endsWith('gamma') ? 1 + 0.3 * v : 0.3 * v,
    );
    w.write(tf.tensor(values, shape, 'float32'));
  });
}

/** Inputs of one comparison: x (channels last), c_noise, labels as the config needs. */
export interface Inputs {
  readonly x: Float32Array;
  readonly cNoise: Float32Array;
  readonly classLabels?: Float32Array;
  readonly augmentLabels?: Float32Array;
  readonly batch: number;
}

/** Random inputs for `config` (class labels one-hot, augmentation labels normal). */
export function inputsFor(config: NetworkConfig, batch: number, seed: number): Inputs {
  const size = config.inputShape.reduce((a, b) => a * b, 1);
  const d = config.labelDim;
  const labels = d > 0 ? new Float32Array(batch * d) : undefined;
  for (let b = 0; labels && b < batch; b++) labels[b * d + (b % d)] = 1;
  return {
    x: normals(batch * size, seed),
    cNoise: normals(batch, seed + 1),
    batch,
    ...(labels ? { classLabels: labels } : {}),
    ...(config.augmentDim > 0
      ? { augmentLabels: normals(batch * config.augmentDim, seed + 2) }
      : {}),
  };
}

/** network.apply on the inputs (tfjs), as float32 values. */
export function runTfjs(network: Network, inputs: Inputs): Float32Array {
  const { config } = network;
  const { batch } = inputs;
  const y = tf.tidy(() => {
    const x = tf.tensor(inputs.x, [batch, ...config.inputShape], 'float32');
    const cNoise = tf.tensor1d(inputs.cNoise, 'float32');
    const labels2d = (v: Float32Array | undefined) =>
      v ? tf.tensor2d(v, [batch, v.length / batch], 'float32') : undefined;
    const classLabels = labels2d(inputs.classLabels);
    const augmentLabels = labels2d(inputs.augmentLabels);
    return network.apply(x, cNoise, {
      ...(classLabels ? { classLabels } : {}),
      ...(augmentLabels ? { augmentLabels } : {}),
    });
  });
  const out = y.dataSync() as Float32Array;
  y.dispose();
  return out;
}

/** The exported model run by onnxruntime-node on the inputs. */
export async function runOnnx(
  session: ort.InferenceSession,
  config: NetworkConfig,
  inputs: Inputs,
): Promise<Float32Array> {
  const { batch } = inputs;
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', inputs.x, [batch, ...config.inputShape]),
    c_noise: new ort.Tensor('float32', inputs.cNoise, [batch]),
  };
  if (inputs.classLabels)
    feeds['class_labels'] = new ort.Tensor('float32', inputs.classLabels, [batch, config.labelDim]);
  if (inputs.augmentLabels)
    feeds['augment_labels'] = new ort.Tensor('float32', inputs.augmentLabels, [
      batch,
      config.augmentDim,
    ]);
  const out = await session.run(feeds);
  return out['y']!.data as Float32Array;
}

/** max |a − ref| / max |ref|. */
export function relativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`lengths differ: ${a.length} vs ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / scale;
}
