import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import type { OnnxGraph } from '../graph/onnx-graph.js';

/**
 * A tensor of the ONNX graph, with the shape of the tfjs tensor it stands for
 * (channels last, batch `null`). Images (rank 4) are stored NCHW in the graph:
 * tfjs [N, H, W, C] is ONNX [N, C, H, W]; vectors [N, C] keep their layout.
 */
export interface Value {
  readonly name: string;
  readonly shape: readonly (number | null)[];
}

/**
 * Writes the ONNX nodes of one call of a tfjs layer: `inputs` are the graph tensors of
 * the call's inputs, `output` the call's symbolic output (for its shape). Returns the
 * name of the graph tensor of the output.
 */
export type Emitter = (
  graph: OnnxGraph,
  layer: tf.layers.Layer,
  inputs: readonly Value[],
  output: tf.SymbolicTensor,
) => string;

/** `layer` as an instance of `type`, or a ParameterError naming the layer. */
export function layerAs<L extends tf.layers.Layer>(
  layer: tf.layers.Layer,
  type: abstract new (...args: never[]) => L,
): L {
  if (!(layer instanceof type)) {
    throw new ParameterError(
      'network',
      `a network whose layer ${layer.name} (${layer.getClassName()}) is an instance of ${type.name}`,
      layer.constructor.name,
    );
  }
  return layer;
}

/** A known dimension of a symbolic shape (the spatial and channel sizes are static). */
export function dim(shape: readonly (number | null)[], axis: number, where: string): number {
  const d = shape[axis < 0 ? shape.length + axis : axis];
  if (d == null) {
    throw new ParameterError(`${where} shape`, `known along axis ${axis}`, shape);
  }
  return d;
}

/** x·sigmoid(x) (SiLU, tfjs 'swish'). */
export function silu(graph: OnnxGraph, x: string, hint: string): string {
  return graph.node('Mul', [x, graph.node('Sigmoid', [x], {}, `${hint}/sigmoid`)], {}, hint);
}
