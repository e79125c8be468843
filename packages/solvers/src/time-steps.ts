import { checkInteger, ParameterError } from '@edmkit/core';
import type { Discretization, NoiseSchedule, SigmaRange } from '@edmkit/schedules';

/** Options of {@link timeSteps}. */
export interface TimeStepsOptions {
  /** The discretization giving σ_0 > … > σ_{N−1}. */
  readonly discretization: Discretization;
  /** Number of steps N ≥ 1. */
  readonly n: number;
  /** The (already clamped) noise range [σ_min, σ_max]. */
  readonly range: SigmaRange;
  /** The schedule whose time the sampler runs in (σ⁻¹ converts levels to times). */
  readonly schedule: NoiseSchedule;
  /** The network's σ rounding (identity unless the network only supports discrete levels). */
  readonly roundSigma?: (sigma: number) => number;
}

/**
 * The sampler's time steps t_0 > … > t_{N−1} > t_N = 0: the discretization's
 * noise levels, rounded to levels the network supports, converted to the
 * schedule's time with σ⁻¹, and a final 0 appended.
 *
 * Paper: Eq. 5 (t_i = σ⁻¹(σ_i)) and Algorithm 1, line 1 (numerics guide: “From noise levels
 * to times”).
 * @example
 * const t = timeSteps({ discretization: edmSteps({ rho: 7 }), n: 18,
 *   range: { sigmaMin: 0.002, sigmaMax: 80 }, schedule: linearSchedule() });
 * @see https://arxiv.org/abs/2206.00364
 */
export function timeSteps(options: TimeStepsOptions): Float64Array {
  const n = checkInteger('n', options.n, 1);
  const { discretization, range, schedule, roundSigma } = options;
  const sigmas = discretization.sigmaSteps(n, range);
  const t = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const sigma = roundSigma ? roundSigma(sigmas[i]!) : sigmas[i]!;
    t[i] = schedule.sigmaInv(sigma);
  }
  t[n] = 0;
  return t;
}

/**
 * Checks a time-step list: finite, non-increasing, t_{N−1} > t_N = 0, N ≥ 1.
 * A repeated level (which σ rounding to a network's discrete levels can create,
 * e.g. EDM steps snapped to the iDDPM table) is a zero-length step, as in the
 * official sampler: it costs its evaluations and leaves x unchanged.
 */
export function checkTimeSteps(tSteps: ArrayLike<number>): void {
  if (tSteps == null || tSteps.length < 2) {
    throw new ParameterError('tSteps', 'a list of N + 1 >= 2 times ending in 0', tSteps?.length);
  }
  const last = tSteps.length - 1;
  if (tSteps[last] !== 0)
    throw new ParameterError(`tSteps[${last}]`, '0 (the sampler ends at t_N = 0)', tSteps[last]);
  for (let i = 0; i < last; i++) {
    const ti = tSteps[i]!;
    const next = tSteps[i + 1]!;
    if (!Number.isFinite(ti) || !(ti >= next) || !(ti > 0)) {
      throw new ParameterError(
        `tSteps[${i}]`,
        `a finite number > 0 and >= tSteps[${i + 1}] = ${next} (non-increasing)`,
        ti,
      );
    }
  }
}
