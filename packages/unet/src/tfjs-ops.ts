import * as tf from '@tensorflow/tfjs';
import { ParameterError, type Rng, type TensorOps } from '@edmkit/core';

/** Array.isArray without its narrowing (which turns a readonly array into any[]). */
const isList = (x: unknown): boolean => Array.isArray(x);

function checkTensor(parameter: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor) || value.isDisposed)
    throw new ParameterError(parameter, 'a live tf.Tensor', value);
  const x = value as tf.Tensor;
  if (x.dtype !== 'float32') throw new ParameterError(`${parameter}.dtype`, "'float32'", x.dtype);
  if (x.rank === 0 || x.shape[0] === 0)
    throw new ParameterError(
      `${parameter}.shape`,
      'a shape [batch, …] with rank >= 1 and batch >= 1',
      x.shape,
    );
  return x;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** [batch, 1, …, 1]: a per-sample factor broadcast over the rest of a tensor of rank `rank`. */
function perSampleShape(batch: number, rank: number): number[] {
  return [batch, ...new Array<number>(rank - 1).fill(1)];
}

/**
 * {@link TensorOps} over float32 `tf.Tensor`s (TensorFlow.js, any backend): what
 * the samplers of `@edmkit/solvers` and the losses of `@edmkit/losses` run on when
 * the denoiser is a tfjs network.
 *
 * Scalars stay float64 JavaScript numbers until they meet a tensor: each
 * coefficient is rounded to float32 once, where it multiplies. `combine` is one
 * expression Σₖ aₖ·xₖ inside `tf.tidy`, so only its result survives. `randnLike`
 * draws sample b's slice from `rngs[b]` alone (in float64, then rounded), so a
 * sample's noise does not depend on the batch it is computed in.
 *
 * Paper: every update of Algorithms 1–2 is one `combine`, e.g. the Euler step
 * x_{i+1} = x̂_i + (t_{i+1} − t̂_i)·d_i; the churn noise ε_i ~ N(0, S_noise² I) is one `randnLike`.
 *
 * Every result is a new tensor the caller owns (dispose it, or run inside `tidy`).
 * The sampler disposes what it creates, so `sample({ ops: tfjsOps, … })` leaves no
 * tensor behind but its result.
 *
 * @example
 * import { sample, timeSteps } from '@edmkit/solvers';
 * const latents = tfjsOps.randnLike(tf.zeros([8, 32, 32, 3]), sampleRngs(seed, 8));
 * const { x } = await sample({ ops: tfjsOps, denoiser, latents, tSteps });
 * latents.dispose();
 * @see https://arxiv.org/abs/2206.00364
 */
export const tfjsOps: TensorOps<tf.Tensor> = Object.freeze({
  name: 'tfjs',

  combine(terms: readonly (readonly [number, tf.Tensor])[]): tf.Tensor {
    if (!isList(terms) || terms.length === 0) {
      throw new ParameterError('terms', 'a non-empty list of [coefficient, tensor]', terms);
    }
    const shape = checkTensor('terms[0][1]', terms[0]![1]).shape;
    terms.forEach(([a, x], k) => {
      if (typeof a !== 'number' || !Number.isFinite(a))
        throw new ParameterError(`terms[${k}][0]`, 'a finite number', a);
      if (!sameShape(checkTensor(`terms[${k}][1]`, x).shape, shape)) {
        throw new ParameterError(
          `terms[${k}][1].shape`,
          `[${shape.join(', ')}] (the shape of terms[0][1])`,
          x.shape,
        );
      }
    });
    const live = terms.filter(([a]) => a !== 0);
    return tf.tidy(() => {
      if (live.length === 0) return tf.zeros(shape, 'float32');
      const scaled = live.map(([a, x]) => (a === 1 ? x : tf.mul(x, tf.scalar(a, 'float32'))));
      // Always a new tensor, also for Σ = 1·x: the caller disposes inputs and result separately.
      return scaled.length === 1
        ? scaled[0] === live[0]![1]
          ? tf.clone(scaled[0])
          : scaled[0]!
        : tf.addN(scaled);
    });
  },

  randnLike(like: tf.Tensor, rngs: readonly Rng[]): tf.Tensor {
    const { shape } = checkTensor('like', like);
    const batch = shape[0];
    if (!isList(rngs) || rngs.length !== batch) {
      throw new ParameterError(
        'rngs',
        `one Rng per sample (${batch}, the leading dimension of like)`,
        rngs?.length,
      );
    }
    const per = like.size / batch;
    const values = new Float64Array(like.size);
    for (let b = 0; b < batch; b++) rngs[b]!.fillNormal(values, b * per, per);
    return tf.tensor(Float32Array.from(values), shape, 'float32');
  },

  mul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    checkTensor('a', a);
    if (!sameShape(checkTensor('b', b).shape, a.shape))
      throw new ParameterError('b.shape', `[${a.shape.join(', ')}] (the shape of a)`, b.shape);
    return tf.mul(a, b);
  },

  scaleSamples(x: tf.Tensor, scale: Float64Array): tf.Tensor {
    const { shape } = checkTensor('x', x);
    const batch = shape[0];
    if (!(scale instanceof Float64Array) || scale.length !== batch) {
      throw new ParameterError(
        'scale',
        `a Float64Array with one factor per sample (${batch})`,
        scale,
      );
    }
    scale.forEach((a, b) => {
      if (!Number.isFinite(a)) throw new ParameterError(`scale[${b}]`, 'a finite number', a);
    });
    return tf.tidy(() =>
      tf.mul(x, tf.tensor(Float32Array.from(scale), perSampleShape(batch, x.rank), 'float32')),
    );
  },

  tidy<R>(fn: () => R): R {
    if (typeof fn !== 'function') throw new ParameterError('fn', 'a function', fn);
    let result: R | undefined;
    const kept = tf.tidy(() => {
      result = fn();
      // A typed array holds no tensor, and tf.tidy would walk it element by element
      // (≈ 0.5 µs each: 100 ms for one 28×28×32×8 batch of values).
      return ArrayBuffer.isView(result) ? undefined : (result as tf.TensorContainer);
    });
    return ArrayBuffer.isView(result) ? result : (kept as R);
  },

  dispose(x: tf.Tensor): void {
    tf.dispose(x);
  },

  // Shape only: checking the values for NaN would read them back and stall a GPU pipeline.
  check(y: unknown, like: tf.Tensor): string | undefined {
    if (y === undefined || y === null) return String(y);
    if (!(y instanceof tf.Tensor))
      return `a ${Object.prototype.toString.call(y).slice(8, -1)} instead of a tf.Tensor`;
    const out = y as tf.Tensor;
    if (out.isDisposed) return 'a disposed tensor';
    if (!sameShape(out.shape, like.shape))
      return `a tensor of shape [${out.shape.join(', ')}] instead of [${like.shape.join(', ')}]`;
    return undefined;
  },
});
