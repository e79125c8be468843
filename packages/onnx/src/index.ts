export { CONFIG_METADATA_KEY, exportOnnx } from './export-onnx.js';
export type { ExportOnnxOptions } from './export-onnx.js';
export { onnxNetwork } from './onnx-network.js';
export type { OnnxNetworkOptions, OnnxRawNetwork } from './onnx-network.js';
export { onnxBatchDenoiser, onnxDenoiser } from './denoiser.js';
export type { OnnxDenoiserOptions } from './denoiser.js';
export type { OrtLike, OrtSessionLike, OrtTensorConstructor, OrtTensorLike } from './ort-types.js';
