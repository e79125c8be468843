import { checkInteger, checkNumber, checkOrdered, checkPositive } from '@edmkit/core';
import type { SigmaRange } from './types.js';

/** Checks a schedule time t: finite and ≥ 0. */
export function checkTime(t: unknown, name = 't'): number {
  return checkNumber(name, t, { min: 0 });
}

/** Checks a noise level σ: finite and ≥ 0 (σ = 0 is the clean end of the schedule). */
export function checkSigma(sigma: unknown, name = 'sigma'): number {
  return checkNumber(name, sigma, { min: 0 });
}

/** Checks a step count N: an integer ≥ 1. */
export function checkSteps(n: unknown): number {
  return checkInteger('n', n, 1);
}

/** Checks a finite σ range 0 < σ_min < σ_max < ∞ and returns its two ends. */
export function checkRange(range: SigmaRange): { sigmaMin: number; sigmaMax: number } {
  const sigmaMin = checkPositive('range.sigmaMin', range?.sigmaMin);
  const sigmaMax = checkPositive('range.sigmaMax', range?.sigmaMax);
  checkOrdered('range.sigmaMin', sigmaMin, 'range.sigmaMax', sigmaMax);
  return { sigmaMin, sigmaMax };
}
