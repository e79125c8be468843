import { checkInteger, checkNumber, checkOneOf, rngFromState, type Rng } from '@edmkit/core';

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

/** What a derived stream is used for; each purpose has its own family of streams. */
export type StreamPurpose = 'loss' | 'data' | 'shuffle' | 'dropout';

const PURPOSE_ID: Readonly<Record<StreamPurpose, bigint>> = Object.freeze({
  loss: 1n,
  data: 2n,
  shuffle: 3n,
  dropout: 4n,
});

/** The SplitMix64 output function (Steele, Lea & Flood 2014) on a 64-bit state. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** Outputs `position` and `position + 1` of the SplitMix64 sequence that starts at `base`. */
function splitMixPair(base: bigint, position: bigint): [bigint, bigint] {
  const s = (base + position * GAMMA) & MASK64;
  return [mix64((s + GAMMA) & MASK64), mix64((s + 2n * GAMMA) & MASK64)];
}

function baseOf(seed: number, purpose: StreamPurpose): bigint {
  return mix64(((BigInt(seed) << 32n) | PURPOSE_ID[purpose]) & MASK64);
}

function int32(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

/**
 * The random stream of one training sample: stream `index` of the family
 * `purpose` of `seed`, an xoroshiro128+ generator whose 128-bit state is the pair
 * of SplitMix64 outputs 2·index + 1 and 2·index + 2 of a sequence keyed by
 * (seed, purpose) — the seeding its authors recommend.
 *
 * Sample k of step s is the global sample `imagesSeen + k`; its noise level σ
 * and noise n come from `sampleStream(seed, imagesSeen + k, 'loss')`, so a run
 * resumed from a checkpoint draws exactly what the uninterrupted run would, and
 * a sample draws the same numbers whatever the batch it lands in. Unlike
 * `sampleRngs` of `@edmkit/core` (jumps, O(index) to reach stream `index`), this
 * costs O(1) per stream, which matters at 10⁸ training images.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param index - global sample (or step) index, integer ≥ 0
 * Paper: SPEC §5 — each image draws its σ, then its per-pixel noise; here every image
 * draws both from its own stream.
 *
 * @param purpose - `'loss'` (σ, n), `'data'` (sampled data), `'shuffle'` (epoch order), `'dropout'`
 * @example
 * const rng = sampleStream(7, 1024); // global sample 1024 of the run of seed 7
 * rng.normal();
 * @see https://arxiv.org/abs/2206.00364
 */
export function sampleStream(seed: number, index: number, purpose: StreamPurpose = 'loss'): Rng {
  checkStreamArgs(seed, index, purpose);
  const [s0, s1] = splitMixPair(baseOf(seed, purpose), 2n * BigInt(index));
  let words = [int32(s0 >> 32n), int32(s0), int32(s1 >> 32n), int32(s1)];
  // xoroshiro128+ must not start from the all-zero state (probability 2⁻¹²⁸).
  if (words.every((w) => w === 0)) words = [0, 1, 0, 0];
  return rngFromState({ generator: 'xoroshiro128plus', words, spare: null });
}

/**
 * Streams of `count` consecutive global samples starting at `first`:
 * `sampleStreams(seed, first, count)[k]` is `sampleStream(seed, first + k, purpose)` —
 * the `rngs` of the minibatch of a step, as the losses of `@edmkit/losses` take them.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param first - global index of the first sample (images seen before the step)
 * @param count - number of streams (the batch size)
 * @param purpose - stream family (default `'loss'`)
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
  checkInteger('count', count, 0);
  const out: Rng[] = [];
  for (let k = 0; k < count; k++) out.push(sampleStream(seed, first + k, purpose));
  return out;
}

/**
 * An integer seed in [0, 2³¹ − 1] derived from (seed, index, purpose): the dropout
 * seed of step `index` (what {@link train} passes to `network.apply`), so the dropout
 * masks of a step do not depend on where a run was interrupted.
 *
 * @param seed - run seed, integer in [0, 2³² − 1]
 * @param index - step index, integer ≥ 0
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
  checkStreamArgs(seed, index, purpose);
  const [s0] = splitMixPair(baseOf(seed, purpose), 2n * BigInt(index));
  return Number(s0 >> 33n);
}

const PURPOSES = Object.keys(PURPOSE_ID) as StreamPurpose[];

function checkStreamArgs(seed: number, index: number, purpose: StreamPurpose): void {
  checkNumber('seed', seed, { min: 0, max: 0xffffffff, integer: true });
  checkNumber('index', index, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  checkOneOf('purpose', purpose, PURPOSES);
}
