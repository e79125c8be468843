import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { dpmSolverSingle, heun, type Churn, type SigmaSolver } from '@edmkit/solvers';

/** EDM's Heun with churn, in k-diffusion's σ-space form. */
const heunK = (churn: Partial<Churn> = {}) => heun({ churn });
import {
  denoiser,
  errorBeforeZero,
  karras,
  observedOrder,
  trackingOps,
  uniform,
  z,
} from './helpers/gaussian-flow.js';

const y0 = Float64Array.from([0.3, -0.2, 1, 0]);
const x0 = Float64Array.from([5, 1, -2, 3]);

async function checkExactForPoint(solver: SigmaSolver): Promise<number> {
  const sigmas = [5, 3, 1.7, 0.4, 0.1, 0];
  const { x, nfe } = await solver.sample({
    ops: arrayOps,
    denoiser: () => y0.slice(),
    x: x0,
    sigmas,
    onStep: ({ sigmaNext, x: xi }) => {
      for (let k = 0; k < 4; k++)
        expect(xi[k]).toBeCloseTo(y0[k]! + (sigmaNext / 5) * (x0[k]! - y0[k]!), 12);
    },
  });
  for (let k = 0; k < 4; k++) expect(x[k]).toBeCloseTo(y0[k]!, 12);
  return nfe;
}

describe('dpmSolverSingle', () => {
  it('DPM-Solver-2 is 2nd order (ρ = 7 grid) and DPM-Solver-3 3rd order (uniform grid)', async () => {
    const q2 = await observedOrder(dpmSolverSingle({ order: 2 }), karras, 128);
    expect(q2).toBeGreaterThan(1.9);
    expect(q2).toBeLessThan(2.15);
    const q3 = await observedOrder(dpmSolverSingle({ order: 3 }), uniform, 128);
    expect(q3).toBeGreaterThan(2.85);
    expect(q3).toBeLessThan(3.2);
    // DPM-Solver-3 is within 5e-5 of the exact flow at σ_min with 32 steps (96 NFE) on the ρ = 7 grid.
    expect(await errorBeforeZero(dpmSolverSingle({ order: 3 }), karras(32))).toBeLessThan(5e-5);
  });

  it('is exact for a single data point; NFE = order·(N − 1) + 1 with the Euler step to 0', async () => {
    expect(await checkExactForPoint(dpmSolverSingle({ order: 2 }))).toBe(2 * 4 + 1);
    expect(await checkExactForPoint(dpmSolverSingle({ order: 3 }))).toBe(3 * 4 + 1);
    const { nfe } = await dpmSolverSingle({ order: 3 }).sample({
      ops: arrayOps,
      denoiser,
      x: z,
      sigmas: [3, 2, 1],
    });
    expect(nfe).toBe(6);
  });

  it('matches a hand-computed DPM-Solver-2 step', async () => {
    const a = (s: number): number => 1 / (1 + s * s);
    const den = (x: Float64Array, s: number): Float64Array => x.map((v) => a(s) * v);
    const eps = (x: number, s: number): number => (x - a(s) * x) / s;
    const sm = Math.sqrt(3 * 1.5);
    const xm = 2 + (sm - 3) * eps(2, 3);
    const x1 = 2 + (1.5 - 3) * eps(xm, sm);
    const { x } = await dpmSolverSingle().sample({
      ops: arrayOps,
      denoiser: den,
      x: Float64Array.of(2),
      sigmas: [3, 1.5],
    });
    expect(x[0]).toBeCloseTo(x1, 14);
  });

  it('disposes every intermediate tensor', async () => {
    for (const order of [2, 3]) {
      const { ops, live, track } = trackingOps();
      const { x } = await dpmSolverSingle({ order }).sample({
        ops,
        denoiser: (x, s) => track(denoiser(x, s)),
        x: z.map((v) => v * 80),
        sigmas: karras(6),
      });
      expect([...live]).toEqual([x]);
    }
  });

  it('refuses unsupported orders', () => {
    for (const order of [1, 4, 2.5, '3']) {
      expect(() => dpmSolverSingle({ order: order as number })).toThrow(ParameterError);
      expect(() => dpmSolverSingle({ order: order as number })).toThrow(
        /order must be one of 2, 3/,
      );
    }
    expect(dpmSolverSingle({ order: 3 })).toMatchObject({
      name: 'dpm-solver-single',
      order: 3,
      stochastic: false,
    });
  });

  it('with churn: sample b from rngs[b] only, same output across batch sizes, marginals kept', async () => {
    const solver = dpmSolverSingle({ order: 2, sChurn: 10 });
    expect(solver.stochastic).toBe(true);
    const sigmas = karras(64);
    const batch = 2000;
    const latents = new Float64Array(batch);
    sampleRngs(3, batch).forEach((r, b) => (latents[b] = r.normal() * sigmas[0]!));
    const scalar = isotropicGaussian({ sigmaData: 0.5, dim: 1 });
    const d = (x: Float64Array, s: number) => scalar.denoiser(x, s);
    const all = await solver.sample({
      ops: arrayOps,
      denoiser: d,
      x: latents,
      sigmas,
      rngs: sampleRngs(4, batch),
    });
    const part = await solver.sample({
      ops: arrayOps,
      denoiser: d,
      x: latents.slice(7, 10),
      sigmas,
      rngs: sampleRngs(4, 3, 7),
    });
    expect(Array.from(part.x)).toEqual(Array.from(all.x.subarray(7, 10)));
    // Churn with the exact denoiser keeps the data marginal N(0, σ_d²).
    const variance = all.x.reduce((a, v) => a + v * v, 0) / batch;
    expect(variance / 0.25).toBeGreaterThan(0.9);
    expect(variance / 0.25).toBeLessThan(1.1);
    await expect(solver.sample({ ops: arrayOps, denoiser: d, x: latents, sigmas })).rejects.toThrow(
      /rngs/,
    );
    expect(() => dpmSolverSingle({ sChurn: -1 })).toThrow(/sChurn/);
  });
});

describe('heun (σ-space, with churn)', () => {
  it('is 2nd order and converges to the closed-form Gaussian solution', async () => {
    const q = await observedOrder(heunK(), karras, 128);
    expect(q).toBeGreaterThan(1.9);
    expect(q).toBeLessThan(2.15);
    expect(await errorBeforeZero(heunK(), karras(256))).toBeLessThan(3e-4);
  });

  it('is exact for a single data point and ends with one Euler step (2N − 1 NFE)', async () => {
    expect(await checkExactForPoint(heunK())).toBe(2 * 5 - 1);
  });

  it('applies EDM churn γ = min(S_churn/N, √2 − 1) within [S_min, S_max]', async () => {
    // Constant denoiser y₀: after churn x̂ = x + S_noise·√(σ̂² − σ²)·ε, every step is exact from x̂.
    const sigmas = [4, 2, 1];
    const sChurn = 0.6; // γ = 0.3 < √2 − 1
    const sNoise = 1.1;
    const rng = sampleRngs(11, 1)[0]!;
    const eps = [rng.normal(), rng.normal()];
    const c = heunK({ sChurn, sMin: 1.5, sMax: 10, sNoise });
    expect(c.stochastic).toBe(true);
    const { x, nfe } = await c.sample({
      ops: arrayOps,
      denoiser: () => Float64Array.of(0.5),
      x: Float64Array.of(3),
      sigmas,
      rngs: sampleRngs(11, 1),
    });
    // Step 0 (σ = 4 in range): γ = 0.3; step 1 (σ = 2) also churned; then exact to 1.
    let xs = 3;
    let s = 4;
    for (const [i, sig] of [4, 2].entries()) {
      const hat = sig * 1.3;
      xs = xs + sNoise * Math.sqrt(hat * hat - sig * sig) * eps[i]!;
      s = hat;
      const next = sigmas[i + 1]!;
      xs = 0.5 + (next / s) * (xs - 0.5);
    }
    expect(x[0]).toBeCloseTo(xs, 12);
    expect(nfe).toBe(4);
    // S_min above every σ: no churn, the deterministic run.
    const none = await heunK({ sChurn, sMin: 5 }).sample({
      ops: arrayOps,
      denoiser,
      x: z,
      sigmas,
      rngs: sampleRngs(11, 4),
    });
    const det = await heunK().sample({ ops: arrayOps, denoiser, x: z, sigmas });
    expect(none.x).toEqual(det.x);
  });

  it('draws sample b from rngs[b] only: same output bit for bit across batch sizes', async () => {
    const c = heunK({ sChurn: 10 });
    const batch = Float64Array.from({ length: 12 }, (_, k) => Math.sin(k + 1) * 80);
    const all = await c.sample({
      ops: arrayOps,
      denoiser,
      x: batch,
      sigmas: karras(8),
      rngs: sampleRngs(5, 3),
    });
    for (let b = 0; b < 3; b++) {
      const one = await c.sample({
        ops: arrayOps,
        denoiser,
        x: batch.slice(4 * b, 4 * b + 4),
        sigmas: karras(8),
        rngs: sampleRngs(5, 1, b),
      });
      expect(one.x).toEqual(all.x.slice(4 * b, 4 * b + 4));
    }
  });

  it('refuses bad churn settings and a stochastic run without rngs', async () => {
    expect(() => heunK({ sChurn: -1 })).toThrow(/sChurn/);
    expect(() => heunK({ sMin: 2, sMax: 1 })).toThrow(/sMax/);
    await expect(
      heunK({ sChurn: 1 }).sample({ ops: arrayOps, denoiser, x: z, sigmas: [2, 1, 0] }),
    ).rejects.toThrow(/rngs must be/);
    const { ops, live, track } = trackingOps();
    const { x } = await heunK({ sChurn: 5 }).sample({
      ops,
      denoiser: (x, s) => track(denoiser(x, s)),
      x: z.map((v) => v * 80),
      sigmas: karras(6),
      rngs: sampleRngs(1, 1),
    });
    expect([...live]).toEqual([x]);
  });
});
