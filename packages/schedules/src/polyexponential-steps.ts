import { checkPositive } from '@edmkit/core';
import { checkRange, checkSteps } from './check.js';
import type { Discretization, SigmaRange } from './types.js';

/** Options of {@link polyexponentialSteps}. */
export interface PolyexponentialStepsOptions {
  /** ρ, the ramp exponent (default 1, which gives {@link exponentialSteps}). */
  readonly rho?: number;
}

/** The polyexponential discretization returned by {@link polyexponentialSteps}. */
export interface PolyexponentialSteps extends Discretization {
  readonly name: 'polyexponential';
  /** ρ. */
  readonly rho: number;
}

/**
 * Noise levels whose log follows a polynomial ramp (k-diffusion's
 * `get_sigmas_polyexponential`): ρ > 1 spends more steps near σ_min.
 *
 * Paper: not in Table 1 (k-diffusion, Crowson): ramp_i = (1 − i/(N−1))^ρ,
 * σ_i = exp(ramp_i·(ln σ_max − ln σ_min) + ln σ_min).
 *
 * The end points are exactly σ_max and σ_min. N = 1 is defined as [σ_max].
 *
 * @param options.rho - ρ > 0 (default 1)
 * @example
 * polyexponentialSteps({ rho: 2 }).sigmaSteps(10, { sigmaMin: 0.002, sigmaMax: 80 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function polyexponentialSteps(
  options: PolyexponentialStepsOptions = {},
): PolyexponentialSteps {
  const rho = checkPositive('rho', options.rho ?? 1);
  return Object.freeze({
    name: 'polyexponential' as const,
    rho,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const { sigmaMin, sigmaMax } = checkRange(range);
      const out = new Float64Array(n);
      out[0] = sigmaMax;
      if (n === 1) return out;
      const lnMin = Math.log(sigmaMin);
      const span = Math.log(sigmaMax) - lnMin;
      for (let i = 1; i < n - 1; i++) out[i] = Math.exp((1 - i / (n - 1)) ** rho * span + lnMin);
      out[n - 1] = sigmaMin;
      return out;
    },
  });
}
