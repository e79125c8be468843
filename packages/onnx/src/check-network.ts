import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import type { Network, NetworkConfig } from '@edmkit/unet';

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

/**
 * Checks the fields of a network config this package relies on: `inputShape`
 * ([H, W, C] or [d], positive integers), `outChannels` ≥ 1, `labelDim` and `augmentDim` ≥ 0.
 * Throws a ParameterError naming `parameter`.
 */
export function checkConfig(parameter: string, config: unknown): NetworkConfig {
  const c = config as Partial<NetworkConfig> | null;
  if (c == null || typeof c !== 'object') {
    throw new ParameterError(
      parameter,
      'a network config (inputShape, outChannels, labelDim, augmentDim)',
      config,
    );
  }
  const shape: unknown = c.inputShape;
  if (
    !Array.isArray(shape) ||
    (shape.length !== 3 && shape.length !== 1) ||
    !shape.every((d) => isCount(d, 1))
  ) {
    throw new ParameterError(
      `${parameter}.inputShape`,
      '[height, width, channels] or [dim] of positive integers',
      shape,
    );
  }
  if (!isCount(c.outChannels, 1))
    throw new ParameterError(`${parameter}.outChannels`, 'an integer >= 1', c.outChannels);
  if (!isCount(c.labelDim, 0))
    throw new ParameterError(`${parameter}.labelDim`, 'an integer >= 0', c.labelDim);
  if (!isCount(c.augmentDim, 0))
    throw new ParameterError(`${parameter}.augmentDim`, 'an integer >= 0', c.augmentDim);
  return c as NetworkConfig;
}

/** Checks that `network` is an edmkit Network (a config and a tfjs LayersModel with one output). */
export function checkNetwork(network: unknown): { config: NetworkConfig; model: tf.LayersModel } {
  const n = network as Partial<Network> | null;
  if (n == null || typeof n !== 'object') {
    throw new ParameterError('network', 'an edmkit Network (config and model)', network);
  }
  const config = checkConfig('network.config', n.config);
  const model = n.model;
  if (
    model == null ||
    !Array.isArray(model.layers) ||
    !Array.isArray(model.inputs) ||
    !Array.isArray(model.outputs)
  ) {
    throw new ParameterError('network.model', 'a tfjs LayersModel', model);
  }
  if (model.outputs.length !== 1) {
    throw new ParameterError('network.model', 'a model with one output', model.outputs.length);
  }
  return { config, model };
}
