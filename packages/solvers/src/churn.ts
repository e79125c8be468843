import { checkNumber, ParameterError } from '@edmkit/core';

/**
 * Stochastic "churn" of the EDM sampler (paper Algorithm 2, lines 4–6): at each
 * step noise is added to raise σ by a factor (1 + γ_i) before the ODE step.
 */
export interface Churn {
  /** S_churn ≥ 0: overall amount of stochasticity; 0 makes the sampler deterministic. */
  readonly sChurn: number;
  /** S_min: churn applies only where S_min ≤ σ(t_i) ≤ S_max. */
  readonly sMin: number;
  /** S_max. */
  readonly sMax: number;
  /** S_noise: scale of the added noise (slightly above 1 compensates detail loss). */
  readonly sNoise: number;
}

/** No churn: the deterministic sampler. */
export const noChurn: Churn = Object.freeze({ sChurn: 0, sMin: 0, sMax: Infinity, sNoise: 1 });

/**
 * Validated churn settings; omitted fields take the deterministic defaults
 * (S_churn = 0, S_min = 0, S_max = ∞, S_noise = 1).
 *
 * Paper: Algorithm 2; Table 5 lists the per-dataset values (e.g. ImageNet-64:
 * S_churn = 40, S_min = 0.05, S_max = 50, S_noise = 1.003).
 * @example
 * churn({ sChurn: 40, sMin: 0.05, sMax: 50, sNoise: 1.003 })
 * @see https://arxiv.org/abs/2206.00364
 */
export function churn(options: Partial<Churn> = {}): Churn {
  const sChurn = checkNumber('sChurn', options.sChurn ?? 0, { min: 0 });
  const sMin = checkNumber('sMin', options.sMin ?? 0, { min: 0 });
  const sMax = checkNumber('sMax', options.sMax ?? Infinity, { min: 0, allowInfinity: true });
  const sNoise = checkNumber('sNoise', options.sNoise ?? 1, { min: 0 });
  if (sMin > sMax) throw new ParameterError('sMax', `a number >= sMin = ${sMin}`, sMax);
  return Object.freeze({ sChurn, sMin, sMax, sNoise });
}

/**
 * γ_i = min(S_churn / N, √2 − 1) if S_min ≤ σ_i ≤ S_max, else 0 — with N the
 * total number of steps (not the remaining ones), and both bounds inclusive.
 *
 * Paper: Algorithm 2, line 4.
 */
export function churnGamma(c: Churn, sigmaI: number, n: number): number {
  if (c.sChurn === 0 || sigmaI < c.sMin || sigmaI > c.sMax) return 0;
  return Math.min(c.sChurn / n, Math.SQRT2 - 1);
}
