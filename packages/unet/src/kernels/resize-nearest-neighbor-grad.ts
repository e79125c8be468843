import * as tf from '@tensorflow/tfjs';
import { readFloat32, writeFloat32 } from './kernel-io.js';

/**
 * Source index of output index `out` along one axis of `tf.image.resizeNearestNeighbor`,
 * exactly as tfjs's forward kernel computes it.
 */
export function nearestSource(
  out: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const frac = halfPixelCenters ? ratio * (out + 0.5) : ratio * out;
  const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixelCenters ? Math.max(0, nearest) : nearest;
}

/**
 * Gradient of nearest-neighbour resizing (NHWC), the exact adjoint of the forward
 * map: every output pixel adds its dy to the input pixel it was copied from,
 * dx[b, r, c, :] = Σ_{(p, q) ↦ (r, c)} dy[b, p, q, :], in each sample's own slice.
 */
export function resizeNearestNeighborGradValues(
  dy: Float32Array,
  imagesShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch, inHeight, inWidth, depth] = imagesShape as [number, number, number, number];
  const [, outHeight, outWidth] = dyShape as [number, number, number, number];
  const rows = Int32Array.from({ length: outHeight }, (_, p) =>
    nearestSource(p, inHeight, outHeight, alignCorners, halfPixelCenters),
  );
  const cols = Int32Array.from({ length: outWidth }, (_, q) =>
    nearestSource(q, inWidth, outWidth, alignCorners, halfPixelCenters),
  );
  const dx = new Float64Array(batch * inHeight * inWidth * depth);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < outHeight; p++) {
      const rowOffset = (b * inHeight + rows[p]!) * inWidth;
      for (let q = 0; q < outWidth; q++) {
        const xOffset = (rowOffset + cols[q]!) * depth;
        for (let d = 0; d < depth; d++) dx[xOffset + d]! += dy[o++]!;
      }
    }
  }
  return Float32Array.from(dx);
}

/**
 * Kernel function of `ResizeNearestNeighborGrad`, any backend. tfjs 4.22's cpu
 * kernel reads dy at the *images'* batch offset, so every sample after the first
 * gets a wrong gradient whenever the resize changes the size; this one is exact.
 */
export const resizeNearestNeighborGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
  const dx = resizeNearestNeighborGradValues(
    readFloat32(backend, dy, tf.ResizeNearestNeighborGrad, 'dy'),
    images.shape,
    dy.shape,
    a.alignCorners === true,
    a.halfPixelCenters === true,
  );
  return writeFloat32(backend, images.shape, dx);
};
