import { checkOrdered, checkPositive, ParameterError } from '@edmkit/core';
import type { SigmaRange } from '@edmkit/schedules';

/**
 * Clamps a requested noise range to the range a network supports.
 *
 * Paper: not an equation of the paper; the official ablation sampler (numerics guide: “Noise
 * range defaults and clamping”):
 * σ_min ← max(σ_min, net.σ_min), σ_max ← min(σ_max, net.σ_max). Happens before the
 * discretization, the VP refit and rounding.
 *
 * Throws a {@link ParameterError} if the requested range is invalid or does not
 * overlap the network's.
 *
 * @param range - the requested [σ_min, σ_max], 0 < σ_min < σ_max < ∞
 * @param precond - the network's supported range (a Preconditioner)
 * @example
 * clampRange({ sigmaMin: 0.002, sigmaMax: 81 }, iddpmPrecond()); // { sigmaMin: u_999 ≈ 0.0064254, sigmaMax: 81 }
 * @see https://arxiv.org/abs/2206.00364
 */
export function clampRange(range: SigmaRange, precond: SigmaRange): SigmaRange {
  const sigmaMin = checkPositive('range.sigmaMin', range?.sigmaMin);
  // Stryker disable next-line OptionalChaining: a missing range has already failed on sigmaMin
  const sigmaMax = checkPositive('range.sigmaMax', range?.sigmaMax);
  checkOrdered('range.sigmaMin', sigmaMin, 'range.sigmaMax', sigmaMax);
  const lo = Math.max(sigmaMin, precond.sigmaMin);
  const hi = Math.min(sigmaMax, precond.sigmaMax);
  if (!(lo < hi)) {
    throw new ParameterError(
      'range',
      `a noise range overlapping the network's supported range [${precond.sigmaMin}, ${precond.sigmaMax}]`,
      range,
    );
  }
  return Object.freeze({ sigmaMin: lo, sigmaMax: hi });
}
