import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError } from '@edmkit/core';
import { ipndm, lms, lmsCoefficient } from '@edmkit/solvers';
import {
  denoiser,
  errorBeforeZero,
  karras,
  observedOrder,
  trackingOps,
  uniform,
  z,
} from './helpers/gaussian-flow.js';

describe('lms', () => {
  it('has the nominal order on the non-uniform ρ = 7 grid', async () => {
    for (const p of [1, 2, 3, 4]) {
      const q = await observedOrder(lms({ order: p }), karras, 256);
      expect(q).toBeGreaterThan(p - 0.15);
      expect(q).toBeLessThan(p + 0.15);
    }
  });

  it('converges to the closed-form Gaussian solution and equals iPNDM on a uniform grid', async () => {
    expect(await errorBeforeZero(lms(), karras(512))).toBeLessThan(1e-6);
    const sigmas = uniform(20).slice(0, -1);
    const a = await lms().sample({ ops: arrayOps, denoiser, x: z, sigmas });
    const b = await ipndm().sample({ ops: arrayOps, denoiser, x: z, sigmas });
    for (let k = 0; k < 4; k++) expect(a.x[k]).toBeCloseTo(b.x[k]!, 12);
  });

  it('computes the variable-step Adams–Bashforth weights', () => {
    const s = [5, 4, 2.5, 1];
    // Order 1: the step itself.
    expect(lmsCoefficient(s, 2, 1, 0)).toBeCloseTo(-1.5, 14);
    // Order 2, h = σ_{i+1} − σ_i, h₋ = σ_i − σ_{i−1}: w₀ = h + h²/(2h₋), w₁ = −h²/(2h₋).
    const h = 1 - 2.5;
    const hm = 2.5 - 4;
    expect(lmsCoefficient(s, 2, 2, 0)).toBeCloseTo(h + (h * h) / (2 * hm), 14);
    expect(lmsCoefficient(s, 2, 2, 1)).toBeCloseTo(-(h * h) / (2 * hm), 14);
    // Any order: the weights sum to the step (Lagrange basis is a partition of unity).
    const sum = [0, 1, 2].reduce((acc, j) => acc + lmsCoefficient(s, 2, 3, j), 0);
    expect(sum).toBeCloseTo(-1.5, 13);
    // Uniform grid: the classical weights 23/12, −16/12, 5/12 times the step.
    const u = [4, 3, 2, 1];
    const classical = [-23 / 12, 16 / 12, -5 / 12];
    for (let j = 0; j < 3; j++) expect(lmsCoefficient(u, 2, 3, j)).toBeCloseTo(classical[j]!, 13);
    expect(() => lmsCoefficient(s, 1, 3, 0)).toThrow(/k must be/);
    expect(() => lmsCoefficient(s, 2, 2, 2)).toThrow(/j must be/);
  });

  it('is exact for a single data point', async () => {
    const y0 = Float64Array.from([0.3, -0.2, 1, 0]);
    const x0 = Float64Array.from([5, 1, -2, 3]);
    const sigmas = [5, 3, 1.7, 0.4, 0.1, 0];
    const { x, nfe } = await lms().sample({
      ops: arrayOps,
      denoiser: () => y0.slice(),
      x: x0,
      sigmas,
      onStep: ({ sigmaNext, x: xi }) => {
        for (let k = 0; k < 4; k++)
          expect(xi[k]).toBeCloseTo(y0[k]! + (sigmaNext / 5) * (x0[k]! - y0[k]!), 12);
      },
    });
    expect(nfe).toBe(5);
    for (let k = 0; k < 4; k++) expect(x[k]).toBeCloseTo(y0[k]!, 12);
  });

  it('warms up from order 1 and applies lowerOrderFinal', async () => {
    const a = (s: number): number => 1 / (1 + s * s);
    const den = (x: Float64Array, s: number): Float64Array => x.map((v) => a(s) * v);
    const d = (x: number, s: number): number => (x - a(s) * x) / s;
    const sig = [3, 2, 0.5];
    const x0 = 2;
    const d0 = d(x0, 3);
    const x1 = x0 - d0;
    const d1 = d(x1, 2);
    const h = 0.5 - 2;
    const x2 = x1 + (h + (h * h) / (2 * -1)) * d1 - ((h * h) / (2 * -1)) * d0;
    const run = (o: Parameters<typeof lms>[0]) =>
      lms(o).sample({ ops: arrayOps, denoiser: den, x: Float64Array.of(x0), sigmas: sig });
    expect((await run({})).x[0]).toBeCloseTo(x2, 13);
    // N = 2 with lowerOrderFinal: both steps are Euler steps.
    expect((await run({ lowerOrderFinal: true })).x[0]).toBeCloseTo(x1 + h * d1, 13);
  });

  it('disposes every intermediate tensor', async () => {
    const { ops, live, track } = trackingOps();
    const { x } = await lms().sample({
      ops,
      denoiser: (x, s) => track(denoiser(x, s)),
      x: z.map((v) => v * 80),
      sigmas: karras(10),
    });
    expect([...live]).toEqual([x]);
  });

  it('refuses bad options and σ lists', async () => {
    for (const order of [0, 5, 2.5, '4'])
      expect(() => lms({ order: order as number })).toThrow(/order must be one of 1, 2, 3, 4/);
    expect(() => lms({ duplicates: 'keep' as 'merge' })).toThrow(/duplicates/);
    expect(lms()).toMatchObject({
      name: 'lms',
      order: 4,
      stochastic: false,
      lowerOrderFinal: false,
    });
    await expect(
      lms().sample({ ops: arrayOps, denoiser, x: z, sigmas: [1, 1, 0] }),
    ).rejects.toThrow(ParameterError);
    const merged = await lms({ duplicates: 'merge' }).sample({
      ops: arrayOps,
      denoiser,
      x: z,
      sigmas: [1, 1, 0],
    });
    expect(merged.nfe).toBe(1);
  });
});
