import { churn as makeChurn, churnGamma, type Churn } from './churn.js';
import {
  checkChoice,
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** Options of {@link dpmSolverSingle}. */
export interface DpmSolverSingleOptions {
  /** 2 (DPM-Solver-2, default) or 3 (DPM-Solver-3). */
  readonly order?: number;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
  /** EDM churn S_churn ≥ 0 (default 0: deterministic); with S_min, S_max, S_noise as in `heun`. */
  readonly sChurn?: number;
  readonly sMin?: number;
  readonly sMax?: number;
  readonly sNoise?: number;
}

/** The solver returned by {@link dpmSolverSingle}. */
export interface DpmSolverSingleSolver extends SigmaSolver {
  readonly name: 'dpm-solver-single';
  readonly order: 2 | 3;
  readonly stochastic: boolean;
  readonly churn: Churn;
}

/**
 * Single-step DPM-Solver of order 2 or 3 in σ-space (noise prediction
 * ε = (x − D(x; σ))/σ, λ = −ln σ): `order` denoiser evaluations per step, except
 * the last step to σ = 0, which is one Euler step (x_N = D(x; σ_{N−1})), as in
 * k-diffusion (λ = ∞ at σ = 0).
 *
 * Paper: Lu et al. 2022 (DPM-Solver, arXiv 2206.00927), Algorithms 1 and 2.
 * Order 2 is k-diffusion's `sample_dpm_2`: an Euler half-step to the geometric
 * midpoint σ_m = √(σ_i σ_{i+1}) then x_{i+1} = x_i + (σ_{i+1} − σ_i)·ε(x_m, σ_m)
 * (DPM-Solver-2 with r₁ = ½, exact for constant ε). Order 3 is DPM-Solver-3 with
 * r₁ = ⅓, r₂ = ⅔ (k-diffusion's `DPMSolver.dpm_solver_3_step`), h = λ_{i+1} − λ_i:
 * u₁ = x − σ_{s₁}(e^{r₁h} − 1)ε, u₂ = x − σ_{s₂}(e^{r₂h} − 1)ε − σ_{s₂}(r₂/r₁)((e^{r₂h} − 1)/(r₂h) − 1)(ε₁ − ε),
 * x_{i+1} = x − σ_{i+1}(e^h − 1)ε − (σ_{i+1}/r₂)((e^h − 1)/h − 1)(ε₂ − ε).
 * With S_churn > 0 each step first raises σ_i to σ̂ = σ_i(1 + γ_i) by adding fresh noise
 * (EDM's churn, Algorithm 2, as k-diffusion's `sample_dpm_2` offers), then steps from σ̂.
 * When `rngs` are given one ε is drawn at every step, also where γ_i = 0, as k-diffusion
 * draws, so the same streams give the same samples. Order 2 without churn is also
 * diffusers' KDPM2DiscreteScheduler.
 *
 * @param options.order - 2 or 3 (default 2)
 * @param options.sChurn - S_churn ≥ 0 (default 0); `sMin`, `sMax`, `sNoise` as in {@link churn}
 * @example
 * const { x, nfe } = await dpmSolverSingle({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2206.00927
 */
export function dpmSolverSingle(input?: DpmSolverSingleOptions): DpmSolverSingleSolver {
  const options = checkOptions(input, '{ order?, sChurn?, sMin?, sMax?, sNoise?, duplicates? }');
  const order = checkChoice('order', options.order, [2, 3] as const, 2);
  const duplicates = checkDuplicates(options.duplicates, 'reject');
  const c = makeChurn({
    ...(options.sChurn !== undefined ? { sChurn: options.sChurn } : {}),
    ...(options.sMin !== undefined ? { sMin: options.sMin } : {}),
    ...(options.sMax !== undefined ? { sMax: options.sMax } : {}),
    ...(options.sNoise !== undefined ? { sNoise: options.sNoise } : {}),
  });

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { n, sigmaNext } = ctx;
      const sigmaCur = ctx.sigma;
      // Churn: raise σ_i to σ̂ = σ_i(1 + γ_i) with fresh noise (Algorithm 2, lines 4–6).
      const gamma = churnGamma(c, sigmaCur, n);
      const sigma = sigmaCur * (gamma + 1);
      const noise = ctx.hasNoise ? ctx.noise() : undefined;
      const x =
        gamma > 0
          ? ctx.combine([
              [1, ctx.x],
              [c.sNoise * Math.sqrt(sigma * sigma - sigmaCur * sigmaCur), noise!],
            ])
          : ctx.x;
      // ε(x; σ) = (x − D(x; σ))/σ.
      const eps = async (at: T, level: number): Promise<T> => {
        const denoised = await ctx.denoise(at, level);
        return ctx.combine([
          [1 / level, at],
          [-1 / level, denoised],
        ]);
      };
      const e0 = await eps(x, sigma);
      if (sigmaNext === 0) {
        return ctx.combine([
          [1, x],
          [-sigma, e0],
        ]);
      }
      if (order === 2) {
        // σ_mid = exp(½(ln σ̂ + ln σ_{i+1})), the geometric midpoint.
        const lnNext = Math.log(sigmaNext);
        const sigmaMid = Math.exp(lnNext - (lnNext - Math.log(sigma)) * 0.5);
        const xm = ctx.combine([
          [1, x],
          [sigmaMid - sigma, e0],
        ]);
        const e1 = await eps(xm, sigmaMid);
        return ctx.combine([
          [1, x],
          [sigmaNext - sigma, e1],
        ]);
      }
      const r1 = 1 / 3;
      const r2 = 2 / 3;
      const h = Math.log(sigma / sigmaNext);
      const s1 = sigma * Math.exp(-r1 * h);
      const s2 = sigma * Math.exp(-r2 * h);
      const u1 = ctx.combine([
        [1, x],
        [-s1 * Math.expm1(r1 * h), e0],
      ]);
      const e1 = await eps(u1, s1);
      const phi2 = Math.expm1(r2 * h) / (r2 * h) - 1;
      const c2 = -s2 * (r2 / r1) * phi2;
      const u2 = ctx.combine([
        [1, x],
        [-s2 * Math.expm1(r2 * h) - c2, e0],
        [c2, e1],
      ]);
      const e2 = await eps(u2, s2);
      const c3 = -(sigmaNext / r2) * (Math.expm1(h) / h - 1);
      return ctx.combine([
        [1, x],
        [-sigmaNext * Math.expm1(h) - c3, e0],
        [c3, e2],
      ]);
    };
  }

  return defineSolver({
    name: 'dpm-solver-single' as const,
    order,
    stochastic: c.sChurn > 0,
    duplicates,
    nfe: (steps, finalZero) => order * steps - (finalZero ? order - 1 : 0),
    start,
    fields: { churn: c },
  }) as DpmSolverSingleSolver;
}
