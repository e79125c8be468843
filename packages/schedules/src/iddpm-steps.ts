import { ParameterError } from '@edmkit/core';
import { checkRange, checkSteps } from './check.js';
import { iddpmConstants, sharedUTable } from './iddpm-u.js';
import type { IddpmOptions } from './iddpm-u.js';
import type { Discretization, SigmaRange } from './types.js';

/** The iDDPM discretization returned by {@link iddpmSteps}. */
export interface IddpmSteps extends Discretization {
  readonly name: 'iddpm';
  readonly M: number;
  readonly C1: number;
  readonly C2: number;
}

/**
 * Rounds half to even (banker's rounding), as Python's and torch's `round` do.
 * `Math.round` is exact (no x + ½ double rounding), so only exact halves need fixing.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The iDDPM+DDIM time-step discretization: N levels picked evenly (by position) from
 * the u table entries that lie in [σ_min, σ_max].
 *
 * Paper: Table 1, iDDPM+DDIM column, row "Time steps t_{i<N}":
 * t_i = u_{⌊j₀ + (M−1−j₀)/(N−1)·i + ½⌋}. As the official code computes it (numerics guide:
 * “iDDPM time steps”, “iDDPM index rounding”):
 * keep the L values σ_min ≤ u_j ≤ σ_max in order of increasing j and take position
 * round(((L−1)/(N−1))·i), evaluated in exactly that float64 operation order and rounded
 * half to even (so e.g. N = 59, i = 29 gives 495.49999999999994 → 495, not 496).
 *
 * The u table is float64 ({@link iddpmUTable}); the official sampler's table differs by
 * up to ~5·10⁻⁴ relative (numerics guide: “iDDPM table precision”). N = 1 is defined as the
 * single level u_{j₀} (the
 * largest admitted one). N > L is refused (levels would repeat), as is a range
 * containing no u_j.
 *
 * @param options.M - M (default 1000)
 * @param options.C1 - C₁ (default 0.001)
 * @param options.C2 - C₂ (default 0.008)
 * @example
 * iddpmSteps().sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: 81 });
 * // u_8, u_256, u_504, u_751, u_999 ≈ [80.204, 2.3721, 0.99984, 0.42316, 0.0064254]
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmSteps(options: IddpmOptions = {}): IddpmSteps {
  const constants = iddpmConstants(options);
  const u = sharedUTable(constants);
  return Object.freeze({
    name: 'iddpm' as const,
    ...constants,
    sigmaSteps(n: number, range: SigmaRange): Float64Array {
      checkSteps(n);
      const { sigmaMin, sigmaMax } = checkRange(range);
      const filtered: number[] = [];
      for (let j = 0; j < u.length; j++) {
        const uj = u[j]!;
        if (uj >= sigmaMin && uj <= sigmaMax) filtered.push(uj);
      }
      const L = filtered.length;
      if (L === 0) {
        throw new ParameterError(
          'range',
          'a noise range containing at least one iDDPM level u_j',
          range,
        );
      }
      if (n > L) {
        throw new ParameterError(
          'n',
          `an integer <= ${L} (the number of iDDPM levels u_j in the range)`,
          n,
        );
      }
      const out = new Float64Array(n);
      if (n === 1) {
        out[0] = filtered[0]!;
        return out;
      }
      for (let i = 0; i < n; i++) out[i] = filtered[roundHalfEven(((L - 1) / (n - 1)) * i)]!;
      return out;
    },
  });
}
