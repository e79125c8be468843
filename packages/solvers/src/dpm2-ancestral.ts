import { checkNumber } from '@edmkit/core';
import { ancestralStep } from './euler-ancestral.js';
import {
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** Options of {@link dpm2Ancestral} and {@link dpmpp2sAncestral}. */
export interface AncestralOptions {
  /** η ∈ [0, 1]: fraction of the ancestral noise (default 1). */
  readonly eta?: number;
  /** S_noise ≥ 0: scale of the injected noise (default 1). */
  readonly sNoise?: number;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** An ancestral two-stage solver. */
export interface AncestralSolver extends SigmaSolver {
  readonly name: 'dpm2-ancestral' | 'dpmpp-2s-ancestral';
  readonly order: 2;
  readonly eta: number;
  readonly sNoise: number;
}

/** Checks the shared options of the two-stage ancestral solvers. */
export function ancestralOptions(input: AncestralOptions | undefined): {
  eta: number;
  sNoise: number;
  duplicates: DuplicateSigmas;
} {
  const options = checkOptions(input, '{ eta?, sNoise?, duplicates? }');
  // η ≤ 1 keeps σ_down > 0 before the last step, so the NFE is 2N − 1 on any grid.
  const eta = checkNumber('eta', options.eta ?? 1, { min: 0, max: 1 });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  return { eta, sNoise, duplicates: checkDuplicates(options.duplicates, 'reject') };
}

/**
 * DPM-Solver-2 ancestral: a DPM-Solver-2 step (Euler half-step to the geometric
 * midpoint, then the full step with the midpoint slope) from σ_i down to σ_down,
 * then fresh noise σ_up·S_noise·ε back up to σ_{i+1}; the step into σ = 0 is one
 * Euler step. Two evaluations per step (2N − 1 NFE).
 *
 * Reference: k-diffusion `sample_dpm_2_ancestral`; σ_down, σ_up from
 * {@link ancestralStep}; σ_mid = √(σ_i·σ_down).
 *
 * @param options.eta - η ∈ [0, 1] (default 1)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @example
 * const { x } = await dpm2Ancestral().sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs });
 * @see https://github.com/crowsonkb/k-diffusion
 */
export function dpm2Ancestral(input?: AncestralOptions): AncestralSolver {
  const { eta, sNoise, duplicates } = ancestralOptions(input);

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { sigma, sigmaNext } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
      // d = (x − D)/σ.
      const d = ctx.combine([
        [1 / sigma, ctx.x],
        [-1 / sigma, denoised],
      ]);
      if (sigmaDown === 0) {
        return ctx.combine([
          [1, ctx.x],
          [sigmaDown - sigma, d],
        ]);
      }
      const lnDown = Math.log(sigmaDown);
      const sigmaMid = Math.exp(lnDown - (lnDown - Math.log(sigma)) * 0.5);
      const x2 = ctx.combine([
        [1, ctx.x],
        [sigmaMid - sigma, d],
      ]);
      const denoised2 = await ctx.denoise(x2, sigmaMid);
      // x + (σ_down − σ)·d₂, d₂ = (x₂ − D₂)/σ_mid.
      const w = (sigmaDown - sigma) / sigmaMid;
      const terms: [number, T][] = [
        [1, ctx.x],
        [w, x2],
        [-w, denoised2],
      ];
      if (ctx.hasNoise) terms.push([sNoise * sigmaUp, ctx.noise()]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'dpm2-ancestral' as const,
    order: 2,
    stochastic: eta > 0,
    duplicates,
    nfe: (steps, finalZero) => 2 * steps - (finalZero ? 1 : 0),
    start,
    fields: { eta, sNoise },
  }) as AncestralSolver;
}
