import { checkOneOf, ParameterError } from '@edmkit/core';
import { linearMultistep } from './linear-multistep.js';
import {
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link lms}. */
export interface LmsOptions {
  /** Maximum order 1…4 (default 4). */
  readonly order?: number;
  /** Use order min(order, N − i) on the last steps when N < 10 (default false, as k-diffusion). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The linear multistep solver returned by {@link lms}. */
export interface LmsSolver extends SigmaSolver {
  readonly name: 'lms';
  readonly stochastic: false;
  readonly lowerOrderFinal: boolean;
}

/** 3-point Gauss–Legendre nodes and weights on [−1, 1] (exact up to degree 5; the integrands have degree ≤ 3). */
const gaussNodes = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)] as const;
const gaussWeights = [5 / 9, 8 / 9, 5 / 9] as const;

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
  const a = sigmas[i]!;
  const b = sigmas[i + 1]!;
  const basis = (tau: number): number => {
    let p = 1;
    for (let m = 0; m < k; m++) {
      if (m === j) continue;
      p *= (tau - sigmas[i - m]!) / (sigmas[i - j]! - sigmas[i - m]!);
    }
    return p;
  };
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < 3; q++) sum += gaussWeights[q]! * basis(mid + half * gaussNodes[q]!);
  return sum * half;
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
 * @param options.lowerOrderFinal - lower the order on the last steps when N < 10 (default false)
 * @example
 * const { x } = await lms({ order: 4 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://github.com/crowsonkb/k-diffusion
 */
export function lms(options: LmsOptions = {}): LmsSolver {
  const order = options.order ?? 4;
  if (typeof order !== 'number' || ![1, 2, 3, 4].includes(order))
    throw new ParameterError('order', 'one of 1, 2, 3, 4', order);
  const lowerOrderFinal = options.lowerOrderFinal ?? false;
  if (typeof lowerOrderFinal !== 'boolean')
    throw new ParameterError('lowerOrderFinal', 'a boolean', lowerOrderFinal);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  return Object.freeze({
    name: 'lms' as const,
    order,
    stochastic: false as const,
    lowerOrderFinal,
    sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
      return linearMultistep(run, {
        order,
        lowerOrderFinal,
        duplicates,
        coefficient: lmsCoefficient,
      });
    },
  });
}
