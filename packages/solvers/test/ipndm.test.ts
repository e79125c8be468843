import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError } from '@edmkit/core';
import { ipndm } from '@edmkit/solvers';
import {
  denoiser,
  errorBeforeZero,
  karras,
  observedOrder,
  trackingOps,
  uniform,
  z,
} from './helpers/gaussian-flow.js';

describe('ipndm', () => {
  it('has the nominal order p on a uniform σ grid and order 2 on the ρ = 7 grid', async () => {
    for (const p of [1, 2, 3, 4]) {
      const q = await observedOrder(ipndm({ order: p }), uniform, 256);
      expect(q).toBeGreaterThan(p - 0.2);
      expect(q).toBeLessThan(p + 0.2);
    }
    // Fixed equal-step weights on unequal steps: only 2nd-order convergent (documented).
    for (const p of [2, 3, 4]) {
      const q = await observedOrder(ipndm({ order: p }), karras, 128);
      expect(q).toBeGreaterThan(1.9);
      expect(q).toBeLessThan(2.15);
    }
  });

  it('converges to the closed-form Gaussian solution', async () => {
    expect(await errorBeforeZero(ipndm(), uniform(512))).toBeLessThan(1e-6);
    expect(await errorBeforeZero(ipndm(), karras(256))).toBeLessThan(1e-4);
  });

  it('is exact for a single data point (constant d along the trajectory)', async () => {
    const y0 = Float64Array.from([0.3, -0.2, 1, 0]);
    const x0 = Float64Array.from([5, 1, -2, 3]);
    const sigmas = [5, 3, 1.7, 0.4, 0.1];
    const seen: number[] = [];
    const { nfe } = await ipndm().sample({
      ops: arrayOps,
      denoiser: () => y0.slice(),
      x: x0,
      sigmas,
      onStep: ({ sigmaNext, x: xi }) => {
        for (let k = 0; k < 4; k++)
          expect(xi[k]).toBeCloseTo(y0[k]! + (sigmaNext / 5) * (x0[k]! - y0[k]!), 12);
        seen.push(sigmaNext);
      },
    });
    expect(seen).toEqual(sigmas.slice(1));
    expect(nfe).toBe(4);
    const toZero = await ipndm().sample({
      ops: arrayOps,
      denoiser: () => y0.slice(),
      x: x0,
      sigmas: [...sigmas, 0],
    });
    for (let k = 0; k < 4; k++) expect(toZero.x[k]).toBeCloseTo(y0[k]!, 12);
  });

  it('warms up from order 1 and applies lowerOrderFinal', async () => {
    // Scalar problem D(x; σ) = a(σ)·x, hand-computed Adams–Bashforth steps.
    const a = (s: number): number => 1 / (1 + s * s);
    const den = (x: Float64Array, s: number): Float64Array => x.map((v) => a(s) * v);
    const d = (x: number, s: number): number => (x - a(s) * x) / s;
    const sig = [3, 2, 1.2, 0.5];
    const x0 = 2;
    const d0 = d(x0, 3);
    const x1 = x0 + (2 - 3) * d0;
    const d1 = d(x1, 2);
    const x2 = x1 + (1.2 - 2) * (1.5 * d1 - 0.5 * d0);
    const d2 = d(x2, 1.2);
    const x3 = x2 + (0.5 - 1.2) * ((23 * d2 - 16 * d1 + 5 * d0) / 12);
    const x3low = x2 + (0.5 - 1.2) * d2;
    const run = (o: Parameters<typeof ipndm>[0]) =>
      ipndm(o).sample({ ops: arrayOps, denoiser: den, x: Float64Array.of(x0), sigmas: sig });
    expect((await run({})).x[0]).toBeCloseTo(x3, 13);
    expect((await run({ order: 3 })).x[0]).toBeCloseTo(x3, 13);
    // N = 3: orders min(4, i + 1, N − i) = 1, 2, 1.
    expect((await run({ lowerOrderFinal: true })).x[0]).toBeCloseTo(x3low, 13);
    expect(Math.abs(x3 - x3low)).toBeGreaterThan(1e-3);
  });

  it('disposes every intermediate tensor and leaves the input intact', async () => {
    const { ops, live, track } = trackingOps();
    const x0 = z.map((v) => v * 80);
    const copy = x0.slice();
    const { x } = await ipndm().sample({
      ops,
      denoiser: (x, s) => track(denoiser(x, s)),
      x: x0,
      sigmas: karras(10),
    });
    expect([...live]).toEqual([x]);
    expect(x0).toEqual(copy);
  });

  it('refuses bad options and σ lists', () => {
    for (const order of [0, 5, 2.5, '4']) {
      expect(() => ipndm({ order: order as number })).toThrow(ParameterError);
      expect(() => ipndm({ order: order as number })).toThrow(/order must be one of 1, 2, 3, 4/);
    }
    expect(() => ipndm({ lowerOrderFinal: 1 as unknown as boolean })).toThrow(/lowerOrderFinal/);
    const s = ipndm();
    expect(s).toMatchObject({ name: 'ipndm', order: 4, stochastic: false });
    expect(Object.isFrozen(s)).toBe(true);
    return expect(s.sample({ ops: arrayOps, denoiser, x: z, sigmas: [1, 2] })).rejects.toThrow(
      ParameterError,
    );
  });
});
