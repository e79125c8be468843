import { checkSigma, checkTime } from './check.js';
import type { NoiseSchedule } from './types.js';

/** The linear noise schedule returned by {@link linearSchedule}. */
export interface LinearSchedule extends NoiseSchedule {
  readonly name: 'linear';
}

/**
 * The linear noise schedule σ(t) = t: time is the noise level. Used by EDM and by
 * iDDPM+DDIM; with s(t) = 1 the ODE becomes dx/dt = (x − D(x; t))/t.
 *
 * Paper: Table 1, iDDPM+DDIM and "Ours" columns, row "Schedule σ(t)": σ(t) = t,
 * σ'(t) = 1, σ⁻¹(σ) = σ.
 *
 * @example
 * const lin = linearSchedule();
 * lin.sigma(80);    // 80
 * lin.sigmaInv(80); // 80
 * @see https://arxiv.org/abs/2206.00364
 */
export function linearSchedule(): LinearSchedule {
  return Object.freeze({
    name: 'linear' as const,
    sigma: (t: number): number => checkTime(t),
    sigmaDeriv(t: number): number {
      checkTime(t);
      return 1;
    },
    sigmaInv: (sigma: number): number => checkSigma(sigma),
  });
}
