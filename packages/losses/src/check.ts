import { checkNumber, ParameterError } from '@edmkit/core';
import type { Rng } from '@edmkit/core';

/** Checks a non-empty list of per-sample random streams. */
export function checkRngs(rngs: unknown, parameter = 'rngs'): readonly Rng[] {
  if (!Array.isArray(rngs) || rngs.length === 0) {
    throw new ParameterError(parameter, 'a non-empty array of Rng, one per sample', rngs);
  }
  rngs.forEach((rng: unknown, b) => {
    const r = rng as Partial<Rng> | null;
    if (r == null || typeof r.uniform !== 'function' || typeof r.normal !== 'function') {
      throw new ParameterError(`${parameter}[${b}]`, 'an Rng (from createRng or sampleRngs)', rng);
    }
  });
  return rngs as readonly Rng[];
}

/** Checks one σ per sample, each finite and > 0, and returns a copy. */
export function checkSigmas(sigma: unknown, parameter = 'sigma'): Float64Array {
  if (!(sigma instanceof Float64Array) || sigma.length === 0) {
    throw new ParameterError(parameter, 'a non-empty Float64Array, one σ per sample', sigma);
  }
  sigma.forEach((s, b) => checkNumber(`${parameter}[${b}]`, s, { min: 0, minInclusive: false }));
  return sigma.slice();
}

/** Checks a noise level σ > 0 for a weighting λ(σ). */
export function checkSigmaPositive(sigma: unknown): number {
  return checkNumber('sigma', sigma, { min: 0, minInclusive: false });
}
