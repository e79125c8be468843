import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs } from '@edmkit/core';
import { empiricalImages, isotropicGaussian, standardMixture } from '@edmkit/data';
import { referenceSolve, rmsError } from '@edmkit/metrics';

function latents(batch: number, dim: number, sigmaMax: number, seed = 1): Float64Array {
  return arrayOps.combine([
    [sigmaMax, arrayOps.randnLike(new Float64Array(batch * dim), sampleRngs(seed, batch))],
  ]);
}

/** Largest per-sample RMS of (a − b) relative to the per-sample RMS of b. */
function maxRelativeRms(a: Float64Array, b: Float64Array, dim: number): number {
  const err = rmsError(a, b, dim);
  const norm = rmsError(b, new Float64Array(b.length), dim);
  return Math.max(...err.map((e, i) => e / norm[i]!));
}

describe('referenceSolve', () => {
  it('matches the closed-form Gaussian trajectory to 2e-9 relative (c ≠ σ_data)', async () => {
    for (const [sigmaData, c] of [
      [0.5, 1],
      [0.2, 0.5],
      [2, 0.1],
    ] as const) {
      const g = isotropicGaussian({ dim: 16, sigmaData });
      const x0 = latents(64, 16, 80);
      const ref = await referenceSolve({
        denoiser: g.denoiser,
        x0,
        sigmaMax: 80,
        dim: 16,
        sigmaData: c,
      });
      expect(maxRelativeRms(ref.x, g.flow(x0, 80, 0), 16)).toBeLessThan(2e-9);
      expect(ref.nfe).toBeLessThan(700);
    }
  });

  it('is exact for Gaussian data when c = σ_data (the right-hand side vanishes)', async () => {
    const g = isotropicGaussian({ dim: 8, sigmaData: 0.5 });
    const x0 = latents(16, 8, 80);
    const ref = await referenceSolve({ denoiser: g.denoiser, x0, sigmaMax: 80, dim: 8 });
    expect(maxRelativeRms(ref.x, g.flow(x0, 80, 0), 8)).toBeLessThan(1e-13);
  });

  it('stops at σ_min > 0 on the exact trajectory', async () => {
    const g = isotropicGaussian({ dim: 4, sigmaData: 0.7 });
    const x0 = latents(8, 4, 100);
    for (const sigmaMin of [0.002, 0.5, 20]) {
      const ref = await referenceSolve({
        denoiser: g.denoiser,
        x0,
        sigmaMax: 100,
        sigmaMin,
        dim: 4,
      });
      expect(ref.sigmaEnd).toBe(sigmaMin);
      expect(maxRelativeRms(ref.x, g.flow(x0, 100, sigmaMin), 4)).toBeLessThan(2e-9);
    }
  });

  it('on the 16-d standard mixture, 100× tighter tolerances change the result by < 3e-9 (claimed ≈ 1.5·rtol)', async () => {
    const data = standardMixture({ seed: 0 });
    const x0 = latents(256, 16, 80);
    const ref = await referenceSolve({ denoiser: data.denoiser, x0, sigmaMax: 80, dim: 16 });
    const tight = await referenceSolve({
      denoiser: data.denoiser,
      x0,
      sigmaMax: 80,
      dim: 16,
      rtol: 1e-11,
      atol: 1e-11,
    });
    expect(Math.max(...rmsError(ref.x, tight.x, 16))).toBeLessThan(3e-9);
    expect(ref.nfe).toBeLessThan(1000);
    expect(ref.nfe).toBe(6 * (ref.steps + ref.rejected) + 1);
    // and the result is a sample of the data: near a component, not at a noisy point
    expect(Math.max(...rmsError(ref.x, data.denoiser(ref.x, 0), 16))).toBeLessThan(1e-6);
  });

  it('error scales with the tolerance (a 5th-order method converges)', async () => {
    const data = standardMixture({ seed: 3, dim: 4, components: 3 });
    const x0 = latents(32, 4, 80, 5);
    const truth = await referenceSolve({
      denoiser: data.denoiser,
      x0,
      sigmaMax: 80,
      dim: 4,
      rtol: 1e-12,
      atol: 1e-12,
    });
    const loose = await referenceSolve({
      denoiser: data.denoiser,
      x0,
      sigmaMax: 80,
      dim: 4,
      rtol: 1e-6,
      atol: 1e-6,
    });
    const mid = await referenceSolve({
      denoiser: data.denoiser,
      x0,
      sigmaMax: 80,
      dim: 4,
      rtol: 1e-8,
      atol: 1e-8,
    });
    const eLoose = Math.max(...rmsError(loose.x, truth.x, 4));
    const eMid = Math.max(...rmsError(mid.x, truth.x, 4));
    expect(eLoose).toBeLessThan(1e-5);
    expect(eMid).toBeLessThan(1e-7);
    expect(eMid).toBeLessThan(eLoose / 10);
    expect(mid.nfe).toBeGreaterThan(loose.nfe);
  });

  it('ends exactly on an image for the empirical denoiser, and stops early', async () => {
    const dim = 12;
    const count = 9;
    const images = new Float64Array(count * dim).map((_, i) => Math.sin(1.7 * i) * 0.9);
    const data = empiricalImages({ images, count, dim });
    const x0 = latents(6, dim, 80, 2);
    const ref = await referenceSolve({ denoiser: data.denoiser, x0, sigmaMax: 80, dim });
    expect(ref.sigmaEnd).toBeGreaterThan(1e-6);
    for (let b = 0; b < 6; b++) {
      const xb = ref.x.subarray(b * dim, (b + 1) * dim);
      let nearest = Infinity;
      for (let k = 0; k < count; k++) {
        let d = 0;
        for (let i = 0; i < dim; i++) d = Math.max(d, Math.abs(xb[i]! - images[k * dim + i]!));
        nearest = Math.min(nearest, d);
      }
      expect(nearest).toBeLessThan(1e-15);
    }
  });

  it('accepts an async denoiser and does not modify x0', async () => {
    const g = isotropicGaussian({ dim: 2 });
    const x0 = latents(3, 2, 10);
    const copy = x0.slice();
    const ref = await referenceSolve({
      denoiser: (x, s) => Promise.resolve(g.denoiser(x, s)),
      x0,
      sigmaMax: 10,
      dim: 2,
    });
    expect(x0).toEqual(copy);
    expect(maxRelativeRms(ref.x, g.flow(x0, 10, 0), 2)).toBeLessThan(1e-12);
  });

  it('refuses bad options with their names', async () => {
    const g = isotropicGaussian({ dim: 2 });
    const base = { denoiser: g.denoiser, x0: new Float64Array(4), sigmaMax: 80, dim: 2 };
    await expect(referenceSolve({ ...base, x0: new Float64Array(3) })).rejects.toThrow(
      /x0\.length/,
    );
    await expect(referenceSolve({ ...base, sigmaMax: 0 })).rejects.toThrow(/sigmaMax/);
    await expect(referenceSolve({ ...base, sigmaMin: 80 })).rejects.toThrow(/sigmaMin/);
    await expect(referenceSolve({ ...base, rtol: 0 })).rejects.toThrow(/rtol/);
    await expect(referenceSolve({ ...base, sigmaData: -1 })).rejects.toThrow(/sigmaData/);
    await expect(referenceSolve({ ...base, maxSteps: 2, sigmaData: 3 })).rejects.toThrow(
      /maxSteps/,
    );
    await expect(referenceSolve({ ...base, denoiser: () => new Float64Array(1) })).rejects.toThrow(
      ParameterError,
    );
    await expect(
      referenceSolve({
        ...base,
        x0: new Float64Array([1, 1, 1, 1]),
        denoiser: (x) => x.map(() => Number.NaN),
      }),
    ).rejects.toThrow(/finite/);
  });
});
