import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkOneOf, checkPositive, ParameterError } from '@edmkit/core';
import {
  EdmLayer,
  singleShape,
  singleTensor,
  type EdmLayerArgs,
  type Kwargs,
  type LayerVariable,
} from './edm-layer.js';
import { EMBEDDING_ORDERS, sinusoids, type EmbeddingOrder } from './positional-embedding.js';

/** Options of {@link FourierEmbedding}. */
export interface FourierEmbeddingArgs extends EdmLayerArgs {
  /** Embedding width C (even): C/2 random frequencies. */
  readonly channels: number;
  /** Standard deviation of the frequencies (default 16). */
  readonly scale?: number;
  /** Order of the halves (default 'cosSin'). */
  readonly order?: EmbeddingOrder;
}

/**
 * Random Fourier features of the noise conditioning c_noise: frequencies f ~ N(0, scale²)
 * drawn once and kept fixed (a non-trainable weight, saved with the network but not
 * counted as a parameter), e = [sin(2π f c_noise), cos(2π f c_noise)] or [cos, sin].
 *
 * Paper: Appendix F.2 / Table 7 (NCSN++); official `FourierEmbedding` (a buffer, scale 16).
 * NCSN++ uses 256 channels (128 frequencies), ordered [sin, cos] (the official code swaps
 * the halves in `SongUNet.forward`).
 *
 * Input [batch, 1] (or [batch]); output [batch, C].
 *
 * @example
 * const emb = new FourierEmbedding({ channels: 256, order: 'sinCos', rng: createRng(0) });
 * @see https://arxiv.org/abs/2206.00364
 */
export class FourierEmbedding extends EdmLayer {
  static readonly className = 'EdmFourierEmbedding';
  readonly channels: number;
  readonly scale: number;
  readonly order: EmbeddingOrder;
  private freqs: LayerVariable | null = null;

  constructor(args: FourierEmbeddingArgs) {
    super(args);
    this.channels = checkInteger('channels', args.channels, 2);
    if (this.channels % 2 !== 0)
      throw new ParameterError('channels', 'an even integer >= 2', this.channels);
    this.scale = checkPositive('scale', args.scale ?? 16);
    this.order = checkOneOf('order', args.order ?? 'cosSin', EMBEDDING_ORDERS);
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const scale = this.scale;
    this.freqs = this.addParam(
      'freqs',
      [this.channels / 2],
      (n, rng) => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = scale * rng.normal();
        return out;
      },
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [singleShape(inputShape)[0] ?? null, this.channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs).reshape([-1, 1]);
      const f = tf.mul(this.freqs!.read(), 2 * Math.PI).reshape([1, -1]);
      return sinusoids(tf.mul(x, f), this.order);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels, scale: this.scale, order: this.order };
  }
}
tf.serialization.registerClass(FourierEmbedding, 'edmkit');
