/**
 * Base class of every error edmkit throws on purpose. Catch this to tell
 * edmkit's own refusals apart from bugs.
 */
export class EdmkitError extends Error {
  override readonly name: string = 'EdmkitError';
}

/**
 * A parameter is outside its allowed values. The message names the parameter,
 * the value received and what is allowed, e.g.
 * `sigmaMin must be a finite number > 0 (got -1)`.
 */
export class ParameterError extends EdmkitError {
  override readonly name: string = 'ParameterError';
  /** Name of the offending parameter, as the caller spelled it. */
  readonly parameter: string;
  /** Human-readable description of the allowed values. */
  readonly allowed: string;
  /** The value that was refused. */
  readonly value: unknown;

  constructor(parameter: string, allowed: string, value: unknown) {
    super(`${parameter} must be ${allowed} (got ${formatValue(value)})`);
    this.parameter = parameter;
    this.allowed = allowed;
    this.value = value;
  }
}

/**
 * A name (preset, axis, discretization, solver…) is not one edmkit knows.
 * The message lists the known names.
 */
export class UnknownNameError extends EdmkitError {
  override readonly name: string = 'UnknownNameError';
  readonly parameter: string;
  readonly known: readonly string[];
  readonly value: string;

  constructor(parameter: string, value: string, known: readonly string[]) {
    super(`unknown ${parameter} "${value}"; expected one of: ${known.join(', ')}`);
    this.parameter = parameter;
    this.known = known;
    this.value = value;
  }
}

/**
 * A denoiser (or network) returned something a sampler or loss cannot use:
 * nothing, a tensor of the wrong shape, or non-finite values. The message names
 * the step, the noise level and what was wrong, e.g.
 * `the denoiser returned non-finite values (NaN at index 3) at step 2 (sigma = 4.5)`.
 */
export class DenoiserError extends EdmkitError {
  override readonly name: string = 'DenoiserError';
  /** Step index (0-based) of the sampler, or undefined outside a sampler (a loss). */
  readonly step: number | undefined;
  /** The noise level of the call (a loss: the first σ of the batch). */
  readonly sigma: number;
  /** What was wrong with the output. */
  readonly problem: string;

  constructor(problem: string, sigma: number, step?: number) {
    const where = step === undefined ? '' : ` at step ${step}`;
    super(`the denoiser returned ${problem}${where} (sigma = ${sigma})`);
    this.step = step;
    this.sigma = sigma;
    this.problem = problem;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as Float64Array).length})`;
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
