import { ParameterError, UnknownNameError } from './errors.js';

/** Bounds for {@link checkNumber}; an omitted bound is unbounded. */
export interface NumberBounds {
  /** Lower bound. */
  readonly min?: number;
  /** Whether `min` itself is allowed (default true). */
  readonly minInclusive?: boolean;
  /** Upper bound. */
  readonly max?: number;
  /** Whether `max` itself is allowed (default true). */
  readonly maxInclusive?: boolean;
  /** Require an integer. */
  readonly integer?: boolean;
  /** Allow +Infinity (default false: finite only). */
  readonly allowInfinity?: boolean;
}

/**
 * Checks that `value` is a number within `bounds` and returns it; otherwise throws a
 * {@link ParameterError} naming `parameter` and the allowed range. NaN is always refused.
 *
 * @example
 * checkNumber('rho', rho, { min: 0, minInclusive: false }); // rho must be a finite number > 0
 */
export function checkNumber(parameter: string, value: unknown, bounds: NumberBounds = {}): number {
  const allowed = describeBounds(bounds);
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new ParameterError(parameter, allowed, value);
  if (!Number.isFinite(value) && !(bounds.allowInfinity === true && value === Infinity)) {
    throw new ParameterError(parameter, allowed, value);
  }
  if (bounds.integer === true && !Number.isInteger(value))
    throw new ParameterError(parameter, allowed, value);
  const { min, max } = bounds;
  if (min !== undefined) {
    const ok = bounds.minInclusive === false ? value > min : value >= min;
    if (!ok) throw new ParameterError(parameter, allowed, value);
  }
  if (max !== undefined) {
    const ok = bounds.maxInclusive === false ? value < max : value <= max;
    if (!ok) throw new ParameterError(parameter, allowed, value);
  }
  return value;
}

/** Checks a strictly positive finite number (σ, ρ, step sizes…). */
export function checkPositive(parameter: string, value: unknown): number {
  return checkNumber(parameter, value, { min: 0, minInclusive: false });
}

/** Checks an integer ≥ `min` (default 0). */
export function checkInteger(parameter: string, value: unknown, min = 0): number {
  return checkNumber(parameter, value, { min, integer: true });
}

/** Checks that `value` is one of `known` and returns it typed as such. */
export function checkOneOf<const K extends string>(
  parameter: string,
  value: unknown,
  known: readonly K[],
): K {
  if (typeof value !== 'string' || !(known as readonly string[]).includes(value)) {
    throw new UnknownNameError(parameter, String(value), known);
  }
  return value as K;
}

/** Checks that `lo < hi`, naming both parameters on failure. */
export function checkOrdered(loName: string, lo: number, hiName: string, hi: number): void {
  if (!(lo < hi)) throw new ParameterError(hiName, `a number > ${loName} = ${lo}`, hi);
}

function describeBounds(b: NumberBounds): string {
  const kind =
    b.integer === true ? 'an integer' : b.allowInfinity === true ? 'a number' : 'a finite number';
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`${b.minInclusive === false ? '>' : '>='} ${b.min}`);
  if (b.max !== undefined) parts.push(`${b.maxInclusive === false ? '<' : '<='} ${b.max}`);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}
