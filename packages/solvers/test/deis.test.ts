import { arrayOps, ParameterError, type Denoiser } from '@edmkit/core';
import { edmSteps } from '@edmkit/schedules';
import { deis } from '@edmkit/solvers';
import { describe, expect, it } from 'vitest';
import {
  gaussianConvergence,
  linear,
  maxAbs,
  observedOrders,
  trackedRun,
  x0,
} from './helpers/exponential.js';

describe('deis', () => {
  it('is a frozen design choice with diffusers’ defaults', () => {
    const s = deis();
    expect(s).toMatchObject({
      name: 'deis-tab',
      order: 2,
      stochastic: false,
      interpolation: 'log-sigma',
      lowerOrderFinal: true,
      duplicates: 'keep',
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('tAB-k converges at order k on Gaussian data (vs the exact flow at σ_min)', async () => {
    for (const order of [1, 2, 3] as const) {
      for (const interpolation of ['log-sigma', 'sigma'] as const)
        for (const p of await observedOrders(deis({ order, interpolation })))
          expect(Math.abs(p - order)).toBeLessThan(0.2);
    }
  });

  it('matches a hand-computed two-step tAB-2 example (linear denoiser)', async () => {
    // σ = [2, 1, 0.5], x₀ = 1.5. Step 0 (warm-up, Euler in σ): ε₀ = (1.5 − 0.6)/2 = 0.45, x₁ = 1.5 − 0.45 = 1.05.
    // Step 1: ε₁ = (1.05 − 0.825)/1 = 0.225; the line through (2, 0.45), (1, 0.225) is ε(τ) = 0.225·τ;
    // ∫₁^0.5 0.225·τ dτ = 0.225·(0.125 − 0.5) = −0.084375 → x₂ = 0.965625.
    // tAB-1 instead: x₂ = 1.05 − 0.5·0.225 = 0.9375.
    for (const [order, expected] of [
      [2, 0.965625],
      [3, 0.965625],
      [1, 0.9375],
    ] as const) {
      const seen: number[] = [];
      const { x, nfe } = await deis({
        order,
        interpolation: 'sigma',
        lowerOrderFinal: false,
      }).sample({
        ops: arrayOps,
        denoiser: linear,
        x: Float64Array.of(1.5),
        sigmas: [2, 1, 0.5],
        onStep: ({ x }) => void seen.push(x[0]!),
      });
      expect(nfe).toBe(2);
      expect(seen[0]).toBeCloseTo(1.05, 14);
      expect(x[0]).toBeCloseTo(expected, 14);
    }
  });

  it('tAB-3 integrates the quadratic through the last three ε exactly', async () => {
    // D(x; σ) = x − σ·q(σ) makes ε = q(σ) = 1 + σ + σ², independent of x: after the
    // warm-up, tAB-3 is exact, so x₃ − x₂ = ∫_{σ₂}^{σ₃} q dτ.
    const q = (s: number) => 1 + s + s * s;
    const Q = (s: number) => s + (s * s) / 2 + (s * s * s) / 3;
    const denoiser: Denoiser<Float64Array> = (x, s) => x.map((v) => v - s * q(s));
    const sigmas = [4, 3, 2, 1.5, 0];
    const seen: number[] = [];
    await deis({ order: 3, interpolation: 'sigma', lowerOrderFinal: false }).sample({
      ops: arrayOps,
      denoiser,
      x: Float64Array.of(0),
      sigmas,
      onStep: ({ x }) => void seen.push(x[0]!),
    });
    expect(seen[3]! - seen[2]!).toBeCloseTo(Q(0) - Q(1.5), 12);
    expect(seen[2]! - seen[1]!).toBeCloseTo(Q(1.5) - Q(2), 12);
  });

  it('is exact for a single data point (D = y₀) in any number of steps, to σ = 0', async () => {
    const y0 = Float64Array.of(0.7, -0.2, 0.1);
    const start = Float64Array.of(30, -12, 5);
    const sigmas = [...edmSteps().sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: 40 }), 0];
    for (const order of [1, 2, 3] as const) {
      const errs: number[] = [];
      const { x } = await deis({ order }).sample({
        ops: arrayOps,
        denoiser: () => y0.slice(),
        x: start,
        sigmas,
        onStep: ({ x, sigmaNext }) =>
          void errs.push(
            maxAbs(
              x,
              y0.map((y, i) => y + (sigmaNext / 40) * (start[i]! - y)),
            ),
          ),
      });
      expect(Math.max(...errs)).toBeLessThan(1e-12);
      expect(maxAbs(x, y0)).toBeLessThan(1e-12);
    }
  });

  it('converges to the closed-form Gaussian solution at σ = 0', async () => {
    for (const order of [2, 3] as const) {
      const [coarse, fine] = await gaussianConvergence((order) => deis({ order }), order);
      expect([coarse!.nfe, fine!.nfe]).toEqual([16, 256]);
      expect(fine!.error).toBeLessThan(2e-3);
      expect(fine!.error).toBeLessThan(coarse!.error / 10);
    }
  });

  it('disposes every intermediate tensor, awaits async denoisers and leaves the input untouched', async () => {
    for (const order of [1, 2, 3] as const) {
      const { live, x, input } = await trackedRun((order) => deis({ order }), order);
      expect(live).toEqual([x]);
      expect(input).toEqual(x0);
    }
  });

  it('refuses bad options with a ParameterError naming the parameter', async () => {
    for (const order of [0, 4, 2.5, '1']) {
      expect(() => deis({ order: order as 3 })).toThrow(
        expect.objectContaining({ parameter: 'order' }) as Error,
      );
    }
    expect(() => deis({ order: 4 as 3 })).toThrow(/order must be one of 1, 2, 3/);
    expect(() => deis({ duplicates: 'no' as 'merge' })).toThrow(ParameterError);
    await expect(
      deis().sample({ ops: arrayOps, denoiser: linear, x: Float64Array.of(1), sigmas: [1] }),
    ).rejects.toThrow(ParameterError);
  });
});
