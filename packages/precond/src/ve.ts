import { checkOrdered, checkPositive } from '@edmkit/core';
import { checkSigma, checkSigmaPositive } from './check.js';
import type { Preconditioner } from './types.js';

/** Options of {@link vePrecond}. */
export interface VePrecondOptions {
  /** σ_min of the network's training range (default 0.02). */
  readonly sigmaMin?: number;
  /** σ_max of the network's training range (default 100). */
  readonly sigmaMax?: number;
}

/** The VE preconditioner returned by {@link vePrecond}. */
export interface VePrecond extends Preconditioner {
  readonly name: 've';
}

/**
 * The preconditioning of the VE ("NCSN++ cont.") network: F predicts the scaled noise.
 *
 * Paper: Eq. 7 and Table 1, VE column: c_skip = 1, c_out = σ, c_in = 1,
 * c_noise = ln(½σ). Supported range [σ_min, σ_max] = [0.02, 100].
 *
 * c_skip, c_out, c_in accept σ ≥ 0; c_noise needs σ > 0.
 *
 * @param options.sigmaMin - σ_min > 0 (default 0.02)
 * @param options.sigmaMax - σ_max > σ_min, finite (default 100)
 * @example
 * vePrecond().cNoise(2); // 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function vePrecond(options: VePrecondOptions = {}): VePrecond {
  const sigmaMin = checkPositive('sigmaMin', options.sigmaMin ?? 0.02);
  const sigmaMax = checkPositive('sigmaMax', options.sigmaMax ?? 100);
  checkOrdered('sigmaMin', sigmaMin, 'sigmaMax', sigmaMax);
  return Object.freeze({
    name: 've' as const,
    sigmaMin,
    sigmaMax,
    cSkip(sigma: number): number {
      checkSigma(sigma);
      return 1;
    },
    cOut: (sigma: number): number => checkSigma(sigma),
    cIn(sigma: number): number {
      checkSigma(sigma);
      return 1;
    },
    cNoise: (sigma: number): number => Math.log(0.5 * checkSigmaPositive(sigma)),
    roundSigma: (sigma: number): number => checkSigma(sigma),
  });
}
