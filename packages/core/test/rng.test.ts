import { describe, expect, it } from 'vitest';
import { createRng, ParameterError, rngFromState, sampleRngs, type RngState } from '@edmkit/core';

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

  it('validates count and first', () => {
    expect(() => sampleRngs(1, -1)).toThrow(/count/);
    expect(() => sampleRngs(1, 2, 0.5)).toThrow(/first/);
  });
});
