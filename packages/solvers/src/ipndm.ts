import {
  linearMultistep,
  type LinearMultistepOptions,
  type LinearMultistepSolver,
} from './linear-multistep.js';

/** Options of {@link ipndm}. */
export type IpndmOptions = LinearMultistepOptions;

/** The iPNDM solver returned by {@link ipndm}. */
export type IpndmSolver = LinearMultistepSolver<'ipndm'>;

/** Fixed Adams–Bashforth weights of orders 1…4, newest derivative first. */
const weights: readonly (readonly number[])[] = [
  [1],
  [3 / 2, -1 / 2],
  [23 / 12, -16 / 12, 5 / 12],
  [55 / 24, -59 / 24, 37 / 24, -9 / 24],
];

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
 * @param options.lowerOrderFinal - lower the order on the last steps when N < 10 (N < 15; default false)
 * @example
 * const { x } = await ipndm({ order: 4 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2204.13902
 */
export function ipndm(options?: IpndmOptions): IpndmSolver {
  return linearMultistep(
    'ipndm',
    options,
    (sigmas, i, k, j) => (sigmas[i + 1]! - sigmas[i]!) * weights[k - 1]![j]!,
  );
}
