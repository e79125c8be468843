import { ParameterError } from '@edmkit/core';
import {
  linearMultistep,
  type LinearMultistepOptions,
  type LinearMultistepSolver,
} from './linear-multistep.js';
import { lagrangeIntegral } from './multistep.js';

/** Options of {@link lms}. */
export type LmsOptions = LinearMultistepOptions;

/** The linear multistep solver returned by {@link lms}. */
export type LmsSolver = LinearMultistepSolver<'lms'>;

/**
 * Variable-step Adams–Bashforth weight of d_{i−j} for an order-k step from σ_i to
 * σ_{i+1}: ∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ, ℓ_j the Lagrange basis polynomial on the
 * nodes σ_i, σ_{i−1}, …, σ_{i−k+1}.
 *
 * @param sigmas - the σ grid
 * @param i - current step
 * @param k - order (number of nodes, 1…i + 1)
 * @param j - which node (0 = σ_i)
 */
export function lmsCoefficient(sigmas: ArrayLike<number>, i: number, k: number, j: number): number {
  if (!Number.isInteger(k) || k < 1 || k > i + 1)
    throw new ParameterError('k', `an integer in 1…${i + 1}`, k);
  if (!Number.isInteger(j) || j < 0 || j >= k)
    throw new ParameterError('j', `an integer in 0…${k - 1}`, j);
  const nodes: number[] = [];
  for (let m = 0; m < k; m++) nodes.push(sigmas[i - m]!);
  return lagrangeIntegral(nodes, j, sigmas[i]!, sigmas[i + 1]!);
}

/**
 * k-diffusion's linear multistep sampler (LMS): Adams–Bashforth on the actual
 * (non-uniform) σ grid for the derivative d = (x − D(x; σ))/σ, one denoiser
 * evaluation per step, warming up from order 1 (step i uses order min(order, i + 1)).
 *
 * Reference: k-diffusion `sample_lms` (Crowson); the weights are the exact
 * integrals of the Lagrange basis over [σ_i, σ_{i+1}] (k-diffusion integrates
 * them numerically with `scipy.integrate.quad`; here 3-point Gauss–Legendre,
 * exact for these cubic-or-lower polynomials). Paper: x_{i+1} = x_i +
 * Σ_j (∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ)·d_{i−j}. The last step to σ = 0 is an
 * ordinary step (d is evaluated at σ_i > 0).
 *
 * @param options.order - maximum order 1…4 (default 4)
 * @param options.lowerOrderFinal - lower the order on the last steps when N < 10 (N < 15; default false)
 * @example
 * const { x } = await lms({ order: 4 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://github.com/crowsonkb/k-diffusion
 */
export function lms(options?: LmsOptions): LmsSolver {
  return linearMultistep('lms', options, lmsCoefficient);
}
