import { checkNumber } from '@edmkit/core';
import { vpSchedule, VP_BETA_D, VP_BETA_MIN } from '@edmkit/schedules';
import { checkM, checkSigma } from './check.js';
import type { Preconditioner } from './types.js';

/** Options of {@link vpPrecond}. */
export interface VpPrecondOptions {
  /** β_d of the network's VP schedule (default 19.9). */
  readonly betaD?: number;
  /** β_min of the network's VP schedule (default 0.1). */
  readonly betaMin?: number;
  /** M, the number of discrete steps c_noise is scaled to (default 1000). */
  readonly M?: number;
  /** ε_t, the smallest training time (default 10⁻⁵); σ_min = σ(ε_t). */
  readonly epsilonT?: number;
}

/** The VP preconditioner returned by {@link vpPrecond}. */
export interface VpPrecond extends Preconditioner {
  readonly name: 'vp';
  readonly betaD: number;
  readonly betaMin: number;
  readonly M: number;
  readonly epsilonT: number;
}

/**
 * The preconditioning of the VP ("DDPM++ cont.") network: F predicts the noise.
 *
 * Paper: Eq. 7 and Table 1, VP column: c_skip = 1, c_out = −σ, c_in = 1/√(σ² + 1),
 * c_noise = (M − 1)·σ⁻¹(σ) with the network's own β_d, β_min (999·t, not 1000·t; numerics
 * guide: “VP preconditioning”). Supported range [σ(ε_t), σ(1)] ≈ [0.0010005, 152.16697].
 *
 * All in float64. The official code runs this in float32, where c_noise loses up to
 * 1.3·10⁻² relative at σ = 0.002 to cancellation and σ_min comes out as 2⁻¹⁰ =
 * 0.0009765625 (numerics guide: “Float32 in the official code”); here σ⁻¹ is
 * cancellation-free and σ_min = σ(ε_t) exactly.
 * All coefficients accept σ ≥ 0.
 *
 * @param options.betaD - β_d (default 19.9)
 * @param options.betaMin - β_min (default 0.1)
 * @param options.M - M, integer ≥ 2 (default 1000)
 * @param options.epsilonT - ε_t in (0, 1) (default 10⁻⁵)
 * @example
 * const vp = vpPrecond();
 * vp.cNoise(1); // 999·σ⁻¹(1) ≈ 258.70
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpPrecond(options: VpPrecondOptions = {}): VpPrecond {
  const schedule = vpSchedule({
    betaD: options.betaD ?? VP_BETA_D,
    betaMin: options.betaMin ?? VP_BETA_MIN,
  });
  const M = checkM(options.M ?? 1000);
  const epsilonT = checkNumber('epsilonT', options.epsilonT ?? 1e-5, {
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
  });
  return Object.freeze({
    name: 'vp' as const,
    betaD: schedule.betaD,
    betaMin: schedule.betaMin,
    M,
    epsilonT,
    sigmaMin: schedule.sigma(epsilonT),
    sigmaMax: schedule.sigma(1),
    cSkip(sigma: number): number {
      checkSigma(sigma);
      return 1;
    },
    cOut: (sigma: number): number => -checkSigma(sigma),
    cIn: (sigma: number): number => 1 / Math.hypot(checkSigma(sigma), 1),
    cNoise: (sigma: number): number => (M - 1) * schedule.sigmaInv(checkSigma(sigma)),
    roundSigma: (sigma: number): number => checkSigma(sigma),
  });
}
