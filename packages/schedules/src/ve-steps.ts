import { checkRange, checkSteps } from './check.js';
import type { Discretization, SigmaRange } from './types.js';

/** The VE discretization returned by {@link veSteps}. */
export interface VeSteps extends Discretization {
  readonly name: 've';
}

/**
 * The VE time-step discretization: noise levels in geometric progression from σ_max
 * down to σ_min.
 *
 * Paper: Table 1, VE column, row "Time steps t_{i<N}":
 * t_i = σ_max²·(σ_min²/σ_max²)^{i/(N−1)}, i.e. σ_i = σ_max·(σ_min/σ_max)^{i/(N−1)}.
 *
 * N = 1 is defined as the single level [σ_max] (the paper's formula divides by N − 1).
 *
 * @example
 * veSteps().sigmaSteps(5, { sigmaMin: 0.02, sigmaMax: 100 });
 * // [100, 11.892…, 1.41421…, 0.168179…, 0.02]
 * @see https://arxiv.org/abs/2206.00364
 */
export function veSteps(): VeSteps {
  return Object.freeze({
    name: 've' as const,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const { sigmaMin, sigmaMax } = checkRange(range);
      const out = new Float64Array(n);
      if (n === 1) {
        out[0] = sigmaMax;
        return out;
      }
      // In t = σ², as the official sampler does, then σ = √t.
      const tMax = sigmaMax * sigmaMax;
      const ratio = (sigmaMin * sigmaMin) / tMax;
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(tMax * ratio ** (i / (n - 1)));
      return out;
    },
  });
}
