import { checkNumber, checkOneOf } from '@edmkit/core';
import type { D2Coefficient, DpmSolverType } from './dpm-solver-pp.js';
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

/** Options of {@link dpmSolverPlusPlusSde}. */
export interface DpmSolverPlusPlusSdeOptions {
  /** 2 (2M-SDE, default) or 3 (3M-SDE). */
  readonly order?: number;
  /** η ≥ 0: amount of SDE noise (1 = the DPM-Solver++ SDE, default; 0 = the ODE). */
  readonly eta?: number;
  /** S_noise ≥ 0: scale of the injected noise (default 1). */
  readonly sNoise?: number;
  /** 2M's 2nd-order term: 'midpoint' (default) or 'heun', as k-diffusion's `solver_type`. */
  readonly solverType?: DpmSolverType;
  /** D2 coefficient of 3M steps: 'reference' (default) or 'taylor' (see `dpmSolverPlusPlus`). */
  readonly d2Coefficient?: D2Coefficient;
  /** Lower the order on the last steps when N < 15 (default false, as k-diffusion). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link dpmSolverPlusPlusSde}. */
export interface DpmSolverPlusPlusSdeSolver extends SigmaSolver {
  readonly name: 'dpmpp-2m-sde' | 'dpmpp-3m-sde';
  readonly order: 2 | 3;
  readonly eta: number;
  readonly sNoise: number;
  readonly solverType: DpmSolverType;
  readonly d2Coefficient: D2Coefficient;
  readonly lowerOrderFinal: boolean;
}

/**
 * DPM-Solver++ 2M-SDE / 3M-SDE: the multistep data-prediction exponential
 * integrator of the reverse SDE (η > 0) or of the probability-flow ODE (η = 0),
 * one evaluation per step, warming up from order 1, noise from the per-sample
 * streams (one draw per step into σ > 0 when η > 0).
 *
 * Paper: Lu et al. 2022 (DPM-Solver++, arXiv 2211.01095) §4; the η form is
 * k-diffusion's `sample_dpmpp_2m_sde` / `sample_dpmpp_3m_sde`. With
 * h = ln(σ_i/σ_{i+1}), H = (1 + η)h, φ₂(H) = (e^{−H} − 1)/H + 1, r = h_{i−1}/h:
 * x_{i+1} = e^{−H}·x_i + (1 − e^{−H})·D_i + correction + S_noise·σ_{i+1}·√(1 − e^{−2ηh})·ε;
 * 2M: correction = ½(1 − e^{−H})·(D_i − D_{i−1})/r ('midpoint') or φ₂(H)·(D_i − D_{i−1})/r
 * ('heun'); 3M: φ₂(H)·D1 − c·(φ₂(H)/H − ½)·D2 with D1, D2 as in `dpmSolverPlusPlus`
 * (c = 1 'reference', 2 'taylor'), its second step φ₂(H)·(D_i − D_{i−1})/r. The step
 * into σ = 0 returns D(x; σ_{N−1}).
 *
 * @param options.order - 2 or 3 (default 2)
 * @param options.eta - η ≥ 0 (default 1)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @param options.solverType - 2M: 'midpoint' (default) or 'heun'
 * @param options.d2Coefficient - 3M: 'reference' (default) or 'taylor'
 * @param options.lowerOrderFinal - default false
 * @example
 * const { x } = await dpmSolverPlusPlusSde({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs: sampleRngs(7, batch) });
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmSolverPlusPlusSde(
  input?: DpmSolverPlusPlusSdeOptions,
): DpmSolverPlusPlusSdeSolver {
  const options = checkOptions(input, '{ order?, eta?, sNoise?, solverType?, … }');
  const order = checkChoice('order', options.order, [2, 3] as const, 2);
  const eta = checkNumber('eta', options.eta ?? 1, { min: 0 });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  const solverType = checkOneOf('solverType', options.solverType ?? 'midpoint', [
    'midpoint',
    'heun',
  ] as const);
  const d2Coefficient = checkOneOf('d2Coefficient', options.d2Coefficient ?? 'reference', [
    'reference',
    'taylor',
  ] as const);
  const lowerOrderFinal = checkBoolean('lowerOrderFinal', options.lowerOrderFinal, false);
  const duplicates = checkDuplicates(options.duplicates, 'reject');
  const c2 = d2Coefficient === 'taylor' ? 2 : 1;

  function start<T>() {
    const history: T[] = []; // newest first: D_i, D_{i−1}, D_{i−2}
    const hs: number[] = []; // newest first: h_{i−1}, h_{i−2}
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n, sigma, sigmaNext } = ctx;
      const denoised = ctx.keep(await ctx.denoise(ctx.x, sigma));
      history.unshift(denoised);
      if (history.length > order) ctx.drop(history.pop()!);
      if (sigmaNext === 0) return ctx.combine([[1, denoised]]);
      const h = -Math.log(sigmaNext) - -Math.log(sigma);
      const etaH = eta * h;
      const bigH = h + etaH;
      const k = stepOrder(order, i, n, history.length, lowerOrderFinal);
      const a = -Math.expm1(-bigH); // 1 − e^{−H}
      const phi2 = Math.expm1(-bigH) / bigH + 1;
      const terms: [number, T][] =
        order === 2
          ? [
              [(sigmaNext / sigma) * Math.exp(-etaH), ctx.x],
              [a, denoised],
            ]
          : [
              [Math.exp(-bigH), ctx.x],
              [a, denoised],
            ];
      if (k === 2) {
        const w = (order === 2 && solverType === 'midpoint' ? 0.5 * a : phi2) * (h / hs[0]!);
        terms.push([w, history[0]!], [-w, history[1]!]);
      } else if (k === 3) {
        const r0 = hs[0]! / h;
        const r1 = hs[1]! / h;
        const phi3 = c2 * (phi2 / bigH - 0.5);
        const w = thirdOrderWeights(r0, r1, phi2, phi3);
        for (let j = 0; j < 3; j++) terms.push([w[j]!, history[j]!]);
      }
      if (eta > 0)
        terms.push([sigmaNext * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise, ctx.noise()]);
      hs.unshift(h);
      if (hs.length > 2) hs.pop();
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: order === 2 ? ('dpmpp-2m-sde' as const) : ('dpmpp-3m-sde' as const),
    order,
    stochastic: eta > 0,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { eta, sNoise, solverType, d2Coefficient, lowerOrderFinal },
  }) as DpmSolverPlusPlusSdeSolver;
}
