import { ParameterError } from '@edmkit/core';
import type { NetworkConfig } from '@edmkit/unet';
import { checkConfig } from './check-network.js';
import { checkLabels, labelsFor } from './labels.js';
import type { OrtLike, OrtSessionLike, OrtTensorConstructor } from './ort-types.js';

/** Options of {@link onnxNetwork}. */
export interface OnnxNetworkOptions {
  /** An ONNX Runtime session of a model from {@link exportOnnx} (`ort.InferenceSession.create(bytes)`). */
  readonly session: OrtSessionLike;
  /** The `ort` module of onnxruntime-node / onnxruntime-web, or its `Tensor` constructor. */
  readonly ort: OrtLike;
  /** The exported network's config (`network.config`). */
  readonly config: NetworkConfig;
  /** Class labels (required when labelDim > 0): labelDim values for every sample, or batch × labelDim. */
  readonly classLabels?: ArrayLike<number>;
  /** Augmentation labels (default zeros, as at sampling time): augmentDim or batch × augmentDim values. */
  readonly augmentLabels?: ArrayLike<number>;
}

/** The raw network F(c_in·x; c_noise) on flat float64 arrays, through an ONNX Runtime session. */
export type OnnxRawNetwork = (
  xIn: Float64Array,
  cNoise: number | Float64Array,
) => Promise<Float64Array>;

function tensorConstructor(ort: unknown): OrtTensorConstructor {
  if (typeof ort === 'function') return ort as OrtTensorConstructor;
  const tensor: unknown = (ort as { Tensor?: unknown } | null)?.Tensor;
  if (typeof tensor !== 'function') {
    throw new ParameterError(
      'ort',
      'the onnxruntime module (with a Tensor constructor) or ort.Tensor',
      ort,
    );
  }
  return tensor as OrtTensorConstructor;
}

/**
 * The raw network F(c_in·x; c_noise) of an exported edmkit network, run by an ONNX Runtime
 * session: x is a flat float64 array of whole samples, batch first (`arrayOps` layout,
 * channels last), c_noise one number for every sample or one per sample. Values go to the
 * session as float32; the result is the full output `y` (outChannels per position), as
 * float64. Inference mode; augmentation labels default to zeros.
 *
 * @param options - see {@link OnnxNetworkOptions}
 * @example
 * const F = onnxNetwork({ session, ort, config: network.config });
 * const y = await F(xIn, -0.3); // one c_noise for the batch
 * @see https://arxiv.org/abs/2206.00364
 */
export function onnxNetwork(options: OnnxNetworkOptions): OnnxRawNetwork {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError(
      'options',
      'an object { session, ort, config, classLabels?, augmentLabels? }',
      options,
    );
  }
  const { session } = options;
  if (typeof (session as Partial<OrtSessionLike> | null)?.run !== 'function') {
    throw new ParameterError(
      'session',
      'an ONNX Runtime InferenceSession (with run(feeds))',
      session,
    );
  }
  const Tensor = tensorConstructor(options.ort);
  const config = checkConfig('config', options.config);
  const { inputShape, labelDim, augmentDim } = config;
  if (labelDim > 0 && options.classLabels === undefined) {
    throw new ParameterError(
      'classLabels',
      `labels of ${labelDim} values for a conditional network`,
      undefined,
    );
  }
  const classLabels = checkLabels('classLabels', options.classLabels, labelDim);
  const augmentLabels = checkLabels('augmentLabels', options.augmentLabels, augmentDim);
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  const outSize = (sampleSize / inputShape[inputShape.length - 1]!) * config.outChannels;
  return async (xIn, cNoise) => {
    if (!(xIn instanceof Float64Array) || xIn.length === 0 || xIn.length % sampleSize !== 0) {
      throw new ParameterError(
        'x',
        `a Float64Array of whole samples of ${sampleSize} values`,
        xIn?.length,
      );
    }
    const batch = xIn.length / sampleSize;
    const noise = typeof cNoise === 'number' ? new Float64Array(batch).fill(cNoise) : cNoise;
    if (
      !(noise instanceof Float64Array) ||
      noise.length !== batch ||
      !noise.every(Number.isFinite)
    ) {
      throw new ParameterError(
        'cNoise',
        `a finite number or a Float64Array of ${batch} finite values`,
        cNoise,
      );
    }
    const feeds: Record<string, unknown> = {
      x: new Tensor('float32', Float32Array.from(xIn), [batch, ...inputShape]),
      c_noise: new Tensor('float32', Float32Array.from(noise), [batch]),
    };
    if (classLabels) {
      feeds['class_labels'] = new Tensor(
        'float32',
        labelsFor('classLabels', classLabels, labelDim, batch),
        [batch, labelDim],
      );
    }
    if (augmentDim > 0) {
      const labels = augmentLabels
        ? labelsFor('augmentLabels', augmentLabels, augmentDim, batch)
        : new Float32Array(batch * augmentDim);
      feeds['augment_labels'] = new Tensor('float32', labels, [batch, augmentDim]);
    }
    const outputs = await session.run(feeds);
    const data = (outputs['y'] ?? Object.values(outputs)[0])?.data;
    if (!(data instanceof Float32Array) || data.length !== batch * outSize) {
      throw new ParameterError(
        'session',
        `a session of this network's exported model (float32 output y of ${batch * outSize} values)`,
        data instanceof Float32Array ? data.length : data,
      );
    }
    return Float64Array.from(data);
  };
}
