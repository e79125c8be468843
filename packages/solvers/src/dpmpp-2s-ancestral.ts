import { ancestralOptions, type AncestralOptions, type AncestralSolver } from './dpm2-ancestral.js';
import { ancestralStep } from './euler-ancestral.js';
import { defineSolver, type StepContext } from './runner.js';

/**
 * DPM-Solver++(2S) ancestral: a single-step 2nd-order DPM-Solver++ step from σ_i
 * down to σ_down (intermediate point at the λ-midpoint, r = ½), then fresh noise
 * σ_up·S_noise·ε back up to σ_{i+1}; the step into σ = 0 is one Euler step. Two
 * evaluations per step (2N − 1 NFE).
 *
 * Reference: k-diffusion `sample_dpmpp_2s_ancestral`. With λ = −ln σ,
 * h = λ_down − λ_i, s = λ_i + h/2:
 * x₂ = (σ_s/σ_i)·x − (e^{−h/2} − 1)·D_i, x ← (σ_down/σ_i)·x − (e^{−h} − 1)·D(x₂; σ_s).
 *
 * @param options.eta - η ∈ [0, 1] (default 1)
 * @param options.sNoise - S_noise ≥ 0 (default 1)
 * @example
 * const { x } = await dpmpp2sAncestral().sample({ ops: arrayOps, denoiser, x: x0, sigmas, rngs });
 * @see https://arxiv.org/abs/2211.01095
 */
export function dpmpp2sAncestral(input?: AncestralOptions): AncestralSolver {
  const { eta, sNoise, duplicates } = ancestralOptions(input);

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { sigma, sigmaNext } = ctx;
      const denoised = await ctx.denoise(ctx.x, sigma);
      const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
      let terms: [number, T][];
      if (sigmaDown === 0) {
        terms = [[1, denoised]];
      } else {
        const t = -Math.log(sigma);
        const tNext = -Math.log(sigmaDown);
        const h = tNext - t;
        const s = t + 0.5 * h;
        const sigmaS = Math.exp(-s);
        const x2 = ctx.combine([
          [sigmaS / Math.exp(-t), ctx.x],
          [-Math.expm1(-0.5 * h), denoised],
        ]);
        const denoised2 = await ctx.denoise(x2, sigmaS);
        terms = [
          [Math.exp(-tNext) / Math.exp(-t), ctx.x],
          [-Math.expm1(-h), denoised2],
        ];
      }
      if (sigmaNext > 0 && ctx.hasNoise) terms.push([sNoise * sigmaUp, ctx.noise()]);
      return ctx.combine(terms);
    };
  }

  return defineSolver({
    name: 'dpmpp-2s-ancestral' as const,
    order: 2,
    stochastic: eta > 0,
    duplicates,
    nfe: (steps, finalZero) => 2 * steps - (finalZero ? 1 : 0),
    start,
    fields: { eta, sNoise },
  }) as AncestralSolver;
}
