/** The part of an ONNX Runtime tensor this package reads: its values. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims?: readonly number[];
}

/**
 * An ONNX Runtime `InferenceSession` (onnxruntime-node or onnxruntime-web), duck-typed:
 * `run(feeds)` resolves to the outputs by name. This package never imports ONNX Runtime.
 */
export interface OrtSessionLike {
  run(feeds: Record<string, unknown>): Promise<Readonly<Record<string, OrtTensorLike>>>;
}

/** ONNX Runtime's `Tensor` constructor, as used here: `new Tensor('float32', data, dims)`. */
export type OrtTensorConstructor = new (
  type: 'float32',
  data: Float32Array,
  dims: readonly number[],
) => unknown;

/** The `ort` module (anything with a `Tensor` constructor), or that constructor itself. */
export type OrtLike = { readonly Tensor: OrtTensorConstructor } | OrtTensorConstructor;
