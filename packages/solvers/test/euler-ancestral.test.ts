import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { ancestralStep, eulerAncestral } from '@edmkit/solvers';
import { denoiser, karras, observedOrder, trackingOps, z } from './helpers/gaussian-flow.js';

describe('ancestralStep', () => {
  it('splits σ_{i+1}² = σ_down² + σ_up² as k-diffusion does', () => {
    const { sigmaDown, sigmaUp } = ancestralStep(2, 1, 1);
    // σ_up = √(σ_to²(σ_from² − σ_to²)/σ_from²) = √(3/4).
    expect(sigmaUp).toBeCloseTo(Math.sqrt(0.75), 15);
    expect(sigmaDown).toBeCloseTo(0.5, 15);
    const half = ancestralStep(2, 1, 0.5);
    expect(half.sigmaUp).toBeCloseTo(0.5 * Math.sqrt(0.75), 15);
    expect(half.sigmaUp ** 2 + half.sigmaDown ** 2).toBeCloseTo(1, 14);
    expect(ancestralStep(2, 1, 0)).toEqual({ sigmaDown: 1, sigmaUp: 0 });
    expect(ancestralStep(2, 1, 5)).toEqual({ sigmaDown: 0, sigmaUp: 1 }); // clamped at σ_to
    expect(ancestralStep(2, 0, 1)).toEqual({ sigmaDown: 0, sigmaUp: 0 });
    expect(() => ancestralStep(1, 2, 1)).toThrow(/sigmaTo must be/);
    expect(() => ancestralStep(2, 1, -1)).toThrow(/eta must be/);
  });
});

describe('eulerAncestral', () => {
  it('with η = 0 is the 1st-order Euler ODE solver, exact for a single data point', async () => {
    const q = await observedOrder(eulerAncestral({ eta: 0 }), karras, 128);
    expect(q).toBeGreaterThan(0.95);
    expect(q).toBeLessThan(1.05);
    expect(eulerAncestral({ eta: 0 }).stochastic).toBe(false);
    const y0 = Float64Array.from([0.3, -0.2, 1, 0]);
    const x0 = Float64Array.from([5, 1, -2, 3]);
    const { x, nfe } = await eulerAncestral({ eta: 0 }).sample({
      ops: arrayOps,
      denoiser: () => y0.slice(),
      x: x0,
      sigmas: [5, 3, 1, 0.2],
      onStep: ({ sigmaNext, x: xi }) => {
        for (let k = 0; k < 4; k++)
          expect(xi[k]).toBeCloseTo(y0[k]! + (sigmaNext / 5) * (x0[k]! - y0[k]!), 12);
      },
    });
    expect(nfe).toBe(3);
    expect(x.length).toBe(4);
  });

  it('matches a hand-computed stochastic step and ends at D without residual noise', async () => {
    const sNoise = 1.2;
    const rng = sampleRngs(3, 1)[0]!;
    const e = rng.normal();
    const y = 0.25;
    const { sigmaDown, sigmaUp } = ancestralStep(2, 1, 1);
    const x1 = (sigmaDown / 2) * 3 + (1 - sigmaDown / 2) * y + sNoise * sigmaUp * e;
    const steps: number[] = [];
    const { x, nfe } = await eulerAncestral({ sNoise }).sample({
      ops: arrayOps,
      denoiser: () => Float64Array.of(y),
      x: Float64Array.of(3),
      sigmas: [2, 1, 0],
      rngs: sampleRngs(3, 1),
      onStep: ({ x: xi }) => void steps.push(xi[0]!),
    });
    expect(steps[0]).toBeCloseTo(x1, 14);
    expect(x[0]).toBe(y);
    expect(nfe).toBe(2);
  });

  it('matches the closed-form variance of its Gaussian recursion and converges weakly to N(0, σ_d²)', async () => {
    // For D = c·x every step is x ← a·x + σ_up·ε with a = r + (1 − r)c, r = σ_down/σ: Var ← a²·Var + σ_up².
    const predicted = (n: number): number => {
      const s = karras(n);
      let v = 80 * 80;
      for (let i = 0; i < n; i++) {
        const { sigmaDown, sigmaUp } = ancestralStep(s[i]!, s[i + 1]!, 1);
        const r = sigmaDown / s[i]!;
        const a = r + (1 - r) * (0.25 / (s[i]! ** 2 + 0.25));
        v = a * a * v + sigmaUp ** 2;
      }
      return v;
    };
    const count = 4000;
    const data1 = isotropicGaussian({ sigmaData: 0.5, dim: 1 });
    const rngs = sampleRngs(21, count);
    const x0 = Float64Array.from(rngs, (r) => 80 * r.normal());
    const { x } = await eulerAncestral().sample({
      ops: arrayOps,
      denoiser: (x, s) => data1.denoiser(x, s),
      x: x0,
      sigmas: karras(100),
      rngs,
    });
    const mean = x.reduce((a, v) => a + v, 0) / count;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / count;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    // Sampling error of the variance ≈ √(2/4000) ≈ 2.2 %: allow 3σ.
    expect(variance / predicted(100)).toBeGreaterThan(0.93);
    expect(variance / predicted(100)).toBeLessThan(1.07);
    // Weak order 1: the variance deficit 1 − Var/σ_d² shrinks ≈ 4× when N grows 4×.
    const deficit = (n: number): number => 1 - predicted(n) / 0.25;
    expect(deficit(100)).toBeGreaterThan(0.05);
    expect(deficit(100) / deficit(400)).toBeGreaterThan(3.3);
    expect(deficit(400) / deficit(1600)).toBeGreaterThan(3.6);
    expect(deficit(1600)).toBeLessThan(0.01);
  });

  it('draws sample b from rngs[b] only: same output bit for bit across batch sizes', async () => {
    const s = eulerAncestral({ eta: 0.7, sNoise: 1.01 });
    const batch = Float64Array.from({ length: 12 }, (_, k) => Math.cos(k + 1) * 80);
    const all = await s.sample({
      ops: arrayOps,
      denoiser,
      x: batch,
      sigmas: karras(8),
      rngs: sampleRngs(5, 3),
    });
    for (let b = 0; b < 3; b++) {
      const one = await s.sample({
        ops: arrayOps,
        denoiser,
        x: batch.slice(4 * b, 4 * b + 4),
        sigmas: karras(8),
        rngs: sampleRngs(5, 1, b),
      });
      expect(one.x).toEqual(all.x.slice(4 * b, 4 * b + 4));
    }
  });

  it('disposes every intermediate tensor', async () => {
    const { ops, live, track } = trackingOps();
    const { x } = await eulerAncestral().sample({
      ops,
      denoiser: (x, s) => track(denoiser(x, s)),
      x: z.map((v) => v * 80),
      sigmas: karras(6),
      rngs: sampleRngs(1, 1),
    });
    expect([...live]).toEqual([x]);
  });

  it('refuses bad options and a stochastic run without rngs', async () => {
    expect(() => eulerAncestral({ eta: -0.1 })).toThrow(ParameterError);
    expect(() => eulerAncestral({ sNoise: Number.NaN })).toThrow(/sNoise must be/);
    expect(eulerAncestral()).toMatchObject({
      name: 'euler-ancestral',
      order: 1,
      stochastic: true,
      eta: 1,
      sNoise: 1,
    });
    await expect(
      eulerAncestral().sample({ ops: arrayOps, denoiser, x: z, sigmas: [2, 1, 0] }),
    ).rejects.toThrow(/rngs must be/);
    await expect(
      eulerAncestral().sample({ ops: arrayOps, denoiser, x: z, sigmas: [2, 1, 0], rngs: [] }),
    ).rejects.toThrow(/rngs must be/);
  });
});
