import { checkOneOf, ParameterError } from '@edmkit/core';
import { churn as makeChurn, churnGamma, type Churn } from './churn.js';
import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link dpmSolverSingle}. */
export interface DpmSolverSingleOptions {
  /** 2 (DPM-Solver-2, default) or 3 (DPM-Solver-3). */
  readonly order?: number;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
  /** EDM churn S_churn ≥ 0 (default 0: deterministic); with S_min, S_max, S_noise as in `heunK`. */
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
 *
 * @param options.order - 2 or 3 (default 2)
 * @param options.sChurn - S_churn ≥ 0 (default 0); `sMin`, `sMax`, `sNoise` as in {@link churn}
 * @example
 * const { x, nfe } = await dpmSolverSingle({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2206.00927
 */
export function dpmSolverSingle(options: DpmSolverSingleOptions = {}): DpmSolverSingleSolver {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object', options);
  const order = options.order ?? 2;
  if (order !== 2 && order !== 3) throw new ParameterError('order', 'one of 2, 3', order);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  const c = makeChurn({
    ...(options.sChurn !== undefined ? { sChurn: options.sChurn } : {}),
    ...(options.sMin !== undefined ? { sMin: options.sMin } : {}),
    ...(options.sMax !== undefined ? { sMax: options.sMax } : {}),
    ...(options.sNoise !== undefined ? { sNoise: options.sNoise } : {}),
  });
  const stochastic = c.sChurn > 0;
  return Object.freeze({
    name: 'dpm-solver-single' as const,
    order,
    stochastic,
    churn: c,
    async sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
      const { ops, denoiser, onStep, rngs } = run;
      const sigmas = checkSigmas(run.sigmas, duplicates);
      if (stochastic && (rngs === undefined || rngs.length === 0)) {
        throw new ParameterError(
          'rngs',
          'one Rng per sample (dpmSolverSingle with sChurn > 0 is stochastic)',
          rngs,
        );
      }
      const n = sigmas.length - 1;
      let x = run.x;
      let nfe = 0;
      const live = new Set<T>();
      const eps = async (at: T, sigma: number): Promise<T> => {
        const denoised = await denoiser(at, sigma);
        nfe++;
        const e = ops.combine([
          [1 / sigma, at],
          [-1 / sigma, denoised],
        ]);
        ops.dispose(denoised);
        live.add(e);
        return e;
      };
      const make = (terms: readonly (readonly [number, T])[]): T => {
        const t = ops.combine(terms);
        live.add(t);
        return t;
      };
      const free = (t: T): void => {
        live.delete(t);
        ops.dispose(t);
      };
      try {
        for (let i = 0; i < n; i++) {
          const sigmaCur = sigmas[i]!;
          const sigmaNext = sigmas[i + 1]!;
          // Churn: raise σ_i to σ̂ = σ_i(1 + γ_i) with fresh noise (Algorithm 2, lines 4–6).
          const gamma = churnGamma(c, sigmaCur, n);
          const sigma = sigmaCur * (1 + gamma);
          if (gamma > 0) {
            const noise = ops.randnLike(x, rngs!);
            const hat = ops.combine([
              [1, x],
              [c.sNoise * Math.sqrt(sigma * sigma - sigmaCur * sigmaCur), noise],
            ]);
            ops.dispose(noise);
            if (x !== run.x) ops.dispose(x);
            x = hat;
          }
          const e0 = await eps(x, sigma);
          let next: T;
          if (sigmaNext === 0) {
            next = ops.combine([
              [1, x],
              [-sigma, e0],
            ]);
          } else if (order === 2) {
            const sigmaMid = Math.sqrt(sigma * sigmaNext);
            const xm = make([
              [1, x],
              [sigmaMid - sigma, e0],
            ]);
            const e1 = await eps(xm, sigmaMid);
            free(xm);
            next = ops.combine([
              [1, x],
              [sigmaNext - sigma, e1],
            ]);
            free(e1);
          } else {
            const r1 = 1 / 3;
            const r2 = 2 / 3;
            const h = Math.log(sigma / sigmaNext);
            const s1 = sigma * Math.exp(-r1 * h);
            const s2 = sigma * Math.exp(-r2 * h);
            const u1 = make([
              [1, x],
              [-s1 * Math.expm1(r1 * h), e0],
            ]);
            const e1 = await eps(u1, s1);
            free(u1);
            const phi2 = Math.expm1(r2 * h) / (r2 * h) - 1;
            const c2 = -s2 * (r2 / r1) * phi2;
            const u2 = make([
              [1, x],
              [-s2 * Math.expm1(r2 * h) - c2, e0],
              [c2, e1],
            ]);
            free(e1);
            const e2 = await eps(u2, s2);
            free(u2);
            const c3 = -(sigmaNext / r2) * (Math.expm1(h) / h - 1);
            next = ops.combine([
              [1, x],
              [-sigmaNext * Math.expm1(h) - c3, e0],
              [c3, e2],
            ]);
            free(e2);
          }
          free(e0);
          if (x !== run.x) ops.dispose(x);
          x = next;
          if (onStep) await onStep({ i, n, sigma: sigmaCur, sigmaNext, nfe, x });
        }
      } catch (error) {
        for (const t of live) ops.dispose(t);
        if (x !== run.x) ops.dispose(x);
        throw error;
      }
      return { x, nfe };
    },
  });
}
