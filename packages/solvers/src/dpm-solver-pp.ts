import { checkOneOf } from '@edmkit/core';
import { stepOrder, thirdOrderWeights } from './multistep.js';
import {
  checkBoolean,
  checkChoice,
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** How the 2nd-order multistep term of DPM-Solver++ is formed (DPM-Solver's `solver_type`). */
export type DpmSolverType = 'midpoint' | 'heun';

/**
 * The coefficient on the second difference D2 of 3rd-order DPM-Solver++ steps:
 * `'reference'` φ₂/h − ½ (DPM-Solver, diffusers, k-diffusion), `'taylor'`
 * 2·(φ₂/h − ½), the exact Taylor term (local error O(h⁴)).
 */
export type D2Coefficient = 'reference' | 'taylor';

/** Options of {@link dpmSolverPlusPlus}. */
export interface DpmSolverPlusPlusOptions {
  /** 2 (DPM-Solver++(2M), default) or 3 (DPM-Solver++(3M)). */
  readonly order?: 2 | 3;
  /** 2nd-order term: 'midpoint' (default) or 'heun'. */
  readonly solverType?: DpmSolverType;
  /** Use lower orders for the last steps when N < 15 (default true, as diffusers). */
  readonly lowerOrderFinal?: boolean;
  /** D2 coefficient of 3M steps: 'reference' (default) or 'taylor'. */
  readonly d2Coefficient?: D2Coefficient;
  /** How repeated consecutive σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** DPM-Solver++(2M) / (3M). */
export interface DpmSolverPlusPlus extends SigmaSolver {
  readonly name: 'dpmpp-2m' | 'dpmpp-3m';
  readonly order: 2 | 3;
  readonly stochastic: false;
  readonly solverType: DpmSolverType;
  readonly lowerOrderFinal: boolean;
  readonly d2Coefficient: D2Coefficient;
}

/**
 * DPM-Solver++ multistep (2M, 3M): the data-prediction exponential integrator of
 * the probability-flow ODE in λ = −ln σ, one denoiser evaluation per step.
 *
 * Paper: Lu et al. 2022 (DPM-Solver++, arXiv 2211.01095), Algorithm 2. With
 * h = λ_{i+1} − λ_i, φ₁ = e^{−h} − 1, φ₂ = φ₁/h + 1, r₀ = h_{i−1}/h, r₁ = h_{i−2}/h,
 * D1₀ = (D_i − D_{i−1})/r₀, D1₁ = (D_{i−1} − D_{i−2})/r₁:
 * - 1st order: x_{i+1} = (σ_{i+1}/σ_i)·x_i − φ₁·D_i;
 * - 2M: x_{i+1} = (σ_{i+1}/σ_i)·x_i − φ₁·D_i − ½φ₁·D1₀ ('midpoint') or + φ₂·D1₀ ('heun');
 * - 3M: with D1 = D1₀ + r₀/(r₀ + r₁)·(D1₀ − D1₁), D2 = (D1₀ − D1₁)/(r₀ + r₁):
 *   x_{i+1} = (σ_{i+1}/σ_i)·x_i − φ₁·D_i + φ₂·D1 − c·(φ₂/h − ½)·D2,
 *   c = 1 as in DPM-Solver, diffusers and k-diffusion (`'reference'`, default); c = 2
 *   (`'taylor'`) makes the D2 term the exact Taylor term, since D2 ≈ h²D″/2.
 * Warm-up: the first step is first order, the second (3M) second order. With
 * `lowerOrderFinal` and N < 15 the order is at most the number of steps left;
 * the step into σ = 0 (λ = ∞) is first order, x_N = D(x_{N−1}; σ_{N−1}). This is
 * diffusers' DPMSolverMultistepScheduler (and EDMDPMSolverMultistepScheduler)
 * with `algorithm_type="dpmsolver++"`; 2M is also k-diffusion's `sample_dpmpp_2m`.
 *
 * @param options.order - 2 or 3 (default 2)
 * @param options.solverType - 'midpoint' (default) or 'heun'
 * @param options.lowerOrderFinal - default true
 * @param options.d2Coefficient - 'reference' (default) or 'taylor'
 * @param options.duplicates - 'reject' (default) or 'merge'
 * @example
 * const sigmas = [...edmSteps().sigmaSteps(10, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
 * const { x, nfe } = await dpmSolverPlusPlus({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas }); // nfe = 10
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmSolverPlusPlus(input?: DpmSolverPlusPlusOptions): DpmSolverPlusPlus {
  const options = checkOptions(
    input,
    '{ order?, solverType?, lowerOrderFinal?, d2Coefficient?, duplicates? }',
  );
  const order = checkChoice('order', options.order, [2, 3] as const, 2);
  const solverType = checkOneOf('solverType', options.solverType ?? 'midpoint', [
    'midpoint',
    'heun',
  ] as const);
  const lowerOrderFinal = checkBoolean('lowerOrderFinal', options.lowerOrderFinal, true);
  const d2Coefficient = checkOneOf('d2Coefficient', options.d2Coefficient ?? 'reference', [
    'reference',
    'taylor',
  ] as const);
  const duplicates = checkDuplicates(options.duplicates, 'reject');
  const c2 = d2Coefficient === 'taylor' ? 2 : 1;

  function start<T>() {
    const history: T[] = []; // D_{i−k+1}, …, D_i (newest last)
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigma, sigmaNext, sigmas } = ctx;
      const d0 = ctx.keep(await ctx.denoise(ctx.x, sigma));
      history.push(d0);
      if (history.length > order) ctx.drop(history.shift()!);
      if (sigmaNext === 0) return ctx.combine([[1, d0]]);
      const k = stepOrder(order, i, n, history.length, lowerOrderFinal);
      const lambda = (j: number) => -Math.log(sigmas[j]!);
      const h = lambda(i + 1) - lambda(i);
      const phi1 = Math.expm1(-h);
      const phi2 = phi1 / h + 1;
      // Coefficients of D_i, D_{i−1}, D_{i−2}.
      const c = [-phi1, 0, 0];
      if (k === 2) {
        const r0 = (lambda(i) - lambda(i - 1)) / h;
        const w = solverType === 'midpoint' ? -0.5 * phi1 : phi2; // weight of D1₀
        c[0]! += w / r0;
        c[1]! -= w / r0;
      } else if (k === 3) {
        const r0 = (lambda(i) - lambda(i - 1)) / h;
        const r1 = (lambda(i - 1) - lambda(i - 2)) / h;
        const phi3 = c2 * (phi2 / h - 0.5);
        const w = thirdOrderWeights(r0, r1, phi2, phi3);
        for (let j = 0; j < 3; j++) c[j]! += w[j]!;
      }
      const terms: [number, T][] = [[sigmaNext / sigma, ctx.x]];
      for (let j = 0; j < k; j++) terms.push([c[j]!, history[history.length - 1 - j]!]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: order === 2 ? ('dpmpp-2m' as const) : ('dpmpp-3m' as const),
    order,
    stochastic: false,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { solverType, lowerOrderFinal, d2Coefficient },
  }) as DpmSolverPlusPlus;
}
