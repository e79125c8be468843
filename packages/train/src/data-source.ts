/**
 * Where training images come from. The loop asks for the samples of global indices
 * `first … first + count − 1` of the run of `seed` (global index = images seen
 * before the sample), so what a step sees depends on (seed, images seen) only and a
 * resumed run sees exactly what the uninterrupted one would.
 */
export interface DataSource {
  /** Literal name of the source kind, e.g. `'dataset'`, `'sampler'`. */
  readonly name: string;
  /** Shape of one sample, as the network's `inputShape` (NHWC `[h, w, c]` for images, `[d]` for vectors). */
  readonly shape: readonly number[];
  /** Number of distinct samples (Infinity for a sampler). */
  readonly size: number;
  /**
   * The samples of global indices first … first + count − 1, flattened sample after
   * sample (count · ∏shape float32 numbers). Pure: the same arguments give the same numbers.
   */
  batch(seed: number, first: number, count: number): Float32Array;
}

/** Number of scalars in one sample of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
