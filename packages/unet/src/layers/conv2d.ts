import * as tf from '@tensorflow/tfjs';
import { checkInteger, ParameterError } from '@edmkit/core';
import {
  EdmLayer,
  knownDim,
  singleShape,
  singleTensor,
  type EdmLayerArgs,
  type Kwargs,
  type LayerVariable,
} from './edm-layer.js';
import { checkInitSpec, initSpec, initValues, type InitSpec } from './init.js';
import { downSize, filterPad, firDown, firUp, normalizeFilter, upSize } from './resample.js';

/** Options of {@link Conv2d}. */
export interface Conv2dArgs extends EdmLayerArgs {
  /** Output channels (ignored when `kernel` is 0: the channels pass through). */
  readonly filters: number;
  /** Kernel size k (k×k); 0 = no convolution, resampling only (default 3). */
  readonly kernel?: number;
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
  /** Upsample by 2 before the convolution (default false). */
  readonly up?: boolean;
  /** Downsample by 2 before the convolution (default false). */
  readonly down?: boolean;
  /** 1-D taps of the resampling FIR filter (default [1, 1]). */
  readonly resampleFilter?: readonly number[];
  /**
   * Fuse resampling and convolution (default false): down = convolve with padding
   * k/2 + pad, then filter at stride 2 without padding (NCSN++'s residual encoder skip).
   */
  readonly fusedResample?: boolean;
  /** Initialisation (default Kaiming-normal, the official class default). */
  readonly init?: InitSpec;
}

/**
 * A 2-D convolution (NHWC, "same" padding k/2) optionally preceded by FIR up- or
 * downsampling by 2, with the official networks' initialisation (fans in·k², out·k²).
 *
 * Paper: Appendix F.2; official `Conv2d`. Kernel stored [k, k, in, out] (tfjs layout),
 * the official is [out, in, k, k]. `kernel: 0` gives a pure resampling layer.
 *
 * @example
 * // DDPM++ downsampling skip: 2×2 box filter, then a learned 1×1 projection
 * const skip = new Conv2d({ filters: 256, kernel: 1, down: true, init: initSpec('xavierUniform') });
 * @see https://arxiv.org/abs/2206.00364
 */
export class Conv2d extends EdmLayer {
  static readonly className = 'EdmConv2d';
  readonly filters: number;
  readonly kernelSize: number;
  readonly useBias: boolean;
  readonly up: boolean;
  readonly down: boolean;
  readonly resampleFilter: readonly number[];
  readonly fusedResample: boolean;
  readonly init: InitSpec;
  private readonly taps: number[];
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: Conv2dArgs) {
    super(args);
    this.kernelSize = checkInteger('kernel', args.kernel ?? 3, 0);
    if (this.kernelSize % 2 === 0 && this.kernelSize !== 0) {
      throw new ParameterError('kernel', '0 or an odd integer', this.kernelSize);
    }
    this.filters =
      this.kernelSize === 0
        ? checkInteger('filters', args.filters, 0)
        : checkInteger('filters', args.filters, 1);
    this.useBias = args.useBias ?? true;
    this.up = args.up ?? false;
    this.down = args.down ?? false;
    if (this.up && this.down) throw new ParameterError('up', 'false when down is true', true);
    this.resampleFilter = Object.freeze([...(args.resampleFilter ?? [1, 1])]);
    this.taps = normalizeFilter(this.resampleFilter);
    this.fusedResample = args.fusedResample ?? false;
    this.init =
      args.init === undefined ? initSpec('kaimingNormal') : checkInitSpec('init', args.init);
  }

  /** Scalar parameters of a Conv2d layer (0 when `kernel` is 0). */
  static paramCount(inChannels: number, filters: number, kernel: number, useBias = true): number {
    return kernel === 0 ? 0 : filters * inChannels * kernel * kernel + (useBias ? filters : 0);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inChannels = knownDim(singleShape(inputShape), -1, this.name);
    const k = this.kernelSize;
    if (k > 0) {
      const fanIn = inChannels * k * k;
      const fanOut = this.filters * k * k;
      const { mode, weight, bias } = this.init;
      this.kernel = this.addParam('kernel', [k, k, inChannels, this.filters], (n, rng) =>
        initValues(n, mode, fanIn, fanOut, weight, rng),
      );
      if (this.useBias) {
        this.bias = this.addParam('bias', [this.filters], (n, rng) =>
          initValues(n, mode, fanIn, fanOut, bias, rng),
        );
      }
    }
    this.built = true;
  }

  /** Output size along one spatial axis for input size `n`. */
  outputSize(n: number): number {
    const l = this.taps.length;
    const fPad = filterPad(this.taps);
    const wPad = Math.floor(this.kernelSize / 2);
    if (this.fusedResample && this.kernelSize > 0 && this.up) {
      return upSize(n, l, Math.max(fPad - wPad, 0)) + 2 * Math.max(wPad - fPad, 0) - 2 * wPad;
    }
    if (this.fusedResample && this.kernelSize > 0 && this.down) {
      return downSize(n + 2 * (wPad + fPad) - 2 * wPad, l, 0);
    }
    if (this.up) return upSize(n, l, fPad);
    if (this.down) return downSize(n, l, fPad);
    return n;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, h, w, c] = singleShape(inputShape);
    const size = (d: number | null | undefined): number | null =>
      d == null ? null : this.outputSize(d);
    return [batch ?? null, size(h), size(w), this.kernelSize === 0 ? (c ?? null) : this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let x = singleTensor(inputs) as tf.Tensor4D;
      const w = this.kernel?.read() as tf.Tensor4D | undefined;
      const taps = this.taps;
      const fPad = filterPad(taps);
      const wPad = Math.floor(this.kernelSize / 2);
      if (this.fusedResample && w && this.up) {
        x = firUp(x, taps, Math.max(fPad - wPad, 0));
        x = tf.conv2d(x, w, 1, Math.max(wPad - fPad, 0));
      } else if (this.fusedResample && w && this.down) {
        x = tf.conv2d(x, w, 1, wPad + fPad);
        x = firDown(x, taps, 0);
      } else {
        if (this.up) x = firUp(x, taps, fPad);
        if (this.down) x = firDown(x, taps, fPad);
        if (w) x = tf.conv2d(x, w, 1, wPad);
      }
      return this.bias ? tf.add(x, this.bias.read()) : x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel: this.kernelSize,
      useBias: this.useBias,
      up: this.up,
      down: this.down,
      resampleFilter: [...this.resampleFilter],
      fusedResample: this.fusedResample,
      init: { ...this.init },
    };
  }
}
tf.serialization.registerClass(Conv2d, 'edmkit');
