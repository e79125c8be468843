import { checkNumber, ParameterError } from '@edmkit/core';
import { linearSchedule, noScaling, type NoiseSchedule, type Scaling } from '@edmkit/schedules';
import { churn as makeChurn, churnGamma, type Churn } from './churn.js';
import {
  checkDuplicates,
  checkOptions,
  defineSolver,
  type DuplicateSigmas,
  type SigmaSolver,
  type StepContext,
} from './runner.js';

/** Options of the paper's generalised sampler ({@link euler}, {@link heun}, {@link secondOrder}). */
export interface GeneralizedOptions {
  /** σ(t); default `linearSchedule()` (σ(t) = t, EDM). */
  readonly schedule?: NoiseSchedule;
  /** s(t); default `noScaling()` (s(t) = 1, EDM). */
  readonly scaling?: Scaling;
  /** Stochastic churn (S_churn, S_min, S_max, S_noise); default none (deterministic). */
  readonly churn?: Partial<Churn>;
  /** The network's σ rounding, applied to the raised level σ(t_i)(1 + γ_i); default identity. */
  readonly roundSigma?: (sigma: number) => number;
  /** Repeated σ values: zero-length steps by default (`'keep'`, as the official sampler). */
  readonly duplicates?: DuplicateSigmas;
}

/** The paper's generalised sampler (Algorithms 1 and 2) as a solver. */
export interface GeneralizedSolver extends SigmaSolver {
  readonly name: 'euler' | 'heun' | 'midpoint' | 'second-order';
  readonly order: 1 | 2;
  /** α of the 2nd-order step (undefined for Euler). */
  readonly alpha: number | undefined;
  readonly schedule: NoiseSchedule;
  readonly scaling: Scaling;
  readonly churn: Churn;
  readonly roundSigma: ((sigma: number) => number) | undefined;
}

/**
 * Euler's method in the paper's generalised sampler: x_{i+1} = x̂ + h·d(x̂, t̂),
 * one evaluation per step.
 *
 * Paper: Table 1, "ODE solver: Euler" (VP, VE, iDDPM+DDIM; DDIM is exactly Euler
 * on this ODE); Algorithm 2 with churn. With σ(t) = t, s(t) = 1 it is k-diffusion's
 * `sample_euler` and diffusers' EDM Euler scheduler.
 * @example
 * await euler().sample({ ops: arrayOps, denoiser, x: x0, sigmas });
 * @see https://arxiv.org/abs/2206.00364
 */
export function euler(options?: GeneralizedOptions): GeneralizedSolver {
  return generalized(undefined, options);
}

/**
 * Heun's 2nd-order method (α = 1), the EDM sampler (paper Algorithm 2): two
 * evaluations per step, the step into σ = 0 an Euler step (2N − 1 NFE).
 *
 * Paper: Table 1, "ODE solver: 2nd order Heun" (EDM); Algorithm 2, lines 4–8. With
 * σ(t) = t, s(t) = 1 it is k-diffusion's `sample_heun` (churn included) and diffusers'
 * Heun scheduler.
 * @example
 * await heun({ churn: { sChurn: 40, sMin: 0.05, sMax: 50, sNoise: 1.003 } }).sample({ ops, denoiser, x: x0, sigmas, rngs });
 * @see https://arxiv.org/abs/2206.00364
 */
export function heun(options?: GeneralizedOptions): GeneralizedSolver {
  return generalized(1, options);
}

/**
 * The generic 2nd-order Runge–Kutta method with parameter α:
 * t' = t̂ + α h, x' = x̂ + α h d, x_{i+1} = x̂ + h·[(1 − 1/(2α))·d + (1/(2α))·d'].
 *
 * Paper: Algorithm 1, lines 9–11 (α = 1 Heun, α = ½ midpoint).
 * @param options.alpha - α ∈ (0, 1]; default 1.
 * @example
 * await secondOrder({ alpha: 0.5 }).sample({ ops, denoiser, x: x0, sigmas }); // explicit midpoint
 * @see https://arxiv.org/abs/2206.00364
 */
export function secondOrder(
  options?: GeneralizedOptions & { readonly alpha?: number },
): GeneralizedSolver {
  const alpha = checkNumber('alpha', options?.alpha ?? 1, {
    min: 0,
    minInclusive: false,
    max: 1,
  });
  return generalized(alpha, options);
}

/** Internal: the generalised sampler, optionally on given times t_i (see `sample`). */
export function generalized(
  alpha: number | undefined,
  input: GeneralizedOptions | undefined,
  times?: ArrayLike<number>,
): GeneralizedSolver {
  const options = checkOptions(input, '{ schedule?, scaling?, churn?, roundSigma?, duplicates? }');
  const schedule = options.schedule ?? linearSchedule();
  const scaling = options.scaling ?? noScaling();
  if (typeof schedule?.sigmaInv !== 'function')
    throw new ParameterError('schedule', 'a NoiseSchedule (σ, σ′, σ⁻¹)', schedule);
  if (typeof scaling?.s !== 'function')
    throw new ParameterError('scaling', 'a Scaling (s, s′)', scaling);
  const c = makeChurn(options.churn);
  const roundSigma = options.roundSigma;
  if (roundSigma !== undefined && typeof roundSigma !== 'function')
    throw new ParameterError('roundSigma', 'a function σ → σ', roundSigma);
  const duplicates = checkDuplicates(options.duplicates, 'keep', ['reject', 'merge', 'keep']);
  const order: 1 | 2 = alpha === undefined ? 1 : 2;
  const name =
    alpha === undefined
      ? 'euler'
      : alpha === 1
        ? 'heun'
        : alpha === 0.5
          ? 'midpoint'
          : 'second-order';
  const { sigma, sigmaDeriv, sigmaInv } = schedule;
  const { s, sDeriv } = scaling;
  const round = roundSigma ?? ((v: number) => v);
  const timeOf = (level: number, i: number): number =>
    times !== undefined ? times[i]! : level === 0 ? 0 : sigmaInv(level);

  function start<T>() {
    return async (ctx: StepContext<T>): Promise<T> => {
      const { i, n } = ctx;
      const tCur = timeOf(ctx.sigma, i);
      const tNext = timeOf(ctx.sigmaNext, i + 1);
      const sigmaCur = sigma(tCur);

      // d = [σ'/σ + s'/s]·x − [σ's/σ]·D(x/s; σ) at (x, t), x in the scaled coordinates (Eq. 4).
      const slope = async (x: T, t: number): Promise<T> => {
        const sigmaT = sigma(t);
        const sT = s(t);
        const xIn = sT === 1 ? x : ctx.combine([[1 / sT, x]]);
        const denoised = await ctx.denoise(xIn, sigmaT);
        const dSigma = sigmaDeriv(t);
        return ctx.combine([
          [dSigma / sigmaT + sDeriv(t) / sT, x],
          [(-dSigma * sT) / sigmaT, denoised],
        ]);
      };

      // γ_i, t̂ = σ⁻¹(σ(t_i)·(1 + γ_i)) (Algorithm 2, lines 4–5); γ uses the total N.
      const gamma = churnGamma(c, sigmaCur, n);
      const tHat = gamma === 0 ? tCur : sigmaInv(round(sigmaCur + gamma * sigmaCur));
      // One ε_i per step whenever streams are given, also where γ_i = 0 (as the official
      // code and k-diffusion draw), so the streams advance the same way whatever the window.
      const epsilon = ctx.hasNoise ? ctx.noise() : undefined;
      const noiseScale =
        gamma === 0
          ? 0
          : Math.sqrt(Math.max(sigma(tHat) ** 2 - sigmaCur ** 2, 0)) * s(tHat) * c.sNoise;
      // x̂ = s(t̂)·x̂_i + √(σ(t̂)² − σ(t_i)²)·s(t̂)·S_noise·ε_i, scaled coordinates (line 6).
      const sHat = s(tHat);
      const xHat =
        epsilon === undefined || noiseScale === 0
          ? sHat === 1
            ? ctx.x
            : ctx.combine([[sHat, ctx.x]])
          : ctx.combine([
              [sHat, ctx.x],
              [noiseScale, epsilon],
            ]);

      // Euler step from t̂ to t_{i+1} (lines 7–8); the step into σ = 0 is always Euler.
      const h = tNext - tHat;
      const d = await slope(xHat, tHat);
      let xNext: T;
      if (alpha === undefined || ctx.sigmaNext === 0) {
        xNext = ctx.combine([
          [1, xHat],
          [h, d],
        ]);
      } else {
        // 2nd-order correction: t' = t̂ + αh, x' = x̂ + αh·d (Algorithm 1, lines 9–11).
        const tPrime = tHat + alpha * h;
        if (!(tPrime > 0)) {
          throw new ParameterError(
            `sigmas[${i + 1}]`,
            `a level whose intermediate time t̂ + αh is > 0 (σ_${i}/σ_${i + 1} too large for float64)`,
            ctx.sigmaNext,
          );
        }
        const xPrime = ctx.combine([
          [1, xHat],
          [alpha * h, d],
        ]);
        const dPrime = await slope(xPrime, tPrime);
        xNext = ctx.combine([
          [1, xHat],
          [h * (1 - 1 / (2 * alpha)), d],
          [h / (2 * alpha), dPrime],
        ]);
      }
      // Back to unscaled coordinates x̂_{i+1} = x_{i+1}/s(t_{i+1}).
      const sNext = s(tNext);
      return sNext === 1 ? xNext : ctx.combine([[1 / sNext, xNext]]);
    };
  }

  return defineSolver({
    name,
    order,
    stochastic: c.sChurn > 0,
    duplicates,
    nfe: (steps, finalZero) => (order === 1 ? steps : finalZero ? 2 * steps - 1 : 2 * steps),
    start,
    fields: { alpha, schedule, scaling, churn: c, roundSigma },
  }) as GeneralizedSolver;
}
