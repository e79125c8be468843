import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import { Conv2d } from './conv2d.js';
import {
  EdmLayer,
  knownDim,
  singleShape,
  singleTensor,
  type EdmLayerArgs,
  type Kwargs,
} from './edm-layer.js';
import { GroupNorm } from './group-norm.js';
import { checkInitSpec, initSpec, type InitSpec } from './init.js';

/** Options of {@link SelfAttention}. */
export interface SelfAttentionArgs extends EdmLayerArgs {
  /** Number of heads; must divide the channels (default 1). */
  readonly numHeads?: number;
  /** GroupNorm ε (default 1e-5). */
  readonly epsilon?: number;
  /** Factor applied after the residual sum (default 1). */
  readonly skipScale?: number;
  /** Initialisation of the qkv projection (default Kaiming-normal). */
  readonly initQkv?: InitSpec;
  /** Initialisation of the output projection (default zero). */
  readonly initProj?: InitSpec;
}

/**
 * Multi-head self-attention over the positions of a feature map, with its own
 * GroupNorm and a residual connection: x ← (x + proj(attn(qkv(norm(x)))))·skipScale.
 *
 * Paper: Appendix F.2 — DDPM++/NCSN++: one head at 16×16, qkv initialised Xavier-uniform
 * ×√0.2, proj ×1e−5, skip scale √½; ADM: 64 channels per head, Kaiming-uniform ×√⅓,
 * proj zero-initialised, skip scale 1. Weights per head: softmax(q·kᵀ/√(C/heads))·v.
 * The qkv channels follow the official layout (channel = head·3·(C/heads) + c·3 + {q,k,v}).
 *
 * @example
 * const attn = new SelfAttention({ numHeads: 1, epsilon: 1e-6, skipScale: Math.SQRT1_2 });
 * @see https://arxiv.org/abs/2206.00364
 */
export class SelfAttention extends EdmLayer {
  static readonly className = 'EdmSelfAttention';
  readonly numHeads: number;
  readonly epsilon: number;
  readonly skipScale: number;
  readonly initQkv: InitSpec;
  readonly initProj: InitSpec;
  private readonly norm: GroupNorm;
  private qkv: Conv2d | null = null;
  private proj: Conv2d | null = null;

  constructor(args: SelfAttentionArgs = {}) {
    super(args);
    this.numHeads = checkInteger('numHeads', args.numHeads ?? 1, 1);
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-5, { min: 0, minInclusive: false });
    this.skipScale = checkNumber('skipScale', args.skipScale ?? 1);
    this.initQkv =
      args.initQkv === undefined
        ? initSpec('kaimingNormal')
        : checkInitSpec('initQkv', args.initQkv);
    this.initProj =
      args.initProj === undefined
        ? initSpec('kaimingNormal', 0)
        : checkInitSpec('initProj', args.initProj);
    this.norm = this.adopt(
      new GroupNorm({ name: 'norm', epsilon: this.epsilon, rng: this.weightSource }),
    );
  }

  /** Scalar parameters of self-attention over `channels` channels. */
  static paramCount(channels: number): number {
    return (
      GroupNorm.paramCount(channels) +
      Conv2d.paramCount(channels, 3 * channels, 1) +
      Conv2d.paramCount(channels, channels, 1)
    );
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = knownDim(shape, -1, this.name);
    if (channels % this.numHeads !== 0) {
      throw new ParameterError(
        'numHeads',
        `a divisor of the channels (${channels})`,
        this.numHeads,
      );
    }
    const rng = this.weightSource;
    this.qkv = this.adopt(
      new Conv2d({ name: 'qkv', filters: 3 * channels, kernel: 1, init: this.initQkv, rng }),
    );
    this.proj = this.adopt(
      new Conv2d({ name: 'proj', filters: channels, kernel: 1, init: this.initProj, rng }),
    );
    this.buildChild(this.norm, shape);
    this.buildChild(this.qkv, shape);
    this.buildChild(this.proj, shape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const heads = this.numHeads;
      const cph = c / heads;
      const hw = h * w;
      const qkv = this.qkv!.call(this.norm.call(x, kwargs), kwargs) as tf.Tensor4D;
      // [n, hw, heads, cph, 3] in the official channel order, kept at rank ≤ 4.
      const parts = tf.unstack(qkv.reshape([n * hw * heads, cph, 3]).transpose([2, 0, 1]));
      const perHead = (t: tf.Tensor): tf.Tensor3D =>
        t
          .reshape([n, hw, heads, cph])
          .transpose([0, 2, 1, 3])
          .reshape([n * heads, hw, cph]);
      const q = perHead(parts[0]!);
      const k = perHead(parts[1]!);
      const v = perHead(parts[2]!);
      const weights = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(cph)));
      const a = tf
        .matMul(weights, v)
        .reshape([n, heads, hw, cph])
        .transpose([0, 2, 1, 3])
        .reshape([n, h, w, c]);
      const y = tf.add(this.proj!.call(a, kwargs), x);
      return this.skipScale === 1 ? y : tf.mul(y, this.skipScale);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      epsilon: this.epsilon,
      skipScale: this.skipScale,
      initQkv: { ...this.initQkv },
      initProj: { ...this.initProj },
    };
  }
}
tf.serialization.registerClass(SelfAttention, 'edmkit');
