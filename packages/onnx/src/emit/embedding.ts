import {
  FourierEmbedding,
  PositionalEmbedding,
  positionalFrequencies,
  type EmbeddingOrder,
} from '@edmkit/unet';
import type { OnnxGraph } from '../graph/onnx-graph.js';
import { layerAs, type Emitter } from './emitter.js';
import { weight, type Weight } from './weights.js';

/**
 * Emits [sin(c·f), cos(c·f)] (or [cos, sin]) along the channels, for c_noise [N, 1]
 * and the float32 frequencies f (edmkit `sinusoids`).
 */
export function emitSinusoids(
  graph: OnnxGraph,
  cNoise: string,
  freqs: Float32Array,
  order: EmbeddingOrder,
  hint: string,
): string {
  const f = graph.float(freqs, [1, freqs.length], `${hint}/freqs`);
  const arg = graph.node('Mul', [cNoise, f], {}, `${hint}/arg`);
  const sin = graph.node('Sin', [arg], {}, `${hint}/sin`);
  const cos = graph.node('Cos', [arg], {}, `${hint}/cos`);
  return graph.node(
    'Concat',
    order === 'sinCos' ? [sin, cos] : [cos, sin],
    { axis: { i: 1 } },
    hint,
  );
}

/**
 * The positional embedding's frequencies (1/maxPositions)^(k/D), rounded to float32 as
 * edmkit's `PositionalEmbedding` holds them.
 */
export function positionalFreqs(
  channels: number,
  maxPositions: number,
  endpoint: boolean,
): Float32Array {
  return Float32Array.from(positionalFrequencies(channels, maxPositions, endpoint));
}

/**
 * The Fourier embedding's frequencies times 2π, each product rounded to float32 as
 * edmkit's `FourierEmbedding` computes it (`freqs·2π` in float32).
 */
export function fourierFreqs(freqs: Weight): Float32Array {
  const twoPi = Math.fround(2 * Math.PI);
  return freqs.values.map((f) => f * twoPi);
}

/** Emitter of a top-level edmkit `PositionalEmbedding` (input c_noise [N, 1]). */
export const emitPositionalEmbedding: Emitter = (graph, layer, inputs) => {
  const emb = layerAs(layer, PositionalEmbedding);
  const freqs = positionalFreqs(emb.channels, emb.maxPositions, emb.endpoint);
  return emitSinusoids(graph, inputs[0]!.name, freqs, emb.order, emb.name);
};

/** Emitter of a top-level edmkit `FourierEmbedding` (input c_noise [N, 1]). */
export const emitFourierEmbedding: Emitter = (graph, layer, inputs) => {
  const emb = layerAs(layer, FourierEmbedding);
  return emitSinusoids(
    graph,
    inputs[0]!.name,
    fourierFreqs(weight(emb, 'freqs')),
    emb.order,
    emb.name,
  );
};
