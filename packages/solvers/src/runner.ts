import {
  checkInteger,
  DenoiserError,
  ParameterError,
  type Denoiser,
  type Rng,
  type TensorOps,
} from '@edmkit/core';

/** What a solver reports after each step. Tensors are valid during the callback only. */
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
  /** x_{i+1}, in σ-space (x = data + σ·noise). */
  readonly x: T;
}

/** One run of a solver: the signature every solver of this package shares. */
export interface SigmaSolverRun<T> {
  /** Tensor backend. */
  readonly ops: TensorOps<T>;
  /** The denoiser D(x; σ). */
  readonly denoiser: Denoiser<T>;
  /** The noisy starting point at σ_0 (e.g. z·σ_0); not modified, not disposed. */
  readonly x: T;
  /** σ_0 > σ_1 > … > σ_N ≥ 0 (see {@link checkSigmas}). */
  readonly sigmas: ArrayLike<number>;
  /** One random stream per sample; required by stochastic solvers. */
  readonly rngs?: readonly Rng[];
  /** Called after every step. */
  readonly onStep?: (info: SigmaStepInfo<T>) => void | Promise<void>;
}

/** Result of a solver run. */
export interface SigmaSolverResult<T> {
  readonly x: T;
  /** Denoiser evaluations used; always equal to `solver.nfe(N, σ_N === 0)`. */
  readonly nfe: number;
}

/**
 * A solver of the probability-flow ODE dx/dσ = (x − D(x; σ))/σ (or of a reverse
 * SDE with the same marginals) on a σ grid: a frozen object with a literal
 * `name`, its NFE known before it runs, and `sample(run)`. Every solver runs on
 * the same loop ({@link defineSolver}), which checks the σ list and the random
 * streams, counts and checks the denoiser calls, reports each step and releases
 * every intermediate tensor, also when the denoiser or `onStep` throws.
 */
export interface SigmaSolver {
  readonly name: string;
  /** Order of convergence of the deterministic method (for stochastic ones: of their ODE limit). */
  readonly order: number;
  /** Whether the solver injects noise (needs `rngs`). */
  readonly stochastic: boolean;
  /** How repeated consecutive σ values are treated. */
  readonly duplicates: DuplicateSigmas;
  /**
   * Denoiser evaluations of a run of `steps` steps (after merging repeated σ
   * values, where the solver merges them); `finalZero` says whether σ_N = 0
   * (default true).
   */
  nfe(steps: number, finalZero?: boolean): number;
  sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>>;
}

/**
 * How {@link checkSigmas} treats repeated consecutive σ values: refuse them
 * (`'reject'`), drop the repeats (`'merge'`), or keep them as zero-length steps
 * that cost their evaluations and leave x unchanged (`'keep'`, as the official EDM
 * sampler does with levels rounded onto a network's discrete set).
 */
export type DuplicateSigmas = 'reject' | 'merge' | 'keep';

/**
 * Checks a σ list and returns it as a Float64Array: finite, at least two
 * entries, σ_N ≥ 0, σ_0 > 0, decreasing. Repeated consecutive values are refused
 * (`'reject'`, default), dropped (`'merge'`) or kept (`'keep'`).
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
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0)
      throw new ParameterError(`sigmas[${i}]`, 'a finite number >= 0', s);
    const prev = out[out.length - 1];
    if (prev === 0) throw new ParameterError(`sigmas[${i}]`, 'absent: σ = 0 ends the list', s);
    if (prev !== undefined && s === prev && duplicates !== 'reject') {
      if (duplicates === 'keep') out.push(s);
      continue;
    }
    if (prev !== undefined && !(s < prev)) {
      throw new ParameterError(
        `sigmas[${i}]`,
        `a number < sigmas[${i - 1}] = ${prev} (decreasing; pass duplicates: 'merge' or 'keep' for repeats)`,
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

/** Checks the `duplicates` option of a solver against the policies it supports. */
export function checkDuplicates(
  value: unknown,
  fallback: DuplicateSigmas,
  allowed: readonly DuplicateSigmas[] = ['reject', 'merge'],
): DuplicateSigmas {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new ParameterError('duplicates', allowed.map((a) => `'${a}'`).join(' or '), value);
  return value as DuplicateSigmas;
}

/** Checks an option against a list of allowed numbers (orders). */
export function checkChoice<const O extends number>(
  name: string,
  value: unknown,
  allowed: readonly O[],
  fallback: O,
): O {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(allowed as readonly number[]).includes(value))
    throw new ParameterError(name, `one of ${allowed.join(', ')}`, value);
  return value as O;
}

/** Checks a boolean option. */
export function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ParameterError(name, 'true or false', value);
  return value;
}

/** Checks that the options argument is an object (or omitted). */
export function checkOptions<O extends object>(options: O | undefined, what: string): O {
  if (options === undefined) return {} as O;
  if (options === null || typeof options !== 'object')
    throw new ParameterError('options', `an object ${what}`, options);
  return options;
}

/**
 * What a step rule sees of one step: the grid, the current x, and the only
 * ways to make tensors. Every tensor made here lives until the end of the step
 * unless {@link StepContext.keep} keeps it for later steps.
 */
export interface StepContext<T> {
  readonly ops: TensorOps<T>;
  /** The checked σ grid σ_0 … σ_N. */
  readonly sigmas: Float64Array;
  /** Number of steps N. */
  readonly n: number;
  /** Step index i. */
  readonly i: number;
  /** σ_i and σ_{i+1}. */
  readonly sigma: number;
  readonly sigmaNext: number;
  /** x_i (owned by the loop: do not dispose). */
  readonly x: T;
  /** Whether the run has random streams ({@link StepContext.noise} can draw). */
  readonly hasNoise: boolean;
  /** D(x; σ): one counted, checked evaluation. */
  denoise(x: T, sigma: number): Promise<T>;
  /** Σ c·T, as `ops.combine`. */
  combine(terms: readonly (readonly [number, T])[]): T;
  /** A standard normal draw shaped like x, one stream per sample. */
  noise(): T;
  /** Keeps a tensor of this step (or x_i itself) beyond the step (a multistep history); returns it. */
  keep(t: T): T;
  /** Releases a kept tensor. */
  drop(t: T): void;
}

/** The step rule of a solver: x_{i+1} from x_i. Its state lives in the closure `start()` returns. */
export type StepRule = <T>() => (ctx: StepContext<T>) => Promise<T>;

/** What {@link defineSolver} needs besides the step rule. */
export interface SolverDefinition<P extends object> {
  readonly name: string;
  readonly order: number;
  readonly stochastic: boolean;
  readonly duplicates: DuplicateSigmas;
  /** Evaluations of `steps` steps ending at σ_N (zero or not). */
  readonly nfe: (steps: number, finalZero: boolean) => number;
  /** Makes the per-run step function (fresh state for every run). */
  readonly start: StepRule;
  /** Extra read-only fields of the solver object (its options). */
  readonly fields?: P;
}

/**
 * Builds a solver from its step rule: the one loop every solver of this package
 * runs on. It checks the σ list (with the solver's duplicate policy) and the
 * random streams, calls the rule once per step, checks every denoiser output
 * (`ops.check` where the backend has it; never `undefined`), calls `onStep`,
 * disposes what each step made unless kept, and on a throw disposes everything
 * it made before rethrowing. The NFE it reports is checked against `nfe()`.
 */
export function defineSolver<P extends object>(def: SolverDefinition<P>): SigmaSolver & P {
  const { name, order, stochastic, duplicates, start } = def;
  const nfe = (steps: number, finalZero = true): number => {
    checkInteger('steps', steps, 1);
    if (typeof finalZero !== 'boolean')
      throw new ParameterError('finalZero', 'true or false', finalZero);
    return def.nfe(steps, finalZero);
  };

  async function sample<T>(run: SigmaSolverRun<T>): Promise<SigmaSolverResult<T>> {
    if (run == null || typeof run !== 'object')
      throw new ParameterError(
        'run',
        'an object { ops, denoiser, x, sigmas, rngs?, onStep? }',
        run,
      );
    const { ops, denoiser, onStep, rngs } = run;
    if (ops == null || typeof ops.combine !== 'function')
      throw new ParameterError('ops', 'a TensorOps backend', ops);
    if (typeof denoiser !== 'function')
      throw new ParameterError('denoiser', 'a function (x, sigma) => D', denoiser);
    if (run.x === undefined || run.x === null)
      throw new ParameterError('x', 'the starting tensor at sigmas[0]', run.x);
    if (onStep !== undefined && typeof onStep !== 'function')
      throw new ParameterError('onStep', 'a function', onStep);
    const sigmas = checkSigmas(run.sigmas, duplicates);
    if (stochastic && (rngs === undefined || rngs.length === 0))
      throw new ParameterError('rngs', `one Rng per sample (${name} is stochastic)`, rngs?.length);
    const n = sigmas.length - 1;
    const expected = def.nfe(n, sigmas[n] === 0);
    const step = start<T>();
    const kept = new Set<T>();
    let temps = new Set<T>();
    let x: T = run.x;
    let count = 0;
    const own = (t: T): T => {
      temps.add(t);
      return t;
    };
    const release = (t: T): void => {
      if (t !== run.x) ops.dispose(t);
    };
    try {
      for (let i = 0; i < n; i++) {
        const sigma = sigmas[i]!;
        const sigmaNext = sigmas[i + 1]!;
        const ctx: StepContext<T> = {
          ops,
          sigmas,
          n,
          i,
          sigma,
          sigmaNext,
          x,
          hasNoise: rngs !== undefined && rngs.length > 0,
          async denoise(at, level) {
            let y = (await denoiser(at, level)) as T | undefined | null;
            count++;
            if (y === undefined || y === null) throw new DenoiserError(String(y), level, i);
            // A denoiser may hand back its input (D(x) = x): copy it, the loop owns its outputs.
            if (y === at) y = ops.combine([[1, at]]);
            own(y);
            const problem = ops.check?.(y, at);
            if (problem !== undefined) throw new DenoiserError(problem, level, i);
            return y;
          },
          combine: (terms) => own(ops.combine(terms)),
          noise: () => {
            if (rngs === undefined || rngs.length === 0)
              throw new ParameterError('rngs', `one Rng per sample (${name} draws noise)`, rngs);
            return own(ops.randnLike(x, rngs));
          },
          keep(t) {
            temps.delete(t);
            kept.add(t);
            return t;
          },
          drop(t) {
            if (kept.delete(t) && t !== x) release(t);
          },
        };
        const next: T = await step(ctx);
        temps.delete(next);
        kept.delete(next);
        for (const t of temps) if (t !== x) ops.dispose(t);
        temps = new Set();
        if (next !== x && !kept.has(x)) release(x);
        x = next;
        if (onStep) await onStep({ i, n, sigma, sigmaNext, nfe: count, x });
      }
      if (count !== expected)
        throw new Error(`${name}: ran ${count} denoiser evaluations, nfe() says ${expected}`);
      for (const t of kept) if (t !== x) release(t);
      kept.clear();
      return { x, nfe: count };
    } catch (error) {
      for (const t of temps) if (t !== x && !kept.has(t)) ops.dispose(t);
      for (const t of kept) if (t !== x) release(t);
      release(x);
      throw error;
    }
  }

  return Object.freeze({
    ...(def.fields ?? ({} as P)),
    name,
    order,
    stochastic,
    duplicates,
    nfe,
    sample,
  });
}

/**
 * The largest number of steps N whose NFE does not exceed `nfe` (σ_N = 0 unless
 * `finalZero` is false), or undefined when even one step costs more.
 *
 * @example
 * stepsForNfe(heun(), 35); // 18
 */
export function stepsForNfe(
  solver: Pick<SigmaSolver, 'nfe'>,
  nfe: number,
  finalZero = true,
): number | undefined {
  const target = checkInteger('nfe', nfe, 1);
  let lo = 1;
  if (solver.nfe(lo, finalZero) > target) return undefined;
  let hi = 2;
  while (solver.nfe(hi, finalZero) <= target) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (solver.nfe(mid, finalZero) <= target) lo = mid;
    else hi = mid;
  }
  return lo;
}
