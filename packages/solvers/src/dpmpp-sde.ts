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

/** Options of {@link dpmppSde}. */
export interface DpmppSdeOptions {
  /** η ≥ 0: amount of SDE noise (default 1). */
  readonly eta?: number;
  /** S_noise ≥ 0 (default 1). */
  readonly sNoise?: number;
  /** r ∈ (0, 1): where the intermediate point sits in λ (default ½). */
  readonly r?: number;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link dpmppSde}. */
export interface DpmppSdeSolver extends SigmaSolver {
  readonly name: 'dpmpp-sde';
  readonly order: 2;
  readonly eta: number;
  readonly sNoise: number;
  readonly r: number;
}

/**
 * DPM-Solver++ SDE, single-step: two ancestral DPM-Solver++ stages per step, the
 * first to the intermediate λ_s = λ_i + r·h, the second to λ_{i+1} with the
 * combination (1 − 1/(2r))·D_i + 1/(2r)·D_s; each stage lands at its σ_down and
 * adds fresh noise σ_up·S_noise·ε (two draws per step). The step into σ = 0 is one
 * Euler step (2N − 1 NFE).
 *
 * Reference: k-diffusion `sample_dpmpp_sde` with an explicit noise sampler (here:
 * independent draws from the per-sample streams; k-diffusion's default Brownian
 * tree correlates the two draws of a step).
 *
 * @param options.eta - η ≥ 0 (default 1)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @param options.r - r ∈ (0, 1) (default ½)
 * @example
 * const { x } = await dpmppSde({ r: 0.5 }).sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs });
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmppSde(input?: DpmppSdeOptions): DpmppSdeSolver {
  const options = checkOptions(input, '{ eta?, sNoise?, r?, duplicates? }');
  const eta = checkNumber('eta', options.eta ?? 1, { min: 0 });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  const r = checkNumber('r', options.r ?? 0.5, {
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
  });
  const duplicates = checkDuplicates(options.duplicates, 'reject');
  const fac = 1 / (2 * r);

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { sigma, sigmaNext } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      if (sigmaNext === 0) return ctx.combine([[1, denoised]]);
      const sigmaFn = (t: number) => Math.exp(-t);
      const tFn = (s: number) => -Math.log(s);
      const t = tFn(sigma);
      const tNext = tFn(sigmaNext);
      const h = tNext - t;
      const s = t + h * r;
      // Stage 1: to λ_s, landing at σ_down and noised back up to σ_s.
      const stage1 = ancestralStep(sigmaFn(t), sigmaFn(s), eta);
      const s1 = tFn(stage1.sigmaDown);
      const x2Terms: [number, T][] = [
        [sigmaFn(s1) / sigmaFn(t), ctx.x],
        [-Math.expm1(t - s1), denoised],
      ];
      if (ctx.hasNoise) x2Terms.push([sNoise * stage1.sigmaUp, ctx.noise()]);
      const x2 = ctx.combine(x2Terms);
      const denoised2 = await ctx.denoise(x2, sigmaFn(s));
      // Stage 2: to λ_{i+1} with (1 − fac)·D_i + fac·D_s.
      const stage2 = ancestralStep(sigmaFn(t), sigmaFn(tNext), eta);
      const t2 = tFn(stage2.sigmaDown);
      const a = -Math.expm1(t - t2);
      const terms: [number, T][] = [
        [sigmaFn(t2) / sigmaFn(t), ctx.x],
        [a * (1 - fac), denoised],
        [a * fac, denoised2],
      ];
      if (ctx.hasNoise) terms.push([sNoise * stage2.sigmaUp, ctx.noise()]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'dpmpp-sde' as const,
    order: 2,
    stochastic: eta > 0,
    duplicates,
    nfe: (steps, finalZero) => 2 * steps - (finalZero ? 1 : 0),
    start,
    fields: { eta, sNoise, r },
  }) as DpmppSdeSolver;
}
