import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';

/** The values of a tfjs weight (float32, its tfjs layout) and its shape. */
export interface Weight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

function find(layer: tf.layers.Layer, path: string): tf.LayerVariable[] {
  return layer.weights.filter(
    (w) => w.originalName === path || w.originalName.endsWith(`/${path}`),
  );
}

/**
 * The weight of `layer` (or of one of its child layers) whose saved name ends with
 * `path`, e.g. `'conv0/kernel'` in a UNetBlock (weights are named
 * `<layer path>/<child>/<weight>`, their keys in a saved network). Null if absent;
 * a ParameterError if several match.
 */
export function optionalWeight(layer: tf.layers.Layer, path: string): Weight | null {
  const found = find(layer, path);
  if (found.length > 1) {
    throw new ParameterError(
      'network',
      `a network whose layer ${layer.name} has one weight named */${path}`,
      found.map((w) => w.originalName),
    );
  }
  const w = found[0];
  if (w === undefined) return null;
  let values: unknown;
  try {
    values = w.read().dataSync();
  } catch {
    throw new ParameterError(
      'network',
      'a network whose weights have not been disposed',
      w.originalName,
    );
  }
  if (!(values instanceof Float32Array)) {
    throw new ParameterError(`weight ${w.originalName}`, 'a float32 weight', w.dtype);
  }
  return { values, shape: w.shape.map((d) => d ?? 1) };
}

/** As {@link optionalWeight}, but a ParameterError if the weight is absent. */
export function weight(layer: tf.layers.Layer, path: string): Weight {
  const w = optionalWeight(layer, path);
  if (w === null) {
    throw new ParameterError(
      'network',
      `a network whose layer ${layer.name} has a weight named */${path}`,
      layer.weights.map((v) => v.originalName),
    );
  }
  return w;
}
