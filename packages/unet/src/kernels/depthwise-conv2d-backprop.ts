import * as tf from '@tensorflow/tfjs';
import { readFloat32, writeFloat32 } from './kernel-io.js';
import type { ConvInfo } from './conv2d-backprop-filter.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The Conv2DInfo of a depthwise convolution (NHWC; filter [h, w, inChannels, channelMultiplier]). */
export function depthwiseInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: {
    strides: [number, number] | number;
    dilations: [number, number] | number;
    pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * Visits every (input pixel, output pixel, tap) triple of a depthwise convolution:
 * `visit(xOffset, dyOffset, wOffset)` with the offsets of channel 0 of the input
 * pixel, of the output pixel and of tap (i, j) of the filter.
 */
function forEachTap(
  info: ConvInfo,
  visit: (xOffset: number, dyOffset: number, wOffset: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } =
    info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let p = 0; p < outHeight; p++) {
      for (let q = 0; q < outWidth; q++) {
        const dyOffset = ((b * outHeight + p) * outWidth + q) * outChannels;
        for (let i = 0; i < filterHeight; i++) {
          const row = p * strideHeight + i * dilationHeight - top;
          if (row < 0 || row >= inHeight) continue;
          for (let j = 0; j < filterWidth; j++) {
            const col = q * strideWidth + j * dilationWidth - left;
            if (col < 0 || col >= inWidth) continue;
            visit(
              ((b * inHeight + row) * inWidth + col) * inChannels,
              dyOffset,
              (i * filterWidth + j) * outChannels,
            );
          }
        }
      }
    }
  }
}

/**
 * Input gradient of a depthwise convolution:
 * dx[b, r, c, ch] = Σ_{p, q, i, j, m} dy[b, p, q, ch·M + m] · w[i, j, ch, m] over the taps with
 * p·s_h + i·d_h − pad_top = r and q·s_w + j·d_w − pad_left = c (M = channel multiplier).
 */
export function depthwiseConv2dBackpropInputValues(
  dy: Float32Array,
  filter: Float32Array,
  info: ConvInfo,
): Float32Array {
  const { inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const dx = new Float64Array(info.inShape.reduce((a, b) => a * b, 1));
  forEachTap(info, (xOffset, dyOffset, wOffset) => {
    for (let ch = 0; ch < inChannels; ch++) {
      let acc = 0;
      for (let m = 0; m < multiplier; m++)
        acc += dy[dyOffset + ch * multiplier + m]! * filter[wOffset + ch * multiplier + m]!;
      dx[xOffset + ch]! += acc;
    }
  });
  return Float32Array.from(dx);
}

/** Filter gradient of a depthwise convolution: dw[i, j, ch, m] = Σ_{b, p, q} x[b, p·s_h + i·d_h − pad_top, q·s_w + j·d_w − pad_left, ch] · dy[b, p, q, ch·M + m]. */
export function depthwiseConv2dBackpropFilterValues(
  x: Float32Array,
  dy: Float32Array,
  info: ConvInfo,
): Float32Array {
  const { inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const dw = new Float64Array(info.filterHeight * info.filterWidth * outChannels);
  forEachTap(info, (xOffset, dyOffset, wOffset) => {
    for (let ch = 0; ch < inChannels; ch++) {
      const xv = x[xOffset + ch]!;
      for (let m = 0; m < multiplier; m++)
        dw[wOffset + ch * multiplier + m]! += xv * dy[dyOffset + ch * multiplier + m]!;
    }
  });
  return Float32Array.from(dw);
}

/** Kernel function of `DepthwiseConv2dNativeBackpropInput` (input gradient of `tf.depthwiseConv2d`), NHWC, any backend. */
export const depthwiseConv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  const name = tf.DepthwiseConv2dNativeBackpropInput;
  const dx = depthwiseConv2dBackpropInputValues(
    readFloat32(backend, dy, name, 'dy'),
    readFloat32(backend, filter, name, 'filter'),
    info,
  );
  return writeFloat32(backend, info.inShape, dx);
};

/** Kernel function of `DepthwiseConv2dNativeBackpropFilter` (filter gradient of `tf.depthwiseConv2d`), NHWC, any backend. */
export const depthwiseConv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  const name = tf.DepthwiseConv2dNativeBackpropFilter;
  const dw = depthwiseConv2dBackpropFilterValues(
    readFloat32(backend, x, name, 'x'),
    readFloat32(backend, dy, name, 'dy'),
    info,
  );
  return writeFloat32(backend, info.filterShape, dw);
};
