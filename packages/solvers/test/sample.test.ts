import { describe, expect, it } from 'vitest';
import { arrayOps, createRng, ParameterError, sampleRngs, type Denoiser } from '@edmkit/core';
import { edmSteps, linearSchedule } from '@edmkit/schedules';
import { euler, heun, sample, secondOrder, timeSteps } from '@edmkit/solvers';
import {
  errorAtSigmaMin,
  exactGaussian,
  gaussianDenoiser,
  pairs,
  range,
  sigmaData,
} from './helpers.js';

const z = createRng(3).fillNormal(new Float64Array(8));

describe('sample: convergence to the closed-form Gaussian ODE solution', () => {
  for (const pair of pairs()) {
    it(`Euler is first order and Heun second order under σ(t)/s(t) = ${pair.label}`, async () => {
      // Asymptotic regime: N = 48, 96, 192 (ρ = 7 steps concentrate near σ_min).
      const ns = [48, 96, 192];
      for (const [solver, order] of [
        [euler(), 1],
        [heun(), 2],
        [secondOrder({ alpha: 0.5 }), 2],
      ] as const) {
        const errs: number[] = [];
        for (const n of ns) {
          const { err, nfe } = await errorAtSigmaMin(pair, solver, n, z);
          expect(nfe).toBe(solver.nfe(n));
          errs.push(err);
        }
        const observed = ns.slice(1).map((_, k) => Math.log2(errs[k]! / errs[k + 1]!));
        for (const p of observed) expect(p).toBeGreaterThan(order - 0.25);
        // The midpoint rule superconverges (order 3) on this linear ODE under σ(t) = t and √t,
        // so only Euler and Heun are held to their order from above.
        if (solver.name !== 'midpoint')
          for (const p of observed) expect(p).toBeLessThan(order + 0.25);
      }
    });
  }

  it('ends with an Euler step to σ = 0, i.e. x_N = D(x_{N−1}; σ_{N−1}), close to the closed form', async () => {
    const n = 256;
    const tSteps = timeSteps({ discretization: edmSteps(), n, range, schedule: linearSchedule() });
    let before = new Float64Array(0);
    const { x, nfe } = await sample({
      ops: arrayOps,
      denoiser: gaussianDenoiser,
      latents: z,
      tSteps,
      onStep: ({ i, x: xi }) => {
        if (i === n - 2) before = xi.slice();
      },
    });
    expect(nfe).toBe(2 * n - 1);
    const last = gaussianDenoiser(before, tSteps[n - 1]!) as Float64Array;
    for (let k = 0; k < z.length; k++) expect(x[k]).toBeCloseTo(last[k]!, 14);
    // x̂(0) = x̂(σ_max)·σ_d/√(σ_max² + σ_d²); Heun with 256 steps is within 1e-3 relative.
    const exact = exactGaussian(z, 0, range.sigmaMax);
    for (let k = 0; k < z.length; k++)
      expect(Math.abs(x[k]! - exact[k]!)).toBeLessThan(1e-3 * Math.abs(exact[k]!));
  });
});

describe('sample: NFE and last step', () => {
  it('uses N evaluations for Euler and 2N − 1 for Heun, and visits σ(t̂) in order', async () => {
    for (const n of [1, 2, 5, 18]) {
      const tSteps = timeSteps({
        discretization: edmSteps(),
        n,
        range,
        schedule: linearSchedule(),
      });
      const seen: number[] = [];
      const recording: Denoiser<Float64Array> = (x, sigma) => {
        seen.push(sigma);
        return gaussianDenoiser(x, sigma);
      };
      const e = await sample({
        ops: arrayOps,
        denoiser: recording,
        latents: z,
        tSteps,
        solver: euler(),
      });
      expect(e.nfe).toBe(n);
      expect(seen).toEqual(Array.from(tSteps.subarray(0, n)));
      seen.length = 0;
      const h = await sample({
        ops: arrayOps,
        denoiser: recording,
        latents: z,
        tSteps,
        solver: heun(),
      });
      expect(h.nfe).toBe(2 * n - 1);
      // Heun evaluates at t_i and t_{i+1} for every step but the last.
      const expected: number[] = [];
      for (let i = 0; i < n; i++) {
        expected.push(tSteps[i]!);
        if (i < n - 1) expected.push(tSteps[i + 1]!);
      }
      // t' = t̂ + α·h equals t_{i+1} up to rounding.
      expect(seen.length).toBe(expected.length);
      seen.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 10));
    }
  });

  it('treats a repeated level as a zero-length step that still costs its evaluations', async () => {
    const plain = await sample({
      ops: arrayOps,
      denoiser: gaussianDenoiser,
      latents: z,
      tSteps: [80, 10, 1, 0],
    });
    const repeated = await sample({
      ops: arrayOps,
      denoiser: gaussianDenoiser,
      latents: z,
      tSteps: [80, 10, 10, 1, 0],
    });
    expect(repeated.nfe).toBe(plain.nfe + 2);
    repeated.x.forEach((v, k) => expect(v).toBeCloseTo(plain.x[k]!, 13));
  });

  it('with N = 1 returns D(x_0; σ_max) (a single Euler step to 0)', async () => {
    const tSteps = timeSteps({
      discretization: edmSteps(),
      n: 1,
      range,
      schedule: linearSchedule(),
    });
    const { x } = await sample({ ops: arrayOps, denoiser: gaussianDenoiser, latents: z, tSteps });
    const x0 = z.map((v) => v * tSteps[0]!);
    const d = gaussianDenoiser(x0, tSteps[0]!) as Float64Array;
    for (let k = 0; k < z.length; k++) expect(x[k]).toBeCloseTo(d[k]!, 12);
  });

  it('accepts an async denoiser and gives the same result', async () => {
    const tSteps = timeSteps({
      discretization: edmSteps(),
      n: 10,
      range,
      schedule: linearSchedule(),
    });
    const a = await sample({ ops: arrayOps, denoiser: gaussianDenoiser, latents: z, tSteps });
    const b = await sample({
      ops: arrayOps,
      denoiser: async (x, sigma) => Promise.resolve(gaussianDenoiser(x, sigma)),
      latents: z,
      tSteps,
    });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  });
});

describe('sample: stochastic churn', () => {
  const dim = 6;
  const tSteps = timeSteps({
    discretization: edmSteps(),
    n: 12,
    range,
    schedule: linearSchedule(),
  });
  const settings = { sChurn: 40, sMin: 0.05, sMax: 50, sNoise: 1.003 };

  async function run(batch: number, first: number) {
    const latents = new Float64Array(batch * dim);
    sampleRngs(100, batch, first).forEach((r, b) => r.fillNormal(latents, b * dim, dim));
    const rngs = sampleRngs(200, batch, first);
    return (
      await sample({
        ops: arrayOps,
        denoiser: gaussianDenoiser,
        latents,
        tSteps,
        churn: settings,
        rngs,
      })
    ).x;
  }

  it('is bit-for-bit reproducible across runs and batch sizes', async () => {
    const full = await run(5, 0);
    const again = await run(5, 0);
    expect(Array.from(again)).toEqual(Array.from(full));
    const third = await run(1, 3);
    expect(Array.from(third)).toEqual(Array.from(full.subarray(3 * dim, 4 * dim)));
    const pair = await run(2, 1);
    expect(Array.from(pair)).toEqual(Array.from(full.subarray(dim, 3 * dim)));
  });

  it('applies γ = min(S_churn/N, √2 − 1) inside [S_min, S_max] only', async () => {
    // With Euler steps the one denoiser call of step i is at σ̂_i = t_i(1 + γ_i).
    const calls: number[] = [];
    const times: number[] = [];
    await sample({
      ops: arrayOps,
      denoiser: (x, sigma) => {
        calls.push(sigma);
        return gaussianDenoiser(x, sigma);
      },
      latents: z,
      tSteps,
      solver: euler(),
      churn: settings,
      rngs: sampleRngs(1, 1),
      onStep: ({ tCur }) => {
        times.push(tCur);
      },
    });
    expect(calls).toHaveLength(times.length);
    times.forEach((t, i) => {
      const gamma = t >= 0.05 && t <= 50 ? Math.min(40 / 12, Math.SQRT2 - 1) : 0;
      expect(calls[i]).toBeCloseTo(t * (1 + gamma), 12);
    });
  });

  it('draws one noise per step even where γ = 0, and ignores it there', async () => {
    const latents = z.subarray(0, dim);
    let draws = 0;
    const base = sampleRngs(9, 1)[0]!;
    const counting = {
      uniform: () => base.uniform(),
      normal: () => base.normal(),
      fillNormal: (out: Float64Array, offset?: number, length?: number) => {
        draws++;
        return base.fillNormal(out, offset, length);
      },
      getState: () => base.getState(),
    };
    const det = await sample({ ops: arrayOps, denoiser: gaussianDenoiser, latents, tSteps });
    const withRng = await sample({
      ops: arrayOps,
      denoiser: gaussianDenoiser,
      latents,
      tSteps,
      churn: { sChurn: 0 },
      rngs: [counting],
    });
    expect(draws).toBe(12);
    expect(Array.from(withRng.x)).toEqual(Array.from(det.x));
  });

  it('gives a different but statistically sound result with churn', async () => {
    // With the exact denoiser, churn keeps the marginals right: samples stay ~N(0, σ_d²).
    const batch = 2000;
    const latents = new Float64Array(batch);
    sampleRngs(5, batch).forEach((r, b) => (latents[b] = r.normal()));
    const { x } = await sample({
      ops: arrayOps,
      denoiser: gaussianDenoiser,
      latents,
      tSteps: timeSteps({ discretization: edmSteps(), n: 32, range, schedule: linearSchedule() }),
      churn: { sChurn: 10 },
      rngs: sampleRngs(6, batch),
    });
    const variance = x.reduce((a, v) => a + v * v, 0) / batch;
    expect(variance).toBeGreaterThan(sigmaData ** 2 * 0.9);
    expect(variance).toBeLessThan(sigmaData ** 2 * 1.1);
  });
});

describe('sample: input validation', () => {
  const tSteps = timeSteps({ discretization: edmSteps(), n: 4, range, schedule: linearSchedule() });
  const base = { ops: arrayOps, denoiser: gaussianDenoiser, latents: z };

  it('refuses time steps that are not decreasing to 0', async () => {
    await expect(sample({ ...base, tSteps: [1, 0.5] })).rejects.toThrow(/tSteps\[1\] must be 0/);
    await expect(sample({ ...base, tSteps: [1, 2, 0] })).rejects.toThrow(/tSteps\[0\]/);
    await expect(sample({ ...base, tSteps: [1, 0, 0] })).rejects.toThrow(
      /tSteps\[1\] must be a finite number > 0/,
    );
    await expect(sample({ ...base, tSteps: [Number.NaN, 0] })).rejects.toThrow(/tSteps\[0\]/);
    await expect(sample({ ...base, tSteps: [0] })).rejects.toThrow(ParameterError);
  });

  it('refuses α outside (0, 1] and negative churn settings', async () => {
    expect(() => secondOrder({ alpha: 0 })).toThrow(
      'alpha must be a finite number > 0 and <= 1 (got 0)',
    );
    expect(() => secondOrder({ alpha: 1.5 })).toThrow(/alpha/);
    await expect(sample({ ...base, tSteps, churn: { sChurn: -1 } })).rejects.toThrow(/sChurn/);
    await expect(sample({ ...base, tSteps, churn: { sMin: 2, sMax: 1 } })).rejects.toThrow(/sMax/);
    await expect(sample({ ...base, tSteps, churn: { sChurn: 1 } })).rejects.toThrow(/rngs/);
  });

  it('refuses N < 1', () => {
    expect(() =>
      timeSteps({ discretization: edmSteps(), n: 0, range, schedule: linearSchedule() }),
    ).toThrow('n must be an integer >= 1 (got 0)');
  });
});
