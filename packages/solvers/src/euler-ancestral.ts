import { checkNumber } from '@edmkit/core';
import {
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** Options of {@link eulerAncestral}. */
export interface EulerAncestralOptions {
  /** η ≥ 0: fraction of the ancestral noise (1 = DDPM-like ancestral sampling, 0 = Euler ODE; default 1). */
  readonly eta?: number;
  /** S_noise ≥ 0: scale of the injected noise (default 1). */
  readonly sNoise?: number;
  /** How repeated σ values are treated (default 'reject'). */
  readonly duplicates?: DuplicateSigmas;
}

/** The solver returned by {@link eulerAncestral}. */
export interface EulerAncestralSolver extends SigmaSolver {
  readonly name: 'euler-ancestral';
  readonly order: 1;
  readonly eta: number;
  readonly sNoise: number;
}

/**
 * The ancestral step split σ_{i+1}² = σ_down² + σ_up² of k-diffusion:
 * σ_up = min(σ_to, η·√(σ_to²(σ_from² − σ_to²)/σ_from²)), σ_down = √(σ_to² − σ_up²).
 *
 * @param sigmaFrom - σ_i > 0
 * @param sigmaTo - σ_{i+1} ≥ 0
 * @param eta - η ≥ 0
 */
export function ancestralStep(
  sigmaFrom: number,
  sigmaTo: number,
  eta: number,
): { sigmaDown: number; sigmaUp: number } {
  checkNumber('sigmaFrom', sigmaFrom, { min: 0, minInclusive: false });
  checkNumber('sigmaTo', sigmaTo, { min: 0, max: sigmaFrom });
  checkNumber('eta', eta, { min: 0 });
  if (eta === 0) return { sigmaDown: sigmaTo, sigmaUp: 0 };
  const sigmaUp = Math.min(
    sigmaTo,
    eta *
      Math.sqrt(
        (sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom),
      ),
  );
  const sigmaDown = Math.sqrt(Math.max(0, sigmaTo * sigmaTo - sigmaUp * sigmaUp));
  return { sigmaDown, sigmaUp };
}

/**
 * Euler-ancestral sampling: an Euler step of the probability-flow ODE down to
 * σ_down, then fresh noise of standard deviation σ_up·S_noise brings the sample
 * back to σ_{i+1} (one denoiser evaluation per step). The last step to σ = 0 has
 * σ_up = 0 and returns D(x; σ_{N−1}) without residual noise. When `rngs` are
 * given one draw is made per step into σ > 0 (also with η = 0), as k-diffusion does.
 *
 * Reference: k-diffusion `sample_euler_ancestral` / `get_ancestral_step`
 * (Crowson); with η = 1 it is the Euler discretisation of the reverse SDE
 * matching DDPM's ancestral sampler. Paper: x ← x + (σ_down − σ_i)(x − D(x; σ_i))/σ_i + S_noise·σ_up·ε.
 *
 * @param options.eta - η ≥ 0 (default 1; 0 gives the deterministic Euler sampler)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @example
 * const rngs = sampleRngs(7, batch, 0);
 * const { x } = await eulerAncestral().sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs });
 * @see https://github.com/crowsonkb/k-diffusion
 */
export function eulerAncestral(input?: EulerAncestralOptions): EulerAncestralSolver {
  const options = checkOptions(input, '{ eta?, sNoise?, duplicates? }');
  const eta = checkNumber('eta', options.eta ?? 1, { min: 0 });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  const duplicates = checkDuplicates(options.duplicates, 'reject');

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { sigma, sigmaNext } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
      // x + (σ_down − σ)(x − D)/σ = (σ_down/σ)·x + (1 − σ_down/σ)·D.
      const r = sigmaDown / sigma;
      const terms: [number, T][] = [
        [r, ctx.x],
        [1 - r, denoised],
      ];
      if (sigmaNext > 0 && ctx.hasNoise) terms.push([sNoise * sigmaUp, ctx.noise()]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'euler-ancestral' as const,
    order: 1,
    stochastic: eta > 0,
    duplicates,
    nfe: (steps) => steps,
    start,
    fields: { eta, sNoise },
  }) as EulerAncestralSolver;
}
