import { checkOrdered, checkPositive } from '@edmkit/core';
import { checkRngs } from './check.js';
import type { NoiseDistribution } from './types.js';

/** Options of {@link veNoise}. */
export interface VeNoiseOptions {
  /** σ_min, the lower end of the log-uniform range (default 0.02). */
  readonly sigmaMin?: number;
  /** σ_max, the upper end of the log-uniform range (default 100). */
  readonly sigmaMax?: number;
}

/** The VE training noise distribution returned by {@link veNoise}. */
export interface VeNoise extends NoiseDistribution {
  readonly name: 've';
  readonly sigmaMin: number;
  readonly sigmaMax: number;
}

/**
 * The training noise distribution of the VE ("NCSN++ cont.") model: σ log-uniform on
 * [σ_min, σ_max).
 *
 * Paper: Table 1, VE column, row "Noise distribution": ln(σ) ∼ U(ln(σ_min), ln(σ_max)).
 * As the official loss: u ∼ U[0, 1) from the sample's stream, σ = σ_min·(σ_max/σ_min)^u
 * (numerics guide: “Training noise distributions”).
 *
 * @param options.sigmaMin - σ_min > 0 (default 0.02)
 * @param options.sigmaMax - σ_max > σ_min, finite (default 100)
 * @example
 * const sigma = veNoise().sample(sampleRngs(0, 8)); // 8 levels in [0.02, 100)
 * @see https://arxiv.org/abs/2206.00364
 */
export function veNoise(options: VeNoiseOptions = {}): VeNoise {
  const sigmaMin = checkPositive('sigmaMin', options.sigmaMin ?? 0.02);
  const sigmaMax = checkPositive('sigmaMax', options.sigmaMax ?? 100);
  checkOrdered('sigmaMin', sigmaMin, 'sigmaMax', sigmaMax);
  const ratio = sigmaMax / sigmaMin;
  return Object.freeze({
    name: 've' as const,
    sigmaMin,
    sigmaMax,
    sample(rngs: readonly unknown[]): Float64Array {
      const streams = checkRngs(rngs);
      const out = new Float64Array(streams.length);
      streams.forEach((rng, b) => {
        out[b] = sigmaMin * ratio ** rng.uniform();
      });
      return out;
    },
  });
}
