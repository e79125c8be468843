import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import type { Value } from './emit/emitter.js';
import { emitterFor } from './emit/emitters.js';
import type { OnnxGraph } from './graph/onnx-graph.js';

type LayerCall = {
  readonly layer: tf.layers.Layer;
  readonly node: tf.layers.Layer['inboundNodes'][number];
};

/**
 * Emits every layer call of a tfjs functional model, following its graph (each layer's
 * inbound nodes): a call is emitted once the graph tensors of all its inputs exist, so the
 * order of `model.layers` does not matter. `values` maps symbolic tensor ids to graph
 * tensors; it starts with the model inputs and gains every call's output. Returns the
 * graph tensor of the model's output.
 */
export function emitLayers(
  graph: OnnxGraph,
  model: tf.LayersModel,
  values: Map<number, Value>,
): Value {
  let pending: LayerCall[] = model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .flatMap((layer) => layer.inboundNodes.map((node) => ({ layer, node })));
  for (let progress = true; progress;) {
    progress = false;
    const waiting: LayerCall[] = [];
    for (const call of pending) {
      const inputs = call.node.inputTensors.map((t) => values.get(t.id));
      if (inputs.some((v) => v === undefined)) {
        waiting.push(call);
        continue;
      }
      const outputs = call.node.outputTensors;
      if (outputs.length !== 1) {
        throw new ParameterError(
          'network.model',
          'layers with one output each',
          `${call.layer.name}: ${outputs.length}`,
        );
      }
      const emit = emitterFor(call.layer.getClassName(), call.layer.name);
      const name = emit(graph, call.layer, inputs as Value[], outputs[0]!);
      values.set(outputs[0]!.id, { name, shape: outputs[0]!.shape });
      progress = true;
    }
    pending = waiting;
  }
  const out = values.get(model.outputs[0]!.id);
  if (out === undefined) {
    throw new ParameterError(
      'network.model',
      'a model whose output depends only on its inputs',
      model.outputs[0]!.name,
    );
  }
  return out;
}
