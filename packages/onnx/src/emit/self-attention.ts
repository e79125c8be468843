import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraph } from '../graph/onnx-graph.js';
import { childConvolution, emitConvolution } from './conv2d.js';
import { dim, type Value } from './emitter.js';
import { childGroupNorm, emitGroupNormalization } from './group-norm.js';

/** Settings of a block's self-attention (its weights are read from the block). */
export interface AttentionSettings {
  /** Number of heads (dividing the channels). */
  readonly heads: number;
  /** GroupNorm ε. */
  readonly epsilon: number;
  /** Factor applied after the residual sum. */
  readonly skipScale: number;
}

const NO_RESAMPLE = { up: false, down: false, resampleFilter: [1, 1] } as const;

/**
 * Emits the self-attention child `attn` of a UNetBlock on x (NCHW), mirroring edmkit's
 * `SelfAttention.call`: qkv = 1×1 conv of GroupNorm(x), channels in the official layout
 * (head·3·(C/heads) + c·3 + {q, k, v}); per head softmax(q·kᵀ/√(C/heads))·v; then
 * (x + proj(a))·skipScale. Heads are folded into the batch ([N·heads, C/heads, H·W]).
 *
 * @param block - the UNetBlock that owns the attention (weights `attn/…`)
 * @param x - the graph tensor with its tfjs shape [N, H, W, C]
 */
export function emitSelfAttention(
  graph: OnnxGraph,
  block: tf.layers.Layer,
  x: Value,
  settings: AttentionSettings,
  hint: string,
): string {
  const [h, w, c] = [dim(x.shape, 1, hint), dim(x.shape, 2, hint), dim(x.shape, 3, hint)];
  const cph = c / settings.heads;
  const normed = emitGroupNormalization(
    graph,
    x,
    childGroupNorm(block, 'attn/norm', c, settings.epsilon),
    `${hint}/norm`,
  );
  const qkv = emitConvolution(
    graph,
    normed,
    c,
    childConvolution(block, 'attn/qkv', NO_RESAMPLE),
    `${hint}/qkv`,
  );
  const split = graph.node('Reshape', [qkv, graph.int64([-1, cph, 3, h * w])], {}, `${hint}/heads`);
  const part = (j: number, id: string): string =>
    graph.node('Gather', [split, graph.int64([j], true)], { axis: { i: 2 } }, `${hint}/${id}`);
  const [q, k, v] = [part(0, 'q'), part(1, 'k'), part(2, 'v')];
  const transpose = (t: string, id: string): string =>
    graph.node('Transpose', [t], { perm: { ints: [0, 2, 1] } }, `${hint}/${id}`);
  const logits = graph.node('MatMul', [transpose(q, 'qT'), k], {}, `${hint}/logits`);
  const scaled = graph.node(
    'Mul',
    [logits, graph.scalar(1 / Math.sqrt(cph))],
    {},
    `${hint}/scaled`,
  );
  const weights = graph.node('Softmax', [scaled], { axis: { i: -1 } }, `${hint}/weights`);
  const a = graph.node('MatMul', [v, transpose(weights, 'weightsT')], {}, `${hint}/a`);
  const merged = graph.node('Reshape', [a, graph.int64([-1, c, h, w])], {}, `${hint}/merge`);
  const proj = emitConvolution(
    graph,
    merged,
    c,
    childConvolution(block, 'attn/proj', NO_RESAMPLE),
    `${hint}/proj`,
  );
  const sum = graph.node('Add', [proj, x.name], {}, `${hint}/residual`);
  if (settings.skipScale === 1) return sum;
  return graph.node('Mul', [sum, graph.scalar(settings.skipScale)], {}, hint);
}
