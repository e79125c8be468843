import { describe, expect, it } from 'vitest';
import { createRng, ParameterError, sampleRngs } from '@edmkit/core';
import { gaussianMixture, isotropicGaussian, standardMixture } from '@edmkit/data';

/**
 * Brute-force D by the closed-form formula (numerics guide: “Ideal denoiser of a Gaussian
 * mixture”), without log-sum-exp (fine at moderate σ).
 */
function naiveDenoiser(
  x: ArrayLike<number>,
  sigma: number,
  w: number[],
  mu: number[][],
  s: number[],
): number[] {
  const d = x.length;
  const p = w.map((wk, k) => {
    const v = s[k]! ** 2 + sigma ** 2;
    let dist = 0;
    for (let i = 0; i < d; i++) dist += (x[i]! - mu[k]![i]!) ** 2;
    return wk * v ** (-d / 2) * Math.exp(-dist / (2 * v));
  });
  const z = p.reduce((a, b) => a + b, 0);
  const out = new Array<number>(d).fill(0);
  p.forEach((pk, k) => {
    const v = s[k]! ** 2 + sigma ** 2;
    for (let i = 0; i < d; i++)
      out[i]! += (pk / z) * (mu[k]![i]! + (s[k]! ** 2 / v) * (x[i]! - mu[k]![i]!));
  });
  return out;
}

const w = [0.2, 0.5, 0.3];
const mu = [
  [-1, 0.5, 0.2],
  [0.8, -0.3, 0.1],
  [0.1, 0.9, -0.7],
];
const s = [0.3, 0.5, 0.2];
const mix = gaussianMixture({ weights: w.map((v) => v * 7), means: mu, stds: s, dim: 3 });

describe('gaussianMixture', () => {
  it('normalises weights and exposes its parameters', () => {
    expect(mix.name).toBe('gaussian-mixture');
    expect(mix.components).toBe(3);
    expect(Array.from(mix.weights)).toEqual(w.map((v) => (v * 7) / 7));
    expect(Array.from(mix.means)).toEqual(mu.flat());
    expect(Object.isFrozen(mix)).toBe(true);
  });

  it('matches the closed-form formula evaluated naively', () => {
    const rng = createRng(3);
    for (const sigma of [0.05, 0.3, 1, 4]) {
      const x = new Float64Array(6).map(() => rng.normal());
      const got = mix.denoiser(x, sigma);
      for (const b of [0, 1]) {
        const want = naiveDenoiser(x.subarray(3 * b, 3 * b + 3), sigma, w, mu, s);
        for (let i = 0; i < 3; i++) expect(got[3 * b + i]).toBeCloseTo(want[i]!, 13);
      }
    }
  });

  it('accepts flat means and gives the same result', () => {
    const flat = gaussianMixture({ weights: w, means: mu.flat(), stds: s, dim: 3 });
    const x = new Float64Array([0.1, 0.2, 0.3]);
    expect(flat.denoiser(x, 0.7)).toEqual(mix.denoiser(x, 0.7));
  });

  it('stays finite and exact at σ = 0.002 and σ = 0 in 784 dimensions', () => {
    const dim = 784;
    const data = standardMixture({ seed: 5, dim, components: 4 });
    const y = data.sample(sampleRngs(1, 4));
    const noise = new Float64Array(y.length);
    createRng(2).fillNormal(noise);
    for (const sigma of [0.002, 0]) {
      const x = y.map((v, i) => v + sigma * noise[i]!);
      const d = data.denoiser(x, sigma);
      for (const v of d) expect(Number.isFinite(v)).toBe(true);
      // Near the data the posterior is one-hot; D moves x̂ by ≈ σ² / s_k² of its offset.
      for (let i = 0; i < d.length; i++) expect(Math.abs(d[i]! - x[i]!)).toBeLessThan(1e-3);
    }
    // Far from every component (x̂ = 50·1) the log-weights differ by ~1e5: still finite.
    const far = data.denoiser(new Float64Array(dim).fill(50), 0.002);
    for (const v of far) expect(Number.isFinite(v)).toBe(true);
  });

  it('score = (D − x̂)/σ² (Tweedie) and is the gradient of logDensity', () => {
    const x = new Float64Array([0.3, -0.2, 0.4, -1.2, 0.1, 0.05]);
    for (const sigma of [0.1, 0.8, 3]) {
      const score = mix.score(x, sigma);
      const d = mix.denoiser(x, sigma);
      for (let i = 0; i < x.length; i++)
        expect(score[i]).toBeCloseTo((d[i]! - x[i]!) / sigma ** 2, 9);
      const h = 1e-6;
      for (let i = 0; i < x.length; i++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[i]! += h;
        xm[i]! -= h;
        const b = Math.floor(i / 3);
        const fd = (mix.logDensity(xp, sigma)[b]! - mix.logDensity(xm, sigma)[b]!) / (2 * h);
        expect(score[i]).toBeCloseTo(fd, 5);
      }
    }
  });

  it('logDensity integrates to one (1-D mixture, trapezoid rule)', () => {
    const one = gaussianMixture({ weights: [1, 2], means: [[-1], [1]], stds: [0.2, 0.4], dim: 1 });
    const n = 20001;
    const xs = new Float64Array(n).map((_, i) => -8 + (16 * i) / (n - 1));
    const p = one.logDensity(xs, 0.5).map(Math.exp);
    let integral = 0;
    for (let i = 1; i < n; i++) integral += ((p[i]! + p[i - 1]!) / 2) * (16 / (n - 1));
    expect(integral).toBeCloseTo(1, 8);
  });

  it('samples with the right component frequencies, means and spreads', () => {
    const count = 20000;
    const y = mix.sample(sampleRngs(11, count));
    const hits = [0, 0, 0];
    for (let b = 0; b < count; b++) {
      // nearest mean identifies the component for these well-separated means
      let best = 0;
      let bestD = Infinity;
      for (let k = 0; k < 3; k++) {
        let dist = 0;
        for (let i = 0; i < 3; i++) dist += (y[3 * b + i]! - mu[k]![i]!) ** 2 / s[k]! ** 2;
        if (dist < bestD) [best, bestD] = [k, dist];
      }
      hits[best]!++;
    }
    for (let k = 0; k < 3; k++) expect(Math.abs(hits[k]! / count - w[k]!)).toBeLessThan(0.03);
    // σ_data² = mean over coordinates of Var[y_i]
    const mean = [0, 0, 0];
    for (let b = 0; b < count; b++) for (let i = 0; i < 3; i++) mean[i]! += y[3 * b + i]! / count;
    let v = 0;
    for (let b = 0; b < count; b++)
      for (let i = 0; i < 3; i++) v += (y[3 * b + i]! - mean[i]!) ** 2;
    expect(Math.sqrt(v / (3 * count))).toBeCloseTo(mix.sigmaData, 1);
  });

  it('draws sample b from rngs[b] only, whatever the batch', () => {
    const all = mix.sample(sampleRngs(4, 8));
    const part = mix.sample(sampleRngs(4, 2, 5));
    expect(part).toEqual(all.slice(15, 21));
  });

  it('refuses bad parameters with their names', () => {
    expect(() =>
      gaussianMixture({ weights: [1, -1], means: [[0], [1]], stds: [1, 1], dim: 1 }),
    ).toThrow(/weights\[1\]/);
    expect(() => gaussianMixture({ weights: [], means: [], stds: [], dim: 1 })).toThrow(
      ParameterError,
    );
    expect(() => gaussianMixture({ weights: [1], means: [[0, 0]], stds: [0], dim: 2 })).toThrow(
      /stds\[0\]/,
    );
    expect(() => gaussianMixture({ weights: [1], means: [[0]], stds: [1], dim: 2 })).toThrow(
      /means\[0\]\.length/,
    );
    expect(() => gaussianMixture({ weights: [1], means: [0, 0], stds: [1], dim: 1.5 })).toThrow(
      /dim/,
    );
    expect(() =>
      gaussianMixture({ weights: [1], means: [0, Number.NaN], stds: [1], dim: 2 }),
    ).toThrow(/means\[1\]/);
    expect(() => mix.denoiser(new Float64Array(4), 1)).toThrow(/x\.length/);
    expect(() => mix.denoiser(new Float64Array(3), -1)).toThrow(/sigma/);
    expect(() => mix.denoiser(new Float64Array(3), Number.NaN)).toThrow(/sigma/);
    expect(() => mix.sample([])).toThrow(/rngs/);
  });
});

describe('isotropicGaussian', () => {
  const g = isotropicGaussian({ sigmaData: 0.5, dim: 4 });
  it('has the closed-form denoiser, equal to the one-component mixture', () => {
    const asMixture = gaussianMixture({
      weights: [1],
      means: [new Float64Array(4)],
      stds: [0.5],
      dim: 4,
    });
    const x = new Float64Array([0.3, -1, 2, 0.1, 0, 5, -3, 1]);
    for (const sigma of [0, 0.002, 0.5, 80]) {
      const d = g.denoiser(x, sigma);
      const m = asMixture.denoiser(x, sigma);
      for (let i = 0; i < x.length; i++) {
        expect(d[i]).toBeCloseTo((0.25 / (sigma ** 2 + 0.25)) * x[i]!, 15);
        expect(m[i]).toBeCloseTo(d[i]!, 14);
      }
    }
    expect(g.name).toBe('gaussian');
    expect(g.sigmaData).toBe(0.5);
  });

  it('flow solves dx̂/dσ = (x̂ − D)/σ (finite differences) and composes', () => {
    const x = new Float64Array([1, -2, 0.5, 3]);
    const sigma = 2;
    const h = 1e-5;
    const xs = g.flow(x, 80, sigma);
    const deriv = g
      .flow(x, 80, sigma + h)
      .map((v, i) => (v - g.flow(x, 80, sigma - h)[i]!) / (2 * h));
    const rhs = xs.map((v, i) => (v - g.denoiser(xs, sigma)[i]!) / sigma);
    for (let i = 0; i < 4; i++) expect(deriv[i]).toBeCloseTo(rhs[i]!, 8);
    const twoStep = g.flow(g.flow(x, 80, 3), 3, 0);
    const oneStep = g.flow(x, 80, 0);
    for (let i = 0; i < 4; i++) expect(twoStep[i]).toBeCloseTo(oneStep[i]!, 14);
  });

  it('refuses bad options', () => {
    expect(() => isotropicGaussian({ dim: 0 })).toThrow(/dim/);
    expect(() => isotropicGaussian({ dim: 2, sigmaData: 0 })).toThrow(/sigmaData/);
  });
});

describe('standardMixture', () => {
  it('is reproducible from its seed and scaled like images', () => {
    const a = standardMixture({ seed: 1 });
    const b = standardMixture({ seed: 1 });
    const c = standardMixture({ seed: 2 });
    expect(a.name).toBe('standard-mixture');
    expect(a.dim).toBe(16);
    expect(a.components).toBe(4);
    expect(a.means).toEqual(b.means);
    expect(a.means).not.toEqual(c.means);
    for (const sd of a.stds) expect(sd >= 0.05 && sd <= 0.3).toBe(true);
    for (const wk of a.weights) expect(wk > 0.25 / 4 && wk < 0.4).toBe(true);
    expect(a.sigmaData).toBeGreaterThan(0.2);
    expect(a.sigmaData).toBeLessThan(0.8);
  });
  it('takes dim and components', () => {
    const m = standardMixture({ seed: 0, dim: 2, components: 8 });
    expect(m.means.length).toBe(16);
    expect(() => standardMixture({ components: 0 })).toThrow(/components/);
    expect(() => standardMixture({ seed: -3 })).toThrow(/seed/);
  });
});
