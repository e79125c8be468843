import { checkInteger, checkNumber, ParameterError, type Rng } from '@edmkit/core';
import { sizeOf, type DataSource } from './data-source.js';
import { checkShape } from './dataset-source.js';
import { sampleStreams } from './streams.js';

/** Options of {@link samplerSource}. */
export interface SamplerSourceOptions {
  /** Shape of one sample, as the network's `inputShape`. */
  readonly shape: readonly number[];
  /**
   * Draws one sample per stream, sample b from `rngs[b]` only, flattened (rngs.length ·
   * ∏shape numbers) — the `sample` of an `@edmkit/data` DataSet fits as it is.
   */
  readonly sample: (rngs: readonly Rng[]) => ArrayLike<number>;
}

/** An infinite data source returned by {@link samplerSource}. */
export interface SamplerSource extends DataSource {
  readonly name: 'sampler';
}

/**
 * Infinite training data from a sampler, e.g. a Gaussian mixture of `@edmkit/data`:
 * global sample g is drawn from the `'data'` stream g of the run seed, so it depends
 * on (seed, g) only and never repeats.
 *
 * @param options.shape - per-sample shape (positive integers)
 * @param options.sample - (rngs) => samples, one per stream
 * @example
 * const mixture = gaussianMixture({ ... });
 * const source = samplerSource({ shape: [mixture.dim], sample: mixture.sample });
 * @see https://arxiv.org/abs/2206.00364
 */
export function samplerSource(options: SamplerSourceOptions): SamplerSource {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { shape, sample }', options);
  }
  const shape = checkShape(options.shape);
  const sample = options.sample;
  if (typeof sample !== 'function')
    throw new ParameterError('sample', 'a function (rngs) => samples', sample);
  const per = sizeOf(shape);
  return Object.freeze({
    name: 'sampler' as const,
    shape,
    size: Infinity,
    batch(seed: number, first: number, count: number): Float32Array {
      checkInteger('count', count, 1);
      checkNumber('first', first, { min: 0, max: Number.MAX_SAFE_INTEGER - count, integer: true });
      const drawn = sample(sampleStreams(seed, first, count, 'data'));
      if (drawn == null || drawn.length !== count * per) {
        throw new ParameterError('sample(rngs)', `an array of ${count} · ${per} numbers`, drawn);
      }
      const out = Float32Array.from(drawn);
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(out[i]))
          throw new ParameterError(`sample(rngs)[${i}]`, 'a finite number', drawn[i]);
      }
      return out;
    },
  });
}
