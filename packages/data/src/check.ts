import { checkNumber, ParameterError } from '@edmkit/core';

/** Validates a batch `x` of samples of `dim` coordinates; returns the batch size. */
export function checkBatch(parameter: string, x: unknown, dim: number): number {
  if (!(x instanceof Float64Array)) throw new ParameterError(parameter, 'a Float64Array', x);
  if (x.length === 0 || x.length % dim !== 0) {
    throw new ParameterError(
      `${parameter}.length`,
      `a positive multiple of dim = ${dim}`,
      x.length,
    );
  }
  return x.length / dim;
}

/** Validates a noise level σ: finite and ≥ 0. */
export function checkSigma(sigma: unknown): number {
  return checkNumber('sigma', sigma, { min: 0 });
}

/** Validates a non-empty list of random streams. */
export function checkRngs(rngs: unknown): void {
  if (!Array.isArray(rngs) || rngs.length === 0) {
    throw new ParameterError('rngs', 'a non-empty array with one Rng per sample', rngs);
  }
  for (const r of rngs as unknown[]) {
    if (r == null || typeof (r as { normal?: unknown }).normal !== 'function') {
      throw new ParameterError('rngs', 'an array of Rng (one per sample)', r);
    }
  }
}

/** Validates an array-like of finite numbers of a given length and copies it into a Float64Array. */
export function toFloat64(
  parameter: string,
  values: unknown,
  length: number | undefined,
  bounds: { min?: number; minInclusive?: boolean } = {},
): Float64Array {
  if (values == null || typeof (values as { length?: unknown }).length !== 'number') {
    throw new ParameterError(parameter, 'an array of numbers', values);
  }
  const arr = values as ArrayLike<unknown>;
  if (length !== undefined && arr.length !== length) {
    throw new ParameterError(`${parameter}.length`, `${length}`, arr.length);
  }
  const out = new Float64Array(arr.length);
  const min = bounds.min ?? -Infinity;
  const strict = bounds.minInclusive === false;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    // Fast path; the slow call only runs to build the error for a refused value.
    if (typeof v === 'number' && Number.isFinite(v) && (strict ? v > min : v >= min)) out[i] = v;
    else out[i] = checkNumber(`${parameter}[${i}]`, v, bounds);
  }
  return out;
}
