import { checkPositive } from '@edmkit/core';
import type { Denoiser, TensorOps } from '@edmkit/core';
import { isPromiseLike } from './promise.js';

/** A score function ∇ₓ log p(x; σ). Async when the denoiser is. */
export type ScoreFunction<T> = (x: T, sigma: number) => T | Promise<T>;

/**
 * The score of the noised data distribution from a denoiser.
 *
 * Paper: Eq. 3: ∇ₓ log p(x; σ) = (D(x; σ) − x)/σ².
 *
 * The denoiser's output is disposed after use (it must not be `x`'s own storage
 * shared elsewhere). σ must be finite and > 0.
 *
 * @param denoiser - D(x; σ)
 * @param ops - tensor operations
 * @example
 * const grad = score(D, arrayOps);
 * const s = await grad(x, 1.2);
 * @see https://arxiv.org/abs/2206.00364
 */
export function score<T>(denoiser: Denoiser<T>, ops: TensorOps<T>): ScoreFunction<T> {
  return (x: T, sigma: number): T | Promise<T> => {
    checkPositive('sigma', sigma);
    const w = 1 / (sigma * sigma);
    const finish = (d: T): T => {
      try {
        return ops.combine([
          [w, d],
          [-w, x],
        ]);
      } finally {
        if (d !== x) ops.dispose(d);
      }
    };
    const d = denoiser(x, sigma);
    return isPromiseLike(d) ? Promise.resolve(d).then(finish) : finish(d);
  };
}
