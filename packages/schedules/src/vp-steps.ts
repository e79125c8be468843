import { checkNumber, ParameterError } from '@edmkit/core';
import { checkRange, checkSteps } from './check.js';
import type { Discretization, SigmaRange } from './types.js';
import { vpSchedule } from './vp.js';

/** Default ε_s, the smallest time of the VP discretization (numerics guide: “VP time steps”). */
export const VP_EPSILON_S = 1e-3;

/** Refitted VP constants returned by {@link refitVp}. */
export interface VpBetas {
  /** β_d'. */
  readonly betaD: number;
  /** β_min'. */
  readonly betaMin: number;
}

function checkEpsilonS(epsilonS: unknown): number {
  return checkNumber('epsilonS', epsilonS, {
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
  });
}

/**
 * The VP constants β_d', β_min' refitted so that σ_VP(ε_s) = σ_min and σ_VP(1) = σ_max
 * for a given (clamped) noise range, as the official ablation sampler does whenever the
 * VP discretization, schedule or scaling is used.
 *
 * Paper: not in the paper; official code (numerics guide: “Refitted VP constants”):
 * β_d' = 2·(ln(σ_min² + 1)/ε_s − ln(σ_max² + 1))/(ε_s − 1), β_min' = ln(σ_max² + 1) − ½β_d'.
 *
 * For the native VP range this gives back 19.9 and 0.1 (to ~10⁻¹³); for the EDM range
 * (0.002, 80) it gives β_d' ≈ 17.53796, β_min' ≈ −0.0047690 (negative). Throws a
 * {@link ParameterError} when the fit would not make σ(t) increasing on [ε_s, 1].
 *
 * @param range - the noise range [σ_min, σ_max], 0 < σ_min < σ_max < ∞
 * @param epsilonS - ε_s, the time that maps to σ_min, in (0, 1) (default 10⁻³)
 * @example
 * refitVp({ sigmaMin: 0.002, sigmaMax: 80 }); // { betaD: 17.53796…, betaMin: −0.0047690… }
 * @see https://arxiv.org/abs/2206.00364
 */
export function refitVp(range: SigmaRange, epsilonS: number = VP_EPSILON_S): VpBetas {
  const { sigmaMin, sigmaMax } = checkRange(range);
  const eps = checkEpsilonS(epsilonS);
  const lMin = Math.log1p(sigmaMin * sigmaMin);
  const lMax = Math.log1p(sigmaMax * sigmaMax);
  const betaD = (2 * (lMin / eps - lMax)) / (eps - 1);
  const betaMin = lMax - 0.5 * betaD;
  // σ(t) increases on [ε_s, 1] iff β(t) = β_min + β_d t > 0 there (with β_d > 0).
  if (!(betaD > 0) || !(betaMin + betaD * eps > 0) || !Number.isFinite(betaMin)) {
    throw new ParameterError(
      'range',
      `a noise range a VP schedule can fit with σ(t) increasing on [epsilonS, 1] (got betaD = ${betaD}, betaMin = ${betaMin})`,
      range,
    );
  }
  return Object.freeze({ betaD, betaMin });
}

/** Options of {@link vpSteps}. */
export interface VpStepsOptions {
  /** ε_s, the last time step (default 10⁻³). */
  readonly epsilonS?: number;
}

/** The VP discretization returned by {@link vpSteps}. */
export interface VpSteps extends Discretization {
  readonly name: 'vp';
  /** ε_s. */
  readonly epsilonS: number;
}

/**
 * The VP time-step discretization: uniform in t from 1 down to ε_s, mapped to noise
 * levels by a VP schedule whose constants are refitted to the requested range.
 *
 * Paper: Table 1, VP column, row "Time steps t_{i<N}": t_i = 1 + (i/(N−1))·(ε_s − 1);
 * here σ_i = σ_VP'(t_i) with β_d', β_min' from {@link refitVp} (numerics guide: “Refitted VP
 * constants”, “From noise levels to times”), so
 * σ_0 = σ_max and σ_{N−1} = σ_min up to rounding.
 *
 * N = 1 is defined as the single level [σ(1)] = [σ_max] (the paper's formula divides by N − 1).
 *
 * @param options.epsilonS - ε_s, in (0, 1) (default 10⁻³)
 * @example
 * vpSteps().sigmaSteps(18, { sigmaMin: 0.0104860, sigmaMax: 152.16697 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpSteps(options: VpStepsOptions = {}): VpSteps {
  const epsilonS = checkEpsilonS(options.epsilonS ?? VP_EPSILON_S);
  return Object.freeze({
    name: 'vp' as const,
    epsilonS,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const vp = vpSchedule(refitVp(range, epsilonS));
      const out = new Float64Array(n);
      if (n === 1) {
        out[0] = vp.sigma(1);
        return out;
      }
      for (let i = 0; i < n; i++) out[i] = vp.sigma(1 + (i / (n - 1)) * (epsilonS - 1));
      return out;
    },
  });
}
