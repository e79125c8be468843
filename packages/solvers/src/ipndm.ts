import { checkOneOf, ParameterError } from '@edmkit/core';
import { linearMultistep } from './linear-multistep.js';
import {
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link ipndm}. */
export interface IpndmOptions {
  /** Maximum Adams–Bashforth order 1…4 (default 4). */
  readonly order?: number;
  /** Use order min(order, N − i) on the last steps when N < 10 (default false, as k-diffusion). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The iPNDM solver returned by {@link ipndm}. */
export interface IpndmSolver extends SigmaSolver {
  readonly name: 'ipndm';
  readonly stochastic: false;
  readonly lowerOrderFinal: boolean;
}

/** Fixed Adams–Bashforth weights of orders 1…4, newest derivative first. */
const weights: readonly (readonly number[])[] = [
  [1],
  [3 / 2, -1 / 2],
  [23 / 12, -16 / 12, 5 / 12],
  [55 / 24, -59 / 24, 37 / 24, -9 / 24],
];

/** Parses an order option against the allowed list; refuses anything else with ParameterError('order'). */
function checkOrder(value: unknown, allowed: readonly number[], fallback: number): number {
  const order = value ?? fallback;
  if (typeof order !== 'number' || !allowed.includes(order)) {
    throw new ParameterError('order', `one of ${allowed.join(', ')}`, order);
  }
  return order;
}

/**
 * Improved PNDM (iPNDM): explicit Adams–Bashforth in σ on the ODE derivative
 * d = (x − D(x; σ))/σ with the fixed (equal-step) weights, one denoiser
 * evaluation per step, warming up from order 1 (step i uses order min(order, i + 1)).
 *
 * Paper: x_{i+1} = x_i + (σ_{i+1} − σ_i)·Σ_j w_j d_{i−j} with w = 1; 3/2, −1/2;
 * 23/12, −16/12, 5/12; 55/24, −59/24, 37/24, −9/24 (Zhang & Chen 2023, DEIS,
 * arXiv 2204.13902 §5; Liu et al. 2022, PNDM, arXiv 2202.09778). As in
 * k-diffusion's `sample_ipndm` the weights ignore unequal step sizes, so on a
 * non-uniform σ grid (e.g. EDM's ρ = 7 steps) the method is only 2nd-order
 * convergent; on a uniform grid it has the nominal order. The last step to
 * σ = 0 is an ordinary step (d is evaluated at σ_i > 0).
 *
 * @param options.order - maximum order 1…4 (default 4)
 * @param options.lowerOrderFinal - lower the order on the last steps when N < 10 (default false)
 * @example
 * const { x } = await ipndm({ order: 4 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2204.13902
 */
export function ipndm(options: IpndmOptions = {}): IpndmSolver {
  const order = checkOrder(options.order, [1, 2, 3, 4], 4);
  const lowerOrderFinal = options.lowerOrderFinal ?? false;
  if (typeof lowerOrderFinal !== 'boolean')
    throw new ParameterError('lowerOrderFinal', 'a boolean', lowerOrderFinal);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  return Object.freeze({
    name: 'ipndm' as const,
    order,
    stochastic: false as const,
    lowerOrderFinal,
    sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
      return linearMultistep(run, {
        order,
        lowerOrderFinal,
        duplicates,
        coefficient: (sigmas, i, k, j) => (sigmas[i + 1]! - sigmas[i]!) * weights[k - 1]![j]!,
      });
    },
  });
}
