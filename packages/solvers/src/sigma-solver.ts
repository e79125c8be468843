import { ParameterError, type Denoiser, type Rng, type TensorOps } from '@edmkit/core';

/** What a σ-space solver reports after each step. Tensors are valid during the callback only. */
export interface SigmaStepInfo<T> {
  /** Step index i (0-based). */
  readonly i: number;
  /** Number of steps N (= sigmas.length − 1). */
  readonly n: number;
  /** σ_i and σ_{i+1}. */
  readonly sigma: number;
  readonly sigmaNext: number;
  /** Denoiser evaluations so far. */
  readonly nfe: number;
  /** x_{i+1}. */
  readonly x: T;
}

/** One run of a σ-space solver: the uniform signature every solver of this package shares. */
export interface SigmaSolverRun<T> {
  /** Tensor backend. */
  readonly ops: TensorOps<T>;
  /** The denoiser D(x; σ). */
  readonly denoiser: Denoiser<T>;
  /** The noisy starting point at σ_0 (e.g. z·σ_0); not modified. */
  readonly x: T;
  /** σ_0 > σ_1 > … > σ_N ≥ 0 (see {@link checkSigmas}). */
  readonly sigmas: ArrayLike<number>;
  /** One random stream per sample; required by stochastic solvers. */
  readonly rngs?: readonly Rng[];
  /** Called after every step. */
  readonly onStep?: (info: SigmaStepInfo<T>) => void | Promise<void>;
}

/** Result of a σ-space solver. */
export interface SigmaSolverResult<T> {
  readonly x: T;
  /** Denoiser evaluations used. */
  readonly nfe: number;
}

/**
 * A σ-space ODE/SDE solver for the probability-flow ODE dx/dσ = (x − D(x; σ))/σ
 * (σ(t) = t, s(t) = 1), with the k-diffusion-style uniform signature: a frozen
 * object with a literal `name` and `sample(run)`.
 */
export interface SigmaSolver {
  readonly name: string;
  /** Order of convergence of the deterministic method (for stochastic ones: of their ODE limit). */
  readonly order: number;
  /** Whether the solver injects noise (needs `rngs`). */
  readonly stochastic: boolean;
  sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>>;
}

/** How {@link checkSigmas} treats repeated consecutive σ values. */
export type DuplicateSigmas = 'reject' | 'merge';

/**
 * Checks a σ list for a σ-space solver and returns it as a Float64Array: finite,
 * at least two entries, σ_N ≥ 0, σ_0 > 0, strictly decreasing. Repeated
 * consecutive values are refused (`'reject'`, default) or dropped (`'merge'`).
 */
export function checkSigmas(
  sigmas: ArrayLike<number>,
  duplicates: DuplicateSigmas = 'reject',
): Float64Array {
  if (sigmas == null || typeof sigmas.length !== 'number' || sigmas.length < 2) {
    throw new ParameterError(
      'sigmas',
      'a list of at least 2 noise levels σ_0 > … > σ_N ≥ 0',
      sigmas?.length,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i]!;
    if (!Number.isFinite(s) || s < 0)
      throw new ParameterError(`sigmas[${i}]`, 'a finite number >= 0', s);
    const prev = out[out.length - 1];
    if (prev !== undefined && s === prev && duplicates === 'merge') continue;
    if (prev !== undefined && !(s < prev)) {
      throw new ParameterError(
        `sigmas[${i}]`,
        `a number < sigmas[${i - 1}] = ${prev} (strictly decreasing; pass duplicates: 'merge' to drop repeats)`,
        s,
      );
    }
    out.push(s);
  }
  if (out.length < 2)
    throw new ParameterError('sigmas', 'at least 2 distinct noise levels', out.length);
  if (!(out[0]! > 0)) throw new ParameterError('sigmas[0]', 'a number > 0', out[0]);
  return Float64Array.from(out);
}

/** Wraps a denoiser to count its evaluations (the solvers report NFE). */
export function countingDenoiser<T>(denoiser: Denoiser<T>): {
  denoiser: Denoiser<T>;
  count: () => number;
} {
  let n = 0;
  return {
    denoiser: (x, sigma) => {
      n++;
      return denoiser(x, sigma);
    },
    count: () => n,
  };
}
