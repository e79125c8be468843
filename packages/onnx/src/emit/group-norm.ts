import type * as tf from '@tensorflow/tfjs';
import { GroupNorm, groupCount } from '@edmkit/unet';
import type { OnnxGraph } from '../graph/onnx-graph.js';
import { dim, layerAs, type Emitter, type Value } from './emitter.js';
import { weight, type Weight } from './weights.js';

/** What an edmkit `GroupNorm` computes. */
export interface GroupNormSpec {
  /** Number of groups G (dividing the channels). */
  readonly groups: number;
  /** ε added to the variance. */
  readonly epsilon: number;
  /** Per-channel scale γ [C]. */
  readonly gamma: Weight;
  /** Per-channel shift β [C]. */
  readonly beta: Weight;
}

/** The {@link GroupNormSpec} of the child GroupNorm `child` (official group rule, default settings). */
export function childGroupNorm(
  layer: tf.layers.Layer,
  child: string,
  channels: number,
  epsilon: number,
): GroupNormSpec {
  return {
    groups: groupCount(channels),
    epsilon,
    gamma: weight(layer, `${child}/gamma`),
    beta: weight(layer, `${child}/beta`),
  };
}

/**
 * Emits group normalisation, mirroring edmkit's `GroupNorm`: per sample and group, zero
 * mean and unit variance over the group's channels and all positions, then γ·x + β per
 * channel. Opset 17 has no GroupNormalization, so the channels are folded into
 * [N, G, C/G·positions] and normalised with InstanceNormalization (unit scale, zero bias).
 *
 * @param x - the graph tensor; `shape` its tfjs shape ([N, H, W, C] stored NCHW, or [N, C])
 */
export function emitGroupNormalization(
  graph: OnnxGraph,
  x: Value,
  spec: GroupNormSpec,
  hint: string,
): string {
  const channels = dim(x.shape, -1, hint);
  const g = spec.groups;
  const folded = graph.node('Reshape', [x.name, graph.int64([0, g, -1])], {}, `${hint}/groups`);
  const ones = graph.shared(`ones:${g}`, () =>
    graph.float(new Float32Array(g).fill(1), [g], `ones_${g}`),
  );
  const zeros = graph.shared(`zeros:${g}`, () =>
    graph.float(new Float32Array(g), [g], `zeros_${g}`),
  );
  const normed = graph.node(
    'InstanceNormalization',
    [folded, ones, zeros],
    { epsilon: { f: spec.epsilon } },
    `${hint}/normalize`,
  );
  const image = x.shape.length === 4;
  const shape = image ? [0, channels, dim(x.shape, 1, hint), dim(x.shape, 2, hint)] : [0, channels];
  const restored = graph.node('Reshape', [normed, graph.int64(shape)], {}, `${hint}/channels`);
  const perChannel = image ? [channels, 1, 1] : [channels];
  const gamma = graph.float(spec.gamma.values, perChannel, `${hint}/gamma`);
  const beta = graph.float(spec.beta.values, perChannel, `${hint}/beta`);
  return graph.node(
    'Add',
    [graph.node('Mul', [restored, gamma], {}, `${hint}/scale`), beta],
    {},
    hint,
  );
}

/** Emitter of a top-level edmkit `GroupNorm` layer. */
export const emitGroupNorm: Emitter = (graph, layer, inputs) => {
  const norm = layerAs(layer, GroupNorm);
  const x = inputs[0]!;
  const channels = dim(x.shape, -1, norm.name);
  const spec: GroupNormSpec = {
    groups: groupCount(channels, norm.groups, norm.minChannelsPerGroup),
    epsilon: norm.epsilon,
    gamma: weight(norm, 'gamma'),
    beta: weight(norm, 'beta'),
  };
  return emitGroupNormalization(graph, x, spec, norm.name);
};
