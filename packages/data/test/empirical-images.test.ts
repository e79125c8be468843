import { describe, expect, it } from 'vitest';
import { createRng, ParameterError, sampleRngs } from '@edmkit/core';
import { avgPool2x2, empiricalImages } from '@edmkit/data';

/** Reference D by definition, in plain arrays, with its own log-sum-exp. */
function naive(
  x: Float64Array,
  sigma: number,
  images: Float64Array,
  K: number,
  dim: number,
): Float64Array {
  const batch = x.length / dim;
  const out = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) {
    const logits: number[] = [];
    for (let k = 0; k < K; k++) {
      let d2 = 0;
      for (let i = 0; i < dim; i++) d2 += (x[b * dim + i]! - images[k * dim + i]!) ** 2;
      logits.push(-d2 / (2 * sigma * sigma));
    }
    const max = Math.max(...logits);
    const p = logits.map((l) => Math.exp(l - max));
    const z = p.reduce((a, c) => a + c, 0);
    for (let k = 0; k < K; k++)
      for (let i = 0; i < dim; i++) out[b * dim + i]! += (p[k]! / z) * images[k * dim + i]!;
  }
  return out;
}

function randomImages(K: number, dim: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return new Float64Array(K * dim).map(() => 2 * rng.uniform() - 1);
}

describe('empiricalImages', () => {
  // Sizes chosen to exercise every code path: odd batch, K not a multiple of 4 or of the tile.
  for (const [K, dim, batch] of [
    [1, 5, 1],
    [7, 3, 5],
    [203, 49, 9],
    [61, 196, 4],
  ] as const) {
    it(`matches the definition (K=${K}, d=${dim}, batch=${batch}) at every σ`, () => {
      const images = randomImages(K, dim, K);
      const data = empiricalImages({ images, count: K, dim });
      const rng = createRng(dim);
      for (const sigma of [0.002, 0.05, 0.3, 1, 3, 80]) {
        // half the batch near an image, half random
        const x = new Float64Array(batch * dim);
        for (let b = 0; b < batch; b++) {
          const k = Math.floor(rng.uniform() * K);
          for (let i = 0; i < dim; i++) {
            x[b * dim + i] =
              b % 2 === 0 ? images[k * dim + i]! + sigma * rng.normal() : 2 * rng.normal();
          }
        }
        const got = data.denoiser(x, sigma);
        const want = naive(x, sigma, images, K, dim);
        for (let i = 0; i < x.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-13);
      }
    });
  }

  it('splits the weight exactly between two equidistant images, even at small σ', () => {
    const images = new Float64Array([0, 0, 1, 0, 0.5, 3]);
    const data = empiricalImages({ images, count: 3, dim: 2 });
    for (const sigma of [0.002, 0]) {
      const d = data.denoiser(new Float64Array([0.5, 0]), sigma);
      expect(d[0]).toBeCloseTo(0.5, 15);
      expect(d[1]).toBe(0);
    }
    // σ = 0 is the nearest image
    expect(Array.from(data.denoiser(new Float64Array([0.9, 0.2]), 0))).toEqual([1, 0]);
  });

  it('is exact and finite at σ = 0.002 in 784 dimensions far from all images', () => {
    const K = 50;
    const dim = 784;
    const images = randomImages(K, dim, 1);
    const data = empiricalImages({ images, count: K, dim });
    const x = new Float64Array(3 * dim).map((_, i) => Math.sin(i));
    const got = data.denoiser(x, 0.002);
    const want = naive(x, 0.002, images, K, dim);
    for (let i = 0; i < x.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 13);
  });

  it('direct distances agree with the ‖x‖² − 2x·y + ‖y‖² expansion to its cancellation error', () => {
    // Check of the design choice: the expansion would lose ~1e-13·‖y‖², which is below
    // 2σ² = 8e-6 at σ = 0.002, so either is safe; the direct form is used and exact.
    const dim = 784;
    const images = randomImages(2, dim, 9);
    const rng = createRng(4);
    const x = images.subarray(0, dim).map((v) => v + 0.002 * rng.normal());
    let direct = 0;
    let xx = 0;
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < dim; i++) {
      direct += (x[i]! - images[i]!) ** 2;
      xx += x[i]! ** 2;
      xy += x[i]! * images[i]!;
      yy += images[i]! ** 2;
    }
    const expanded = xx - 2 * xy + yy;
    expect(Math.abs(expanded - direct)).toBeLessThan(1e-12);
    expect(Math.abs(expanded - direct) / (2 * 0.002 ** 2)).toBeLessThan(1e-6);
  });

  it('samples the images uniformly, one stream per sample', () => {
    const images = new Float64Array([0, 1, 2, 3]);
    const data = empiricalImages({ images, count: 4, dim: 1 });
    const y = data.sample(sampleRngs(0, 8000));
    const counts = [0, 0, 0, 0];
    for (const v of y) counts[v]!++;
    for (const c of counts) expect(Math.abs(c / 8000 - 0.25)).toBeLessThan(0.02);
    expect(data.sample(sampleRngs(0, 2, 6))).toEqual(y.slice(6, 8));
  });

  it('computes σ_data, keeps labels and shape, copies its input', () => {
    const images = new Float64Array([1, -1, -1, 1]);
    const data = empiricalImages({ images, count: 2, dim: 2, labels: [3, 7], shape: [1, 1, 2] });
    expect(data.sigmaData).toBe(1);
    expect(Array.from(data.labels ?? [])).toEqual([3, 7]);
    expect(data.shape).toEqual([1, 1, 2]);
    images[0] = 100;
    expect(data.denoiser(new Float64Array([1, -1]), 0)[0]).toBe(1);
  });

  it('refuses bad options and inputs with their names', () => {
    const images = new Float64Array(6);
    expect(() => empiricalImages({ images, count: 2, dim: 2 })).toThrow(/images\.length/);
    expect(() => empiricalImages({ images, count: 0, dim: 3 })).toThrow(/count/);
    expect(() => empiricalImages({ images, count: 2, dim: 3, labels: [1] })).toThrow(
      /labels\.length/,
    );
    expect(() => empiricalImages({ images, count: 2, dim: 3, labels: [1, 0.5] })).toThrow(
      /labels\[1\]/,
    );
    expect(() => empiricalImages({ images, count: 2, dim: 3, shape: [1, 2, 2] })).toThrow(/shape/);
    expect(() => empiricalImages({ images: [0, 0, Infinity, 0, 0, 0], count: 2, dim: 3 })).toThrow(
      /images\[2\]/,
    );
    const data = empiricalImages({ images, count: 2, dim: 3 });
    expect(() => data.denoiser(new Float64Array(4), 1)).toThrow(ParameterError);
    expect(() => data.denoiser(new Float64Array(3), -0.1)).toThrow(/sigma/);
  });
});

describe('avgPool2x2', () => {
  it('averages 2×2 blocks', () => {
    const img = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(avgPool2x2(img, 1, 4))).toEqual([3.5, 5.5, 11.5, 13.5]);
    expect(() => avgPool2x2(img, 2, 4)).toThrow(/images/);
  });
});
