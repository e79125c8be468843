import { ParameterError, type Denoiser, type Rng, type TensorOps } from '@edmkit/core';
import { linearSchedule, noScaling, type NoiseSchedule, type Scaling } from '@edmkit/schedules';
import type { Churn } from './churn.js';
import { generalized, heun, type GeneralizedSolver } from './generalized.js';
import type { SigmaStepInfo } from './runner.js';
import { checkTimeSteps } from './time-steps.js';

/** What {@link sample} reports after each step. Tensors are valid during the callback only. */
export interface StepInfo<T> extends SigmaStepInfo<T> {
  /** t_i and t_{i+1}. */
  readonly tCur: number;
  readonly tNext: number;
}

/** Options of {@link sample}. */
export interface SampleOptions<T> {
  /** Tensor backend. */
  readonly ops: TensorOps<T>;
  /** The denoiser D(x̂; σ), in unscaled coordinates. */
  readonly denoiser: Denoiser<T>;
  /** Latents z ~ N(0, I), batch first; the sampler starts at x̂_0 = z·σ(t_0). Not modified. */
  readonly latents: T;
  /** t_0 ≥ t_1 ≥ … ≥ t_{N−1} > t_N = 0, e.g. from {@link timeSteps} (see {@link checkTimeSteps}). */
  readonly tSteps: ArrayLike<number>;
  /** σ(t); default `linearSchedule()` (σ(t) = t, EDM). */
  readonly schedule?: NoiseSchedule;
  /** s(t); default `noScaling()` (s(t) = 1, EDM). */
  readonly scaling?: Scaling;
  /** Euler, Heun or the α 2nd-order method (only its α is used); default `heun()`. */
  readonly solver?: Pick<GeneralizedSolver, 'alpha'>;
  /** Stochastic churn; default none (deterministic). */
  readonly churn?: Partial<Churn>;
  /**
   * One random stream per sample, for the churn noise ε_i. Required when
   * S_churn > 0; when given, one ε_i is drawn at every step, also where γ_i = 0,
   * so the streams advance the same way whatever the churn window.
   */
  readonly rngs?: readonly Rng[];
  /** The network's σ rounding, applied to the raised level σ(t_i)(1 + γ_i); default identity. */
  readonly roundSigma?: (sigma: number) => number;
  /** Called after every step (may be async), e.g. for a progress bar. */
  readonly onStep?: (info: StepInfo<T>) => void | Promise<void>;
}

/** Result of {@link sample}. */
export interface SampleResult<T> {
  /** x_N: samples in data space (t_N = 0). */
  readonly x: T;
  /** Number of denoiser evaluations: N for Euler, 2N − 1 for 2nd order. */
  readonly nfe: number;
}

/**
 * The generalised deterministic/stochastic sampler of the EDM paper on a list of
 * times: any σ(t) and s(t), Euler or 2nd-order (α) steps, optional churn, last
 * step Euler. With the defaults (σ(t) = t, s(t) = 1, Heun) it is exactly
 * Algorithm 2. It runs the same solver as {@link heun} / {@link euler} /
 * {@link secondOrder} on the levels σ(t_i), keeping the given times exactly.
 *
 * Paper: Algorithm 1 (deterministic, any σ, s, α) with the churn of Algorithm 2;
 * ODE (Eq. 4): dx/dt = [σ'(t)/σ(t) + s'(t)/s(t)]·x − [σ'(t)s(t)/σ(t)]·D(x/s(t); σ(t)).
 * All scalar arithmetic is float64.
 *
 * @example
 * const t = timeSteps({ discretization: edmSteps(), n: 18, range: { sigmaMin: 0.002, sigmaMax: 80 },
 *   schedule: linearSchedule() });
 * const { x, nfe } = await sample({ ops: arrayOps, denoiser, latents, tSteps: t }); // nfe = 35
 * @see https://arxiv.org/abs/2206.00364
 */
export async function sample<T>(options: SampleOptions<T>): Promise<SampleResult<T>> {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object { ops, denoiser, latents, tSteps, … }', options);
  const { ops, denoiser, latents, tSteps, rngs, onStep } = options;
  checkTimeSteps(tSteps);
  const schedule = options.schedule ?? linearSchedule();
  const scaling = options.scaling ?? noScaling();
  const base = options.solver ?? heun();
  if (base == null || typeof base !== 'object' || !('alpha' in base))
    throw new ParameterError('solver', 'euler(), heun() or secondOrder({ alpha })', base);
  const times = Float64Array.from(tSteps);
  const solver = generalized(
    base.alpha,
    {
      schedule,
      scaling,
      ...(options.churn !== undefined ? { churn: options.churn } : {}),
      ...(options.roundSigma !== undefined ? { roundSigma: options.roundSigma } : {}),
      duplicates: 'keep',
    },
    times,
  );
  const sigmas = times.map((t) => (t === 0 ? 0 : schedule.sigma(t)));
  if (ops == null || typeof ops.combine !== 'function')
    throw new ParameterError('ops', 'a TensorOps backend', ops);
  // x̂_0 = z·σ(t_0)  (Algorithm 2, line 1, in unscaled coordinates).
  const x0 = ops.combine([[sigmas[0]!, latents]]);
  try {
    return await solver.sample({
      ops,
      denoiser,
      x: x0,
      sigmas,
      ...(rngs !== undefined ? { rngs } : {}),
      ...(onStep !== undefined
        ? { onStep: (info) => onStep({ ...info, tCur: times[info.i]!, tNext: times[info.i + 1]! }) }
        : {}),
    });
  } finally {
    ops.dispose(x0);
  }
}
