import { describe, expect, it } from 'vitest';
import { sampleRngs } from '@edmkit/core';
import { derivedSeed, sampleStream, sampleStreams } from '@edmkit/train';

const first = (
  seed: number,
  index: number,
  purpose?: 'loss' | 'data' | 'shuffle' | 'dropout',
): number => sampleStream(seed, index, purpose).uniform();

describe('sampleStream', () => {
  it('is a pure function of (seed, index, purpose)', () => {
    const a = sampleStream(7, 123456789);
    const b = sampleStream(7, 123456789);
    const xs = [a.uniform(), a.normal(), a.uniform()];
    expect([b.uniform(), b.normal(), b.uniform()]).toEqual(xs);
    // Stream 5 is the same whatever batch it is taken in.
    expect(sampleStreams(7, 3, 4)[2]!.uniform()).toBe(first(7, 5));
  });

  it('differs across indices, seeds and purposes', () => {
    const draws = new Set<number>();
    for (let i = 0; i < 1000; i++) draws.add(first(1, i));
    expect(draws.size).toBe(1000);
    expect(first(1, 0)).not.toBe(first(2, 0));
    expect(first(1, 0, 'loss')).not.toBe(first(1, 0, 'data'));
    expect(first(1, 0, 'data')).not.toBe(first(1, 0, 'shuffle'));
  });

  it('gives uniform, uncorrelated first draws across consecutive indices', () => {
    const n = 20000;
    const u = Array.from({ length: n }, (_, i) => first(3, i));
    const mean = u.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ of the mean ≈ 0.002
    let cov = 0;
    for (let i = 0; i + 1 < n; i++) cov += (u[i]! - 0.5) * (u[i + 1]! - 0.5);
    expect(Math.abs(cov / (n - 1) / (1 / 12))).toBeLessThan(0.03); // lag-1 correlation
    const bins = new Array<number>(10).fill(0);
    for (const x of u) bins[Math.floor(x * 10)]!++;
    const chi2 = bins.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // χ²(9) at p = 0.001
  });

  it("are @edmkit/core's per-sample streams, one block of 2⁵¹ per purpose", () => {
    const normals = (rngs: readonly { normal(): number }[]): number[] =>
      rngs.map((r) => r.normal());
    expect(normals(sampleStreams(7, 1000, 3))).toEqual(normals(sampleRngs(7, 3, 1000)));
    expect(sampleStream(7, 5, 'data').uniform()).toBe(sampleRngs(7, 1, 2 ** 51 + 5)[0]!.uniform());
    expect(sampleStream(7, 5, 'shuffle').uniform()).toBe(
      sampleRngs(7, 1, 2 ** 52 + 5)[0]!.uniform(),
    );
    expect(derivedSeed(7, 5)).toBe(
      Math.floor(sampleRngs(7, 1, 3 * 2 ** 51 + 5)[0]!.uniform() * 2 ** 31),
    );
    expect(sampleStream(7, 2 ** 51 - 1, 'dropout').uniform()).toBe(
      sampleRngs(7, 1, 2 ** 53 - 1)[0]!.uniform(),
    );
    expect(() => sampleStream(7, 2 ** 51)).toThrow(/index must be an integer >= 0 and <= /);
    expect(() => sampleStreams(7, 2 ** 51 - 2, 3)).toThrow(/first/);
  });

  it('refuses invalid seeds and indices', () => {
    expect(() => sampleStream(-1, 0)).toThrow(/seed must be an integer >= 0 and <= 4294967295/);
    expect(() => sampleStream(0, 1.5)).toThrow(/index/);
    expect(() => sampleStream(0, 0, 'noise' as never)).toThrow(/unknown purpose/);
  });
});

describe('derivedSeed', () => {
  it('is an integer in [0, 2³¹) that depends on the index', () => {
    const seeds = Array.from({ length: 100 }, (_, s) => derivedSeed(9, s));
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(2 ** 31);
    }
    expect(new Set(seeds).size).toBe(100);
    expect(derivedSeed(9, 4)).toBe(seeds[4]);
  });
});
