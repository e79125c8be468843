import type * as tf from '@tensorflow/tfjs';
import { Conv2d, filterPad, normalizeFilter } from '@edmkit/unet';
import type { OnnxGraph } from '../graph/onnx-graph.js';
import { dim, layerAs, type Emitter } from './emitter.js';
import { emitFirDown, emitFirUp } from './resample.js';
import { optionalWeight, weight, type Weight } from './weights.js';

/** What an edmkit `Conv2d` computes: its weights and resampling settings. */
export interface ConvolutionSpec {
  /** Kernel [k, k, in, out] (tfjs layout); null for pure resampling (`kernel: 0`). */
  readonly kernel: Weight | null;
  /** Bias [out], or null. */
  readonly bias: Weight | null;
  readonly up: boolean;
  readonly down: boolean;
  /** 1-D taps of the resampling filter (not normalised). */
  readonly resampleFilter: readonly number[];
  readonly fusedResample: boolean;
}

/** The kernel as an ONNX Conv weight: [k, k, in, out] → [out, in, k, k]. */
function onnxKernel(graph: OnnxGraph, kernel: Weight, hint: string): string {
  const [k, , cin, cout] = kernel.shape as [number, number, number, number];
  const src = kernel.values;
  const out = new Float32Array(src.length);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * k + a) * k + b] = src[((a * k + b) * cin + i) * cout + o]!;
  return graph.float(out, [cout, cin, k, k], `${hint}/kernel`);
}

/**
 * Emits an edmkit `Conv2d` on an NCHW tensor, mirroring its `call`: FIR up/downsampling
 * (plain, or fused with the convolution as NCSN++'s residual skip), a k×k convolution
 * with "same" padding ⌊k/2⌋, then the bias.
 *
 * @param x - NCHW graph tensor with `inChannels` channels
 */
export function emitConvolution(
  graph: OnnxGraph,
  x: string,
  inChannels: number,
  spec: ConvolutionSpec,
  hint: string,
): string {
  const taps = normalizeFilter(spec.resampleFilter);
  const fPad = filterPad(taps);
  const kernel = spec.kernel;
  const k = kernel === null ? 0 : kernel.shape[0]!;
  const wPad = Math.floor(k / 2);
  const outChannels = kernel === null ? inChannels : kernel.shape[3]!;
  const w = kernel === null ? null : onnxKernel(graph, kernel, hint);
  const conv = (input: string, pad: number): string =>
    graph.node(
      'Conv',
      [input, w!],
      {
        kernel_shape: { ints: [k, k] },
        strides: { ints: [1, 1] },
        pads: { ints: [pad, pad, pad, pad] },
      },
      `${hint}/conv`,
    );
  let y = x;
  if (spec.fusedResample && w && spec.up) {
    y = emitFirUp(graph, y, inChannels, taps, Math.max(fPad - wPad, 0), `${hint}/up`);
    y = conv(y, Math.max(wPad - fPad, 0));
  } else if (spec.fusedResample && w && spec.down) {
    y = conv(y, wPad + fPad);
    y = emitFirDown(graph, y, outChannels, taps, 0, `${hint}/down`);
  } else {
    if (spec.up) y = emitFirUp(graph, y, inChannels, taps, fPad, `${hint}/up`);
    if (spec.down) y = emitFirDown(graph, y, inChannels, taps, fPad, `${hint}/down`);
    if (w) y = conv(y, wPad);
  }
  if (spec.bias === null) return y;
  const bias = graph.float(spec.bias.values, [outChannels, 1, 1], `${hint}/bias`);
  return graph.node('Add', [y, bias], {}, hint);
}

/**
 * The {@link ConvolutionSpec} of the child `Conv2d` named `child` of a composite layer,
 * from its weights (`<child>/kernel`, `<child>/bias`; none for pure resampling) and the
 * resampling settings the parent gave it (never fused in a block).
 */
export function childConvolution(
  layer: tf.layers.Layer,
  child: string,
  resample: Pick<ConvolutionSpec, 'up' | 'down' | 'resampleFilter'>,
): ConvolutionSpec {
  return {
    kernel: optionalWeight(layer, `${child}/kernel`),
    bias: optionalWeight(layer, `${child}/bias`),
    fusedResample: false,
    ...resample,
  };
}

/** Emitter of a top-level edmkit `Conv2d` layer (NHWC in tfjs, NCHW in the graph). */
export const emitConv2d: Emitter = (graph, layer, inputs) => {
  const conv = layerAs(layer, Conv2d);
  const x = inputs[0]!;
  const hasKernel = conv.kernelSize > 0;
  const spec: ConvolutionSpec = {
    kernel: hasKernel ? weight(conv, 'kernel') : null,
    bias: hasKernel && conv.useBias ? weight(conv, 'bias') : null,
    up: conv.up,
    down: conv.down,
    resampleFilter: conv.resampleFilter,
    fusedResample: conv.fusedResample,
  };
  return emitConvolution(graph, x.name, dim(x.shape, -1, conv.name), spec, conv.name);
};
