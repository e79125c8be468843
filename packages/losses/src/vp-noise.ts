import { checkNumber, ParameterError } from '@edmkit/core';
import { vpSchedule, VP_BETA_D, VP_BETA_MIN } from '@edmkit/schedules';
import { checkRngs } from './check.js';
import type { NoiseDistribution } from './types.js';

/** Options of {@link vpNoise}. */
export interface VpNoiseOptions {
  /** β_d of the VP schedule σ(t) (default 19.9). */
  readonly betaD?: number;
  /** β_min of the VP schedule σ(t) (default 0.1). */
  readonly betaMin?: number;
  /** ε_t, the smallest training time (default 10⁻⁵). */
  readonly epsilonT?: number;
}

/** The VP training noise distribution returned by {@link vpNoise}. */
export interface VpNoise extends NoiseDistribution {
  readonly name: 'vp';
  readonly betaD: number;
  readonly betaMin: number;
  readonly epsilonT: number;
  /** σ(ε_t), the infimum of the drawn σ (not attained). */
  readonly sigmaMin: number;
  /** σ(1), the largest drawn σ. */
  readonly sigmaMax: number;
}

/**
 * The training noise distribution of the VP ("DDPM++ cont.") model: time uniform on
 * (ε_t, 1], mapped through the VP schedule.
 *
 * Paper: Table 1, VP column, row "Noise distribution": t ∼ U(ε_t, 1), σ = σ(t) with
 * σ(t) = √(e^{½β_d t² + β_min t} − 1). As the official loss: u ∼ U[0, 1) from the
 * sample's stream, t = 1 + u(ε_t − 1) ∈ (ε_t, 1] (numerics guide: “Training noise
 * distributions”).
 *
 * Float64 throughout; the official loss evaluates σ(t) in float32, which loses digits to
 * cancellation at small t (σ(10⁻⁴): 0.0031832 there vs 0.0031780 exact; numerics guide:
 * “Float32 in the official code”).
 *
 * @param options.betaD - β_d > 0 (default 19.9)
 * @param options.betaMin - β_min (default 0.1)
 * @param options.epsilonT - ε_t in (0, 1), and > −2β_min/β_d when β_min < 0 (default 10⁻⁵)
 * @example
 * const p = vpNoise();
 * const sigma = p.sample(sampleRngs(0, 8)); // 8 levels in (σ(ε_t), σ(1)] ≈ (0.0010005, 152.167]
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpNoise(options: VpNoiseOptions = {}): VpNoise {
  const schedule = vpSchedule({
    betaD: options.betaD ?? VP_BETA_D,
    betaMin: options.betaMin ?? VP_BETA_MIN,
  });
  // With β_min < 0 (refitted-style constants) σ(t) is undefined on (0, −2β_min/β_d].
  const tZero = schedule.betaMin < 0 ? (-2 * schedule.betaMin) / schedule.betaD : 0;
  const epsilonT = checkNumber('epsilonT', options.epsilonT ?? 1e-5, {
    min: tZero,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
  });
  const sigmaMin = schedule.sigma(epsilonT);
  if (!(sigmaMin > 0)) throw new ParameterError('epsilonT', 'a time with σ(ε_t) > 0', epsilonT);
  return Object.freeze({
    name: 'vp' as const,
    betaD: schedule.betaD,
    betaMin: schedule.betaMin,
    epsilonT,
    sigmaMin,
    sigmaMax: schedule.sigma(1),
    sample(rngs: readonly unknown[]): Float64Array {
      const streams = checkRngs(rngs);
      const out = new Float64Array(streams.length);
      streams.forEach((rng, b) => {
        out[b] = schedule.sigma(1 + rng.uniform() * (epsilonT - 1));
      });
      return out;
    },
  });
}
