import { checkNumber, ParameterError } from '@edmkit/core';
import type { Denoiser, TensorOps } from '@edmkit/core';
import { isPromiseLike } from './promise.js';
import type { Preconditioner, RawNetwork } from './types.js';

/**
 * Wraps a raw network F into the denoiser D(x; σ) of a preconditioner.
 *
 * Paper: Eq. 7: D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ)).
 *
 * Generic over the tensor type through `ops`: c_in·x and the final sum are each one
 * `ops.combine`. The denoiser is synchronous when F is, and returns a promise when F
 * does. The scaled input c_in·x and F's output are disposed once D is formed, so F must
 * return a tensor the denoiser may release (a fresh one, or its input). σ is not
 * rounded here: round with `precond.roundSigma` where the sampler picks σ, as the
 * official code does. An invalid σ (NaN, negative, infinite, or 0 where c_noise has a
 * logarithm) throws a {@link ParameterError} before F is called.
 *
 * @param F - the raw network F(c_in·x; c_noise)
 * @param precond - the preconditioner (c_skip, c_out, c_in, c_noise)
 * @param ops - tensor operations for the tensor type of F
 * @example
 * const D = precondition((xIn, cNoise) => net(xIn, cNoise), edmPrecond(), arrayOps);
 * const denoised = await D(x, 2.5);
 * @see https://arxiv.org/abs/2206.00364
 */
export function precondition<T>(
  F: RawNetwork<T>,
  precond: Preconditioner,
  ops: TensorOps<T>,
): Denoiser<T> {
  if (typeof F !== 'function')
    throw new ParameterError('F', 'a function (xIn, cNoise) => tensor', F);
  return (x: T, sigma: number): T | Promise<T> => {
    checkNumber('sigma', sigma, { min: 0 });
    const cSkip = precond.cSkip(sigma);
    const cOut = precond.cOut(sigma);
    const cIn = precond.cIn(sigma);
    const cNoise = precond.cNoise(sigma);
    const xIn = ops.combine([[cIn, x]]);
    const finish = (f: T): T => {
      try {
        return ops.combine([
          [cSkip, x],
          [cOut, f],
        ]);
      } finally {
        ops.dispose(xIn);
        if (f !== xIn && f !== x) ops.dispose(f);
      }
    };
    let out: T | Promise<T>;
    try {
      out = F(xIn, cNoise);
    } catch (error) {
      ops.dispose(xIn);
      throw error;
    }
    if (isPromiseLike(out)) {
      return Promise.resolve(out).then(finish, (error: unknown) => {
        ops.dispose(xIn);
        throw error;
      });
    }
    return finish(out);
  };
}
