import { checkPositive } from '@edmkit/core';
import { checkRange, checkSteps } from './check.js';
import type { Discretization, SigmaRange } from './types.js';

/** Options of {@link edmSteps}. */
export interface EdmStepsOptions {
  /** ρ, the warping exponent (default 7). ρ = 1 is uniform in σ; ρ → ∞ tends to geometric. */
  readonly rho?: number;
}

/** The EDM discretization returned by {@link edmSteps}. */
export interface EdmSteps extends Discretization {
  readonly name: 'edm';
  /** ρ. */
  readonly rho: number;
}

/**
 * The EDM time-step discretization: noise levels uniform in σ^{1/ρ}, which shortens
 * the steps near σ_min.
 *
 * Paper: Eq. 5 and Table 1, "Ours" column, row "Time steps t_{i<N}":
 * σ_i = (σ_max^{1/ρ} + (i/(N−1))·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, σ_N = 0.
 *
 * N = 1 is defined as the single level [σ_max] (Eq. 5 divides by N − 1).
 *
 * @param options.rho - ρ > 0 (default 7)
 * @example
 * edmSteps().sigmaSteps(18, { sigmaMin: 0.002, sigmaMax: 80 });
 * // [80, 57.586, 40.786, …, 0.0075280, 0.002]
 * @see https://arxiv.org/abs/2206.00364
 */
export function edmSteps(options: EdmStepsOptions = {}): EdmSteps {
  const rho = checkPositive('rho', options.rho ?? 7);
  return Object.freeze({
    name: 'edm' as const,
    rho,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const { sigmaMin, sigmaMax } = checkRange(range);
      const out = new Float64Array(n);
      if (n === 1) {
        out[0] = sigmaMax;
        return out;
      }
      const maxInvRho = sigmaMax ** (1 / rho);
      const minInvRho = sigmaMin ** (1 / rho);
      for (let i = 0; i < n; i++)
        out[i] = (maxInvRho + (i / (n - 1)) * (minInvRho - maxInvRho)) ** rho;
      return out;
    },
  });
}
