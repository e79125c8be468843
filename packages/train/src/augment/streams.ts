import { checkNumber, sampleRngs, type Rng } from '@edmkit/core';

/** XORed into the run seed for the augmentation streams ('augm' in ASCII). */
export const AUGMENT_SEED_MASK = 0x6175676d;

/**
 * The augmentation streams of global samples `first` … `first + count − 1` of a run of
 * `seed`: the per-sample streams of `@edmkit/core` of the seed `seed ⊕ 0x6175676d`,
 * `sampleRngs(seed ^ 0x6175676d, count, first)`. The four stream blocks of the run's own
 * seed (loss, data, shuffle, dropout) fill the 2⁵³ stream indices a number can address, so
 * augmentation uses the same per-sample family of a seed of its own: like every other draw
 * of {@link train} it depends on (seed, global sample) only, whatever the batch, and the
 * `'loss'` draws (σ, noise) are the same with and without augmentation.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param first - global index of the first sample (images seen before the step)
 * @param count - number of streams (the batch size)
 * @example
 * const { images, labels } = augment.apply(batch, augmentStreams(seed, imagesSeen, batchSize));
 * @see https://arxiv.org/abs/2206.00364
 */
export function augmentStreams(seed: number, first: number, count: number): Rng[] {
  checkNumber('seed', seed, { min: 0, max: 0xffffffff, integer: true });
  return sampleRngs((seed ^ AUGMENT_SEED_MASK) >>> 0, count, first);
}
