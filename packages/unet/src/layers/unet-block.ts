import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import { Conv2d } from './conv2d.js';
import { seededDropout } from './dropout.js';
import {
  EdmLayer,
  isTraining,
  knownDim,
  seedOf,
  shapeList,
  silu,
  type EdmLayerArgs,
  type Kwargs,
} from './edm-layer.js';
import { GroupNorm } from './group-norm.js';
import { checkInitSpec, initSpec, type InitSpec } from './init.js';
import { Linear } from './linear.js';
import { SelfAttention } from './self-attention.js';

/** Options of {@link UNetBlock}. */
export interface UNetBlockArgs extends EdmLayerArgs {
  /** Output channels. */
  readonly outChannels: number;
  /** Upsample by 2 (default false). */
  readonly up?: boolean;
  /** Downsample by 2 (default false). */
  readonly down?: boolean;
  /** Append self-attention (default false). */
  readonly attention?: boolean;
  /** Attention heads (default: outChannels / channelsPerHead). */
  readonly numHeads?: number;
  /** Channels per attention head when `numHeads` is not given (default 64). */
  readonly channelsPerHead?: number;
  /** Dropout probability before the second convolution (default 0). */
  readonly dropout?: number;
  /** Factor applied after each residual sum (default 1; Song U-Net √½). */
  readonly skipScale?: number;
  /** GroupNorm ε (default 1e-5; Song U-Net 1e-6). */
  readonly epsilon?: number;
  /** 1-D taps of the resampling filter (default [1, 1]). */
  readonly resampleFilter?: readonly number[];
  /** Learned 1×1 projection on a resampling skip even when the channels match (default false). */
  readonly resampleProj?: boolean;
  /** Adaptive scale-and-shift embedding injection (default true, ADM); false = additive (Song). */
  readonly adaptiveScale?: boolean;
  /** Initialisation of the convolutions, the affine layer and the skip (default Kaiming-normal). */
  readonly init?: InitSpec;
  /** Initialisation of the layers before a residual sum (default zero). */
  readonly initZero?: InitSpec;
  /** Initialisation of the attention qkv projection (default `init`). */
  readonly initAttn?: InitSpec;
}

/** What determines a block's parameter count. */
export interface UNetBlockShape {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly embChannels: number;
  readonly up?: boolean;
  readonly down?: boolean;
  readonly attention?: boolean;
  readonly adaptiveScale: boolean;
  readonly resampleProj: boolean;
}

/**
 * The residual block of both U-Nets, with optional up/downsampling and self-attention.
 * Inputs [x, emb] (x: [N, H, W, C_in], emb: [N, E]); output [N, H', W', C_out].
 *
 *     h = conv0(silu(norm0(x)))                  (up/down inside conv0)
 *     additive (DDPM++/NCSN++): h = silu(norm1(h + affine(emb)))
 *     adaptive (ADM):           scale, shift = affine(emb); h = silu(shift + norm1(h)·(scale + 1))
 *     h = conv1(dropout(h));  x = (h + skip(x))·skipScale;  [x = attention(x)]
 *
 * skip is the identity unless the channels change or the block resamples; then a 1×1
 * convolution (after the same resampling), or pure resampling when the channels match
 * and `resampleProj` is false (ADM).
 *
 * Paper: Appendix F.2, Table 7; official `UNetBlock`.
 *
 * @example
 * const block = new UNetBlock({ outChannels: 256, down: true, skipScale: Math.SQRT1_2, epsilon: 1e-6,
 *   adaptiveScale: false, resampleProj: true, dropout: 0.13 });
 * @see https://arxiv.org/abs/2206.00364
 */
export class UNetBlock extends EdmLayer {
  static readonly className = 'EdmUNetBlock';
  readonly outChannels: number;
  readonly up: boolean;
  readonly down: boolean;
  readonly attention: boolean;
  readonly numHeads: number | null;
  readonly channelsPerHead: number;
  readonly dropout: number;
  readonly skipScale: number;
  readonly epsilon: number;
  readonly resampleFilter: readonly number[];
  readonly resampleProj: boolean;
  readonly adaptiveScale: boolean;
  readonly init: InitSpec;
  readonly initZero: InitSpec;
  readonly initAttn: InitSpec;
  private norm0: GroupNorm | null = null;
  private conv0: Conv2d | null = null;
  private affine: Linear | null = null;
  private norm1: GroupNorm | null = null;
  private conv1: Conv2d | null = null;
  private skip: Conv2d | null = null;
  private attn: SelfAttention | null = null;

  constructor(args: UNetBlockArgs) {
    super(args);
    this.outChannels = checkInteger('outChannels', args.outChannels, 1);
    this.up = args.up ?? false;
    this.down = args.down ?? false;
    if (this.up && this.down) throw new ParameterError('up', 'false when down is true', true);
    this.attention = args.attention ?? false;
    this.numHeads = args.numHeads === undefined ? null : checkInteger('numHeads', args.numHeads, 1);
    this.channelsPerHead = checkInteger('channelsPerHead', args.channelsPerHead ?? 64, 1);
    this.dropout = checkNumber('dropout', args.dropout ?? 0, {
      min: 0,
      max: 1,
      maxInclusive: false,
    });
    this.skipScale = checkNumber('skipScale', args.skipScale ?? 1);
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-5, { min: 0, minInclusive: false });
    this.resampleFilter = Object.freeze([...(args.resampleFilter ?? [1, 1])]);
    this.resampleProj = args.resampleProj ?? false;
    this.adaptiveScale = args.adaptiveScale ?? true;
    this.init =
      args.init === undefined ? initSpec('kaimingNormal') : checkInitSpec('init', args.init);
    this.initZero =
      args.initZero === undefined
        ? initSpec('kaimingNormal', 0)
        : checkInitSpec('initZero', args.initZero);
    this.initAttn =
      args.initAttn === undefined ? this.init : checkInitSpec('initAttn', args.initAttn);
    if (this.attention) attentionHeads(this.outChannels, this.numHeads, this.channelsPerHead);
  }

  /** Scalar parameters of a block of the given shape. */
  static paramCount(s: UNetBlockShape): number {
    const { inChannels: cin, outChannels: cout, embChannels } = s;
    let n =
      GroupNorm.paramCount(cin) +
      Conv2d.paramCount(cin, cout, 3) +
      Linear.paramCount(embChannels, cout * (s.adaptiveScale ? 2 : 1)) +
      GroupNorm.paramCount(cout) +
      Conv2d.paramCount(cout, cout, 3);
    if (cout !== cin || s.up === true || s.down === true) {
      n += Conv2d.paramCount(cin, cout, s.resampleProj || cout !== cin ? 1 : 0);
    }
    if (s.attention === true) n += SelfAttention.paramCount(cout);
    return n;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, embShape] = shapeList(inputShape);
    if (xShape === undefined || embShape === undefined) {
      throw new ParameterError('inputs', 'two tensors [x, emb]', inputShape);
    }
    const cin = knownDim(xShape, -1, this.name);
    const cout = this.outChannels;
    const rng = this.weightSource;
    const resample = { up: this.up, down: this.down, resampleFilter: this.resampleFilter };
    this.norm0 = this.adopt(new GroupNorm({ name: 'norm0', epsilon: this.epsilon, rng }));
    this.conv0 = this.adopt(
      new Conv2d({ name: 'conv0', filters: cout, kernel: 3, ...resample, init: this.init, rng }),
    );
    const affineUnits = cout * (this.adaptiveScale ? 2 : 1);
    this.affine = this.adopt(
      new Linear({ name: 'affine', units: affineUnits, init: this.init, rng }),
    );
    this.norm1 = this.adopt(new GroupNorm({ name: 'norm1', epsilon: this.epsilon, rng }));
    this.conv1 = this.adopt(
      new Conv2d({ name: 'conv1', filters: cout, kernel: 3, init: this.initZero, rng }),
    );
    if (cout !== cin || this.up || this.down) {
      const kernel = this.resampleProj || cout !== cin ? 1 : 0;
      this.skip = this.adopt(
        new Conv2d({ name: 'skip', filters: cout, kernel, ...resample, init: this.init, rng }),
      );
    }
    if (this.attention) {
      this.attn = this.adopt(
        new SelfAttention({
          name: 'attn',
          numHeads: attentionHeads(cout, this.numHeads, this.channelsPerHead),
          epsilon: this.epsilon,
          skipScale: this.skipScale,
          initQkv: this.initAttn,
          initProj: this.initZero,
          rng,
        }),
      );
    }
    // Build in the official module order (norm0, conv0, affine, norm1, conv1, skip, attention).
    const outShape = this.conv0.computeOutputShape(xShape);
    this.buildChild(this.norm0, xShape);
    this.buildChild(this.conv0, xShape);
    this.buildChild(this.affine, embShape);
    this.buildChild(this.norm1, outShape);
    this.buildChild(this.conv1, outShape);
    if (this.skip) this.buildChild(this.skip, xShape);
    if (this.attn) this.buildChild(this.attn, outShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [xShape] = shapeList(inputShape);
    const [batch, h, w] = xShape!;
    const scale = (d: number | null | undefined): number | null =>
      d == null ? null : this.up ? 2 * d : this.down ? Math.floor(d / 2) : d;
    return [batch ?? null, scale(h), scale(w), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new ParameterError('inputs', 'two tensors [x, emb]', inputs);
      }
      const orig = inputs[0]!;
      const emb = inputs[1]!;
      const cout = this.outChannels;
      let x = this.conv0!.call(silu(this.norm0!.call(orig, kwargs)), kwargs);
      const params = this.affine!.call(emb, kwargs).reshape([emb.shape[0], 1, 1, -1]);
      if (this.adaptiveScale) {
        const [scale, shift] = tf.split(params, [cout, cout], -1);
        x = silu(tf.add(shift!, tf.mul(this.norm1!.call(x, kwargs), tf.add(scale!, 1))));
      } else {
        x = silu(this.norm1!.call(tf.add(x, params), kwargs));
      }
      if (isTraining(kwargs)) x = seededDropout(x, this.dropout, seedOf(kwargs), this.path);
      x = this.conv1!.call(x, kwargs);
      x = tf.add(x, this.skip ? this.skip.call(orig, kwargs) : orig);
      if (this.skipScale !== 1) x = tf.mul(x, this.skipScale);
      if (this.attn) x = this.attn.call(x, kwargs);
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      outChannels: this.outChannels,
      up: this.up,
      down: this.down,
      attention: this.attention,
      channelsPerHead: this.channelsPerHead,
      dropout: this.dropout,
      skipScale: this.skipScale,
      epsilon: this.epsilon,
      resampleFilter: [...this.resampleFilter],
      resampleProj: this.resampleProj,
      adaptiveScale: this.adaptiveScale,
      init: { ...this.init },
      initZero: { ...this.initZero },
      initAttn: { ...this.initAttn },
    };
    if (this.numHeads !== null) config['numHeads'] = this.numHeads;
    return config;
  }
}
tf.serialization.registerClass(UNetBlock, 'edmkit');

/**
 * Attention heads of a block with `channels` output channels: `numHeads` if given, else
 * ⌊channels / channelsPerHead⌋. The official code silently drops attention when that is 0;
 * edmkit refuses instead (ParameterError).
 * @see https://arxiv.org/abs/2206.00364
 */
export function attentionHeads(
  channels: number,
  numHeads: number | null,
  channelsPerHead: number,
): number {
  const heads = numHeads ?? Math.floor(channels / channelsPerHead);
  if (heads < 1) {
    throw new ParameterError(
      'channelsPerHead',
      `at most the channels of an attention block (${channels}); the official code would silently skip this attention`,
      channelsPerHead,
    );
  }
  if (channels % heads !== 0) {
    throw new ParameterError(
      'numHeads',
      `a divisor of the channels of the attention block (${channels})`,
      heads,
    );
  }
  return heads;
}
