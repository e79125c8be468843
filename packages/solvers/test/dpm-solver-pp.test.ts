import { arrayOps, ParameterError } from '@edmkit/core';
import { edmSteps } from '@edmkit/schedules';
import { dpmSolverPlusPlus } from '@edmkit/solvers';
import { describe, expect, it } from 'vitest';
import {
  gaussian,
  gaussianConvergence,
  linear,
  maxAbs,
  observedOrders,
  trackedRun,
  x0,
} from './helpers/exponential.js';

describe('dpmSolverPlusPlus', () => {
  it('is a frozen design choice with the documented names and defaults', () => {
    const s = dpmSolverPlusPlus();
    expect(s).toMatchObject({
      name: 'dpmpp-2m',
      order: 2,
      stochastic: false,
      lowerOrderFinal: true,
      solverType: 'midpoint',
      d2Coefficient: 'reference',
      duplicates: 'reject',
    });
    expect(Object.isFrozen(s)).toBe(true);
    expect(dpmSolverPlusPlus({ order: 3 }).name).toBe('dpmpp-3m');
  });

  it('2M converges at order 2; 3M at order 3 with the Taylor D2 term, below 2 with the reference one', async () => {
    for (const p of await observedOrders(dpmSolverPlusPlus({ order: 2 })))
      expect(Math.abs(p - 2)).toBeLessThan(0.2);
    for (const p of await observedOrders(dpmSolverPlusPlus({ order: 3, d2Coefficient: 'taylor' })))
      expect(Math.abs(p - 3)).toBeLessThan(0.2);
    // The reference coefficient φ₂/h − ½ leaves an O(h³) local error: measured 1.72, 1.89.
    for (const p of await observedOrders(dpmSolverPlusPlus({ order: 3 }))) {
      expect(p).toBeGreaterThan(1.6);
      expect(p).toBeLessThan(2);
    }
    for (const p of await observedOrders(dpmSolverPlusPlus({ order: 2, solverType: 'heun' })))
      expect(Math.abs(p - 2)).toBeLessThan(0.2);
  });

  it('matches a hand-computed two-step 2M example (linear denoiser)', async () => {
    // σ = [2, 1, 0.5], x₀ = 1.5. Step 0 (warm-up, DDIM): D₀ = 1.5/5 + 0.3 = 0.6, x₁ = ½·1.5 + ½·0.6 = 1.05.
    // Step 1: D₁ = 1.05/2 + 0.3 = 0.825, h = h_last = ln 2, r = 1:
    // x₂ = ½·1.05 + ½·(1.5·0.825 − 0.5·0.6) = 0.525 + 0.46875 = 0.99375.
    const seen: number[] = [];
    const run = (lowerOrderFinal: boolean) =>
      dpmSolverPlusPlus({ order: 2, lowerOrderFinal }).sample({
        ops: arrayOps,
        denoiser: linear,
        x: Float64Array.of(1.5),
        sigmas: [2, 1, 0.5],
        onStep: ({ x }) => void seen.push(x[0]!),
      });
    const full = await run(false);
    expect(full.nfe).toBe(2);
    expect(seen[0]).toBeCloseTo(1.05, 14);
    expect(full.x[0]).toBeCloseTo(0.99375, 14);
    // lowerOrderFinal (N = 2 < 15): the last step is DDIM: ½·1.05 + ½·0.825 = 0.9375.
    expect((await run(true)).x[0]).toBeCloseTo(0.9375, 14);
    // 3M with only two steps ramps up 1, 2: the same numbers as 2M.
    const three = await dpmSolverPlusPlus({ order: 3, lowerOrderFinal: false }).sample({
      ops: arrayOps,
      denoiser: linear,
      x: Float64Array.of(1.5),
      sigmas: [2, 1, 0.5],
    });
    expect(three.x[0]).toBeCloseTo(0.99375, 14);
  });

  it('lowerOrderFinal lowers the last steps only when N < 15', async () => {
    const run = async (order: 2 | 3, n: number, lowerOrderFinal: boolean) => {
      const sigmas = edmSteps().sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 80 });
      return (
        await dpmSolverPlusPlus({ order, lowerOrderFinal }).sample({
          ops: arrayOps,
          denoiser: gaussian,
          x: x0,
          sigmas,
        })
      ).x;
    };
    for (const order of [2, 3] as const) {
      expect(maxAbs(await run(order, 6, true), await run(order, 6, false))).toBeGreaterThan(1e-6);
      expect(maxAbs(await run(order, 20, true), await run(order, 20, false))).toBe(0);
    }
  });

  it('3M with the Taylor D2 term integrates a denoiser quadratic in λ = −ln σ exactly once warmed up', async () => {
    // D(x; σ) = q(λ) = 1 + λ + λ² (independent of x). Exact step: x_t = e^{−h}·x_s + ∫₀ʰ e^{τ−h}·q(λ_s + τ) dτ,
    // and ∫ e^τ·p dτ = e^τ·(p − p′ + p″) gives the integral in closed form.
    const q = (l: number) => 1 + l + l * l;
    const g = (l: number) => q(l) - (1 + 2 * l) + 2; // p − p′ + p″
    const sigmas = [3, 2, 1.2, 0.5, 0.2];
    const seen: number[] = [];
    await dpmSolverPlusPlus({ order: 3, lowerOrderFinal: false, d2Coefficient: 'taylor' }).sample({
      ops: arrayOps,
      denoiser: (x, s) => x.map(() => q(-Math.log(s))),
      x: Float64Array.of(0.4),
      sigmas,
      onStep: ({ x }) => void seen.push(x[0]!),
    });
    for (const i of [2, 3]) {
      const ls = -Math.log(sigmas[i]!);
      const h = Math.log(sigmas[i]! / sigmas[i + 1]!);
      const exact = Math.exp(-h) * seen[i - 1]! + g(ls + h) - Math.exp(-h) * g(ls);
      expect(seen[i]).toBeCloseTo(exact, 12);
    }
  });

  it('is exact for a single data point (D = y₀) in any number of steps, to σ = 0', async () => {
    const y0 = Float64Array.of(0.7, -0.2, 0.1);
    const start = Float64Array.of(30, -12, 5);
    const sigmas = [...edmSteps().sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: 40 }), 0];
    for (const order of [2, 3] as const) {
      for (const lowerOrderFinal of [true, false]) {
        const errs: number[] = [];
        const { x } = await dpmSolverPlusPlus({ order, lowerOrderFinal }).sample({
          ops: arrayOps,
          denoiser: () => y0.slice(),
          x: start,
          sigmas,
          onStep: ({ x, sigmaNext }) => {
            const exact = y0.map((y, i) => y + (sigmaNext / 40) * (start[i]! - y));
            errs.push(maxAbs(x, exact));
          },
        });
        expect(Math.max(...errs)).toBeLessThan(1e-12);
        expect(maxAbs(x, y0)).toBeLessThan(1e-14);
      }
    }
  });

  it('converges to the closed-form Gaussian solution at σ = 0', async () => {
    for (const order of [2, 3] as const) {
      const [coarse, fine] = await gaussianConvergence(
        (order) => dpmSolverPlusPlus({ order: order as 2 | 3 }),
        order,
      );
      expect([coarse!.nfe, fine!.nfe]).toEqual([16, 256]);
      expect(fine!.error).toBeLessThan(1e-3);
      expect(fine!.error).toBeLessThan(coarse!.error / 10);
    }
  });

  it('disposes every intermediate tensor, awaits async denoisers and leaves the input untouched', async () => {
    for (const order of [2, 3] as const) {
      const { live, x, input } = await trackedRun(
        (order) => dpmSolverPlusPlus({ order: order as 2 | 3 }),
        order,
      );
      expect(live).toEqual([x]);
      expect(input).toEqual(x0);
    }
  });

  it('merges repeated σ only when asked', async () => {
    const run = (duplicates: 'reject' | 'merge') =>
      dpmSolverPlusPlus({ duplicates }).sample({
        ops: arrayOps,
        denoiser: linear,
        x: Float64Array.of(1.5),
        sigmas: [2, 1, 1, 0.5],
      });
    await expect(run('reject')).rejects.toThrow(ParameterError);
    const merged = await run('merge');
    expect(merged.nfe).toBe(2);
    expect(merged.x[0]).toBeCloseTo(0.9375, 14);
  });

  it('refuses bad options with a ParameterError naming the parameter', () => {
    for (const order of [1, 4, 2.5, '2']) {
      expect(() => dpmSolverPlusPlus({ order: order as 2 })).toThrow(
        expect.objectContaining({ parameter: 'order' }) as Error,
      );
    }
    expect(() => dpmSolverPlusPlus({ order: 4 as 2 })).toThrow(/order must be one of 2, 3/);
    expect(() => dpmSolverPlusPlus({ lowerOrderFinal: 'yes' as unknown as boolean })).toThrow(
      ParameterError,
    );
    expect(() => dpmSolverPlusPlus({ duplicates: 'keep' as 'merge' })).toThrow(ParameterError);
    expect(() => dpmSolverPlusPlus(null as unknown as object)).toThrow(ParameterError);
  });
});
