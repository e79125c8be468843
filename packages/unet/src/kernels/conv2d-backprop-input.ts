import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from './kernel-io.js';

/**
 * Kernel function of `Conv2DBackpropInput` for the wasm backend: the input gradient of
 * `tf.conv2d`, which is also the forward pass of `tf.conv2dTranspose`.
 *
 * With stride 1, dx is itself a convolution of dy with the filter rotated by 180° and
 * its channel axes swapped, W′[i, j, k, c] = W[h − 1 − i, w − 1 − j, c, k], padded by
 * h − 1 − pad_top above (and so on): dx = conv2d(dy, W′). That runs on the backend's
 * XNNPACK Conv2D, several times faster than tfjs-backend-wasm 4.22's direct loop; other
 * strides, and paddings wider than the filter, go to `fallback` (the kernel it replaces).
 *
 * @param fallback - the backend's own Conv2DBackpropInput
 */
export function conv2dBackpropInputKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = asWasmBackend(backend);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (
      wasm === undefined ||
      a.dataFormat === 'NCHW' ||
      dy.dtype !== 'float32' ||
      filter.dtype !== 'float32'
    )
      return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    const {
      filterHeight: h,
      filterWidth: w,
      inChannels,
      outChannels,
      inHeight,
      inWidth,
      outHeight,
      outWidth,
    } = info;
    const top = h - 1 - info.padInfo.top;
    const left = w - 1 - info.padInfo.left;
    const bottom = inHeight - outHeight - top + h - 1;
    const right = inWidth - outWidth - left + w - 1;
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || Math.min(top, left, bottom, right) < 0)
      return fallback(args);

    const rotated = wasm.makeOutput([h, w, outChannels, inChannels], 'float32');
    const source = wasm.typedArrayFromHeap(filter) as Float32Array;
    const target = wasm.typedArrayFromHeap(rotated) as Float32Array;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const from = ((h - 1 - i) * w + (w - 1 - j)) * inChannels * outChannels;
        const to = (i * w + j) * outChannels * inChannels;
        for (let c = 0; c < inChannels; c++) {
          for (let k = 0; k < outChannels; k++)
            target[to + k * inChannels + c] = source[from + c * outChannels + k]!;
        }
      }
    }
    const conv2d = tf.getKernel(tf.Conv2D, 'wasm').kernelFunc;
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    const dx = conv2d({
      inputs: { x: dy, filter: rotated },
      backend,
      attrs: { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 },
    }) as tf.TensorInfo;
    wasm.disposeData(rotated.dataId);
    return dx;
  };
}
