/**
 * A noise schedule σ(t) of the probability-flow ODE (paper Table 1, row "Schedule σ(t)").
 * `t` is the schedule's own time variable; σ is the noise standard deviation.
 */
export interface NoiseSchedule {
  /** Literal name of the variant, e.g. `'vp'`, `'ve'`, `'linear'`. */
  readonly name: string;
  /** σ(t). */
  readonly sigma: (t: number) => number;
  /** σ'(t) = dσ/dt. */
  readonly sigmaDeriv: (t: number) => number;
  /** σ⁻¹(σ): the time at which the schedule reaches noise level `sigma`. */
  readonly sigmaInv: (sigma: number) => number;
}

/**
 * A scaling s(t) of the probability-flow ODE (paper Table 1, row "Scaling s(t)"):
 * the sampler works on x = s(t)·x̂.
 */
export interface Scaling {
  /** Literal name of the variant, e.g. `'vp'`, `'none'`. */
  readonly name: string;
  /** s(t). */
  readonly s: (t: number) => number;
  /** s'(t) = ds/dt. */
  readonly sDeriv: (t: number) => number;
}

/** A noise-level interval [σ_min, σ_max] with 0 < σ_min < σ_max. */
export interface SigmaRange {
  readonly sigmaMin: number;
  readonly sigmaMax: number;
}

/**
 * A time-step discretization (paper Table 1, row "Time steps t_{i<N}"): the N
 * noise levels σ_0 > σ_1 > … > σ_{N−1} a sampler visits before its final step to σ_N = 0.
 */
export interface Discretization {
  /** Literal name of the variant, e.g. `'edm'`, `'vp'`, `'ve'`, `'iddpm'`. */
  readonly name: string;
  /**
   * The decreasing noise levels σ_0 … σ_{n−1} for `n` steps within `range`
   * (the trailing σ_N = 0 is not included).
   */
  readonly sigmaSteps: (n: number, range: SigmaRange) => Float64Array;
}
