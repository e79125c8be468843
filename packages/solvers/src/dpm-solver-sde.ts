import { checkNumber, checkOneOf, ParameterError } from '@edmkit/core';
import {
  checkSigmas,
  type DuplicateSigmas,
  type SigmaSolver,
  type SigmaSolverResult,
  type SigmaSolverRun,
} from './sigma-solver.js';

/** Options of {@link dpmSolverPlusPlusSde}. */
export interface DpmSolverPlusPlusSdeOptions {
  /** 2 (2M-SDE, default) or 3 (3M-SDE). */
  readonly order?: number;
  /** η ≥ 0: amount of SDE noise (1 = the DPM-Solver++ SDE, 0 = the multistep ODE solver; default 1). */
  readonly eta?: number;
  /** S_noise ≥ 0: scale of the injected noise (default 1). */
  readonly sNoise?: number;
  /** Use order min(order, N − i) on the last steps when N < 10, as DPM-Solver++'s reference does (default false, as k-diffusion). */
  readonly lowerOrderFinal?: boolean;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link dpmSolverPlusPlusSde}. */
export interface DpmSolverPlusPlusSdeSolver extends SigmaSolver {
  readonly name: 'dpm-solver++-sde';
  readonly order: 2 | 3;
  readonly eta: number;
  readonly sNoise: number;
  readonly lowerOrderFinal: boolean;
}

/**
 * DPM-Solver++ 2M-SDE / 3M-SDE: the multistep data-prediction exponential
 * integrator of the reverse SDE (or, with η = 0, of the probability-flow ODE),
 * one denoiser evaluation per step, warming up from order 1 (step i uses order
 * min(order, i + 1)), with noise from the per-sample streams.
 *
 * Paper: Lu et al. 2022 (DPM-Solver++, arXiv 2211.01095) §4 and Appendix; the
 * η-SDE form is k-diffusion's `sample_dpmpp_2m_sde` / `sample_dpmpp_3m_sde`.
 * With λ = −ln σ, h = λ_{i+1} − λ_i, H = (1 + η)h and D_i = D(x_i; σ_i):
 * x_{i+1} = e^{−H} x_i + (1 − e^{−H}) D_i + correction + S_noise·σ_{i+1}·√(1 − e^{−2ηh})·ε.
 * 2M: correction = ½(1 − e^{−H})·(h/h_{i−1})(D_i − D_{i−1}) (k-diffusion's default
 * "midpoint" variant). 3M: correction = φ₂(H)·d₁ + 2φ₃(H)·d₂, with d₁ ≈ h·D′ and
 * d₂ ≈ h²D″/2 the variable-step backward differences of the last three D,
 * φ₂(H) = (H − 1 + e^{−H})/H, φ₃(H) = (H²/2 − H + 1 − e^{−H})/H² (its 2nd-order
 * warm-up step uses φ₂(H)·d₁). The last step to σ = 0 (λ = ∞) returns D(x; σ_{N−1})
 * without residual noise, as in k-diffusion.
 *
 * @param options.order - 2 or 3 (default 2)
 * @param options.eta - η ≥ 0 (default 1)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @param options.lowerOrderFinal - lower the order on the last steps when N < 10 (default false)
 * @example
 * const rngs = sampleRngs(7, batch, 0);
 * const { x } = await dpmSolverPlusPlusSde({ order: 3 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs });
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmSolverPlusPlusSde(
  options: DpmSolverPlusPlusSdeOptions = {},
): DpmSolverPlusPlusSdeSolver {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object', options);
  const order = options.order ?? 2;
  if (order !== 2 && order !== 3) throw new ParameterError('order', 'one of 2, 3', order);
  const eta = checkNumber('eta', options.eta ?? 1, { min: 0 });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  const lowerOrderFinal = options.lowerOrderFinal ?? false;
  if (typeof lowerOrderFinal !== 'boolean')
    throw new ParameterError('lowerOrderFinal', 'a boolean', lowerOrderFinal);
  const duplicates = checkOneOf('duplicates', options.duplicates ?? 'reject', [
    'reject',
    'merge',
  ] as const);
  const stochastic = eta > 0 && sNoise > 0;
  return Object.freeze({
    name: 'dpm-solver++-sde' as const,
    order,
    stochastic,
    eta,
    sNoise,
    lowerOrderFinal,
    async sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
      const { ops, denoiser, onStep, rngs } = run;
      const sigmas = checkSigmas(run.sigmas, duplicates);
      if (stochastic && (rngs === undefined || rngs.length === 0)) {
        throw new ParameterError(
          'rngs',
          'one Rng per sample (dpmSolverPlusPlusSde with eta > 0 is stochastic)',
          rngs,
        );
      }
      const n = sigmas.length - 1;
      // Newest first: D_i, D_{i−1}, D_{i−2} and the step sizes h_{i−1}, h_{i−2} in λ.
      const history: T[] = [];
      const hs: number[] = [];
      let x = run.x;
      let nfe = 0;
      try {
        for (let i = 0; i < n; i++) {
          const sigma = sigmas[i]!;
          const sigmaNext = sigmas[i + 1]!;
          const denoised = await denoiser(x, sigma);
          nfe++;
          history.unshift(denoised);
          if (history.length > order) ops.dispose(history.pop()!);
          let next: T;
          if (sigmaNext === 0) {
            next = ops.combine([[1, denoised]]);
          } else {
            const h = Math.log(sigma / sigmaNext);
            const bigH = (1 + eta) * h;
            const a = -Math.expm1(-bigH);
            let k = Math.min(order, i + 1);
            if (lowerOrderFinal && n < 10) k = Math.min(k, n - i);
            const terms: (readonly [number, T])[] = [
              [Math.exp(-bigH), x],
              [a, denoised],
            ];
            const phi2 = Math.expm1(-bigH) / bigH + 1;
            if (k === 2) {
              // d₁ = (h/h₁)(D_i − D_{i−1}).
              const c = (order === 2 ? a / 2 : phi2) * (h / hs[0]!);
              terms.push([c, history[0]!], [-c, history[1]!]);
            } else if (k === 3) {
              const r0 = hs[0]! / h;
              const r1 = hs[1]! / h;
              const phi3 = ((bigH * bigH) / 2 - bigH + 1 - Math.exp(-bigH)) / (bigH * bigH);
              // d1_0 = (D0 − D1)/r0, d1_1 = (D1 − D2)/r1,
              // d₁ = d1_0 + (d1_0 − d1_1)·r0/(r0 + r1), d₂ = (d1_0 − d1_1)/(r0 + r1).
              const s = r0 + r1;
              // Coefficients of (D0, D1, D2) in d1_0 and d1_1.
              const d10 = [1 / r0, -1 / r0, 0] as const;
              const d11 = [0, 1 / r1, -1 / r1] as const;
              for (let j = 0; j < 3; j++) {
                const diff = d10[j]! - d11[j]!;
                const d1 = d10[j]! + (diff * r0) / s;
                const d2 = diff / s;
                terms.push([phi2 * d1 + 2 * phi3 * d2, history[j]!]);
              }
            }
            let noise: T | undefined;
            if (stochastic) {
              noise = ops.randnLike(x, rngs!);
              terms.push([sNoise * sigmaNext * Math.sqrt(-Math.expm1(-2 * eta * h)), noise]);
            }
            next = ops.combine(terms);
            if (noise !== undefined) ops.dispose(noise);
            hs.unshift(h);
            if (hs.length > 2) hs.pop();
          }
          if (x !== run.x) ops.dispose(x);
          x = next;
          if (onStep) await onStep({ i, n, sigma, sigmaNext, nfe, x });
        }
      } catch (error) {
        if (x !== run.x) ops.dispose(x);
        throw error;
      } finally {
        for (const t of history) ops.dispose(t);
      }
      return { x, nfe };
    },
  });
}
