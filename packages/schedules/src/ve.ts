import { ParameterError } from '@edmkit/core';
import { checkSigma, checkTime } from './check.js';
import type { NoiseSchedule } from './types.js';

/** The VE noise schedule returned by {@link veSchedule}. */
export interface VeSchedule extends NoiseSchedule {
  readonly name: 've';
}

/**
 * The variance-exploding noise schedule of Song et al. ("NCSN++ cont."):
 * σ is the square root of time (constant-speed heat diffusion).
 *
 * Paper: Table 1, VE column, row "Schedule σ(t)": σ(t) = √t, σ'(t) = 1/(2√t), σ⁻¹(σ) = σ².
 *
 * σ'(t) is infinite at t = 0 and throws a {@link ParameterError} there.
 *
 * @example
 * const ve = veSchedule();
 * ve.sigma(10000);   // 100
 * ve.sigmaInv(0.02); // 0.0004
 * @see https://arxiv.org/abs/2206.00364
 */
export function veSchedule(): VeSchedule {
  return Object.freeze({
    name: 've' as const,
    sigma: (t: number): number => Math.sqrt(checkTime(t)),
    sigmaDeriv(t: number): number {
      checkTime(t);
      if (t === 0) throw new ParameterError('t', "a finite number > 0 (σ'(0) is infinite)", t);
      return 0.5 / Math.sqrt(t);
    },
    sigmaInv(sigma: number): number {
      checkSigma(sigma);
      return sigma * sigma;
    },
  });
}
