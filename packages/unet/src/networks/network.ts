import * as tf from '@tensorflow/tfjs';
import { checkInteger, createRng, ParameterError } from '@edmkit/core';
import type { WeightSource } from '../layers/edm-layer.js';
import type { ApplyOptions, Network, NetworkConfig } from '../types.js';

/** Options of the network factories and {@link buildNetwork}. */
export interface BuildOptions {
  /** Seed of the initial weights (integer in [0, 2³² − 1], default 0). Not part of the config. */
  readonly seed?: number;
}

/** Where a builder takes its initial weights from. */
export function weightSource(options: BuildOptions | undefined, zeros = false): WeightSource {
  if (zeros) return 'zeros';
  return createRng(options?.seed ?? 0);
}

function shapeString(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensor(
  name: string,
  t: unknown,
  shape: readonly (number | string)[],
  expected: readonly number[],
): tf.Tensor {
  if (!(t instanceof tf.Tensor))
    throw new ParameterError(name, `a tf.Tensor of shape ${shapeString(shape)}`, t);
  if (t.isDisposed)
    throw new ParameterError(name, 'a tensor that has not been disposed', 'a disposed tensor');
  if (t.dtype !== 'float32')
    throw new ParameterError(name, `a float32 tensor of shape ${shapeString(shape)}`, t.dtype);
  if (t.rank !== expected.length || (t.shape as number[]).some((d, i) => d !== expected[i])) {
    throw new ParameterError(name, `a tensor of shape ${shapeString(shape)}`, t.shape);
  }
  return t as tf.Tensor<tf.Rank>;
}

/**
 * Wraps a built tfjs model as a {@link Network}: input validation, the optional label
 * inputs, the per-call dropout seed, and the parameter count (trainable scalars only).
 *
 * @param config - the network's config (kept as given)
 * @param model - the tfjs model with inputs [x, cNoise (N×1)(, classLabels)(, augmentLabels)]
 * @param usesDropout - whether training calls need a seed (dropout or label dropout > 0)
 */
export function wrapModel(
  config: NetworkConfig,
  model: tf.LayersModel,
  usesDropout: boolean,
): Network {
  const trainableWeights = Object.freeze(
    model.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const inputShape = [...config.inputShape];
  const apply = (x: tf.Tensor, cNoise: tf.Tensor1D, options: ApplyOptions = {}): tf.Tensor => {
    if (!(x instanceof tf.Tensor) || x.rank !== inputShape.length + 1) {
      checkTensor('x', x, ['batch', ...inputShape], [-1, ...inputShape]);
    }
    const batch = x.shape[0];
    checkTensor('x', x, ['batch', ...inputShape], [batch, ...inputShape]);
    checkTensor('cNoise', cNoise, [batch], [batch]);
    const training = options.training ?? false;
    if (typeof training !== 'boolean') throw new ParameterError('training', 'a boolean', training);
    const seed = options.seed === undefined ? undefined : checkInteger('seed', options.seed, 0);
    if (seed !== undefined && seed > 0xffffffff)
      throw new ParameterError('seed', 'an integer in [0, 2^32 - 1]', seed);
    if (training && usesDropout && seed === undefined) {
      throw new ParameterError(
        'seed',
        'an integer (the dropout masks) when training a network with dropout > 0',
        seed,
      );
    }
    const { classLabels, augmentLabels } = options;
    if (config.labelDim > 0) {
      checkTensor('classLabels', classLabels, [batch, config.labelDim], [batch, config.labelDim]);
    } else if (classLabels !== undefined) {
      throw new ParameterError(
        'classLabels',
        'undefined for a network without class labels (labelDim 0)',
        classLabels.shape,
      );
    }
    if (augmentLabels !== undefined) {
      if (config.augmentDim === 0) {
        throw new ParameterError(
          'augmentLabels',
          'undefined for a network without augmentation labels (augmentDim 0)',
          augmentLabels.shape,
        );
      }
      checkTensor(
        'augmentLabels',
        augmentLabels,
        [batch, config.augmentDim],
        [batch, config.augmentDim],
      );
    }
    return tf.tidy(() => {
      const inputs: tf.Tensor[] = [x, cNoise.reshape([batch, 1])];
      if (config.labelDim > 0) inputs.push(classLabels!);
      // No augmentation labels = zeros (the official network skips the layer; it has no bias).
      if (config.augmentDim > 0) inputs.push(augmentLabels ?? tf.zeros([batch, config.augmentDim]));
      const kwargs: Record<string, unknown> = { training };
      if (seed !== undefined) kwargs['seed'] = seed;
      return model.apply(inputs, kwargs) as tf.Tensor;
    });
  };
  const countParams = (): number => trainableWeights.reduce((n, w) => n + w.size, 0);
  return Object.freeze({
    config,
    model,
    apply,
    trainableWeights,
    countParams,
    dispose: (): void => {
      model.dispose();
    },
  });
}
