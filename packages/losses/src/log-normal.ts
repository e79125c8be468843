import { checkNumber, ParameterError } from '@edmkit/core';
import { checkRngs } from './check.js';
import type { NoiseDistribution } from './types.js';

/** Options of {@link logNormal}. */
export interface LogNormalOptions {
  /** P_mean, the mean of ln σ (default −1.2). */
  readonly pMean?: number;
  /** P_std, the standard deviation of ln σ (default 1.2). */
  readonly pStd?: number;
}

/** The log-normal training noise distribution returned by {@link logNormal}. */
export interface LogNormal extends NoiseDistribution {
  readonly name: 'log-normal';
  readonly pMean: number;
  readonly pStd: number;
}

/** Largest |ξ| a Box–Muller normal from 53-bit uniforms can take: √(−2 ln 2⁻⁵³) ≈ 8.572. */
const MAX_ABS_NORMAL = 8.6;
/** ln of the largest finite double is ≈ 709.78; keep a margin so every draw is finite and > 0. */
const MAX_ABS_LOG_SIGMA = 700;

/**
 * The EDM training noise distribution: ln σ normal, concentrating training on the
 * noise levels where the loss can still be reduced (paper Fig. 5a).
 *
 * Paper: Table 1, "Ours" column, row "Noise distribution": ln(σ) ∼ N(P_mean, P_std²).
 * As the official loss: ξ ∼ N(0, 1) from the sample's stream, σ = exp(ξ·P_std + P_mean)
 * (numerics guide: “Training noise distributions”). EDM2 (Karras et al. 2024) uses the same
 * form with P_mean = −0.4,
 * P_std = 1.0.
 *
 * The options must keep every possible draw a finite σ > 0: |P_mean| + 8.6·P_std ≤ 700
 * (a Box–Muller ξ never exceeds 8.572 in magnitude).
 *
 * @param options.pMean - P_mean (default −1.2)
 * @param options.pStd - P_std ≥ 0 (default 1.2)
 * @example
 * const sigma = logNormal().sample(sampleRngs(0, 8)); // median e^−1.2 ≈ 0.301
 * @see https://arxiv.org/abs/2206.00364
 */
export function logNormal(options: LogNormalOptions = {}): LogNormal {
  const pMean = checkNumber('pMean', options.pMean ?? -1.2);
  const pStd = checkNumber('pStd', options.pStd ?? 1.2, { min: 0 });
  if (Math.abs(pMean) + MAX_ABS_NORMAL * pStd > MAX_ABS_LOG_SIGMA) {
    throw new ParameterError(
      'pStd',
      `a number with |pMean| + ${MAX_ABS_NORMAL}·pStd <= ${MAX_ABS_LOG_SIGMA} (so that every σ = exp(pMean + pStd·ξ) is finite and > 0)`,
      pStd,
    );
  }
  return Object.freeze({
    name: 'log-normal' as const,
    pMean,
    pStd,
    sample(rngs: readonly unknown[]): Float64Array {
      const streams = checkRngs(rngs);
      const out = new Float64Array(streams.length);
      streams.forEach((rng, b) => {
        out[b] = Math.exp(rng.normal() * pStd + pMean);
      });
      return out;
    },
  });
}
