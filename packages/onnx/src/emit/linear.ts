import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import { Linear } from '@edmkit/unet';
import type { OnnxGraph } from '../graph/onnx-graph.js';
import { layerAs, type Emitter } from './emitter.js';
import { optionalWeight, weight, type Weight } from './weights.js';

/**
 * Emits y = x·W + b (edmkit `Linear`, W stored [in, out] as in tfjs and in ONNX Gemm):
 * a Gemm with the bias, a MatMul without.
 *
 * @param x - [N, in] graph tensor
 */
export function emitDense(
  graph: OnnxGraph,
  x: string,
  kernel: Weight,
  bias: Weight | null,
  hint: string,
): string {
  const w = graph.float(kernel.values, kernel.shape, `${hint}/kernel`);
  if (bias === null) return graph.node('MatMul', [x, w], {}, hint);
  const b = graph.float(bias.values, bias.shape, `${hint}/bias`);
  return graph.node('Gemm', [x, w, b], {}, hint);
}

/** Emits the child `Linear` named `child` of a composite layer (bias if it has one). */
export function emitChildDense(
  graph: OnnxGraph,
  layer: tf.layers.Layer,
  child: string,
  x: string,
): string {
  return emitDense(
    graph,
    x,
    weight(layer, `${child}/kernel`),
    optionalWeight(layer, `${child}/bias`),
    `${layer.name}/${child}`,
  );
}

/** Emitter of a top-level edmkit `Linear` layer on [N, in] inputs. */
export const emitLinear: Emitter = (graph, layer, inputs) => {
  const linear = layerAs(layer, Linear);
  const x = inputs[0]!;
  if (x.shape.length !== 2) {
    throw new ParameterError(`${linear.name} input shape`, 'rank 2 ([batch, features])', x.shape);
  }
  const bias = linear.useBias ? weight(linear, 'bias') : null;
  return emitDense(graph, x.name, weight(linear, 'kernel'), bias, linear.name);
};
