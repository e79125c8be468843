import { checkOneOf, ParameterError } from '@edmkit/core';
import { churn as makeChurn, churnGamma, type Churn } from './churn.js';
import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link heunK}: EDM churn settings plus the σ-list policy. */
export interface HeunKOptions extends Partial<Churn> {
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link heunK}. */
export interface HeunKSolver extends SigmaSolver {
  readonly name: 'heun-k';
  readonly order: 2;
  readonly churn: Churn;
}

/**
 * Heun's 2nd-order method on dx/dσ = (x − D(x; σ))/σ with k-diffusion's
 * conventions: 2 denoiser evaluations per step except the last step to σ = 0,
 * which is a single Euler step (so 2N − 1 NFE when σ_N = 0), with optional EDM
 * stochastic churn.
 *
 * Paper: Karras et al. 2022, Algorithm 2 (σ̂_i = (1 + γ_i)σ_i,
 * γ_i = min(S_churn/N, √2 − 1) if S_min ≤ σ_i ≤ S_max, x̂ = x + √(σ̂_i² − σ_i²)·S_noise·ε);
 * k-diffusion `sample_heun`. Unlike k-diffusion (which always draws ε), noise is
 * drawn only where γ_i > 0, so `rngs` are needed only with S_churn > 0.
 *
 * @param options.sChurn - S_churn ≥ 0 (default 0: deterministic)
 * @param options.sMin - S_min (default 0)
 * @param options.sMax - S_max (default ∞)
 * @param options.sNoise - S_noise (default 1)
 * @example
 * const { x } = await heunK().sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2206.00364
 */
export function heunK(options: HeunKOptions = {}): HeunKSolver {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object', options);
  const c = makeChurn(options);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  const stochastic = c.sChurn > 0;
  return Object.freeze({
    name: 'heun-k' as const,
    order: 2 as const,
    stochastic,
    churn: c,
    async sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
      const { ops, denoiser, onStep, rngs } = run;
      const sigmas = checkSigmas(run.sigmas, duplicates);
      if (stochastic && (rngs === undefined || rngs.length === 0)) {
        throw new ParameterError(
          'rngs',
          'one Rng per sample (heunK with sChurn > 0 is stochastic)',
          rngs,
        );
      }
      const n = sigmas.length - 1;
      let x = run.x;
      let nfe = 0;
      const owned = new Set<T>();
      const drop = (t: T): void => {
        if (t !== run.x) ops.dispose(t);
      };
      try {
        for (let i = 0; i < n; i++) {
          const sigma = sigmas[i]!;
          const sigmaNext = sigmas[i + 1]!;
          const gamma = churnGamma(c, sigma, n);
          const sigmaHat = sigma * (1 + gamma);
          if (gamma > 0) {
            const eps = ops.randnLike(x, rngs!);
            const hat = ops.combine([
              [1, x],
              [c.sNoise * Math.sqrt(sigmaHat * sigmaHat - sigma * sigma), eps],
            ]);
            ops.dispose(eps);
            drop(x);
            x = hat;
          }
          const denoised = await denoiser(x, sigmaHat);
          nfe++;
          const dt = sigmaNext - sigmaHat;
          const d = ops.combine([
            [1 / sigmaHat, x],
            [-1 / sigmaHat, denoised],
          ]);
          ops.dispose(denoised);
          let next: T;
          if (sigmaNext === 0) {
            next = ops.combine([
              [1, x],
              [dt, d],
            ]);
          } else {
            const x2 = ops.combine([
              [1, x],
              [dt, d],
            ]);
            owned.add(x2);
            const denoised2 = await denoiser(x2, sigmaNext);
            nfe++;
            // x + dt·(d + d₂)/2 with d₂ = (x₂ − D₂)/σ_{i+1}.
            const h = dt / (2 * sigmaNext);
            next = ops.combine([
              [1, x],
              [dt / 2, d],
              [h, x2],
              [-h, denoised2],
            ]);
            ops.dispose(denoised2);
            owned.delete(x2);
            ops.dispose(x2);
          }
          ops.dispose(d);
          drop(x);
          x = next;
          if (onStep) await onStep({ i, n, sigma, sigmaNext, nfe, x });
        }
      } catch (error) {
        for (const t of owned) ops.dispose(t);
        drop(x);
        throw error;
      }
      return { x, nfe };
    },
  });
}
