import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import { sizeOf, type DataSource } from './data-source.js';
import { sampleStream } from './streams.js';

/** Options of {@link datasetSource}. */
export interface DatasetSourceOptions {
  /** The N samples, flattened sample after sample (N · ∏shape numbers, e.g. images scaled to [−1, 1]). Copied as float32. */
  readonly data: ArrayLike<number>;
  /** Shape of one sample, as the network's `inputShape` (NHWC `[h, w, c]`, or `[d]`). */
  readonly shape: readonly number[];
  /** Visit the set in a fresh random order every epoch (default true); false: in storage order. */
  readonly shuffle?: boolean;
}

/** A finite training set returned by {@link datasetSource}. */
export interface DatasetSource extends DataSource {
  readonly name: 'dataset';
  readonly shuffle: boolean;
  /** The storage index of the sample at global index `index` of the run of `seed`. */
  indexAt(seed: number, index: number): number;
}

/**
 * A finite training set visited epoch after epoch, each epoch in its own seeded
 * random order: global sample g is sample perm_e[g mod N] with e = ⌊g / N⌋ and perm_e
 * a Fisher–Yates permutation drawn from the `'shuffle'` stream e of the run seed. So
 * every image is seen once per epoch, and the order is a function of (seed, g):
 * resuming needs only the number of images seen. (The official code streams the set
 * through a windowed infinite sampler instead; the statistics are the same.)
 *
 * @param options.data - the samples, flattened (copied as float32)
 * @param options.shape - per-sample shape (positive integers)
 * @param options.shuffle - reshuffle every epoch (default true)
 * @example
 * const source = datasetSource({ data: images, shape: [28, 28, 1] }); // images in [-1, 1]
 * const y = source.batch(0, 0, 64); // the first 64 samples of the run of seed 0
 * @see https://arxiv.org/abs/2206.00364
 */
export function datasetSource(options: DatasetSourceOptions): DatasetSource {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError('options', 'an object { data, shape, shuffle? }', options);
  }
  const shape = checkShape(options.shape);
  const per = sizeOf(shape);
  const raw = options.data;
  if (raw == null || typeof raw.length !== 'number' || raw.length === 0 || raw.length % per !== 0) {
    throw new ParameterError(
      'data',
      `a non-empty array whose length is a multiple of ∏shape = ${per}`,
      raw,
    );
  }
  const data = Float32Array.from(raw);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new ParameterError(`data[${i}]`, 'a finite number (as float32)', raw[i]);
  }
  const size = data.length / per;
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new ParameterError('shuffle', 'a boolean', shuffle);

  // The permutation of the most recent epoch, recomputed when the epoch changes.
  let cached: { seed: number; epoch: number; perm: Uint32Array } | undefined;
  const permutation = (seed: number, epoch: number): Uint32Array => {
    if (cached?.seed === seed && cached.epoch === epoch) return cached.perm;
    const perm = new Uint32Array(size);
    for (let i = 0; i < size; i++) perm[i] = i;
    const rng = sampleStream(seed, epoch, 'shuffle');
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    cached = { seed, epoch, perm };
    return perm;
  };
  const indexAt = (seed: number, index: number): number => {
    checkNumber('index', index, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
    const position = index % size;
    return shuffle ? permutation(seed, Math.floor(index / size))[position]! : position;
  };

  return Object.freeze({
    name: 'dataset' as const,
    shape,
    size,
    shuffle,
    indexAt,
    batch(seed: number, first: number, count: number): Float32Array {
      checkNumber('seed', seed, { min: 0, max: 0xffffffff, integer: true });
      checkInteger('count', count, 1);
      checkNumber('first', first, { min: 0, max: Number.MAX_SAFE_INTEGER - count, integer: true });
      const out = new Float32Array(count * per);
      for (let k = 0; k < count; k++) {
        const i = indexAt(seed, first + k);
        out.set(data.subarray(i * per, (i + 1) * per), k * per);
      }
      return out;
    },
  });
}

/** Checks a per-sample shape: a non-empty list of positive integers. */
export function checkShape(shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ParameterError('shape', 'a non-empty array of positive integers', shape);
  }
  shape.forEach((s, i) => checkInteger(`shape[${i}]`, s, 1));
  return Object.freeze([...(shape as number[])]);
}
