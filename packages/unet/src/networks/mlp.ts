import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkOneOf, checkPositive, ParameterError } from '@edmkit/core';
import type { WeightSource } from '../layers/edm-layer.js';
import { FourierEmbedding } from '../layers/fourier-embedding.js';
import { initSpec } from '../layers/init.js';
import { Linear } from '../layers/linear.js';
import type { EmbeddingType } from '../layers/mapping.js';
import { PositionalEmbedding } from '../layers/positional-embedding.js';
import type { Network, NetworkConfig } from '../types.js';
import { checkKnownKeys, modelInputs } from './config.js';
import { weightSource, wrapModel, type BuildOptions } from './network.js';

/** Config of an {@link mlp} denoiser network for vectors. */
export interface MlpConfig extends NetworkConfig {
  readonly architecture: 'mlp';
  readonly inputShape: readonly [number];
  /** Width of the hidden layers. */
  readonly hidden: number;
  /** Number of hidden layers. */
  readonly layers: number;
  /** Width of the c_noise embedding. */
  readonly embeddingDim: number;
  readonly embeddingType: EmbeddingType;
  /** Standard deviation of the Fourier frequencies (Fourier embedding only). */
  readonly fourierScale: number;
}

/** Options of {@link mlp}. */
export interface MlpOptions extends BuildOptions {
  /** Dimension d of the data vectors. */
  readonly dim: number;
  /** Output size (default d; 2d for an iDDPM-style learned variance). */
  readonly outChannels?: number;
  /** Class-label dimension, concatenated to the input (default 0). */
  readonly labelDim?: number;
  /** Hidden width (default 256). */
  readonly hidden?: number;
  /** Hidden layers (default 3). */
  readonly layers?: number;
  /** c_noise embedding width (default 64). */
  readonly embeddingDim?: number;
  /** c_noise embedding (default 'positional'). */
  readonly embeddingType?: EmbeddingType;
  /** Fourier frequency scale (default 16, NCSN++'s). */
  readonly fourierScale?: number;
}

const MLP_KEYS = [
  'seed',
  'dim',
  'outChannels',
  'labelDim',
  'hidden',
  'layers',
  'embeddingDim',
  'embeddingType',
  'fourierScale',
] as const;

/**
 * The validated config of an {@link mlp}, without building it.
 *
 * @example
 * countParamsOf(mlpConfig({ dim: 2 })); // 149 250
 * @see https://arxiv.org/abs/2206.00364
 */
export function mlpConfig(options: MlpOptions): MlpConfig {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object with dim', options);
  checkKnownKeys('options', options, MLP_KEYS);
  const dim = checkInteger('dim', options.dim, 1);
  const embeddingType = checkOneOf('embeddingType', options.embeddingType ?? 'positional', [
    'positional',
    'fourier',
  ] as const);
  const embeddingDim = checkInteger('embeddingDim', options.embeddingDim ?? 64, 2);
  if (embeddingDim % 2 !== 0 || embeddingDim < 4) {
    throw new ParameterError('embeddingDim', 'an even integer >= 4', embeddingDim);
  }
  return Object.freeze({
    architecture: 'mlp' as const,
    inputShape: Object.freeze([dim] as const),
    outChannels: checkInteger('outChannels', options.outChannels ?? dim, 1),
    labelDim: checkInteger('labelDim', options.labelDim ?? 0, 0),
    augmentDim: 0,
    hidden: checkInteger('hidden', options.hidden ?? 256, 1),
    layers: checkInteger('layers', options.layers ?? 3, 1),
    embeddingDim,
    embeddingType,
    fourierScale: checkPositive('fourierScale', options.fourierScale ?? 16),
  });
}

/** The options that reproduce `config` through {@link mlpConfig}. */
export function mlpOptionsOf(config: MlpConfig): MlpOptions {
  const { architecture: _a, inputShape, augmentDim: _g, ...rest } = config;
  return { ...rest, dim: inputShape[0] };
}

/** Parameters of an {@link mlp}. */
export function mlpParamCount(config: MlpConfig): number {
  const inFeatures = config.inputShape[0] + config.embeddingDim + config.labelDim;
  return (
    Linear.paramCount(inFeatures, config.hidden) +
    (config.layers - 1) * Linear.paramCount(config.hidden, config.hidden) +
    Linear.paramCount(config.hidden, config.outChannels)
  );
}

/** Builds the tfjs model of an MLP config. */
export function buildMlp(config: MlpConfig, rng: WeightSource): tf.LayersModel {
  const init = initSpec('xavierUniform');
  const inputs = modelInputs(config);
  const embedding =
    config.embeddingType === 'positional'
      ? new PositionalEmbedding({
          name: 'map_noise',
          channels: config.embeddingDim,
          endpoint: true,
          order: 'sinCos',
          rng,
        })
      : new FourierEmbedding({
          name: 'map_noise',
          channels: config.embeddingDim,
          scale: config.fourierScale,
          order: 'sinCos',
          rng,
        });
  const emb = embedding.apply(inputs.cNoise) as tf.SymbolicTensor;
  const parts = [inputs.x, emb, ...(inputs.classLabels ? [inputs.classLabels] : [])];
  let h = tf.layers.concatenate({ name: 'input_cat', axis: -1 }).apply(parts) as tf.SymbolicTensor;
  for (let i = 0; i < config.layers; i++) {
    h = new Linear({ name: `layer${i}`, units: config.hidden, init, rng }).apply(
      h,
    ) as tf.SymbolicTensor;
    h = tf.layers
      .activation({ name: `layer${i}_silu`, activation: 'swish' })
      .apply(h) as tf.SymbolicTensor;
  }
  const out = new Linear({ name: 'out', units: config.outChannels, init, rng }).apply(
    h,
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: inputs.list, outputs: out, name: 'mlp' });
}

/** Builds a {@link Network} from an MLP config. */
export function mlpFromConfig(
  config: MlpConfig,
  options: BuildOptions = {},
  zeros = false,
): Network {
  return wrapModel(config, buildMlp(config, weightSource(options, zeros)), false);
}

/**
 * A small denoiser network for vectors (toy data, the quick training ablation): the input
 * x ∈ ℝᵈ, a sinusoidal (or random Fourier) embedding of c_noise and the optional class
 * labels are concatenated and fed through `layers` dense layers of width `hidden` with SiLU,
 * then a dense output layer. Xavier-uniform weights, zero biases, no dropout.
 *
 * Paper: the raw network F(c_in·x; c_noise) of Eq. 7, for data that are vectors rather than
 * images (not an architecture of the paper). The positional embedding is DDPM++'s
 * ((1/10000)^(k/(C/2−1)), [sin, cos]); the Fourier one NCSN++'s (f ~ N(0, fourierScale²)).
 *
 * @param options - see {@link MlpOptions}; `seed` seeds the initial weights
 * @example
 * const net = mlp({ dim: 2 }); // 149 250 parameters
 * const y = net.apply(tf.randomNormal([128, 2]), tf.fill([128], -0.3) as tf.Tensor1D);
 * @see https://arxiv.org/abs/2206.00364
 */
export function mlp(options: MlpOptions): Network {
  return mlpFromConfig(mlpConfig(options), options);
}
