import { checkNumber } from '@edmkit/core';
import { iddpmConstants, iddpmIndex, iddpmUTable } from '@edmkit/schedules';
import { checkM, checkSigma } from './check.js';
import type { Preconditioner } from './types.js';

/** Options of {@link iddpmPrecond}. */
export interface IddpmPrecondOptions {
  /** M, the number of discrete DDPM steps (default 1000). */
  readonly M?: number;
  /** C₁, the clamp of ᾱ_{j−1}/ᾱ_j (default 0.001). */
  readonly C1?: number;
  /** C₂, the cosine-schedule offset (default 0.008). */
  readonly C2?: number;
}

/** The iDDPM preconditioner returned by {@link iddpmPrecond}. */
export interface IddpmPrecond extends Preconditioner {
  readonly name: 'iddpm';
  readonly M: number;
  readonly C1: number;
  readonly C2: number;
  /** j*(σ) = argmin_j |u_j − σ| over j = 0..M, the index c_noise and roundSigma use. */
  index(sigma: number): number;
  /** u_j, the j-th level of the network's u table (j = 0..M). */
  u(j: number): number;
}

/**
 * The preconditioning of the iDDPM ("ADM") network of Nichol & Dhariwal, which only
 * knows the M discrete noise levels u_j of its cosine schedule.
 *
 * Paper: Eq. 7 and Table 1, iDDPM+DDIM column: c_skip = 1, c_out = −σ, c_in = 1/√(σ² + 1),
 * c_noise = M − 1 − j*(σ) with j*(σ) = argmin_j |u_j − σ| (an index; σ below ½u_{M−1}
 * gives j* = M, c_noise = −1). roundSigma snaps σ to u_{j*(σ)}. Supported range
 * [u_{M−1}, u_0] ≈ [0.0064254, 20291.17].
 *
 * The u table is float64 ({@link iddpmUTable}); the official network's is float32 and
 * differs by up to 4.8·10⁻⁴ relative at small σ, so σ within that distance of a midpoint
 * between two levels can snap to the neighbour the official code does not pick (numerics
 * guide: “iDDPM table precision”, “Sigma rounding”).
 * All coefficients accept σ ≥ 0.
 *
 * @param options.M - M, integer ≥ 2 (default 1000)
 * @param options.C1 - C₁ (default 0.001)
 * @param options.C2 - C₂ (default 0.008)
 * @example
 * const iddpm = iddpmPrecond();
 * iddpm.roundSigma(80); // u_8 ≈ 80.2037
 * iddpm.cNoise(80);     // 999 − 8 = 991
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmPrecond(options: IddpmPrecondOptions = {}): IddpmPrecond {
  const M = checkM(options.M ?? 1000);
  const constants = iddpmConstants({ ...options, M });
  const table = iddpmUTable(constants);
  const index = (sigma: number): number => iddpmIndex(table, checkSigma(sigma));
  return Object.freeze({
    name: 'iddpm' as const,
    ...constants,
    sigmaMin: table[M - 1]!,
    sigmaMax: table[0]!,
    index,
    u: (j: number): number => table[checkNumber('j', j, { min: 0, max: M, integer: true })]!,
    cSkip(sigma: number): number {
      checkSigma(sigma);
      return 1;
    },
    cOut: (sigma: number): number => -checkSigma(sigma),
    cIn: (sigma: number): number => 1 / Math.hypot(checkSigma(sigma), 1),
    cNoise: (sigma: number): number => M - 1 - index(sigma),
    roundSigma: (sigma: number): number => table[index(sigma)]!,
  });
}
