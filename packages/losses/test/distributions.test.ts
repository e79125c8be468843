import { describe, expect, it } from 'vitest';
import { createRng, ParameterError, sampleRngs } from '@edmkit/core';
import type { Rng } from '@edmkit/core';
import { iddpmUTable, vpSchedule } from '@edmkit/schedules';
import { iddpmNoise, logNormal, veNoise, vpNoise } from '@edmkit/losses';
import type { NoiseDistribution } from '@edmkit/losses';
import { erf, ksDistance, moments, normalCdf, quantile } from './helpers.js';

const n = 20000;
/** n draws from one stream (the same Rng repeated: sample b reads rngs[b] only). */
function draws(p: NoiseDistribution, seed: number): Float64Array {
  return p.sample(new Array<Rng>(n).fill(createRng(seed)));
}
/** KS distance that a correct sampler exceeds with probability ≈ 10⁻⁶ (√(ln(2/α)/2)/√n). */
const ksLimit = Math.sqrt(Math.log(2 / 1e-6) / 2) / Math.sqrt(n);

describe('test helpers', () => {
  it('erf matches tabulated values', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
    expect(normalCdf(1.2815515655446004)).toBeCloseTo(0.9, 13);
  });
});

describe('logNormal (EDM)', () => {
  it('ln σ ~ N(P_mean, P_std²): mean, std, quantiles and KS against the closed form', () => {
    const p = logNormal();
    expect([p.name, p.pMean, p.pStd]).toEqual(['log-normal', -1.2, 1.2]);
    const lnSigma = draws(p, 1).map(Math.log);
    const { mean, std } = moments(lnSigma);
    expect(Math.abs(mean - -1.2)).toBeLessThan((5 * 1.2) / Math.sqrt(n));
    expect(Math.abs(std - 1.2)).toBeLessThan((5 * 1.2) / Math.sqrt(2 * n));
    // Quantiles P_mean + P_std·Φ⁻¹(q); standard error √(q(1−q)/n)/φ(z)·P_std.
    for (const [q, z] of [
      [0.1, -1.2815515655446004],
      [0.5, 0],
      [0.9, 1.2815515655446004],
    ] as const) {
      const se =
        (Math.sqrt((q * (1 - q)) / n) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI))) * 1.2;
      expect(Math.abs(quantile(lnSigma, q) - (-1.2 + 1.2 * z))).toBeLessThan(5 * se);
    }
    expect(ksDistance(lnSigma, (v) => normalCdf((v + 1.2) / 1.2))).toBeLessThan(ksLimit);
    // and it would notice a wrong P_std
    expect(ksDistance(lnSigma, (v) => normalCdf((v + 1.2) / 1.1))).toBeGreaterThan(ksLimit);
  });

  it('is exp(P_mean + P_std·ξ) of the stream’s next normal', () => {
    const p = logNormal({ pMean: -0.4, pStd: 1 }); // EDM2's constants
    const ref = createRng(3);
    const got = p.sample([createRng(3), createRng(3)]);
    expect(got[0]).toBe(Math.exp(ref.normal() * 1 - 0.4));
    expect(got[1]).toBe(got[0]);
  });

  it('refuses options that could draw σ = 0 or ∞', () => {
    expect(() => logNormal({ pStd: -1 })).toThrow(/^pStd must be a finite number >= 0/);
    expect(() => logNormal({ pMean: Number.NaN })).toThrow(ParameterError);
    expect(() => logNormal({ pMean: 650, pStd: 10 })).toThrow(
      /^pStd must be a number with \|pMean\|/,
    );
    // The bound holds on both sides: a large negative mean underflows σ to 0.
    expect(() => logNormal({ pMean: -650, pStd: 10 })).toThrow(
      /^pStd must be a number with \|pMean\|/,
    );
    expect(logNormal({ pMean: 0, pStd: 0 }).sample([createRng(0)])[0]).toBe(1);
  });
});

describe('veNoise', () => {
  it('ln σ ~ U(ln σ_min, ln σ_max): range, mean, KS', () => {
    const p = veNoise();
    expect([p.name, p.sigmaMin, p.sigmaMax]).toEqual(['ve', 0.02, 100]);
    const sigma = draws(p, 2);
    const lo = Math.log(0.02);
    const hi = Math.log(100);
    const lnSigma = sigma.map(Math.log);
    expect(Math.min(...sigma)).toBeGreaterThanOrEqual(0.02);
    expect(Math.max(...sigma)).toBeLessThan(100);
    const { mean, std } = moments(lnSigma);
    expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan((5 * (hi - lo)) / Math.sqrt(12 * n));
    expect(std).toBeCloseTo((hi - lo) / Math.sqrt(12), 1);
    expect(ksDistance(lnSigma, (v) => (v - lo) / (hi - lo))).toBeLessThan(ksLimit);
    // σ itself is not uniform:
    expect(ksDistance(sigma, (v) => (v - 0.02) / (100 - 0.02))).toBeGreaterThan(0.5);
  });

  it('is σ_min·(σ_max/σ_min)^u of the stream’s next uniform', () => {
    const u = createRng(5).uniform();
    expect(veNoise({ sigmaMin: 1, sigmaMax: 4 }).sample([createRng(5)])[0]).toBeCloseTo(4 ** u, 15);
  });

  it('validates σ_min < σ_max', () => {
    expect(() => veNoise({ sigmaMin: 0 })).toThrow(/^sigmaMin must be a finite number > 0/);
    expect(() => veNoise({ sigmaMin: 5, sigmaMax: 1 })).toThrow(
      /^sigmaMax must be a number > sigmaMin/,
    );
    expect(() => veNoise({ sigmaMax: Infinity })).toThrow(ParameterError);
  });
});

describe('vpNoise', () => {
  it('t = σ⁻¹(σ) ~ U(ε_t, 1]: range, mean, KS', () => {
    const p = vpNoise();
    const schedule = vpSchedule();
    expect([p.name, p.betaD, p.betaMin, p.epsilonT]).toEqual(['vp', 19.9, 0.1, 1e-5]);
    expect(p.sigmaMin).toBeCloseTo(0.0010005, 7);
    expect(p.sigmaMax).toBeCloseTo(152.16697, 4);
    const sigma = draws(p, 3);
    expect(Math.min(...sigma)).toBeGreaterThan(p.sigmaMin);
    expect(Math.max(...sigma)).toBeLessThanOrEqual(p.sigmaMax);
    const t = sigma.map((s) => schedule.sigmaInv(s));
    const { mean } = moments(t);
    expect(Math.abs(mean - (1 + 1e-5) / 2)).toBeLessThan(5 / Math.sqrt(12 * n));
    expect(ksDistance(t, (v) => (v - 1e-5) / (1 - 1e-5))).toBeLessThan(ksLimit);
    // and ln σ is far from the EDM distribution
    expect(ksDistance(sigma.map(Math.log), (v) => normalCdf((v + 1.2) / 1.2))).toBeGreaterThan(0.2);
  });

  it('is σ(1 + u(ε_t − 1)) of the stream’s next uniform', () => {
    const u = createRng(9).uniform();
    const want = vpSchedule().sigma(1 + u * (1e-5 - 1));
    expect(vpNoise().sample([createRng(9)])[0]).toBe(want);
  });

  it('validates ε_t and the β constants', () => {
    expect(() => vpNoise({ epsilonT: 0 })).toThrow(/^epsilonT must be a finite number > 0 and < 1/);
    expect(() => vpNoise({ epsilonT: 1 })).toThrow(/^epsilonT must be/);
    expect(() => vpNoise({ betaD: 0 })).toThrow(/^betaD must be/);
    // β_min < 0: σ(t) is undefined up to t = −2β_min/β_d = 0.1.
    expect(() => vpNoise({ betaD: 1, betaMin: -0.05, epsilonT: 0.05 })).toThrow(
      /^epsilonT must be a finite number > 0.1/,
    );
    expect(vpNoise({ betaD: 1, betaMin: -0.05, epsilonT: 0.2 }).sigmaMin).toBeGreaterThan(0);
  });
});

describe('iddpmNoise', () => {
  it('σ = u_j with j ~ U{0, …, M − 1}: support is the u table, indices uniform', () => {
    const p = iddpmNoise();
    const u = iddpmUTable();
    expect([p.name, p.M, p.C1, p.C2]).toEqual(['iddpm', 1000, 0.001, 0.008]);
    expect(p.sigmaMax).toBe(u[0]);
    expect(p.sigmaMin).toBe(u[999]);
    const index = new Map<number, number>();
    u.forEach((v, j) => index.set(v, j));
    const counts = new Float64Array(1001);
    let outside = 0;
    for (const s of draws(p, 4)) {
      const j = index.get(s);
      if (j === undefined) outside++;
      else counts[j]!++;
    }
    expect(outside).toBe(0);
    expect(counts[1000]).toBe(0); // never u_1000 = 0
    // Pearson χ² with 999 degrees of freedom: mean 999, sd √1998 ≈ 44.7.
    const expected = n / 1000;
    const chi2 = counts
      .subarray(0, 1000)
      .reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(999 + 5 * Math.sqrt(1998));
    expect(chi2).toBeGreaterThan(999 - 5 * Math.sqrt(1998));
    expect(counts.subarray(0, 1000).filter((c) => c === 0).length).toBeLessThan(5); // e^−20·1000 ≈ 0
  });

  it('uses j = ⌊u·M⌋ of the stream’s next uniform, and the table of its own constants', () => {
    const v = createRng(11).uniform();
    const p = iddpmNoise({ M: 10 });
    expect(p.sample([createRng(11)])[0]).toBe(iddpmUTable({ M: 10 })[Math.floor(v * 10)]);
    expect(() => iddpmNoise({ M: 0 })).toThrow(/^M must be an integer >= 1/);
    expect(() => iddpmNoise({ C1: 0 })).toThrow(/^C1 must be/);
  });
});

describe('every distribution', () => {
  const all: NoiseDistribution[] = [vpNoise(), veNoise(), iddpmNoise(), logNormal()];

  it.each(all.map((p) => [p.name, p] as const))(
    '%s: sample b depends on rngs[b] only, not on the batch size',
    (_name, p) => {
      const big = p.sample(sampleRngs(42, 8));
      const small = p.sample(sampleRngs(42, 3));
      const middle = p.sample(sampleRngs(42, 2, 5));
      expect(Array.from(small)).toEqual(Array.from(big.subarray(0, 3)));
      expect(Array.from(middle)).toEqual(Array.from(big.subarray(5, 7)));
      expect(new Set(big).size).toBe(8);
      expect(big.every((s) => s > 0 && Number.isFinite(s))).toBe(true);
    },
  );

  it.each(all.map((p) => [p.name, p] as const))(
    '%s: is frozen plain data and validates rngs',
    (_name, p) => {
      expect(Object.isFrozen(p)).toBe(true);
      expect(JSON.parse(JSON.stringify(p))).toHaveProperty('name', p.name);
      expect(() => p.sample([])).toThrow(/^rngs must be a non-empty array of Rng/);
      expect(() => p.sample([createRng(0), {} as Rng])).toThrow(/^rngs\[1\] must be an Rng/);
    },
  );
});
