import * as tf from '@tensorflow/tfjs';
import { checkNumber, ParameterError } from '@edmkit/core';
import { EdmLayer, shapeList, type EdmLayerArgs, type Kwargs } from './edm-layer.js';

/** Options of {@link ScaledAdd}. */
export interface ScaledAddArgs extends EdmLayerArgs {
  /** The factor applied to the sum (default √½). */
  readonly scale?: number;
}

/**
 * (a + b + …)·scale: the residual merge of NCSN++'s residual encoder skip path,
 * x ← (x + skip(aux))/√2.
 *
 * Paper: Appendix F.2 (NCSN++ "residual" encoder); official `SongUNet.forward`.
 *
 * @example
 * const merge = new ScaledAdd({ scale: Math.SQRT1_2 });
 * @see https://arxiv.org/abs/2206.00364
 */
export class ScaledAdd extends EdmLayer {
  static readonly className = 'EdmScaledAdd';
  readonly scale: number;

  constructor(args: ScaledAddArgs = {}) {
    super(args);
    this.scale = checkNumber('scale', args.scale ?? Math.SQRT1_2);
  }

  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = shapeList(inputShape);
    if (shapes.length < 2)
      throw new ParameterError('inputs', 'at least two tensors', shapes.length);
    return shapes[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      return tf.mul(tf.addN(list), this.scale);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}
tf.serialization.registerClass(ScaledAdd, 'edmkit');
