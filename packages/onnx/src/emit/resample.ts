import type { OnnxGraph } from '../graph/onnx-graph.js';

/** The depthwise filter gain·(taps ⊗ taps), one copy per channel: ONNX [C, 1, L, L]. */
function depthwiseFilter(
  graph: OnnxGraph,
  channels: number,
  taps: readonly number[],
  gain: number,
): string {
  return graph.shared(`fir:${channels}:${gain}:${taps.join(',')}`, () => {
    const l = taps.length;
    const values = new Float32Array(channels * l * l);
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < l; i++)
        for (let j = 0; j < l; j++) values[(c * l + i) * l + j] = gain * taps[i]! * taps[j]!;
    return graph.float(values, [channels, 1, l, l], `fir${l}x${l}_c${channels}`);
  });
}

/**
 * FIR downsampling by 2 (edmkit `firDown`): each channel convolved with taps ⊗ taps at
 * stride 2, zero-padded by `pad` — a grouped ONNX Conv (group = C).
 *
 * @param x - NCHW graph tensor with `channels` channels
 * @param taps - normalised 1-D taps
 */
export function emitFirDown(
  graph: OnnxGraph,
  x: string,
  channels: number,
  taps: readonly number[],
  pad: number,
  hint: string,
): string {
  return emitFir(graph, 'Conv', 1, x, channels, taps, pad, hint);
}

/**
 * FIR upsampling by 2 (edmkit `firUp`): the transposed convolution of each channel with
 * 4·(taps ⊗ taps) at stride 2, cropped by `pad` — a grouped ONNX ConvTranspose, output
 * size 2(n − 1) + L − 2·pad.
 *
 * @param x - NCHW graph tensor with `channels` channels
 * @param taps - normalised 1-D taps
 */
export function emitFirUp(
  graph: OnnxGraph,
  x: string,
  channels: number,
  taps: readonly number[],
  pad: number,
  hint: string,
): string {
  return emitFir(graph, 'ConvTranspose', 4, x, channels, taps, pad, hint);
}

/** The grouped stride-2 (transposed) convolution of each channel with gain·(taps ⊗ taps). */
function emitFir(
  graph: OnnxGraph,
  op: 'Conv' | 'ConvTranspose',
  gain: number,
  x: string,
  channels: number,
  taps: readonly number[],
  pad: number,
  hint: string,
): string {
  const l = taps.length;
  return graph.node(
    op,
    [x, depthwiseFilter(graph, channels, taps, gain)],
    {
      group: { i: channels },
      kernel_shape: { ints: [l, l] },
      strides: { ints: [2, 2] },
      pads: { ints: [pad, pad, pad, pad] },
    },
    hint,
  );
}
