import { ParameterError, type Denoiser, type Rng, type TensorOps } from '@edmkit/core';
import { linearSchedule, noScaling, type NoiseSchedule, type Scaling } from '@edmkit/schedules';
import { churn as makeChurn, churnGamma, type Churn } from './churn.js';
import { heun, type Solver } from './solver.js';
import { checkTimeSteps } from './time-steps.js';

/** What {@link sample} reports after each step. Tensors are valid during the callback only. */
export interface StepInfo<T> {
  /** Step index i (0-based). */
  readonly i: number;
  /** Total number of steps N. */
  readonly n: number;
  /** t_i. */
  readonly tCur: number;
  /** t̂_i, the time after churn. */
  readonly tHat: number;
  /** t_{i+1}. */
  readonly tNext: number;
  /** γ_i. */
  readonly gamma: number;
  /** Denoiser evaluations so far. */
  readonly nfe: number;
  /** x_{i+1}, in the sampler's coordinates x = s(t)·x̂. */
  readonly x: T;
  /** D(x̂_i; σ(t̂_i)), the denoiser's estimate of the clean data at this step. */
  readonly denoised: T;
}

/** Options of {@link sample}. */
export interface SampleOptions<T> {
  /** Tensor backend. */
  readonly ops: TensorOps<T>;
  /** The denoiser D(x̂; σ), in unscaled coordinates. */
  readonly denoiser: Denoiser<T>;
  /** Latents z ~ N(0, I), batch first; the sampler starts at x_0 = z·σ(t_0)·s(t_0). Not modified. */
  readonly latents: T;
  /** t_0 ≥ t_1 ≥ … ≥ t_{N−1} > t_N = 0, e.g. from {@link timeSteps} (see {@link checkTimeSteps}). */
  readonly tSteps: ArrayLike<number>;
  /** σ(t); default `linearSchedule()` (σ(t) = t, EDM). */
  readonly schedule?: NoiseSchedule;
  /** s(t); default `noScaling()` (s(t) = 1, EDM). */
  readonly scaling?: Scaling;
  /** ODE solver; default `heun()`. */
  readonly solver?: Solver;
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
  /** x_N: samples in data space (t_N = 0, s(0) = 1). */
  readonly x: T;
  /** Number of denoiser evaluations: N for Euler, 2N − 1 for 2nd order. */
  readonly nfe: number;
}

/**
 * The generalised deterministic/stochastic sampler of the EDM paper: any σ(t)
 * and s(t), Euler or 2nd-order (α) steps, optional churn, last step Euler.
 * With the defaults (σ(t) = t, s(t) = 1, Heun) it is exactly Algorithm 2.
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
  const { ops, denoiser, latents, tSteps, rngs, onStep } = options;
  const schedule = options.schedule ?? linearSchedule();
  const scaling = options.scaling ?? noScaling();
  const solver = options.solver ?? heun();
  const churn = makeChurn(options.churn);
  const roundSigma = options.roundSigma ?? ((sigma: number) => sigma);
  checkTimeSteps(tSteps);
  if (typeof denoiser !== 'function')
    throw new ParameterError('denoiser', 'a function (x, sigma) => D', denoiser);
  if (churn.sChurn > 0 && (rngs === undefined || rngs.length === 0)) {
    throw new ParameterError('rngs', 'one Rng per sample when sChurn > 0', rngs?.length);
  }
  const { sigma, sigmaDeriv, sigmaInv } = schedule;
  const { s, sDeriv } = scaling;
  const n = tSteps.length - 1;
  let nfe = 0;

  // d = [σ'/σ + s'/s]·x − [σ's/σ]·D(x/s; σ)   (Eq. 4, evaluated at (x, t)).
  const slope = async (x: T, t: number): Promise<{ d: T; denoised: T }> => {
    const sigmaT = sigma(t);
    const sT = s(t);
    const xIn = sT === 1 ? x : ops.combine([[1 / sT, x]]);
    const denoised = await denoiser(xIn, sigmaT);
    nfe++;
    if (xIn !== x) ops.dispose(xIn);
    const dSigma = sigmaDeriv(t);
    const d = ops.combine([
      [dSigma / sigmaT + sDeriv(t) / sT, x],
      [(-dSigma * sT) / sigmaT, denoised],
    ]);
    return { d, denoised };
  };

  // x_0 = z·σ(t_0)·s(t_0)  (Algorithm 2, line 1).
  const t0 = tSteps[0]!;
  let x = ops.combine([[sigma(t0) * s(t0), latents]]);
  for (let i = 0; i < n; i++) {
    const tCur = tSteps[i]!;
    const tNext = tSteps[i + 1]!;
    const sigmaCur = sigma(tCur);

    // Increase noise temporarily: γ_i, t̂ = σ⁻¹(σ(t_i)·(1 + γ_i))  (Algorithm 2, lines 4–5).
    const gamma = churnGamma(churn, sigmaCur, n);
    const tHat = sigmaInv(roundSigma(sigmaCur + gamma * sigmaCur));
    // x̂ = (s(t̂)/s(t_i))·x_i + sqrt(σ(t̂)² − σ(t_i)²)·s(t̂)·S_noise·ε_i  (line 6).
    const epsilon = rngs === undefined || rngs.length === 0 ? undefined : ops.randnLike(x, rngs);
    const noiseScale =
      gamma === 0
        ? 0
        : Math.sqrt(Math.max(sigma(tHat) ** 2 - sigmaCur ** 2, 0)) * s(tHat) * churn.sNoise;
    const keep = s(tHat) / s(tCur);
    const xHat =
      epsilon === undefined || noiseScale === 0
        ? keep === 1
          ? x
          : ops.combine([[keep, x]])
        : ops.combine([
            [keep, x],
            [noiseScale, epsilon],
          ]);
    if (epsilon !== undefined) ops.dispose(epsilon);

    // Euler step from t̂ to t_{i+1}  (lines 7–8).
    const h = tNext - tHat;
    const { d, denoised } = await slope(xHat, tHat);
    let xNext: T;
    if (solver.order === 1 || i === n - 1) {
      xNext = ops.combine([
        [1, xHat],
        [h, d],
      ]);
    } else {
      // 2nd-order correction with α: t' = t̂ + αh, x' = x̂ + αh·d  (Algorithm 1, lines 9–11).
      const { alpha } = solver;
      const tPrime = tHat + alpha * h;
      const xPrime = ops.combine([
        [1, xHat],
        [alpha * h, d],
      ]);
      const { d: dPrime, denoised: denoisedPrime } = await slope(xPrime, tPrime);
      xNext = ops.combine([
        [1, xHat],
        [h * (1 - 1 / (2 * alpha)), d],
        [h / (2 * alpha), dPrime],
      ]);
      ops.dispose(xPrime);
      ops.dispose(dPrime);
      ops.dispose(denoisedPrime);
    }
    ops.dispose(d);
    if (xHat !== x) ops.dispose(xHat);
    ops.dispose(x);
    x = xNext;
    if (onStep) await onStep({ i, n, tCur, tHat, tNext, gamma, nfe, x, denoised });
    ops.dispose(denoised);
  }
  return { x, nfe };
}
