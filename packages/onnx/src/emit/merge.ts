import { ParameterError } from '@edmkit/core';
import { ScaledAdd } from '@edmkit/unet';
import { layerAs, silu, type Emitter } from './emitter.js';

/** Emitter of edmkit's `ScaledAdd`: (a + b + …)·scale. */
export const emitScaledAdd: Emitter = (graph, layer, inputs) => {
  const add = layerAs(layer, ScaledAdd);
  const sum = graph.node(
    'Sum',
    inputs.map((v) => v.name),
    {},
    `${add.name}/sum`,
  );
  return graph.node('Mul', [sum, graph.scalar(add.scale)], {}, add.name);
};

/**
 * Emitter of tfjs's `Concatenate` layer. tfjs concatenates channels-last; the graph stores
 * images NCHW, so the tfjs channel axis (−1 or 3) of a rank-4 tensor becomes axis 1.
 */
export const emitConcatenate: Emitter = (graph, layer, inputs) => {
  const rank = inputs[0]!.shape.length;
  const raw = layer.getConfig()['axis'];
  const axis = typeof raw === 'number' ? (raw < 0 ? rank + raw : raw) : rank - 1;
  if (
    !inputs.every((v) => v.shape.length === rank) ||
    (rank === 4 && axis !== 3) ||
    axis < 1 ||
    axis >= rank
  ) {
    throw new ParameterError(
      `${layer.name} axis`,
      'the channel (last) axis of inputs of equal rank 2 or 4',
      raw,
    );
  }
  return graph.node(
    'Concat',
    inputs.map((v) => v.name),
    { axis: { i: rank === 4 ? 1 : axis } },
    layer.name,
  );
};

/** Emitter of tfjs's `Activation` layer: 'swish' (x·sigmoid(x), the networks' SiLU) or 'linear'. */
export const emitActivation: Emitter = (graph, layer, inputs) => {
  const activation = layer.getConfig()['activation'];
  const x = inputs[0]!.name;
  if (activation === 'linear') return graph.node('Identity', [x], {}, layer.name);
  if (activation !== 'swish') {
    throw new ParameterError(`${layer.name} activation`, "'swish' or 'linear'", activation);
  }
  return silu(graph, x, layer.name);
};
