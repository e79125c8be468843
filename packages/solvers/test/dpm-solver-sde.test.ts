import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { dpmSolverPlusPlusSde } from '@edmkit/solvers';
import {
  denoiser,
  errorBeforeZero,
  karras,
  observedOrder,
  trackingOps,
  z,
} from './helpers/gaussian-flow.js';

const a = (s: number): number => 1 / (1 + s * s);
const scalarDenoiser = (x: Float64Array, s: number): Float64Array => x.map((v) => a(s) * v);

describe('dpmSolverPlusPlusSde', () => {
  it('with η = 0 is the 2nd-order (2M) / 3rd-order (3M) multistep ODE solver', async () => {
    for (const order of [2, 3]) {
      const q = await observedOrder(
        dpmSolverPlusPlusSde({ order, eta: 0, d2Coefficient: 'taylor' }),
        karras,
        128,
      );
      expect(q).toBeGreaterThan(order - 0.1);
      expect(q).toBeLessThan(order + 0.15);
    }
    expect(
      await errorBeforeZero(
        dpmSolverPlusPlusSde({ order: 3, eta: 0, d2Coefficient: 'taylor' }),
        karras(256),
      ),
    ).toBeLessThan(1e-5);
    expect(dpmSolverPlusPlusSde({ eta: 0 }).stochastic).toBe(false);
  });

  it('with η = 0 is exact for a single data point; the step to σ = 0 returns D', async () => {
    const y0 = Float64Array.from([0.3, -0.2, 1, 0]);
    const x0 = Float64Array.from([5, 1, -2, 3]);
    for (const order of [2, 3]) {
      const { x, nfe } = await dpmSolverPlusPlusSde({ order, eta: 0 }).sample({
        ops: arrayOps,
        denoiser: () => y0.slice(),
        x: x0,
        sigmas: [5, 3, 1.7, 0.4, 0.1, 0],
        onStep: ({ sigmaNext, x: xi }) => {
          for (let k = 0; k < 4; k++)
            expect(xi[k]).toBeCloseTo(y0[k]! + (sigmaNext / 5) * (x0[k]! - y0[k]!), 12);
        },
      });
      expect(nfe).toBe(5);
      expect(x).toEqual(y0);
    }
  });

  it('matches hand-computed warm-up, 2M and SDE steps', async () => {
    const sig = [3, 2, 1];
    const x0 = 2;
    const d0 = a(3) * x0;
    const x1 = (2 / 3) * x0 + (1 - 2 / 3) * d0; // order 1 (DDIM) warm-up step
    const d1 = a(2) * x1;
    const h0 = Math.log(3 / 2);
    const h1 = Math.log(2);
    // 2M midpoint: + ½(1 − e^{−h})(h/h₋)(D₁ − D₀).
    const x2 = 0.5 * x1 + 0.5 * d1 + 0.5 * 0.5 * (h1 / h0) * (d1 - d0);
    const run = (o: Parameters<typeof dpmSolverPlusPlusSde>[0], sigmas = sig) =>
      dpmSolverPlusPlusSde(o).sample({
        ops: arrayOps,
        denoiser: scalarDenoiser,
        x: Float64Array.of(x0),
        sigmas,
        rngs: sampleRngs(9, 1),
      });
    expect((await run({ eta: 0 })).x[0]).toBeCloseTo(x2, 14);
    // 3M's 2nd-order step uses φ₂(h) = (h − 1 + e^{−h})/h.
    const phi2 = (h1 - 1 + Math.exp(-h1)) / h1;
    expect((await run({ order: 3, eta: 0 })).x[0]).toBeCloseTo(
      0.5 * x1 + 0.5 * d1 + phi2 * (h1 / h0) * (d1 - d0),
      14,
    );
    // lowerOrderFinal with N = 2: both steps first order (DDIM = Euler in σ).
    expect((await run({ order: 3, eta: 0, lowerOrderFinal: true })).x[0]).toBeCloseTo(
      0.5 * x1 + 0.5 * d1,
      14,
    );
    // η = 1, one step: x = e^{−2h}x + (1 − e^{−2h})D + S_noise·σ₁·√(1 − e^{−2h})·ε.
    const e = sampleRngs(9, 1)[0]!.normal();
    const q = Math.exp(-2 * h0);
    const sde = await run({ eta: 1, sNoise: 1.1 }, [3, 2]);
    expect(sde.x[0]).toBeCloseTo(q * x0 + (1 - q) * d0 + 1.1 * 2 * Math.sqrt(1 - q) * e, 14);
  });

  it('samples N(0, σ_d²) from Gaussian data (4000 samples, 50 steps)', async () => {
    const count = 4000;
    const data1 = isotropicGaussian({ sigmaData: 0.5, dim: 1 });
    for (const order of [2, 3]) {
      const rngs = sampleRngs(33, count);
      const x0 = Float64Array.from(rngs, (r) => 80 * r.normal());
      const { x } = await dpmSolverPlusPlusSde({ order }).sample({
        ops: arrayOps,
        denoiser: (x, s) => data1.denoiser(x, s),
        x: x0,
        sigmas: karras(50),
        rngs,
      });
      const mean = x.reduce((acc, v) => acc + v, 0) / count;
      const variance = x.reduce((acc, v) => acc + (v - mean) ** 2, 0) / count;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(variance / 0.25).toBeGreaterThan(0.93);
      expect(variance / 0.25).toBeLessThan(1.07);
    }
  });

  it('draws sample b from rngs[b] only: same output bit for bit across batch sizes', async () => {
    for (const order of [2, 3]) {
      const s = dpmSolverPlusPlusSde({ order, eta: 0.8, sNoise: 1.01 });
      const batch = Float64Array.from({ length: 12 }, (_, k) => Math.cos(3 * k + 1) * 80);
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
    }
  });

  it('disposes every intermediate tensor', async () => {
    for (const order of [2, 3]) {
      const { ops, live, track } = trackingOps();
      const { x } = await dpmSolverPlusPlusSde({ order }).sample({
        ops,
        denoiser: (x, s) => track(denoiser(x, s)),
        x: z.map((v) => v * 80),
        sigmas: karras(6),
        rngs: sampleRngs(1, 1),
      });
      expect([...live]).toEqual([x]);
    }
  });

  it('refuses unsupported orders, bad η and a stochastic run without rngs', async () => {
    for (const order of [1, 4, 2.5, '3'])
      expect(() => dpmSolverPlusPlusSde({ order: order as number })).toThrow(
        /order must be one of 2, 3/,
      );
    expect(() => dpmSolverPlusPlusSde({ eta: -1 })).toThrow(ParameterError);
    expect(() => dpmSolverPlusPlusSde({ sNoise: Infinity })).toThrow(/sNoise must be/);
    expect(() => dpmSolverPlusPlusSde({ lowerOrderFinal: 'yes' as unknown as boolean })).toThrow(
      /lowerOrderFinal/,
    );
    expect(dpmSolverPlusPlusSde({ order: 3 })).toMatchObject({
      name: 'dpmpp-3m-sde',
      order: 3,
      stochastic: true,
      eta: 1,
    });
    await expect(
      dpmSolverPlusPlusSde().sample({ ops: arrayOps, denoiser, x: z, sigmas: [2, 1, 0] }),
    ).rejects.toThrow(/rngs must be/);
  });
});
