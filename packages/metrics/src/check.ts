import { checkInteger, ParameterError } from '@edmkit/core';

/** Validates a batch of samples of `dim` coordinates (Float64Array, length a positive multiple of dim); returns the count. */
export function checkSamples(parameter: string, x: unknown, dim: number): number {
  if (!(x instanceof Float64Array))
    throw new ParameterError(
      parameter,
      'a Float64Array of samples laid out sample after sample',
      x,
    );
  if (x.length === 0 || x.length % dim !== 0) {
    throw new ParameterError(
      `${parameter}.length`,
      `a positive multiple of dim = ${dim}`,
      x.length,
    );
  }
  return x.length / dim;
}

/** Validates `dim`, an integer ≥ 1. */
export function checkDim(dim: unknown): number {
  return checkInteger('dim', dim, 1);
}
