import { arrayOps, ParameterError } from '@edmkit/core';
import { edmSteps } from '@edmkit/schedules';
import { unipc } from '@edmkit/solvers';
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

describe('unipc', () => {
  it('is a frozen design choice with diffusers’ defaults', () => {
    const s = unipc();
    expect(s).toMatchObject({
      name: 'unipc',
      order: 3,
      predictorOrder: 2,
      variant: 'bh2',
      stochastic: false,
      lowerOrderFinal: true,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('UniPC-p converges at order p + 1 on Gaussian data (vs the exact flow at σ_min)', async () => {
    for (const [order, variant] of [
      [1, 'bh2'],
      [2, 'bh2'],
      [3, 'bh2'],
      [2, 'bh1'],
      [3, 'bh1'],
    ] as const) {
      for (const p of await observedOrders(unipc({ order, variant })))
        expect(Math.abs(p - (order + 1))).toBeLessThan(0.2);
    }
  });

  it('matches a hand-computed two-step UniPC-1 example (linear denoiser), bh1 and bh2', async () => {
    // σ = [2, 1, 0.5], x₀ = 1.5, h = ln 2. Step 0: m₀ = D(1.5; 2) = 0.6, x̃ = ½·1.5 + ½·0.6 = 1.05 (UniP-1 = DDIM);
    // m₁ = D(1.05; 1) = 0.825 (the one extra evaluation, reused next step); UniC with ρ = ½:
    // x₁ = x̃ − B(h)·½·(m₁ − m₀); bh2: B = e^{−h} − 1 = −½ → x₁ = 1.05 + 0.25·0.225 = 1.10625;
    // bh1: B = −h → x₁ = 1.05 + ½·ln 2·0.225.
    // Step 1 (last, no corrector): x₂ = ½·x₁ + ½·m₁.
    for (const [variant, x1] of [
      ['bh2', 1.10625],
      ['bh1', 1.05 + 0.1125 * Math.LN2],
    ] as const) {
      const seen: number[] = [];
      const { x, nfe } = await unipc({ order: 1, variant }).sample({
        ops: arrayOps,
        denoiser: linear,
        x: Float64Array.of(1.5),
        sigmas: [2, 1, 0.5],
        onStep: ({ x }) => void seen.push(x[0]!),
      });
      expect(nfe).toBe(2);
      expect(seen[0]).toBeCloseTo(x1, 14);
      expect(x[0]).toBeCloseTo(0.5 * x1 + 0.4125, 14);
    }
  });

  it('uses one evaluation per step (corrector reuses it) and none after the last step', async () => {
    for (const order of [1, 2, 3] as const) {
      const sigmas = [...edmSteps().sigmaSteps(9, { sigmaMin: 0.002, sigmaMax: 80 }), 0];
      const { nfe } = await unipc({ order }).sample({
        ops: arrayOps,
        denoiser: gaussian,
        x: x0,
        sigmas,
      });
      expect(nfe).toBe(9);
      expect(
        (
          await unipc({ order }).sample({
            ops: arrayOps,
            denoiser: gaussian,
            x: x0,
            sigmas: [80, 1],
          })
        ).nfe,
      ).toBe(1);
    }
  });

  it("lowerOrderFinal lowers the order of the last steps for any N (diffusers' UniPC rule)", async () => {
    const run = async (n: number, lowerOrderFinal: boolean) => {
      const sigmas = edmSteps().sigmaSteps(n, { sigmaMin: 0.002, sigmaMax: 80 });
      return (
        await unipc({ order: 3, lowerOrderFinal }).sample({
          ops: arrayOps,
          denoiser: gaussian,
          x: x0,
          sigmas,
        })
      ).x;
    };
    expect(maxAbs(await run(6, true), await run(6, false))).toBeGreaterThan(1e-6);
    expect(maxAbs(await run(20, true), await run(20, false))).toBeGreaterThan(1e-9);
  });

  it('is exact for a single data point (D = y₀) in any number of steps, to σ = 0', async () => {
    const y0 = Float64Array.of(0.7, -0.2, 0.1);
    const start = Float64Array.of(30, -12, 5);
    const sigmas = [...edmSteps().sigmaSteps(5, { sigmaMin: 0.002, sigmaMax: 40 }), 0];
    for (const order of [1, 2, 3] as const) {
      for (const variant of ['bh1', 'bh2'] as const) {
        const errs: number[] = [];
        const { x } = await unipc({ order, variant, lowerOrderFinal: false }).sample({
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
        expect(maxAbs(x, y0)).toBeLessThan(1e-14);
      }
    }
  });

  it('converges to the closed-form Gaussian solution at σ = 0', async () => {
    for (const order of [1, 2, 3] as const) {
      const [coarse, fine] = await gaussianConvergence((order) => unipc({ order }), order);
      expect([coarse!.nfe, fine!.nfe]).toEqual([16, 256]);
      expect(fine!.error).toBeLessThan(2e-3);
      expect(fine!.error).toBeLessThan(coarse!.error / 10);
    }
  });

  it('disposes every intermediate tensor, awaits async denoisers and leaves the input untouched', async () => {
    for (const order of [1, 2, 3] as const) {
      const { live, x, input } = await trackedRun((order) => unipc({ order }), order);
      expect(live).toEqual([x]);
      expect(input).toEqual(x0);
    }
  });

  it('refuses bad options with a clear error naming the parameter', async () => {
    for (const order of [0, 4, 1.5, '3']) {
      expect(() => unipc({ order: order as 3 })).toThrow(
        expect.objectContaining({ parameter: 'order' }) as Error,
      );
    }
    expect(() => unipc({ order: 5 as 3 })).toThrow(/order must be one of 1, 2, 3/);
    expect(() => unipc({ variant: 'bh3' as 'bh1' })).toThrow(
      expect.objectContaining({ parameter: 'variant' }) as Error,
    );
    expect(() => unipc({ lowerOrderFinal: 1 as unknown as boolean })).toThrow(ParameterError);
    await expect(
      unipc().sample({ ops: arrayOps, denoiser: linear, x: Float64Array.of(1), sigmas: [1, 2] }),
    ).rejects.toThrow(ParameterError);
  });
});
