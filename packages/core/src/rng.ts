import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { ParameterError } from './errors.js';
import { jumped } from './jump.js';
import { checkInteger, checkNumber } from './validate.js';

/**
 * A seeded stream of random numbers. Every random draw in edmkit comes from an
 * `Rng` passed in by the caller; nothing reads a global generator.
 */
export interface Rng {
  /** Uniform draw in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal draw N(0, 1) (Box–Muller on two uniforms; the partner value is kept for the next call). */
  normal(): number;
  /** Fills `out` with standard normal draws, in order, and returns it. */
  fillNormal(out: Float64Array, offset?: number, length?: number): Float64Array;
  /** A snapshot of the stream position, from which {@link rngFromState} continues exactly. */
  getState(): RngState;
}

/** Serializable position of an {@link Rng} (JSON-safe). */
export interface RngState {
  readonly generator: 'xoroshiro128plus';
  readonly words: readonly number[];
  /** Box–Muller partner value waiting to be returned, or null. */
  readonly spare: number | null;
}

const TWO_PI = 2 * Math.PI;

class XoroshiroRng implements Rng {
  private spare: number | null;
  constructor(
    private readonly gen: JumpableRandomGenerator,
    spare: number | null = null,
  ) {
    this.spare = spare;
  }

  uniform(): number {
    return uniformFloat64(this.gen);
  }

  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const theta = TWO_PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  fillNormal(out: Float64Array, offset = 0, length = out.length - offset): Float64Array {
    const end = offset + length;
    for (let i = offset; i < end; i++) out[i] = this.normal();
    return out;
  }

  getState(): RngState {
    return { generator: 'xoroshiro128plus', words: [...this.gen.getState()], spare: this.spare };
  }
}

function checkSeed(seed: unknown): number {
  return checkNumber('seed', seed, { min: 0, max: 0xffffffff, integer: true });
}

/**
 * Creates the root random stream of `seed` (xoroshiro128+ from `pure-rand`).
 *
 * @param seed - integer in [0, 2³² − 1]
 * @example
 * const rng = createRng(42);
 * rng.normal();
 */
export function createRng(seed: number): Rng {
  return new XoroshiroRng(xoroshiro128plus(checkSeed(seed)));
}

/** Continues a stream from a {@link RngState} captured by `getState()`. */
export function rngFromState(state: RngState): Rng {
  if (
    state == null ||
    state.generator !== 'xoroshiro128plus' ||
    !Array.isArray(state.words) ||
    state.words.length !== 4 ||
    !state.words.every((w) => Number.isInteger(w))
  ) {
    throw new ParameterError('state', 'an RngState returned by Rng.getState()', state);
  }
  const spare = state.spare;
  if (spare !== null && !Number.isFinite(spare)) {
    throw new ParameterError('state.spare', 'null or a finite number', spare);
  }
  return new XoroshiroRng(xoroshiro128plusFromState(state.words), spare);
}

/**
 * Independent per-sample streams of `seed`: stream `k` is the root generator
 * jumped `k + 1` times (each jump skips 2⁶⁴ draws), so streams never overlap and
 * sample `k` draws the same numbers whatever the batch it is computed in. Reaching
 * stream `first` costs O(log first) (the jumps are combined as polynomials), so
 * `sampleRngs(seed, batch, imagesSeen)` stays cheap deep into a training run.
 *
 * @param seed - integer in [0, 2³² − 1]
 * @param count - number of streams
 * @param first - index of the first stream (default 0): `sampleRngs(s, 4, 8)` are the
 *   streams of samples 8…11.
 * @example
 * const rngs = sampleRngs(0, batch); // one stream per sample
 */
export function sampleRngs(seed: number, count: number, first = 0): Rng[] {
  const root = xoroshiro128plus(checkSeed(seed));
  checkInteger('count', count, 0);
  checkInteger('first', first, 0);
  const gen = jumped(root, BigInt(first) + 1n);
  const out: Rng[] = [];
  for (let k = 0; k < count; k++) {
    out.push(new XoroshiroRng(gen.clone()));
    gen.jump();
  }
  return out;
}
