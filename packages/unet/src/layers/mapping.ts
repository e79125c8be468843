import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, checkOneOf, ParameterError } from '@edmkit/core';
import { seededKeepMask } from './dropout.js';
import {
  EdmLayer,
  isTraining,
  seedOf,
  shapeList,
  silu,
  type EdmLayerArgs,
  type Kwargs,
} from './edm-layer.js';
import { FourierEmbedding } from './fourier-embedding.js';
import { checkInitSpec, initSpec, type InitSpec } from './init.js';
import { Linear } from './linear.js';
import { PositionalEmbedding, type EmbeddingOrder } from './positional-embedding.js';

/** Which U-Net's mapping network. */
export type MappingKind = 'song' | 'dhariwal';
/** Embedding of c_noise. */
export type EmbeddingType = 'positional' | 'fourier';

/** Options of {@link MappingNetwork}. */
export interface MappingNetworkArgs extends EdmLayerArgs {
  /** 'song' (DDPM++/NCSN++) or 'dhariwal' (ADM). */
  readonly kind: MappingKind;
  /** Width of the c_noise embedding. */
  readonly noiseChannels: number;
  /** Width of the output embedding. */
  readonly embChannels: number;
  /** c_noise embedding (default 'positional'; 'fourier' only for 'song'). */
  readonly embeddingType?: EmbeddingType;
  /** Class-label dimension (default 0: no label input). */
  readonly labelDim?: number;
  /** Augmentation-label dimension (default 0: no augmentation input). */
  readonly augmentDim?: number;
  /** Probability of zeroing a sample's class label in training (default 0). */
  readonly labelDropout?: number;
  /** Initialisation of the dense layers (default Xavier-uniform for 'song', Kaiming-uniform ×√⅓ for 'dhariwal'). */
  readonly init?: InitSpec;
}

/**
 * The mapping network: c_noise (and class / augmentation labels) → the embedding that
 * conditions every residual block. Inputs [c_noise (N×1), labels (N×labelDim) if labelDim,
 * augment (N×augmentDim) if augmentDim]; output [N, embChannels].
 *
 *     song:     e = emb(c_noise) [sin, cos] + W_label·(√labelDim·labels) + W_aug·aug
 *               e = silu(L1(silu(L0(e))))
 *     dhariwal: e = emb(c_noise) [cos, sin] + W_aug·aug;  e = L1(silu(L0(e)))
 *               e = silu(e + W_label·labels)              (label added after the 2nd layer, no bias)
 *
 * Paper: Appendix F.2, Table 7; official `SongUNet` / `DhariwalUNet` "Mapping" sections.
 * Initialisation: song — all Xavier-uniform, zero biases, W_aug without bias; dhariwal —
 * Kaiming-uniform ×√⅓ (weights and biases), W_aug zero-initialised without bias,
 * W_label ~ N(0, 1) (Kaiming-normal ×√labelDim) without bias.
 *
 * @example
 * const map = new MappingNetwork({ kind: 'song', noiseChannels: 128, embChannels: 512, augmentDim: 9 });
 * @see https://arxiv.org/abs/2206.00364
 */
export class MappingNetwork extends EdmLayer {
  static readonly className = 'EdmMappingNetwork';
  readonly kind: MappingKind;
  readonly noiseChannels: number;
  readonly embChannels: number;
  readonly embeddingType: EmbeddingType;
  readonly labelDim: number;
  readonly augmentDim: number;
  readonly labelDropout: number;
  readonly init: InitSpec;
  private readonly mapNoise: PositionalEmbedding | FourierEmbedding;
  private readonly mapLabel: Linear | null;
  private readonly mapAugment: Linear | null;
  private readonly mapLayer0: Linear;
  private readonly mapLayer1: Linear;

  constructor(args: MappingNetworkArgs) {
    super(args);
    this.kind = checkOneOf('kind', args.kind, ['song', 'dhariwal'] as const);
    this.noiseChannels = checkInteger('noiseChannels', args.noiseChannels, 2);
    this.embChannels = checkInteger('embChannels', args.embChannels, 1);
    this.embeddingType = checkOneOf('embeddingType', args.embeddingType ?? 'positional', [
      'positional',
      'fourier',
    ] as const);
    if (this.kind === 'dhariwal' && this.embeddingType !== 'positional') {
      throw new ParameterError(
        'embeddingType',
        "'positional' for the Dhariwal U-Net",
        this.embeddingType,
      );
    }
    this.labelDim = checkInteger('labelDim', args.labelDim ?? 0, 0);
    this.augmentDim = checkInteger('augmentDim', args.augmentDim ?? 0, 0);
    this.labelDropout = checkNumber('labelDropout', args.labelDropout ?? 0, {
      min: 0,
      max: 1,
      maxInclusive: false,
    });
    const song = this.kind === 'song';
    const defaultInit = song
      ? initSpec('xavierUniform')
      : initSpec('kaimingUniform', Math.sqrt(1 / 3), Math.sqrt(1 / 3));
    this.init = args.init === undefined ? defaultInit : checkInitSpec('init', args.init);
    const rng = this.weightSource;
    const order: EmbeddingOrder = song ? 'sinCos' : 'cosSin';
    this.mapNoise = this.adopt(
      this.embeddingType === 'positional'
        ? new PositionalEmbedding({
            name: 'map_noise',
            channels: this.noiseChannels,
            endpoint: song,
            order,
            rng,
          })
        : new FourierEmbedding({ name: 'map_noise', channels: this.noiseChannels, order, rng }),
    );
    // Modules in the official construction order (which fixes the order of random draws).
    const augInit = song ? this.init : initSpec('kaimingUniform', 0);
    const labelInit = song ? this.init : initSpec('kaimingNormal', Math.sqrt(this.labelDim));
    const labelUnits = song ? this.noiseChannels : this.embChannels;
    const newLabel = (): Linear =>
      new Linear({ name: 'map_label', units: labelUnits, useBias: song, init: labelInit, rng });
    const newAugment = (): Linear =>
      new Linear({
        name: 'map_augment',
        units: this.noiseChannels,
        useBias: false,
        init: augInit,
        rng,
      });
    const songLabel = song && this.labelDim > 0 ? this.adopt(newLabel()) : null;
    this.mapAugment = this.augmentDim > 0 ? this.adopt(newAugment()) : null;
    this.mapLayer0 = this.adopt(
      new Linear({ name: 'map_layer0', units: this.embChannels, init: this.init, rng }),
    );
    this.mapLayer1 = this.adopt(
      new Linear({ name: 'map_layer1', units: this.embChannels, init: this.init, rng }),
    );
    this.mapLabel = songLabel ?? (!song && this.labelDim > 0 ? this.adopt(newLabel()) : null);
  }

  /** Scalar parameters of a mapping network. */
  static paramCount(args: {
    kind: MappingKind;
    noiseChannels: number;
    embChannels: number;
    labelDim: number;
    augmentDim: number;
  }): number {
    const { kind, noiseChannels: noise, embChannels: emb, labelDim, augmentDim } = args;
    let n = Linear.paramCount(noise, emb) + Linear.paramCount(emb, emb);
    if (augmentDim > 0) n += Linear.paramCount(augmentDim, noise, false);
    if (labelDim > 0)
      n +=
        kind === 'song'
          ? Linear.paramCount(labelDim, noise)
          : Linear.paramCount(labelDim, emb, false);
    return n;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = shapeList(inputShape);
    const expected = 1 + (this.labelDim > 0 ? 1 : 0) + (this.augmentDim > 0 ? 1 : 0);
    if (shapes.length !== expected) {
      throw new ParameterError(
        'inputs',
        `${expected} tensors [cNoise, (labels), (augment)]`,
        shapes.length,
      );
    }
    const batch = shapes[0]![0] ?? null;
    this.buildChild(this.mapNoise, [batch, 1]);
    if (this.kind === 'song' && this.mapLabel)
      this.buildChild(this.mapLabel, [batch, this.labelDim]);
    if (this.mapAugment) this.buildChild(this.mapAugment, [batch, this.augmentDim]);
    this.buildChild(this.mapLayer0, [batch, this.noiseChannels]);
    this.buildChild(this.mapLayer1, [batch, this.embChannels]);
    if (this.kind === 'dhariwal' && this.mapLabel)
      this.buildChild(this.mapLabel, [batch, this.labelDim]);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [shapeList(inputShape)[0]![0] ?? null, this.embChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const cNoise = list[0]!;
      let next = 1;
      const labels = this.labelDim > 0 ? list[next++]! : null;
      const augment = this.augmentDim > 0 ? list[next++]! : null;
      let labelIn = labels;
      if (labels && this.labelDropout > 0 && isTraining(kwargs)) {
        const batch = labels.shape[0];
        labelIn = tf.mul(
          labels,
          seededKeepMask([batch, 1], this.labelDropout, seedOf(kwargs), this.path),
        );
      }
      let emb = this.mapNoise.call(cNoise, kwargs);
      if (this.kind === 'song') {
        if (this.mapLabel && labelIn)
          emb = tf.add(emb, this.mapLabel.call(tf.mul(labelIn, Math.sqrt(this.labelDim)), kwargs));
        if (this.mapAugment && augment) emb = tf.add(emb, this.mapAugment.call(augment, kwargs));
        emb = silu(this.mapLayer0.call(emb, kwargs));
        return silu(this.mapLayer1.call(emb, kwargs));
      }
      if (this.mapAugment && augment) emb = tf.add(emb, this.mapAugment.call(augment, kwargs));
      emb = silu(this.mapLayer0.call(emb, kwargs));
      emb = this.mapLayer1.call(emb, kwargs);
      if (this.mapLabel && labelIn) emb = tf.add(emb, this.mapLabel.call(labelIn, kwargs));
      return silu(emb);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kind: this.kind,
      noiseChannels: this.noiseChannels,
      embChannels: this.embChannels,
      embeddingType: this.embeddingType,
      labelDim: this.labelDim,
      augmentDim: this.augmentDim,
      labelDropout: this.labelDropout,
      init: { ...this.init },
    };
  }
}
tf.serialization.registerClass(MappingNetwork, 'edmkit');
