import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkOneOf, checkPositive, ParameterError } from '@edmkit/core';
import {
  EdmLayer,
  singleShape,
  singleTensor,
  type EdmLayerArgs,
  type Kwargs,
} from './edm-layer.js';

/** Order of the two halves of a sinusoidal embedding. */
export type EmbeddingOrder = 'sinCos' | 'cosSin';
export const EMBEDDING_ORDERS: readonly EmbeddingOrder[] = ['sinCos', 'cosSin'];

/** Options of {@link PositionalEmbedding}. */
export interface PositionalEmbeddingArgs extends EdmLayerArgs {
  /** Embedding width C (even): C/2 frequencies, each giving a sine and a cosine. */
  readonly channels: number;
  /** Longest period, in c_noise units (default 10000). */
  readonly maxPositions?: number;
  /** Include the endpoint: exponents k/(C/2 − 1) instead of k/(C/2) (default false). */
  readonly endpoint?: boolean;
  /** Order of the halves (default 'cosSin'). */
  readonly order?: EmbeddingOrder;
}

/**
 * The frequencies of a sinusoidal positional embedding: f_k = (1/maxPositions)^(k/D),
 * k = 0 … C/2 − 1, with D = C/2 − 1 if `endpoint`, else C/2.
 *
 * @example
 * positionalFrequencies(128, 10000, true)[63]; // 1e-4 (DDPM++: (1/10000)^(k/63))
 * @see https://arxiv.org/abs/2206.00364
 */
export function positionalFrequencies(
  channels: number,
  maxPositions = 10000,
  endpoint = false,
): Float64Array {
  const half = channels / 2;
  const denom = endpoint ? half - 1 : half;
  const out = new Float64Array(half);
  for (let k = 0; k < half; k++) out[k] = Math.pow(1 / maxPositions, denom === 0 ? 0 : k / denom);
  return out;
}

/**
 * Sinusoidal embedding of the noise conditioning c_noise (one scalar per sample):
 * e = [sin(c_noise·f), cos(c_noise·f)] or [cos, sin], f from {@link positionalFrequencies}.
 *
 * Paper: Appendix F.2; official `PositionalEmbedding`. DDPM++ (Song U-Net): 128 channels,
 * f_k = (1/10000)^(k/63) (`endpoint=True`), ordered [sin, cos] (the official code computes
 * [cos, sin] and swaps the halves in `SongUNet.forward`). ADM (Dhariwal U-Net): as many
 * channels as the base width, f_k = (1/10000)^(k/(C/2)), ordered [cos, sin].
 *
 * Input [batch, 1] (or [batch]); output [batch, C].
 *
 * @example
 * const emb = new PositionalEmbedding({ channels: 128, endpoint: true, order: 'sinCos' });
 * emb.apply(tf.tensor2d([[0.25]])); // [sin(0.25·f), cos(0.25·f)]
 * @see https://arxiv.org/abs/2206.00364
 */
export class PositionalEmbedding extends EdmLayer {
  static readonly className = 'EdmPositionalEmbedding';
  readonly channels: number;
  readonly maxPositions: number;
  readonly endpoint: boolean;
  readonly order: EmbeddingOrder;
  private readonly freqs: Float32Array;

  constructor(args: PositionalEmbeddingArgs) {
    super(args);
    this.channels = checkInteger('channels', args.channels, 2);
    if (this.channels % 2 !== 0)
      throw new ParameterError('channels', 'an even integer >= 2', this.channels);
    this.maxPositions = checkPositive('maxPositions', args.maxPositions ?? 10000);
    this.endpoint = args.endpoint ?? false;
    if (this.endpoint && this.channels < 4) {
      throw new ParameterError(
        'channels',
        'an even integer >= 4 when endpoint is true',
        this.channels,
      );
    }
    this.order = checkOneOf('order', args.order ?? 'cosSin', EMBEDDING_ORDERS);
    this.freqs = Float32Array.from(
      positionalFrequencies(this.channels, this.maxPositions, this.endpoint),
    );
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [singleShape(inputShape)[0] ?? null, this.channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs).reshape([-1, 1]);
      const arg = tf.mul(x, tf.tensor2d(this.freqs, [1, this.freqs.length]));
      return sinusoids(arg, this.order);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      channels: this.channels,
      maxPositions: this.maxPositions,
      endpoint: this.endpoint,
      order: this.order,
    };
  }
}
tf.serialization.registerClass(PositionalEmbedding, 'edmkit');

/** [sin(a), cos(a)] or [cos(a), sin(a)] along the last axis. */
export function sinusoids(arg: tf.Tensor, order: EmbeddingOrder): tf.Tensor {
  const parts = order === 'sinCos' ? [tf.sin(arg), tf.cos(arg)] : [tf.cos(arg), tf.sin(arg)];
  return tf.concat(parts, -1);
}
