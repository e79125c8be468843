import { checkNumber, ParameterError } from '@edmkit/core';
import type { BatchDenoiser, TensorOps } from '@edmkit/core';
import { isPromiseLike } from './promise.js';
import type { Preconditioner } from './types.js';

/**
 * A raw network F(c_in·x; c_noise) with one conditioning value per sample, as a training
 * batch needs it: `cNoise[b]` belongs to sample b (the slice of `xIn` along the leading
 * axis). May be async.
 */
export type BatchRawNetwork<T> = (xIn: T, cNoise: Float64Array) => T | Promise<T>;

/**
 * Wraps a raw network F into a denoiser with one noise level per sample, the form the
 * training loss needs (every image of a minibatch draws its own σ).
 *
 * Paper: Eq. 7, per sample b: D(x_b; σ_b) = c_skip(σ_b)·x_b + c_out(σ_b)·F(c_in(σ_b)·x_b; c_noise(σ_b)).
 * As in the official code (numerics guide: “Preconditioned denoiser”), σ has one value per
 * sample and c_noise reaches F as
 * a vector of length batch.
 *
 * Generic over the tensor type through `ops`: each per-sample scaling is one
 * `ops.scaleSamples`, the sum one `ops.combine`. The denoiser is synchronous when F is
 * (so it can run inside a tfjs gradient tape), and returns a promise when F does; the
 * overloads carry this into the types. Every
 * intermediate (c_in·x, c_skip·x, c_out·F and F's output) is disposed once D is formed, so
 * F must return a tensor the denoiser may release (a fresh one, or its input). σ is not
 * rounded. Each σ_b is checked (finite, ≥ 0, and > 0 where c_noise takes a logarithm)
 * before F is called; a σ array whose length does not divide the batch is refused by
 * `ops.scaleSamples`.
 *
 * @param F - the raw network F(c_in·x; c_noise), c_noise one value per sample
 * @param precond - the preconditioner (c_skip, c_out, c_in, c_noise)
 * @param ops - tensor operations for the tensor type of F
 * @example
 * const D = preconditionBatch((xIn, cNoise) => net(xIn, cNoise), edmPrecond(), arrayOps);
 * const denoised = D(x, new Float64Array([0.3, 2.5])); // two samples, two noise levels
 * @see https://arxiv.org/abs/2206.00364
 */
export function preconditionBatch<T>(
  F: (xIn: T, cNoise: Float64Array) => T,
  precond: Preconditioner,
  ops: TensorOps<T>,
): (x: T, sigma: Float64Array) => T;
export function preconditionBatch<T>(
  F: (xIn: T, cNoise: Float64Array) => Promise<T>,
  precond: Preconditioner,
  ops: TensorOps<T>,
): (x: T, sigma: Float64Array) => Promise<T>;
export function preconditionBatch<T>(
  F: BatchRawNetwork<T>,
  precond: Preconditioner,
  ops: TensorOps<T>,
): BatchDenoiser<T>;
export function preconditionBatch<T>(
  F: BatchRawNetwork<T>,
  precond: Preconditioner,
  ops: TensorOps<T>,
): BatchDenoiser<T> {
  if (typeof F !== 'function')
    throw new ParameterError('F', 'a function (xIn, cNoise: Float64Array) => tensor', F);
  return (x: T, sigma: Float64Array): T | Promise<T> => {
    if (!(sigma instanceof Float64Array) || sigma.length === 0) {
      throw new ParameterError('sigma', 'a non-empty Float64Array, one σ per sample', sigma);
    }
    const batch = sigma.length;
    const cSkip = new Float64Array(batch);
    const cOut = new Float64Array(batch);
    const cIn = new Float64Array(batch);
    const cNoise = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      const s = checkNumber(`sigma[${b}]`, sigma[b], { min: 0 });
      cSkip[b] = precond.cSkip(s);
      cOut[b] = precond.cOut(s);
      cIn[b] = precond.cIn(s);
      cNoise[b] = precond.cNoise(s);
    }
    const xIn = ops.scaleSamples(x, cIn);
    const finish = (f: T): T => {
      let skip: T | undefined;
      let out: T | undefined;
      try {
        skip = ops.scaleSamples(x, cSkip);
        out = ops.scaleSamples(f, cOut);
        return ops.combine([
          [1, skip],
          [1, out],
        ]);
      } finally {
        if (skip !== undefined) ops.dispose(skip);
        if (out !== undefined) ops.dispose(out);
        ops.dispose(xIn);
        if (f !== xIn && f !== x) ops.dispose(f);
      }
    };
    let result: T | Promise<T>;
    try {
      result = F(xIn, cNoise);
    } catch (error) {
      ops.dispose(xIn);
      throw error;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(finish, (error: unknown) => {
        ops.dispose(xIn);
        throw error;
      });
    }
    return finish(result);
  };
}
