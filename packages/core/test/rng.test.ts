import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { createRng, ParameterError, rngFromState, sampleRngs, type RngState } from '@edmkit/core';
import { jumped, squareMod, XOROSHIRO_JUMP } from '../src/jump.js';

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    const xb = Array.from({ length: 5 }, () => b.uniform());
    const xc = Array.from({ length: 5 }, () => c.uniform());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const u of xa) expect(u >= 0 && u < 1).toBe(true);
  });

  it('draws standard normals with the right first moments', () => {
    const rng = createRng(123);
    const n = 200_000;
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    // standard errors: mean 1/sqrt(n) ≈ 0.0022, var sqrt(2/n) ≈ 0.0032, kurtosis sqrt(96/n) ≈ 0.022
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
  });

  it('refuses bad seeds with the parameter name', () => {
    expect(() => createRng(-1)).toThrow(ParameterError);
    expect(() => createRng(1.5)).toThrow(/seed must be an integer/);
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
    expect(() => createRng(2 ** 32)).toThrow(/seed/);
  });
});

describe('rngFromState', () => {
  it('continues a stream exactly, including the Box-Muller partner', () => {
    const rng = createRng(99);
    rng.normal(); // leaves a spare
    const state = JSON.parse(JSON.stringify(rng.getState())) as RngState;
    const expected = Array.from({ length: 7 }, () => rng.normal());
    const resumed = rngFromState(state);
    expect(Array.from({ length: 7 }, () => resumed.normal())).toEqual(expected);
  });

  it('refuses a malformed state', () => {
    expect(() =>
      rngFromState({ generator: 'xoroshiro128plus', words: [1, 2], spare: null }),
    ).toThrow(/state/);
  });
});

describe('sampleRngs', () => {
  it('gives sample k the same stream whatever the batch it is in', () => {
    const all = sampleRngs(5, 8).map((r) => r.normal());
    const tail = sampleRngs(5, 3, 5).map((r) => r.normal());
    expect(tail).toEqual(all.slice(5));
    const single = sampleRngs(5, 1, 6)[0]!.normal();
    expect(single).toBe(all[6]);
  });

  it('gives distinct streams per sample, none equal to the root', () => {
    const first = sampleRngs(1, 16).map((r) => r.uniform());
    expect(new Set(first).size).toBe(16);
    expect(first).not.toContain(createRng(1).uniform());
  });

  it('reaches stream `first` exactly as first + 1 plain jumps of the root do', () => {
    for (const seed of [0, 5, 0xffffffff]) {
      const gen = xoroshiro128plus(seed);
      const plain: number[] = []; // first uniform of streams 0…1001, jump after jump
      for (let k = 0; k <= 1001; k++) {
        gen.jump();
        plain.push(createRngFrom(gen.getState()).uniform());
      }
      for (const first of [0, 1, 2, 3, 6, 7, 8, 100, 255, 256, 1000]) {
        expect(sampleRngs(seed, 2, first).map((r) => r.uniform())).toEqual(
          plain.slice(first, first + 2),
        );
      }
    }
  });

  it('keeps the streams of a deep position consistent with each other', () => {
    const deep = 2 ** 40 + 3;
    const three = sampleRngs(3, 3, deep).map((r) => r.normal());
    expect(sampleRngs(3, 1, deep + 2)[0]!.normal()).toBe(three[2]);
    expect(new Set(three).size).toBe(3);
    expect(sampleRngs(3, 1, 2 ** 52)[0]!.normal()).not.toBe(three[0]);
  });

  it('validates count and first', () => {
    expect(() => sampleRngs(1, -1)).toThrow(/count/);
    expect(() => sampleRngs(1, 2, 0.5)).toThrow(/first/);
  });
});

describe('jumped', () => {
  it('takes x^(2⁶⁴) mod the characteristic polynomial as the jump polynomial', () => {
    let x = 2n; // the polynomial x
    for (let i = 0; i < 64; i++) x = squareMod(x);
    expect(x).toBe(XOROSHIRO_JUMP);
  });

  it('equals n plain jumps, and composes: n + m jumps = n jumps, then m', () => {
    const gen = xoroshiro128plus(77);
    gen.next();
    const start = [...gen.getState()];
    for (const n of [0, 1, 2, 5, 9, 64, 129]) {
      const plain = gen.clone();
      for (let k = 0; k < n; k++) plain.jump();
      expect(jumped(gen, BigInt(n)).getState()).toEqual(plain.getState());
    }
    const far = 2n ** 45n;
    expect(jumped(gen, far + 5n).getState()).toEqual(jumped(jumped(gen, far), 5n).getState());
    expect(jumped(gen, far).getState()).not.toEqual(jumped(gen, far + 1n).getState());
    expect(gen.getState()).toEqual(start); // the generator given is left as it was
  });
});

function createRngFrom(words: readonly number[]): ReturnType<typeof createRng> {
  return rngFromState({ generator: 'xoroshiro128plus', words, spare: null });
}

describe('Rng draws', () => {
  it('normal() is Box–Muller on two uniforms of the same stream, the sine partner next', () => {
    const u = createRng(17);
    const z = createRng(17);
    for (let k = 0; k < 5; k++) {
      const u1 = u.uniform();
      const u2 = u.uniform();
      const r = Math.sqrt(-2 * Math.log(1 - u1));
      expect(z.normal()).toBe(r * Math.cos(2 * Math.PI * u2));
      expect(z.normal()).toBe(r * Math.sin(2 * Math.PI * u2));
    }
  });

  it('fillNormal fills only [offset, offset + length), in stream order', () => {
    const out = new Float64Array(6).fill(9);
    createRng(4).fillNormal(out, 2, 3);
    const ref = createRng(4);
    expect(Array.from(out)).toEqual([9, 9, ref.normal(), ref.normal(), ref.normal(), 9]);
    const whole = createRng(4).fillNormal(new Float64Array(3));
    const again = createRng(4);
    expect(Array.from(whole)).toEqual([again.normal(), again.normal(), again.normal()]);
    const tail = createRng(4).fillNormal(new Float64Array(3), 1);
    expect(tail[0]).toBe(0);
    expect(tail[1]).toBe(whole[0]);
  });

  it('getState() is JSON-safe and names its generator; a fresh stream has no spare', () => {
    const state = createRng(3).getState();
    expect(state.generator).toBe('xoroshiro128plus');
    expect(state.spare).toBeNull();
    expect(state.words).toHaveLength(4);
    const rng = createRng(3);
    rng.uniform();
    const resumed = rngFromState(rng.getState());
    expect(resumed.uniform()).toBe(rng.uniform());
  });

  it('rngFromState refuses every malformed part, naming it', () => {
    const good = createRng(1).getState();
    expect(() => rngFromState(null as unknown as RngState)).toThrow(/^state must be/);
    expect(() => rngFromState({ ...good, generator: 'mt' as 'xoroshiro128plus' })).toThrow(
      /^state must be an RngState/,
    );
    expect(() => rngFromState({ ...good, words: [1, 2, 3, 4.5] })).toThrow(/^state must be/);
    expect(() => rngFromState({ ...good, words: [...good.words, 5] })).toThrow(
      /^state must be an RngState returned by Rng.getState\(\)/,
    );
    expect(() => rngFromState({ ...good, words: good.words.slice(0, 3) })).toThrow(
      /^state must be an RngState/,
    );
    expect(() => rngFromState({ ...good, words: 'abcd' as unknown as number[] })).toThrow(
      /^state must be/,
    );
    expect(() => rngFromState({ ...good, spare: Number.NaN })).toThrow(
      'state.spare must be null or a finite number (got NaN)',
    );
    expect(rngFromState({ ...good, spare: 0.25 }).normal()).toBe(0.25);
  });

  it('sampleRngs: count 0 is empty; stream 1 is the same when it comes first', () => {
    expect(sampleRngs(2, 0)).toEqual([]);
    const [s0, s1] = sampleRngs(2, 2).map((r) => r.uniform());
    expect(sampleRngs(2, 1, 1)[0]!.uniform()).toBe(s1);
    expect(s0).not.toBe(s1);
    expect(() => sampleRngs(-1, 1)).toThrow(/^seed/);
    expect(() => sampleRngs(0, 1, -1)).toThrow('first must be an integer >= 0 (got -1)');
  });
});
