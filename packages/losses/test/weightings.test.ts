import { describe, expect, it } from 'vitest';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import { edmPrecond, vePrecond, vpPrecond } from '@edmkit/precond';
import {
  edmWeighting,
  inverseSquare,
  lossPerSample,
  softMinSnr,
  trainingLoss,
  uncertaintyWeighted,
} from '@edmkit/losses';

const grid = [0.002, 0.01, 0.1, 0.5, 1, 3, 10, 80, 500];

describe('inverseSquare', () => {
  it('λ(σ) = 1/σ², and λ·c_out² = 1 for the VP and VE preconditioners', () => {
    const w = inverseSquare();
    expect(w.name).toBe('inverse-square');
    expect(w.weight(0.5)).toBe(4);
    expect(w.weight(10)).toBeCloseTo(0.01, 17);
    for (const p of [vpPrecond(), vePrecond()]) {
      for (const s of grid) expect(Math.abs(w.weight(s) * p.cOut(s) ** 2 - 1)).toBeLessThan(1e-15);
    }
    expect(() => w.weight(0)).toThrow(/^sigma must be a finite number > 0/);
  });
});

describe('edmWeighting', () => {
  it('λ(σ) = (σ² + σ_d²)/(σσ_d)², hand values', () => {
    const w = edmWeighting();
    expect(w.name).toBe('edm');
    expect(w.sigmaData).toBe(0.5);
    expect(w.weight(0.5)).toBe(8); // 0.5/0.0625
    expect(w.weight(2)).toBeCloseTo(4.25, 14); // 4.25/1
    expect(edmWeighting({ sigmaData: 1 }).weight(1)).toBe(2);
  });

  it('λ(σ)·c_out(σ)² = 1 on a σ grid (paper Eq. 8)', () => {
    for (const sigmaData of [0.5, 1, 0.2]) {
      const w = edmWeighting({ sigmaData });
      const p = edmPrecond({ sigmaData });
      for (const s of grid) expect(Math.abs(w.weight(s) * p.cOut(s) ** 2 - 1)).toBeLessThan(1e-15);
    }
  });

  it('validates', () => {
    expect(() => edmWeighting({ sigmaData: 0 })).toThrow(/^sigmaData must be a finite number > 0/);
    expect(() => edmWeighting().weight(-1)).toThrow(ParameterError);
  });
});

describe('softMinSnr', () => {
  it('with the default γ = σ_data⁻² its F-space weight is k-diffusion’s (σσ_d)²/(σ² + σ_d²)²', () => {
    for (const sigmaData of [0.5, 1, 0.3]) {
      const w = softMinSnr({ sigmaData });
      expect(w.gamma).toBeCloseTo(1 / sigmaData ** 2, 13);
      const p = edmPrecond({ sigmaData });
      for (const s of grid) {
        const kDiffusion = (s * sigmaData) ** 2 / (s * s + sigmaData * sigmaData) ** 2;
        const fSpace = w.weight(s) * p.cOut(s) ** 2;
        expect(Math.abs(fSpace - kDiffusion)).toBeLessThan(
          1e-15 * Math.max(kDiffusion, 1e-300) + 1e-300,
        );
      }
    }
  });

  it('λ(σ) = 1/(σ² + 1/γ): hand values, limits and the soft-min bounds', () => {
    const w = softMinSnr({ gamma: 5 });
    expect(w.name).toBe('soft-min-snr');
    expect(w.weight(0)).toBe(5);
    expect(w.weight(1)).toBeCloseTo(1 / 1.2, 15);
    expect(softMinSnr().weight(0.5)).toBe(2);
    for (const s of grid) {
      const hard = Math.min(1 / (s * s), 5); // Min-SNR-5
      expect(w.weight(s)).toBeLessThanOrEqual(hard);
      expect(w.weight(s)).toBeGreaterThanOrEqual(hard / 2);
    }
    // ratio to the hard minimum → 1 far from the corner σ² = 1/γ
    expect(w.weight(0.002) / 5).toBeCloseTo(1, 4);
    expect(w.weight(500) * 500 * 500).toBeCloseTo(1 / (1 + 0.2 / 500 ** 2), 14);
    expect(w.weight(Math.sqrt(0.2)) / 5).toBeCloseTo(0.5, 14);
  });

  it('validates', () => {
    expect(() => softMinSnr({ gamma: 0 })).toThrow(/^gamma must be a finite number > 0/);
    expect(() => softMinSnr({ sigmaData: -1 })).toThrow(/^sigmaData must be/);
    expect(() => softMinSnr().weight(Number.NaN)).toThrow(/^sigma must be a finite number >= 0/);
  });
});

describe('uncertaintyWeighted (EDM2)', () => {
  const L = new Float64Array([2, 0.3, 50, 0]);
  const u = new Float64Array([Math.log(2), -1, 2.5, 0.7]);

  it('loss = L·e^{−u} + N·u, hand values', () => {
    const r = uncertaintyWeighted(L, u);
    expect(r.loss[0]).toBeCloseTo(1 + Math.log(2), 15);
    expect(r.loss[1]).toBeCloseTo(0.3 * Math.E - 1, 15);
    expect(r.loss[3]).toBe(0.7);
    expect(r.gradLogVariance[0]).toBeCloseTo(0, 15); // u = ln L is the optimum for N = 1
    const r3 = uncertaintyWeighted(L, u, { elements: 3 });
    expect(r3.loss[2]).toBeCloseTo(50 * Math.exp(-2.5) + 7.5, 13);
  });

  it('gradients match central differences', () => {
    for (const elements of [1, 12]) {
      const r = uncertaintyWeighted(L, u, { elements });
      const h = 1e-6;
      L.forEach((_, b) => {
        const du = new Float64Array(u);
        du[b] = u[b]! + h;
        const up = uncertaintyWeighted(L, du, { elements }).loss[b]!;
        du[b] = u[b]! - h;
        const down = uncertaintyWeighted(L, du, { elements }).loss[b]!;
        expect(r.gradLogVariance[b]).toBeCloseTo((up - down) / (2 * h), 7);
        const dL = new Float64Array(L);
        dL[b] = L[b]! + h;
        const lUp = uncertaintyWeighted(dL, u, { elements }).loss[b]!;
        dL[b] = L[b]! - h;
        const lDown = b === 3 ? r.loss[b]! : uncertaintyWeighted(dL, u, { elements }).loss[b]!;
        expect(r.gradLoss[b]).toBeCloseTo((lUp - lDown) / (b === 3 ? h : 2 * h), 7);
      });
    }
  });

  it('the optimum u = ln(L/N) makes the weighted loss N, as minimising over a grid shows', () => {
    const N = 16;
    const best = Math.log(50 / N);
    const at = (x: number) =>
      uncertaintyWeighted(new Float64Array([50]), new Float64Array([x]), { elements: N }).loss[0]!;
    for (const d of [-0.1, -0.01, 0.01, 0.1]) expect(at(best + d)).toBeGreaterThan(at(best));
    expect(at(best)).toBeCloseTo(N * (1 + best), 12);
  });

  it('equals the official per-element form Σ_i [(λ/e^u)(D − y)²_i + u] summed over a sample', () => {
    const perElement = [0.4, 1.3, 0.02, 2.2, 0.9]; // λ(D − y)² of the 5 elements of one sample
    const uu = -0.3;
    const official = perElement.reduce((acc, l) => acc + l / Math.exp(uu) + uu, 0);
    const summed = lossPerSample(Float64Array.from(perElement), 1);
    const r = uncertaintyWeighted(summed, new Float64Array([uu]), { elements: perElement.length });
    expect(r.loss[0]).toBeCloseTo(official, 13);
  });

  it('validates', () => {
    expect(() => uncertaintyWeighted(new Float64Array(0), new Float64Array(0))).toThrow(
      /^perSampleLoss must be a non-empty/,
    );
    expect(() => uncertaintyWeighted(L, new Float64Array(2))).toThrow(
      /^logVariance must be a Float64Array of length 4/,
    );
    expect(() => uncertaintyWeighted(new Float64Array([-1]), new Float64Array(1))).toThrow(
      /^perSampleLoss\[0\] must be a finite number >= 0/,
    );
    expect(() =>
      uncertaintyWeighted(new Float64Array([1]), new Float64Array([Number.NaN])),
    ).toThrow(/^logVariance\[0\]/);
    expect(() => uncertaintyWeighted(new Float64Array([1]), new Float64Array([-800]))).toThrow(
      /^logVariance\[0\] must be a number for which/,
    );
    expect(() => uncertaintyWeighted(L, u, { elements: 0 })).toThrow(
      /^elements must be a finite number > 0/,
    );
  });
});

describe('lossPerSample', () => {
  it('sums the elements of each sample', () => {
    expect(Array.from(lossPerSample(new Float64Array([1, 2, 3, 4, 5, 6]), 2))).toEqual([6, 15]);
    expect(Array.from(lossPerSample(new Float64Array([1, 2, 3, 4, 5, 6]), 3))).toEqual([3, 7, 11]);
    expect(() => lossPerSample(new Float64Array(6), 4)).toThrow(
      /^batch must be a divisor of the loss length 6/,
    );
    expect(() => lossPerSample(new Float64Array(6), 0)).toThrow(/^batch must be an integer >= 1/);
    expect(() => lossPerSample([1, 2] as unknown as Float64Array, 1)).toThrow(
      /^loss must be a Float64Array/,
    );
  });
});

describe('trainingLoss', () => {
  it('is Table 1’s training rows as plain data', () => {
    expect(JSON.stringify(trainingLoss('edm'))).toBe(
      '{"name":"edm","distribution":{"name":"log-normal","pMean":-1.2,"pStd":1.2},"weighting":{"name":"edm","sigmaData":0.5}}',
    );
    const vp = trainingLoss('vp');
    expect([vp.distribution.name, vp.distribution.epsilonT, vp.weighting.name]).toEqual([
      'vp',
      1e-5,
      'inverse-square',
    ]);
    expect(trainingLoss('ve').distribution.sigmaMax).toBe(100);
    expect(trainingLoss('iddpm').distribution.M).toBe(1000);
    expect(Object.isFrozen(trainingLoss('ve'))).toBe(true);
    expect(() => trainingLoss('ddpm' as 'vp')).toThrow(UnknownNameError);
  });
});
