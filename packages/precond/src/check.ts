import { checkInteger, checkNumber } from '@edmkit/core';

/** Checks a noise level σ ≥ 0 (finite) for coefficients defined at σ = 0. */
export function checkSigma(sigma: unknown): number {
  return checkNumber('sigma', sigma, { min: 0 });
}

/** Checks a noise level σ > 0 (finite) for coefficients with a logarithm of σ. */
export function checkSigmaPositive(sigma: unknown): number {
  return checkNumber('sigma', sigma, { min: 0, minInclusive: false });
}

/** Checks M, the number of discrete steps: an integer ≥ 2. */
export function checkM(M: unknown): number {
  return checkInteger('M', M, 2);
}
