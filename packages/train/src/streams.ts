import { checkInteger, checkNumber, checkOneOf, sampleRngs, type Rng } from '@edmkit/core';

/** What a derived stream is used for; each purpose has its own block of streams. */
export type StreamPurpose = 'loss' | 'data' | 'shuffle' | 'dropout';

/** Streams of one purpose: indices 0 … 2⁵¹ − 1 (2.25·10¹⁵ images). */
export const STREAMS_PER_PURPOSE = 2 ** 51;

const BLOCK: Readonly<Record<StreamPurpose, number>> = Object.freeze({
  loss: 0,
  data: 1,
  shuffle: 2,
  dropout: 3,
});
const PURPOSES = Object.keys(BLOCK) as StreamPurpose[];

/**
 * Streams `first` … `first + count − 1` of the family `purpose` of `seed`: the
 * per-sample streams of `@edmkit/core`, `sampleRngs(seed, count, offset + first)`, each
 * purpose in its own block of 2⁵¹ of them (loss at offset 0, then data, shuffle, dropout).
 * So the `'loss'` streams of a step are exactly `sampleRngs(seed, batchSize, imagesSeen)`,
 * as `denoisingLoss` of `@edmkit/losses` documents them, and there is one random family in
 * edmkit.
 *
 * Sample k of a step is the global sample `imagesSeen + k`; its noise level σ and noise n
 * come from its `'loss'` stream, so a run resumed from a checkpoint draws exactly what the
 * uninterrupted run would, and a sample draws the same numbers whatever the batch it lands
 * in. Reaching stream `first` costs O(log first).
 *
 * Paper: Eq. 2 and Appendix F — each image draws its σ, then its per-pixel noise; here every image
 * draws both from its own stream.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param first - global index of the first sample (images seen before the step)
 * @param count - number of streams (the batch size)
 * @param purpose - `'loss'` (σ, n; default), `'data'` (sampled data), `'shuffle'` (epoch order), `'dropout'`
 * @example
 * const rngs = sampleStreams(seed, imagesSeen, batchSize); // σ and noise of one step
 * @see https://arxiv.org/abs/2206.00364
 */
export function sampleStreams(
  seed: number,
  first: number,
  count: number,
  purpose: StreamPurpose = 'loss',
): Rng[] {
  return streams(seed, first, count, purpose, 'first');
}

/**
 * The random stream of one training sample: stream `index` of the family `purpose` of
 * `seed`, `sampleStreams(seed, index, 1, purpose)[0]`.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param index - global sample (or step, or epoch) index, integer in [0, 2⁵¹)
 * @param purpose - stream family (default `'loss'`)
 * @example
 * const rng = sampleStream(7, 1024); // global sample 1024 of the run of seed 7
 * rng.normal();
 * @see https://arxiv.org/abs/2206.00364
 */
export function sampleStream(seed: number, index: number, purpose: StreamPurpose = 'loss'): Rng {
  return streams(seed, index, 1, purpose, 'index')[0]!;
}

/**
 * An integer seed in [0, 2³¹ − 1] derived from (seed, index, purpose): the first 31 bits
 * of stream `index` of the family `purpose` — the dropout seed of step `index` (what
 * {@link train} passes to `network.apply`), so the dropout masks of a step do not depend on
 * where a run was interrupted.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param index - step index, integer in [0, 2⁵¹)
 * @param purpose - stream family (default `'dropout'`)
 * @example
 * network.apply(x, cNoise, { training: true, seed: derivedSeed(seed, step) });
 * @see https://arxiv.org/abs/2206.00364
 */
export function derivedSeed(
  seed: number,
  index: number,
  purpose: StreamPurpose = 'dropout',
): number {
  return Math.floor(sampleStream(seed, index, purpose).uniform() * 2 ** 31);
}

function streams(
  seed: number,
  first: number,
  count: number,
  purpose: StreamPurpose,
  firstName: string,
): Rng[] {
  checkNumber('seed', seed, { min: 0, max: 0xffffffff, integer: true });
  checkInteger('count', count, 0);
  checkNumber(firstName, first, { min: 0, max: STREAMS_PER_PURPOSE - count, integer: true });
  const block = BLOCK[checkOneOf('purpose', purpose, PURPOSES)];
  return sampleRngs(seed, count, block * STREAMS_PER_PURPOSE + first);
}
