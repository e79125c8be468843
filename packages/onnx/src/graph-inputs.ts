import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import type { NetworkConfig } from '@edmkit/unet';
import type { Value } from './emit/emitter.js';
import type { Dim, OnnxGraph } from './graph/onnx-graph.js';

/** Graph input names, the tfjs model's input names (`x`, `c_noise`, `class_labels`, `augment_labels`). */
export const INPUT_NAMES = ['x', 'c_noise', 'class_labels', 'augment_labels'] as const;

function sameShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Declares the graph inputs of a network's model and returns the graph tensor of each
 * model input, by symbolic tensor id: `x` [batch, H, W, C] transposed to NCHW (or
 * [batch, dim]), `c_noise` [batch] reshaped to the model's [batch, 1], and the label
 * inputs [batch, labelDim] / [batch, augmentDim] as they are.
 */
export function bindInputs(
  graph: OnnxGraph,
  model: tf.LayersModel,
  config: NetworkConfig,
  batch: Dim,
): Map<number, Value> {
  const values = new Map<number, Value>();
  const expected: Record<string, readonly number[]> = {
    x: config.inputShape,
    c_noise: [1],
    class_labels: [config.labelDim],
    augment_labels: [config.augmentDim],
  };
  for (const input of model.inputs) {
    const name = input.sourceLayer.name;
    const want = expected[name];
    if (want === undefined || !sameShape(input.shape, [null, ...want])) {
      throw new ParameterError(
        'network.model',
        `a model whose inputs are ${INPUT_NAMES.join(', ')} shaped as its config says`,
        `${name} ${JSON.stringify(input.shape)}`,
      );
    }
    const shape = input.shape;
    let tensor: string;
    if (name === 'c_noise') {
      const cNoise = graph.input(name, [batch]);
      tensor = graph.node('Unsqueeze', [cNoise, graph.int64([1])], {}, 'c_noise_column');
    } else if (name === 'x' && want.length === 3) {
      const x = graph.input(name, [batch, ...want]);
      tensor = graph.node('Transpose', [x], { perm: { ints: [0, 3, 1, 2] } }, 'x_nchw');
    } else {
      tensor = graph.input(name, [batch, ...want]);
    }
    values.set(input.id, { name: tensor, shape });
  }
  return values;
}
