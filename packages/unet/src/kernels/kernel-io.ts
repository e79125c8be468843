import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ParameterError } from '@edmkit/core';

/**
 * The part of a tfjs kernel backend that edmkit's JavaScript kernels use: the
 * public `KernelBackend` storage methods, common to every backend.
 */
export interface KernelStorage {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
}

/** Checks that input `name` of kernel `kernelName` is float32 (edmkit's kernels compute in float32 only). */
export function checkFloat32(info: tf.TensorInfo, kernelName: string, name: string): void {
  if (info.dtype !== 'float32')
    throw new ParameterError(`${kernelName} input ${name}.dtype`, "'float32'", info.dtype);
}

/** Values of a float32 tensor (a copy on wasm, the stored array on cpu): read only. */
export function readFloat32(
  backend: unknown,
  info: tf.TensorInfo,
  kernelName: string,
  name: string,
): Float32Array {
  checkFloat32(info, kernelName, name);
  const values = (backend as KernelStorage).readSync(info.dataId);
  if (!(values instanceof Float32Array))
    throw new ParameterError(
      `${kernelName} input ${name}`,
      'a tensor whose backend returns a Float32Array',
      values,
    );
  return values;
}

/** A new float32 tensor on `backend` holding `values` (copied into the backend's storage). */
export function writeFloat32(
  backend: unknown,
  shape: readonly number[],
  values: Float32Array,
): tf.TensorInfo {
  const dataId = (backend as KernelStorage).write(values, [...shape], 'float32');
  return { dataId, shape: [...shape], dtype: 'float32' };
}

/** The wasm backend, recognised by its heap accessors (used for zero-copy buffers). */
export function asWasmBackend(backend: unknown): BackendWasm | undefined {
  const b = backend as Partial<BackendWasm> | null;
  return b != null &&
    typeof b.makeOutput === 'function' &&
    typeof b.typedArrayFromHeap === 'function' &&
    b.wasm != null
    ? (b as BackendWasm)
    : undefined;
}

/** Rejects the NCHW layout, which the wasm backend's own convolutions reject too. */
export function checkChannelsLast(dataFormat: string | undefined, kernelName: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new ParameterError(
      `${kernelName} dataFormat`,
      "'NHWC' (edmkit's kernel; the wasm backend's convolutions are NHWC only)",
      dataFormat,
    );
  }
}
