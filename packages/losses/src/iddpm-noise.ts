import { iddpmConstants, iddpmUTable } from '@edmkit/schedules';
import { checkRngs } from './check.js';
import type { NoiseDistribution } from './types.js';

/** Options of {@link iddpmNoise}. */
export interface IddpmNoiseOptions {
  /** M, the number of discrete DDPM steps (default 1000). */
  readonly M?: number;
  /** C₁, the clamp of ᾱ_{j−1}/ᾱ_j in the u recursion (default 0.001). */
  readonly C1?: number;
  /** C₂, the cosine-schedule offset (default 0.008). */
  readonly C2?: number;
}

/** The iDDPM training noise distribution returned by {@link iddpmNoise}. */
export interface IddpmNoise extends NoiseDistribution {
  readonly name: 'iddpm';
  readonly M: number;
  readonly C1: number;
  readonly C2: number;
  /** u_{M−1}, the smallest drawn σ. */
  readonly sigmaMin: number;
  /** u_0, the largest drawn σ. */
  readonly sigmaMax: number;
}

/**
 * The training noise distribution of improved DDPM: one of the M discrete levels u_j of
 * the cosine schedule, uniformly.
 *
 * Paper: Table 1, iDDPM+DDIM column, row "Noise distribution": σ = u_j, j ∼ U{0, …, M − 1},
 * with the u table of the numerics guide, “iDDPM u table” (u_0 ≈ 20291.17 … u_999 ≈ 0.0064254
 * for the defaults).
 * Here j = ⌊u·M⌋ for u ∼ U[0, 1) from the sample's stream, and u_j comes from the float64
 * table (`iddpmUTable` of `@edmkit/schedules`).
 *
 * **Not in the official code**: it has no iDDPM loss (train.py cannot select iDDPM
 * preconditioning; iDDPM exists there only to wrap the pre-trained ADM model), so there
 * is nothing to match digit for digit. The original iDDPM objective also adds the
 * L_vlb term for its learned variance; this is the L_simple-style part that Table 1
 * lists (with λ(σ) = 1/σ², {@link inverseSquare}).
 *
 * @param options.M - M, integer ≥ 1 (default 1000)
 * @param options.C1 - C₁ in (0, 1] (default 0.001)
 * @param options.C2 - C₂ ≥ 0 (default 0.008)
 * @example
 * const sigma = iddpmNoise().sample(sampleRngs(0, 8)); // each one of u_0 … u_999
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmNoise(options: IddpmNoiseOptions = {}): IddpmNoise {
  const constants = iddpmConstants(options);
  const { M } = constants;
  const table = iddpmUTable(constants);
  return Object.freeze({
    name: 'iddpm' as const,
    ...constants,
    sigmaMin: table[M - 1]!,
    sigmaMax: table[0]!,
    sample(rngs: readonly unknown[]): Float64Array {
      const streams = checkRngs(rngs);
      const out = new Float64Array(streams.length);
      streams.forEach((rng, b) => {
        // ⌊u·M⌋ can round up to M for u within an ulp of 1; keep j ≤ M − 1.
        // Stryker disable next-line ArithmeticOperator: the cap acts only for u within an ulp of 1 (p ≈ 2⁻⁵³)
        const j = Math.min(Math.floor(rng.uniform() * M), M - 1);
        out[b] = table[j]!;
      });
      return out;
    },
  });
}
