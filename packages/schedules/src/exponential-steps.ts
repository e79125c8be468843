import { checkRange, checkSteps } from './check.js';
import type { Discretization, SigmaRange } from './types.js';

/** The exponential discretization returned by {@link exponentialSteps}. */
export interface ExponentialSteps extends Discretization {
  readonly name: 'exponential';
}

/**
 * Noise levels uniform in ln σ from σ_max down to σ_min (k-diffusion's
 * `get_sigmas_exponential`). The same levels as {@link veSteps}, computed in log space.
 *
 * Paper: not in Table 1 (k-diffusion, Crowson): σ_i = exp(ln σ_max + (i/(N−1))·(ln σ_min − ln σ_max)).
 *
 * The end points are exactly σ_max and σ_min. N = 1 is defined as [σ_max].
 *
 * @example
 * exponentialSteps().sigmaSteps(10, { sigmaMin: 0.002, sigmaMax: 80 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function exponentialSteps(): ExponentialSteps {
  return Object.freeze({
    name: 'exponential' as const,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const { sigmaMin, sigmaMax } = checkRange(range);
      const out = new Float64Array(n);
      out[0] = sigmaMax;
      if (n === 1) return out;
      const lnMax = Math.log(sigmaMax);
      const lnMin = Math.log(sigmaMin);
      for (let i = 1; i < n - 1; i++) out[i] = Math.exp(lnMax + (i / (n - 1)) * (lnMin - lnMax));
      out[n - 1] = sigmaMin;
      return out;
    },
  });
}
