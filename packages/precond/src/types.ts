import type { SigmaRange } from '@edmkit/schedules';

/**
 * Preconditioning of a raw network F into a denoiser (paper Eq. 7, Table 1 rows
 * "Network and preconditioning"):
 *
 *     D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))
 *
 * with the σ range the network supports and its σ rounding.
 */
export interface Preconditioner extends SigmaRange {
  /** Literal name of the variant: `'vp'`, `'ve'`, `'iddpm'`, `'edm'`. */
  readonly name: string;
  /** c_skip(σ): weight of the skip connection. */
  readonly cSkip: (sigma: number) => number;
  /** c_out(σ): scale of the network output. */
  readonly cOut: (sigma: number) => number;
  /** c_in(σ): scale of the network input. */
  readonly cIn: (sigma: number) => number;
  /** c_noise(σ): the noise conditioning value fed to the network. */
  readonly cNoise: (sigma: number) => number;
  /** Snaps σ to a level the network supports (identity except for iDDPM). */
  readonly roundSigma: (sigma: number) => number;
}

/** A raw network F(c_in·x; c_noise), before preconditioning. May be async. */
export type RawNetwork<T> = (xIn: T, cNoise: number) => T | Promise<T>;
