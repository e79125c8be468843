import { checkNumber, checkOrdered, checkPositive } from '@edmkit/core';
import { checkSigma, checkSigmaPositive } from './check.js';
import type { Preconditioner } from './types.js';

/** Options of {@link edmPrecond}. */
export interface EdmPrecondOptions {
  /** σ_data, the standard deviation of the data (default 0.5). */
  readonly sigmaData?: number;
  /** σ_min the network supports (default 0). */
  readonly sigmaMin?: number;
  /** σ_max the network supports (default Infinity). */
  readonly sigmaMax?: number;
}

/** The EDM preconditioner returned by {@link edmPrecond}. */
export interface EdmPrecond extends Preconditioner {
  readonly name: 'edm';
  /** σ_data. */
  readonly sigmaData: number;
}

/**
 * The EDM preconditioning: unit-variance network input and training target at every
 * σ, with the skip connection taking over where F's error would be amplified.
 *
 * Paper: Eq. 7 and Table 1, "Ours" column: c_skip = σ_data²/(σ² + σ_data²),
 * c_out = σ·σ_data/√(σ² + σ_data²), c_in = 1/√(σ² + σ_data²), c_noise = ¼ ln σ.
 * Supported range [0, ∞): no clamping, identity rounding.
 *
 * c_skip, c_out, c_in accept σ ≥ 0 (D(x; 0) = x); c_noise needs σ > 0.
 *
 * @param options.sigmaData - σ_data > 0 (default 0.5)
 * @param options.sigmaMin - σ_min ≥ 0 (default 0)
 * @param options.sigmaMax - σ_max > σ_min, may be Infinity (default Infinity)
 * @example
 * const edm = edmPrecond();
 * edm.cSkip(0.5); // 0.5
 * edm.cNoise(1);  // 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function edmPrecond(options: EdmPrecondOptions = {}): EdmPrecond {
  const sigmaData = checkPositive('sigmaData', options.sigmaData ?? 0.5);
  const sigmaMin = checkNumber('sigmaMin', options.sigmaMin ?? 0, { min: 0 });
  const sigmaMax = checkNumber('sigmaMax', options.sigmaMax ?? Infinity, {
    min: 0,
    allowInfinity: true,
  });
  checkOrdered('sigmaMin', sigmaMin, 'sigmaMax', sigmaMax);
  const sigmaData2 = sigmaData * sigmaData;
  return Object.freeze({
    name: 'edm' as const,
    sigmaData,
    sigmaMin,
    sigmaMax,
    cSkip(sigma: number): number {
      checkSigma(sigma);
      return sigmaData2 / (sigma * sigma + sigmaData2);
    },
    cOut: (sigma: number): number => (checkSigma(sigma) * sigmaData) / Math.hypot(sigma, sigmaData),
    cIn: (sigma: number): number => 1 / Math.hypot(checkSigma(sigma), sigmaData),
    cNoise: (sigma: number): number => 0.25 * Math.log(checkSigmaPositive(sigma)),
    roundSigma: (sigma: number): number => checkSigma(sigma),
  });
}
