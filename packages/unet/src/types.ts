import type * as tf from '@tensorflow/tfjs';

/** Architectures of the raw network F (paper Table 1, row "Architecture of F_θ"). */
export type Architecture = 'ddpmpp' | 'ncsnpp' | 'adm' | 'mlp';

/**
 * JSON-serializable description of a network: enough to rebuild it exactly
 * (weights aside). Each architecture's factory documents its own fields.
 */
export interface NetworkConfig {
  readonly architecture: Architecture;
  /** Per-sample input shape: [height, width, channels] (NHWC) for images, [d] for vectors. */
  readonly inputShape: readonly number[];
  /** Output channels (images) or size (vectors); 2× the input's for iDDPM's learned variance. */
  readonly outChannels: number;
  /** Class-label dimension (0 = unconditional). */
  readonly labelDim: number;
  /** Augmentation-label dimension (0 = none). */
  readonly augmentDim: number;
  readonly [key: string]: unknown;
}

/** Options of {@link Network.apply}. */
export interface ApplyOptions {
  /** Training mode (dropout active). Default false. */
  readonly training?: boolean;
  /** One-hot (or soft) class labels, [batch, labelDim]. */
  readonly classLabels?: tf.Tensor2D;
  /** Augmentation labels, [batch, augmentDim]. */
  readonly augmentLabels?: tf.Tensor2D;
  /** Seed of the dropout masks of this call (integer); required when training with dropout > 0. */
  readonly seed?: number;
}

/**
 * The raw network F(c_in·x; c_noise) of the paper (Eq. 7), on TensorFlow.js.
 * Preconditioning (`@edmkit/precond`) turns it into a denoiser.
 */
export interface Network {
  readonly config: NetworkConfig;
  /** The underlying tfjs model: inputs [x, cNoise(, classLabels)(, augmentLabels)]. */
  readonly model: tf.LayersModel;
  /** F(x; c_noise): x is [batch, ...inputShape], cNoise is [batch]. */
  apply(x: tf.Tensor, cNoise: tf.Tensor1D, options?: ApplyOptions): tf.Tensor;
  /** The trainable variables, in a fixed order. */
  readonly trainableWeights: readonly tf.Variable[];
  /** Number of scalar parameters. */
  countParams(): number;
  /** Releases the weights. */
  dispose(): void;
}
