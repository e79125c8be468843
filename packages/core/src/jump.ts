import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The characteristic polynomial over GF(2) of the xoroshiro128+ state transition of
 * `pure-rand` (bit i = coefficient of xⁱ; degree 128). Every polynomial Q in the transition T
 * is a linear map of the state, and Q(T) only depends on Q mod this polynomial.
 */
export const XOROSHIRO_CHARPOLY = 0x10008828e513b43d5095b8f76579aa001n;

/** x^(2⁶⁴) mod {@link XOROSHIRO_CHARPOLY}: the polynomial of one `jump()` (2⁶⁴ draws). */
export const XOROSHIRO_JUMP = 0x170865df4b3201fcdf900294d8f554a5n;

/** a² mod {@link XOROSHIRO_CHARPOLY}, for a of degree < 128. */
export function squareMod(a: bigint): bigint {
  // Squaring over GF(2) spreads the bits: coefficient i moves to 2i.
  let r = 0n;
  for (let i = 0n; a >> i !== 0n; i++) if (((a >> i) & 1n) === 1n) r |= 1n << (2n * i);
  for (let i = 254n; i >= 128n; i--)
    if (((r >> i) & 1n) === 1n) r ^= XOROSHIRO_CHARPOLY << (i - 128n);
  return r;
}

/** Entry i: x^(2⁶⁴·2ⁱ) mod the characteristic polynomial (the jump polynomial squared i times). */
const powers: bigint[] = [XOROSHIRO_JUMP];
/** The same polynomials as 4 words of 32 bits, lowest coefficients first. */
const powerWords: number[][] = [];

function jumpPower(i: number): readonly number[] {
  while (powers.length <= i) powers.push(squareMod(powers[powers.length - 1]!));
  while (powerWords.length <= i) {
    const p = powers[powerWords.length]!;
    powerWords.push([0n, 32n, 64n, 96n].map((shift) => Number((p >> shift) & 0xffffffffn)));
  }
  return powerWords[i]!;
}

/** Q(T) applied to the state of `gen` (Q as 4 words, lowest coefficients first): Σ qᵢ·Tⁱ(state). */
function applyPolynomial(
  gen: JumpableRandomGenerator,
  words: readonly number[],
): JumpableRandomGenerator {
  const walker = gen.clone();
  const acc = [0, 0, 0, 0];
  for (const word of words) {
    for (let bit = 0; bit < 32; bit++) {
      if (((word >>> bit) & 1) === 1) {
        const state = walker.getState();
        for (let k = 0; k < 4; k++) acc[k]! ^= state[k]!;
      }
      walker.next();
    }
  }
  return xoroshiro128plusFromState(acc);
}

/**
 * A copy of `gen` jumped `times` times (each jump skips 2⁶⁴ draws) in O(log times):
 * the jump polynomial raised to `times` modulo the characteristic polynomial, applied one
 * binary digit of `times` at a time. Equals calling `jump()` `times` times.
 */
export function jumped(gen: JumpableRandomGenerator, times: bigint): JumpableRandomGenerator {
  let out = gen.clone();
  for (let i = 0; times >> BigInt(i) !== 0n; i++) {
    if (((times >> BigInt(i)) & 1n) === 1n) out = applyPolynomial(out, jumpPower(i));
  }
  return out;
}
