import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  asWasmBackend,
  checkChannelsLast,
  checkFloat32,
  readFloat32,
  writeFloat32,
} from './kernel-io.js';

/** Largest im2col buffer (float32 elements, 64 MiB) the wasm kernel builds at once; larger batches go in chunks. */
const MAX_PATCH_ELEMENTS = 1 << 24;

/** Shapes and padding of a 2-D convolution, as tfjs computes them. */
export type ConvInfo = tf.backend_util.Conv2DInfo;

/** The Conv2DInfo of the forward convolution whose filter gradient a Conv2DBackpropFilter call asks for. */
export function conv2dBackpropFilterInfo(
  xShape: readonly number[],
  attrs: tf.Conv2DBackpropFilterAttrs,
): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1, // tfjs computes conv2d gradients for dilation 1 only
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

/**
 * The filter gradient of a 2-D convolution (NHWC), in plain JavaScript:
 * dW[i, j, c, k] = Σ_{b, p, q} x[b, p·s_h + i − pad_top, q·s_w + j − pad_left, c] · dy[b, p, q, k],
 * accumulated in float64 as an outer product per output pixel (the inner loop runs
 * over contiguous output channels).
 *
 * @param x - input of the forward convolution, `info.inShape` (NHWC)
 * @param dy - gradient of its output, `info.outShape` (NHWC)
 * @returns dW, `info.filterShape` = [filterHeight, filterWidth, inChannels, outChannels]
 */
export function conv2dBackpropFilterValues(
  x: Float32Array,
  dy: Float32Array,
  info: ConvInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } =
    info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dW = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
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
            const xOffset = ((b * inHeight + row) * inWidth + col) * inChannels;
            const wOffset = (i * filterWidth + j) * inChannels * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const xv = x[xOffset + c]!;
              if (xv === 0) continue;
              const base = wOffset + c * outChannels;
              for (let k = 0; k < outChannels; k++) dW[base + k]! += xv * dy[dyOffset + k]!;
            }
          }
        }
      }
    }
  }
  return Float32Array.from(dW);
}

/**
 * Fills `patches` ([filterHeight·filterWidth·inChannels, count·outHeight·outWidth], row-major)
 * with the transposed im2col matrix of samples `first … first + count − 1` of `x`: column n is
 * the receptive field of output pixel n, zero where it falls in the padding.
 */
function im2colTransposed(
  x: Float32Array,
  info: ConvInfo,
  first: number,
  count: number,
  patches: Float32Array,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } =
    info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const n = count * outHeight * outWidth;
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      for (let c = 0; c < inChannels; c++) {
        const rowOffset = ((i * filterWidth + j) * inChannels + c) * n;
        let m = rowOffset;
        for (let b = first; b < first + count; b++) {
          const sampleOffset = b * inHeight * inWidth * inChannels + c;
          for (let p = 0; p < outHeight; p++) {
            const row = p * strideHeight + i * dilationHeight - top;
            if (row < 0 || row >= inHeight) {
              patches.fill(0, m, m + outWidth);
              m += outWidth;
              continue;
            }
            const rowBase = sampleOffset + row * inWidth * inChannels;
            for (let q = 0; q < outWidth; q++) {
              const col = q * strideWidth + j * dilationWidth - left;
              patches[m++] = col < 0 || col >= inWidth ? 0 : x[rowBase + col * inChannels]!;
            }
          }
        }
      }
    }
  }
}

/**
 * The wasm route: im2col in JavaScript on the wasm heap, then the backend's own
 * (XNNPACK) BatchMatMul: dW = P·dy, with P [K, N] the transposed im2col matrix and dy [N, outChannels].
 */
function conv2dBackpropFilterWasm(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
  maxPatchElements: number,
): tf.TensorInfo {
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm').kernelFunc;
  const { batchSize, outHeight, outWidth, outChannels, filterShape } = info;
  const k = filterShape[0] * filterShape[1] * filterShape[2];
  const perSample = outHeight * outWidth;
  const chunk = Math.max(
    1,
    Math.min(batchSize, Math.floor(maxPatchElements / Math.max(1, k * perSample))),
  );
  let sum: Float32Array | undefined;
  for (let first = 0; first < batchSize; first += chunk) {
    const count = Math.min(chunk, batchSize - first);
    const n = count * perSample;
    const patches = backend.makeOutput([k, n], 'float32');
    // Views on the heap are taken after the last allocation (a heap growth detaches them).
    const dyChunk =
      count === batchSize
        ? { dataId: dy.dataId, shape: [n, outChannels], dtype: 'float32' as const }
        : backend.makeOutput([n, outChannels], 'float32');
    const xValues = backend.typedArrayFromHeap(x) as Float32Array;
    im2colTransposed(
      xValues,
      info,
      first,
      count,
      backend.typedArrayFromHeap(patches) as Float32Array,
    );
    if (dyChunk.dataId !== dy.dataId) {
      const all = backend.typedArrayFromHeap(dy) as Float32Array;
      (backend.typedArrayFromHeap(dyChunk) as Float32Array).set(
        all.subarray(first * perSample * outChannels, (first + count) * perSample * outChannels),
      );
    }
    const product = matMul({
      inputs: { a: patches, b: dyChunk },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    backend.disposeData(patches.dataId);
    if (dyChunk.dataId !== dy.dataId) backend.disposeData(dyChunk.dataId);
    if (count === batchSize)
      return { dataId: product.dataId, shape: [...filterShape], dtype: 'float32' };
    const part = backend.typedArrayFromHeap({
      ...product,
      shape: [k, outChannels],
    }) as Float32Array;
    if (sum === undefined) sum = Float32Array.from(part);
    else for (let m = 0; m < sum.length; m++) sum[m]! += part[m]!;
    backend.disposeData(product.dataId);
  }
  return writeFloat32(backend, filterShape, sum!);
}

/**
 * Kernel function of `Conv2DBackpropFilter` (the filter gradient of `tf.conv2d`),
 * NHWC. On the wasm backend it builds the im2col matrix and multiplies with the
 * backend's BatchMatMul; elsewhere it runs {@link conv2dBackpropFilterValues}.
 * `fallback` (the kernel it replaces, if any) handles the NCHW layout.
 *
 * @param fallback - the kernel this one replaces, for NCHW
 * @param maxPatchElements - largest im2col matrix (float32 elements) built at once on wasm;
 *   bigger batches are processed in chunks of samples (default 2²⁴, 64 MiB)
 */
export function conv2dBackpropFilterKernel(
  fallback?: tf.KernelFunc,
  maxPatchElements = MAX_PATCH_ELEMENTS,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as tf.Conv2DBackpropFilterInputs & {
      x: tf.TensorInfo;
      dy: tf.TensorInfo;
    };
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW' && fallback !== undefined)
      return fallback({ inputs, backend, attrs: attrs! });
    checkChannelsLast(a.dataFormat, tf.Conv2DBackpropFilter);
    const info = conv2dBackpropFilterInfo(x.shape, a);
    const wasm = asWasmBackend(backend);
    if (wasm !== undefined) {
      checkFloat32(x, tf.Conv2DBackpropFilter, 'x');
      checkFloat32(dy, tf.Conv2DBackpropFilter, 'dy');
      return conv2dBackpropFilterWasm(wasm, x, dy, info, maxPatchElements);
    }
    const dW = conv2dBackpropFilterValues(
      readFloat32(backend, x, tf.Conv2DBackpropFilter, 'x'),
      readFloat32(backend, dy, tf.Conv2DBackpropFilter, 'dy'),
      info,
    );
    return writeFloat32(backend, info.filterShape, dW);
  };
}
