import * as tf from '@tensorflow/tfjs';
import { checkInteger } from '@edmkit/core';
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

/** Options of {@link Linear}. */
export interface LinearArgs extends EdmLayerArgs {
  /** Output features. */
  readonly units: number;
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
  /** Initialisation (default Kaiming-normal, the official class default). */
  readonly init?: InitSpec;
}

/**
 * A fully connected layer y = x·W + b with the official networks' initialisation
 * (fans of W: in, out; the bias is drawn with the weight's fans times its own multiplier).
 *
 * Paper: Appendix F.2; official `Linear`. The weight is stored [in, out] (tfjs
 * layout), the transpose of the official [out, in].
 *
 * @example
 * const dense = new Linear({ units: 512, init: initSpec('xavierUniform') });
 * @see https://arxiv.org/abs/2206.00364
 */
export class Linear extends EdmLayer {
  static readonly className = 'EdmLinear';
  readonly units: number;
  readonly useBias: boolean;
  readonly init: InitSpec;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: LinearArgs) {
    super(args);
    this.units = checkInteger('units', args.units, 1);
    this.useBias = args.useBias ?? true;
    this.init =
      args.init === undefined ? initSpec('kaimingNormal') : checkInitSpec('init', args.init);
  }

  /** Scalar parameters of a Linear layer. */
  static paramCount(inFeatures: number, units: number, useBias = true): number {
    return inFeatures * units + (useBias ? units : 0);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inFeatures = knownDim(singleShape(inputShape), -1, this.name);
    const { mode, weight, bias } = this.init;
    this.kernel = this.addParam('kernel', [inFeatures, this.units], (n, rng) =>
      initValues(n, mode, inFeatures, this.units, weight, rng),
    );
    if (this.useBias) {
      this.bias = this.addParam('bias', [this.units], (n, rng) =>
        initValues(n, mode, inFeatures, this.units, bias, rng),
      );
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const inFeatures = x.shape[x.shape.length - 1]!;
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inFeatures]);
      let y: tf.Tensor = tf.matMul(flat, this.kernel!.read());
      if (this.bias) y = tf.add(y, this.bias.read());
      return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      useBias: this.useBias,
      init: { ...this.init },
    };
  }
}
tf.serialization.registerClass(Linear, 'edmkit');
