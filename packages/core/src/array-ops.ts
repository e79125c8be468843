import { ParameterError } from './errors.js';
import { checkInteger } from './validate.js';
import type { Rng } from './rng.js';
import type { TensorOps } from './tensor-ops.js';

/**
 * {@link TensorOps} over plain `Float64Array`s laid out sample after sample
 * (`[batch, …]` flattened). Pure JavaScript, runs anywhere. A flat array has no
 * batch axis: `randnLike` and `scaleSamples` take the batch from the number of
 * streams or factors they are given. {@link arrayOpsFor} knows the size of one
 * sample and refuses a stream count that does not match the batch.
 */
export const arrayOps: TensorOps<Float64Array> = Object.freeze({
  name: 'float64-array',

  combine(terms: readonly (readonly [number, Float64Array])[]): Float64Array {
    const first = terms[0];
    if (first === undefined)
      throw new ParameterError('terms', 'a non-empty list of [coefficient, tensor]', terms);
    const n = first[1].length;
    const out = new Float64Array(n);
    for (let k = 0; k < terms.length; k++) {
      const [a, x] = terms[k]!;
      if (!Number.isFinite(a))
        throw new ParameterError(`terms[${k}][0]`, 'a finite coefficient', a);
      if (x.length !== n)
        throw new ParameterError('terms', `tensors of equal length ${n}`, x.length);
      if (a === 0) continue;
      // Stryker disable next-line EqualityOperator: a typed array ignores a write past its end, so `<=` computes the same
      for (let i = 0; i < n; i++) out[i]! += a * x[i]!;
    }
    return out;
  },

  randnLike(like: Float64Array, rngs: readonly Rng[]): Float64Array {
    const batch = rngs.length;
    if (batch === 0 || like.length % batch !== 0) {
      throw new ParameterError(
        'rngs',
        `one Rng per sample, a divisor of the tensor length ${like.length}`,
        batch,
      );
    }
    const per = like.length / batch;
    const out = new Float64Array(like.length);
    for (let b = 0; b < batch; b++) rngs[b]!.fillNormal(out, b * per, per);
    return out;
  },

  mul(a: Float64Array, b: Float64Array): Float64Array {
    if (a.length !== b.length)
      throw new ParameterError('b', `a tensor of length ${a.length}`, b.length);
    const out = new Float64Array(a.length);
    // Stryker disable next-line EqualityOperator: a typed array ignores a write past its end, so `<=` computes the same
    for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
    return out;
  },

  scaleSamples(x: Float64Array, scale: Float64Array): Float64Array {
    const batch = scale.length;
    if (batch === 0 || x.length % batch !== 0) {
      throw new ParameterError(
        'scale',
        `one factor per sample, a divisor of the tensor length ${x.length}`,
        batch,
      );
    }
    const per = x.length / batch;
    const out = new Float64Array(x.length);
    // Stryker disable next-line EqualityOperator: one sample past the end writes only past the end of `out`, which a typed array ignores
    for (let b = 0; b < batch; b++) {
      const a = scale[b]!;
      // Stryker disable next-line EqualityOperator: the write past sample b is overwritten by sample b + 1 (or past the end)
      for (let i = b * per; i < (b + 1) * per; i++) out[i] = a * x[i]!;
    }
    return out;
  },

  tidy<R>(fn: () => R): R {
    return fn();
  },

  check(y: unknown, like: Float64Array): string | undefined {
    if (y === undefined || y === null) return String(y);
    if (!(y instanceof Float64Array))
      return `a ${Object.prototype.toString.call(y).slice(8, -1)} instead of a Float64Array`;
    if (y.length !== like.length) return `${y.length} values instead of ${like.length}`;
    for (let i = 0; i < y.length; i++)
      if (!Number.isFinite(y[i])) return `non-finite values (${y[i]} at index ${i})`;
    return undefined;
  },

  dispose(): void {},
});

/**
 * {@link arrayOps} for samples of `sampleSize` values each: `randnLike` and
 * `scaleSamples` refuse a number of streams or factors other than the batch
 * (`length / sampleSize`), and `check` refuses a length that is not a whole
 * number of samples.
 *
 * @example
 * const ops = arrayOpsFor(3 * 32 * 32);
 * ops.randnLike(x, sampleRngs(0, 1)); // ParameterError when x holds 4 samples
 */
export function arrayOpsFor(sampleSize: number): TensorOps<Float64Array> {
  const size = checkInteger('sampleSize', sampleSize, 1);
  const batchOf = (name: string, x: Float64Array): number => {
    if (!(x instanceof Float64Array) || x.length === 0 || x.length % size !== 0)
      throw new ParameterError(
        name,
        `a Float64Array of whole samples of ${size} values`,
        x?.length,
      );
    return x.length / size;
  };
  return Object.freeze({
    ...arrayOps,
    randnLike(like: Float64Array, rngs: readonly Rng[]): Float64Array {
      const batch = batchOf('like', like);
      if (rngs?.length !== batch)
        throw new ParameterError('rngs', `one Rng per sample (${batch})`, rngs?.length);
      return arrayOps.randnLike(like, rngs);
    },
    scaleSamples(x: Float64Array, scale: Float64Array): Float64Array {
      const batch = batchOf('x', x);
      if (scale?.length !== batch)
        throw new ParameterError('scale', `one factor per sample (${batch})`, scale?.length);
      return arrayOps.scaleSamples(x, scale);
    },
    check(y: unknown, like: Float64Array): string | undefined {
      const problem = arrayOps.check!(y, like);
      if (problem !== undefined) return problem;
      return (y as Float64Array).length % size === 0
        ? undefined
        : `${(y as Float64Array).length} values, not whole samples of ${size}`;
    },
  });
}
