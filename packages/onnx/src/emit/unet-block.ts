import { attentionHeads, UNetBlock } from '@edmkit/unet';
import { childConvolution, emitConvolution } from './conv2d.js';
import { dim, layerAs, silu, type Emitter } from './emitter.js';
import { childGroupNorm, emitGroupNormalization } from './group-norm.js';
import { emitChildDense } from './linear.js';
import { emitSelfAttention } from './self-attention.js';

/**
 * Emitter of edmkit's `UNetBlock` (inputs x [N, H, W, C_in] stored NCHW, emb [N, E]),
 * mirroring its `call` in inference mode (dropout is the identity):
 *
 *     h = conv0(silu(norm0(x)))                      (up/down inside conv0)
 *     additive: h = silu(norm1(h + affine(emb)))
 *     adaptive: scale, shift = affine(emb); h = silu(shift + norm1(h)·(scale + 1))
 *     h = (conv1(h) + skip(x))·skipScale;  [h = attention(h)]
 */
export const emitUNetBlock: Emitter = (graph, layer, inputs, output) => {
  const block = layerAs(layer, UNetBlock);
  const name = block.name;
  const [x, emb] = [inputs[0]!, inputs[1]!];
  const cin = dim(x.shape, -1, name);
  const cout = block.outChannels;
  const eps = block.epsilon;
  const resample = { up: block.up, down: block.down, resampleFilter: block.resampleFilter };
  const outShape = output.shape;
  let h = emitGroupNormalization(
    graph,
    x,
    childGroupNorm(block, 'norm0', cin, eps),
    `${name}/norm0`,
  );
  h = silu(graph, h, `${name}/silu0`);
  h = emitConvolution(graph, h, cin, childConvolution(block, 'conv0', resample), `${name}/conv0`);
  const affine = emitChildDense(graph, block, 'affine', emb.name);
  const params = graph.node('Unsqueeze', [affine, graph.int64([2, 3])], {}, `${name}/params`);
  const norm1 = childGroupNorm(block, 'norm1', cout, eps);
  if (block.adaptiveScale) {
    const [scale, shift] = graph.nodeN(
      'Split',
      [params, graph.int64([cout, cout])],
      2,
      { axis: { i: 1 } },
      `${name}/split`,
    );
    const normed = emitGroupNormalization(
      graph,
      { name: h, shape: outShape },
      norm1,
      `${name}/norm1`,
    );
    const gain = graph.node('Add', [scale!, graph.scalar(1)], {}, `${name}/gain`);
    h = graph.node(
      'Add',
      [shift!, graph.node('Mul', [normed, gain], {}, `${name}/scaled`)],
      {},
      `${name}/shifted`,
    );
  } else {
    const sum = graph.node('Add', [h, params], {}, `${name}/add_emb`);
    h = emitGroupNormalization(graph, { name: sum, shape: outShape }, norm1, `${name}/norm1`);
  }
  h = silu(graph, h, `${name}/silu1`);
  h = emitConvolution(
    graph,
    h,
    cout,
    childConvolution(block, 'conv1', { ...resample, up: false, down: false }),
    `${name}/conv1`,
  );
  const needsSkip = cout !== cin || block.up || block.down;
  const skip = needsSkip
    ? emitConvolution(graph, x.name, cin, childConvolution(block, 'skip', resample), `${name}/skip`)
    : x.name;
  h = graph.node('Add', [h, skip], {}, `${name}/residual`);
  if (block.skipScale !== 1)
    h = graph.node('Mul', [h, graph.scalar(block.skipScale)], {}, `${name}/skip_scale`);
  if (!block.attention) return h;
  const heads = attentionHeads(cout, block.numHeads, block.channelsPerHead);
  return emitSelfAttention(
    graph,
    block,
    { name: h, shape: outShape },
    { heads, epsilon: eps, skipScale: block.skipScale },
    `${name}/attn`,
  );
};
