import { checkNumber, ParameterError } from '@edmkit/core';
import { checkSigma, checkTime } from './check.js';
import type { NoiseSchedule, Scaling, SigmaRange } from './types.js';

/** Options of {@link vpSchedule} and {@link vpScaling}. */
export interface VpOptions {
  /** β_d, the linear slope of β(t) = β_min + β_d·t (default 19.9). Must be > 0. */
  readonly betaD?: number;
  /**
   * β_min, the value β(0) (default 0.1). May be negative, as refitted constants can be
   * (numerics guide: “Refitted VP constants”).
   */
  readonly betaMin?: number;
}

/** The VP noise schedule σ(t) returned by {@link vpSchedule}. */
export interface VpSchedule extends NoiseSchedule {
  readonly name: 'vp';
  /** β_d. */
  readonly betaD: number;
  /** β_min. */
  readonly betaMin: number;
}

/** The VP scaling s(t) returned by {@link vpScaling}. */
export interface VpScaling extends Scaling {
  readonly name: 'vp';
  /** The schedule σ(t) whose variance the scaling preserves: s(t) = 1/√(1 + σ(t)²). */
  readonly schedule: NoiseSchedule;
}

/** Options of {@link vpScaling}. */
export interface VpScalingOptions extends VpOptions {
  /**
   * The schedule σ(t) to scale for; default `vpSchedule({ betaD, betaMin })`.
   * The ablation sampler pairs the VP scaling with any schedule (numerics guide: “VP schedule”).
   */
  readonly schedule?: NoiseSchedule;
}

/** Default β_d of the VP model (numerics guide: “VP schedule”). */
export const VP_BETA_D = 19.9;
/** Default β_min of the VP model (numerics guide: “VP schedule”). */
export const VP_BETA_MIN = 0.1;

function checkBetas(options: VpOptions): { betaD: number; betaMin: number } {
  const betaD = checkNumber('betaD', options.betaD ?? VP_BETA_D, { min: 0, minInclusive: false });
  const betaMin = checkNumber('betaMin', options.betaMin ?? VP_BETA_MIN);
  return { betaD, betaMin };
}

/**
 * The variance-preserving noise schedule of Song et al. ("DDPM++ cont."), with
 * its derivative and inverse in float64.
 *
 * Paper: Table 1, VP column, row "Schedule σ(t)":
 * σ(t) = √(e^{½β_d t² + β_min t} − 1), σ'(t) = ½(β_min + β_d t)·(σ(t) + 1/σ(t)),
 * σ⁻¹(σ) = (√(β_min² + 2β_d ln(σ² + 1)) − β_min) / β_d.
 *
 * σ(t) uses `expm1` and σ⁻¹ uses `log1p` and a cancellation-free form of the root,
 * so both keep full float64 relative accuracy at small t and σ (the official code's
 * direct formulas lose up to ~10⁻¹⁰ relative there). σ'(t) is written in terms of σ(t)
 * itself, as the official ablation sampler does (numerics guide: “VP schedule”).
 *
 * With β_min < 0 (refitted constants, numerics guide: “Refitted VP constants”) σ(t) is
 * undefined on the open
 * interval (0, −2β_min/β_d); σ⁻¹ then maps σ → 0 to t = −2β_min/β_d, and calling σ(t)
 * inside that gap throws a {@link ParameterError}.
 *
 * @param options.betaD - β_d, slope of the linear β(t) (default 19.9)
 * @param options.betaMin - β_min = β(0) (default 0.1)
 * @example
 * const vp = vpSchedule();
 * vp.sigma(1);          // ≈ 152.16697
 * vp.sigmaInv(0.002);   // ≈ 3.98e-5
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpSchedule(options: VpOptions = {}): VpSchedule {
  const { betaD, betaMin } = checkBetas(options);
  // With β_min < 0 the exponent ½β_d t² + β_min t is negative on (0, tZero).
  const tZero = betaMin < 0 ? (-2 * betaMin) / betaD : 0;

  function sigma(t: number): number {
    checkTime(t);
    const e = t * (0.5 * betaD * t + betaMin);
    if (e <= 0) {
      // t = 0, or inside the gap (0, tZero) (refused), or within rounding of its right end.
      if (e < 0 && t < tZero * (1 - 1e-12)) {
        throw new ParameterError(
          't',
          `0 or a number >= ${tZero} (σ(t) is undefined in between for betaMin < 0)`,
          t,
        );
      }
      return 0;
    }
    // √(e^e − 1) written so that it neither overflows (e > 709) nor cancels (e → 0).
    const s = Math.exp(0.5 * e) * Math.sqrt(-Math.expm1(-e));
    if (!Number.isFinite(s)) throw new ParameterError('t', 'a number for which σ(t) is finite', t);
    return s;
  }

  return Object.freeze({
    name: 'vp' as const,
    betaD,
    betaMin,
    sigma,
    sigmaDeriv(t: number): number {
      const s = sigma(t);
      if (!(s > 0))
        throw new ParameterError('t', `a number > ${tZero} (σ'(t) is infinite where σ(t) = 0)`, t);
      return 0.5 * (betaMin + betaD * t) * (s + 1 / s);
    },
    sigmaInv(sigmaValue: number): number {
      checkSigma(sigmaValue);
      // ln(σ² + 1), without overflow of σ² for huge σ.
      // Stryker disable next-line EqualityOperator: at σ = 10¹⁵⁰ both forms give the same float64
      const l = sigmaValue > 1e150 ? 2 * Math.log(sigmaValue) : Math.log1p(sigmaValue * sigmaValue);
      const q = Math.sqrt(betaMin * betaMin + 2 * betaD * l);
      // (q − β_min)/β_d cancels when β_min > 0 and σ is small; 2l/(q + β_min) is the same number.
      // Stryker disable next-line EqualityOperator: at β_min = 0 both forms are √(2l/β_d)
      return betaMin > 0 ? (2 * l) / (q + betaMin) : (q - betaMin) / betaD;
    },
  });
}

/**
 * The variance-preserving scaling s(t) = 1/√(1 + σ(t)²), in float64, for the VP
 * schedule or any other σ(t).
 *
 * Paper: Table 1, VP column, row "Scaling s(t)": s(t) = 1/√(e^{½β_d t² + β_min t}),
 * s'(t) = −σ(t)σ'(t)s(t)³. As in the official ablation sampler, the scaling is
 * defined through the schedule in use, so "σ(t) = √t with VP scaling" means
 * s(t) = 1/√(1 + t).
 *
 * For the VP schedule (the default) it is evaluated as s(t) = exp(−¼β_d t² − ½β_min t)
 * and s'(t) = −½(β_min + β_d t)·s(t), which equal the Table 1 forms exactly (since
 * s² = 1/(1 + σ²)) and stay defined at t = 0 and, for β_min < 0, where σ(t) is not.
 * For another schedule it is 1/√(1 + σ(t)²) and −σ(t)σ'(t)s(t)³.
 *
 * @param options.betaD - β_d of the default VP schedule (default 19.9)
 * @param options.betaMin - β_min of the default VP schedule (default 0.1)
 * @param options.schedule - σ(t) to scale for (default the VP schedule with β_d, β_min)
 * @example
 * vpScaling().s(1); // ≈ 0.00657
 * vpScaling({ schedule: veSchedule() }).s(4); // 1/√5
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpScaling(options: VpScalingOptions = {}): VpScaling {
  const given = options.schedule;
  const isVp = (x: NoiseSchedule): x is VpSchedule =>
    x.name === 'vp' &&
    typeof (x as Partial<VpSchedule>).betaD === 'number' &&
    typeof (x as Partial<VpSchedule>).betaMin === 'number';
  if (given !== undefined && !isVp(given)) {
    if (typeof given.sigma !== 'function' || typeof given.sigmaDeriv !== 'function') {
      throw new ParameterError('schedule', 'a NoiseSchedule', given);
    }
    const s = (t: number): number => 1 / Math.sqrt(1 + given.sigma(t) ** 2);
    return Object.freeze({
      name: 'vp' as const,
      schedule: given,
      s,
      sDeriv: (t: number): number => -given.sigma(t) * given.sigmaDeriv(t) * s(t) ** 3,
    });
  }
  const schedule = given ?? vpSchedule(options);
  const { betaD, betaMin } = schedule;
  const s = (t: number): number => {
    checkTime(t);
    return Math.exp(-0.5 * t * (0.5 * betaD * t + betaMin));
  };
  return Object.freeze({
    name: 'vp' as const,
    schedule,
    s,
    sDeriv: (t: number): number => -0.5 * (betaMin + betaD * t) * s(t),
  });
}

/** Options of {@link vpSigmaRange}. */
export interface VpSigmaRangeOptions extends VpOptions {
  /** ε, the smallest time (default ε_s = 10⁻³, the sampling default; the VP network's training ε_t is 10⁻⁵). */
  readonly epsilon?: number;
}

/**
 * The noise range [σ(ε), σ(1)] a VP schedule covers on t ∈ [ε, 1].
 *
 * Paper: Table 1, VP column (numerics guide: “Noise range defaults and clamping”): with
 * the defaults it is the VP
 * discretization's default range (0.0104860, 152.16697).
 *
 * @param options.betaD - β_d (default 19.9)
 * @param options.betaMin - β_min (default 0.1)
 * @param options.epsilon - ε, in (0, 1) (default 10⁻³)
 * @example
 * vpSigmaRange();                   // { sigmaMin: 0.0104860, sigmaMax: 152.16697 }
 * vpSigmaRange({ epsilon: 1e-5 });  // the VP network's range, sigmaMin ≈ 0.0010005
 * @see https://arxiv.org/abs/2206.00364
 */
export function vpSigmaRange(options: VpSigmaRangeOptions = {}): SigmaRange {
  const epsilon = checkNumber('epsilon', options.epsilon ?? 1e-3, {
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
  });
  const vp = vpSchedule(options);
  return Object.freeze({ sigmaMin: vp.sigma(epsilon), sigmaMax: vp.sigma(1) });
}
