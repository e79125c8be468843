import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import { checkSigma } from './check.js';

/** Options of the iDDPM u table (numerics guide: “iDDPM u table”). */
export interface IddpmOptions {
  /** M, the number of discrete DDPM steps (default 1000). */
  readonly M?: number;
  /** C₁, the lower clamp of ᾱ_{j−1}/ᾱ_j (default 0.001). */
  readonly C1?: number;
  /** C₂, the offset of the cosine schedule (default 0.008). */
  readonly C2?: number;
}

/** Validated iDDPM constants. */
export interface IddpmConstants {
  readonly M: number;
  readonly C1: number;
  readonly C2: number;
}

/** Checks and fills in the iDDPM constants M, C₁, C₂. */
export function iddpmConstants(options: IddpmOptions = {}): IddpmConstants {
  const M = checkInteger('M', options.M ?? 1000, 1);
  const C1 = checkNumber('C1', options.C1 ?? 0.001, { min: 0, minInclusive: false, max: 1 });
  const C2 = checkNumber('C2', options.C2 ?? 0.008, { min: 0 });
  return { M, C1, C2 };
}

const cache = new Map<string, Float64Array>();

/**
 * The shared (cached, never mutated) u table of the given constants. Internal:
 * callers outside this package get copies from {@link iddpmUTable}.
 */
export function sharedUTable(constants: IddpmConstants): Float64Array {
  const { M, C1, C2 } = constants;
  const key = `${M},${C1},${C2}`;
  let u = cache.get(key);
  if (u === undefined) {
    u = computeUTable(M, C1, C2);
    if (cache.size >= 16) cache.clear();
    cache.set(key, u);
  }
  return u;
}

function computeUTable(M: number, C1: number, C2: number): Float64Array {
  const u = new Float64Array(M + 1); // u_M = 0
  const scale = Math.PI / 2 / (M * (C2 + 1));
  for (let j = M; j >= 1; j--) {
    const a = scale * j; // ᾱ_j = sin²(a)
    const b = scale * (j - 1); // ᾱ_{j−1} = sin²(b)
    const sinA = Math.sin(a);
    const sinB = Math.sin(b);
    const r = (sinB * sinB) / (sinA * sinA); // ᾱ_{j−1}/ᾱ_j
    const uj = u[j]!;
    let u2: number;
    if (r >= C1) {
      // (u_j² + 1)/r − 1 = (u_j² + (1 − r))/r, with 1 − r = sin(a + b)·sin(a − b)/sin²(a)
      // computed without cancellation.
      const oneMinusR = (Math.sin(a + b) * Math.sin(scale)) / (sinA * sinA);
      u2 = (uj * uj + oneMinusR) / r;
    } else {
      u2 = (uj * uj + 1) / C1 - 1;
    }
    u[j - 1] = Math.sqrt(u2);
  }
  return u;
}

/**
 * The iDDPM noise levels u_0 > u_1 > … > u_M = 0 of the improved-DDPM cosine
 * schedule, computed in float64 from the recursion.
 *
 * Paper: Table 1, iDDPM+DDIM column (numerics guide: “iDDPM u table”):
 * ᾱ_j = sin²((π/2)·j/(M(C₂ + 1))), u_M = 0,
 * u_{j−1} = √((u_j² + 1)/max(ᾱ_{j−1}/ᾱ_j, C₁) − 1).
 *
 * The official code builds this table in float32 (network) or with a float32 ratio
 * (sampler); those tables differ from this float64 one by up to ~5·10⁻⁴ relative at
 * small σ (numerics guide: “iDDPM table precision”). With the defaults u_0 ≈ 20291.17,
 * u_8 ≈ 80.2037, u_999 ≈ 0.0064254.
 *
 * @param options.M - M, integer ≥ 1 (default 1000)
 * @param options.C1 - C₁ in (0, 1] (default 0.001)
 * @param options.C2 - C₂ ≥ 0 (default 0.008)
 * @returns a fresh Float64Array of length M + 1
 * @example
 * const u = iddpmUTable();
 * u[8];    // ≈ 80.2037
 * u[1000]; // 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmUTable(options: IddpmOptions = {}): Float64Array {
  return sharedUTable(iddpmConstants(options)).slice();
}

/**
 * The index j*(σ) = argmin_j |u_j − σ| of the table level nearest to σ (ties go to the
 * smaller j, as `argmin` does). Used for the iDDPM c_noise = M − 1 − j*(σ) and round_sigma.
 *
 * Paper: Table 1, iDDPM+DDIM column, row "Noise cond. c_noise(σ)" (numerics guide:
 * “iDDPM preconditioning”, “Sigma rounding”).
 *
 * @param u - the u table (e.g. from {@link iddpmUTable}), any order
 * @param sigma - σ ≥ 0
 * @example
 * iddpmIndex(iddpmUTable(), 80); // 8
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmIndex(u: ArrayLike<number>, sigma: number): number {
  checkSigma(sigma);
  if (u == null || u.length === 0) throw new ParameterError('u', 'a non-empty u table', u);
  let best = 0;
  let bestDist = Math.abs(u[0]! - sigma);
  for (let j = 1; j < u.length; j++) {
    const dist = Math.abs(u[j]! - sigma);
    if (dist < bestDist) {
      best = j;
      bestDist = dist;
    }
  }
  if (Number.isNaN(bestDist)) throw new ParameterError('u', 'a table of finite numbers', u);
  return best;
}

/**
 * A round_sigma function snapping σ to the nearest level of a u table: σ ↦ u_{j*(σ)}.
 *
 * Paper: Table 1, iDDPM+DDIM column; official `iDDPMPrecond.round_sigma` (numerics guide:
 * “Sigma rounding”), here
 * against the given (float64) table instead of the official float32 one.
 *
 * @param u - the u table (e.g. from {@link iddpmUTable}); copied
 * @example
 * const round = iddpmRoundSigma(iddpmUTable());
 * round(80);     // ≈ 80.2037 (u_8)
 * round(0.0001); // 0 (u_1000)
 * @see https://arxiv.org/abs/2206.00364
 */
export function iddpmRoundSigma(u: ArrayLike<number>): (sigma: number) => number {
  if (u == null || u.length === 0) throw new ParameterError('u', 'a non-empty u table', u);
  const table = Float64Array.from(u);
  return (sigma: number): number => table[iddpmIndex(table, sigma)]!;
}
