import { describe, expect, it } from 'vitest';
import {
  arrayOps,
  createRng,
  EdmkitError,
  ParameterError,
  type Denoiser,
  type TensorOps,
} from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { adaptive } from '@edmkit/solvers';

const dim = 4;
const batch = 3;
const data = isotropicGaussian({ sigmaData: 0.5, dim });
const sigmaMax = 80;

function latents(seed: number): Float64Array {
  const z = new Float64Array(dim * batch);
  createRng(seed).fillNormal(z, 0, z.length);
  return z.map((v) => v * sigmaMax);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Counts denoiser calls independently of the solver's own report. */
function counted(d: Denoiser<Float64Array>) {
  let calls = 0;
  return { denoiser: ((x, s) => (calls++, d(x, s))) as Denoiser<Float64Array>, calls: () => calls };
}

/** arrayOps that tracks which tensors are alive (created and not disposed). */
function trackingOps() {
  const live = new Set<Float64Array>();
  const ops: TensorOps<Float64Array> = {
    ...arrayOps,
    combine: (terms) => {
      const out = arrayOps.combine(terms);
      live.add(out);
      return out;
    },
    dispose: (x) => {
      if (!live.delete(x))
        throw new Error('disposed a tensor that is not live (double dispose or not owned)');
    },
  };
  const denoiser: Denoiser<Float64Array> = (x, s) => {
    const out = data.denoiser(x, s);
    live.add(out);
    return out;
  };
  return { ops, denoiser, live };
}

describe('adaptive', () => {
  const x0 = latents(1);

  for (const order of [2, 3] as const) {
    it(`order ${order}: error shrinks and NFE grows as rtol shrinks (Gaussian data, exact flow at σ_end)`, async () => {
      const sigmaEnd = 0.002;
      const exact = data.flow(x0, sigmaMax, sigmaEnd);
      const errs: number[] = [];
      const nfes: number[] = [];
      for (const tol of [1e-2, 1e-3, 1e-4, 1e-5]) {
        const c = counted(data.denoiser);
        const r = await adaptive({ order, rtol: tol, atol: tol }).sample({
          ops: arrayOps,
          denoiser: c.denoiser,
          x: x0,
          sigmas: [sigmaMax, sigmaEnd],
        });
        expect(r.nfe).toBe(c.calls());
        errs.push(maxAbsDiff(r.x, exact));
        nfes.push(r.nfe);
      }
      for (let k = 1; k < errs.length; k++) {
        expect(nfes[k]!).toBeGreaterThan(nfes[k - 1]!);
        expect(errs[k]!).toBeLessThan(errs[k - 1]!);
      }
      // Tightening the tolerance 1000× buys at least ~100× in error.
      expect(errs[3]!).toBeLessThan(errs[0]! / 100);
      expect(errs[3]!).toBeLessThan(1e-3); // global error ≈ 40·tol here (order 3: 4.4e-4 at tol 1e-5)
      // The NFE grows like tol^(−1/order): 1000× tighter ⇒ about 1000^(1/order)× more NFE.
      const growth = nfes[3]! / nfes[0]!;
      expect(growth).toBeGreaterThan(1000 ** (1 / order) / 4);
      expect(growth).toBeLessThan(1000 ** (1 / order) * 4);
    });
  }

  it('to σ = 0: integrates to σ_min, then returns D(x; σ_min) (free for order 3 thanks to FSAL)', async () => {
    for (const order of [2, 3] as const) {
      const solver = adaptive({ order, rtol: 1e-5, atol: 1e-5, sigmaMin: 0.002 });
      const toMin = await solver.sample({
        ops: arrayOps,
        denoiser: data.denoiser,
        x: x0,
        sigmas: [sigmaMax, 0.002],
      });
      const toZero = await solver.sample({
        ops: arrayOps,
        denoiser: data.denoiser,
        x: x0,
        sigmas: [sigmaMax, 0],
      });
      expect(Array.from(toZero.x)).toEqual(Array.from(data.denoiser(toMin.x, 0.002)));
      expect(toZero.nfe).toBe(toMin.nfe + (order === 3 ? 0 : 1));
      expect(toZero.steps).toBe(toMin.steps + 1);
      expect(maxAbsDiff(toZero.x, data.flow(x0, sigmaMax, 0))).toBeLessThan(1e-3);
    }
  });

  it('with sigmas ending in 0 and no sigmaMin, stops at the last nonzero σ of the list', async () => {
    const solver = adaptive({ rtol: 1e-4, atol: 1e-4 });
    const a = await solver.sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0.05, 0],
    });
    const b = await adaptive({ rtol: 1e-4, atol: 1e-4, sigmaMin: 0.05 }).sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0],
    });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
  });

  it('never exceeds maxNfe: throws a clear error instead; a budget equal to the need succeeds', async () => {
    const free = await adaptive({ rtol: 1e-6, atol: 1e-6 }).sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0],
    });
    const c = counted(data.denoiser);
    const tight = adaptive({ rtol: 1e-6, atol: 1e-6, maxNfe: 20 });
    await expect(
      tight.sample({ ops: arrayOps, denoiser: c.denoiser, x: x0, sigmas: [sigmaMax, 0] }),
    ).rejects.toThrow(/maxNfe = 20/);
    await expect(
      tight.sample({ ops: arrayOps, denoiser: c.denoiser, x: x0, sigmas: [sigmaMax, 0] }),
    ).rejects.toBeInstanceOf(EdmkitError);
    expect(c.calls()).toBeLessThanOrEqual(40);
    const exactBudget = await adaptive({ rtol: 1e-6, atol: 1e-6, maxNfe: free.nfe }).sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0],
    });
    expect(Array.from(exactBudget.x)).toEqual(Array.from(free.x));
    // Below one step of the pair: refused up front, naming maxNfe.
    const tooFew = adaptive({ order: 3, maxNfe: 3 });
    await expect(
      tooFew.sample({ ops: arrayOps, denoiser: data.denoiser, x: x0, sigmas: [sigmaMax, 0] }),
    ).rejects.toMatchObject({ parameter: 'maxNfe' });
  });

  it('reports accepted steps through onStep with consistent σ and NFE', async () => {
    const seen: { i: number; n: number; sigma: number; sigmaNext: number; nfe: number }[] = [];
    const r = await adaptive({ rtol: 1e-3, atol: 1e-3 }).sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0],
      onStep: ({ i, n, sigma, sigmaNext, nfe }) => void seen.push({ i, n, sigma, sigmaNext, nfe }),
    });
    expect(seen.length).toBe(r.steps);
    expect(seen[0]!.sigma).toBe(sigmaMax);
    expect(seen.at(-1)!.sigmaNext).toBe(0);
    expect(seen.at(-2)!.sigmaNext).toBe(0.002);
    expect(seen.at(-1)!.n).toBe(r.steps);
    expect(seen.at(-1)!.nfe).toBe(r.nfe);
    for (let k = 0; k < seen.length; k++) {
      expect(seen[k]!.i).toBe(k);
      if (k > 0) expect(seen[k]!.sigma).toBe(seen[k - 1]!.sigmaNext);
      expect(seen[k]!.sigmaNext).toBeLessThan(seen[k]!.sigma);
    }
  });

  it('awaits async denoisers (same result) and disposes every intermediate tensor', async () => {
    const sync = await adaptive().sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 0],
    });
    const asyncRun = await adaptive().sample({
      ops: arrayOps,
      denoiser: async (x, s) => Promise.resolve(data.denoiser(x, s)),
      x: x0,
      sigmas: [sigmaMax, 0],
    });
    expect(Array.from(asyncRun.x)).toEqual(Array.from(sync.x));
    for (const order of [2, 3] as const) {
      const t = trackingOps();
      const r = await adaptive({ order }).sample({
        ops: t.ops,
        denoiser: t.denoiser,
        x: x0,
        sigmas: [sigmaMax, 0],
      });
      expect([...t.live]).toEqual([r.x]);
    }
  });

  it('uses a custom read for the error norm', async () => {
    let reads = 0;
    const r = await adaptive({ read: (x) => (reads++, x as Float64Array) }).sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [sigmaMax, 1],
    });
    expect(reads).toBeGreaterThan(r.steps);
  });

  it('refuses bad options with ParameterError naming the parameter', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ rtol: 0 }, 'rtol'],
      [{ rtol: -1e-3 }, 'rtol'],
      [{ atol: 0 }, 'atol'],
      [{ atol: Number.NaN }, 'atol'],
      [{ order: 4 }, 'order'],
      [{ order: 1 }, 'order'],
      [{ pid: { beta1: 0 } }, 'pid.beta1'],
      [{ pid: { beta2: Infinity } }, 'pid.beta2'],
      [{ acceptSafety: 1.5 }, 'acceptSafety'],
      [{ hInit: 0 }, 'hInit'],
      [{ maxNfe: 2.5 }, 'maxNfe'],
      [{ sigmaMin: 0 }, 'sigmaMin'],
    ];
    for (const [opts, parameter] of bad) {
      expect(() => adaptive(opts as never)).toThrow(ParameterError);
      try {
        adaptive(opts);
      } catch (e) {
        expect((e as ParameterError).parameter).toBe(parameter);
      }
    }
  });

  it('refuses sigmaMin ≥ σ_0 and bad σ lists', async () => {
    await expect(
      adaptive({ sigmaMin: 100 }).sample({
        ops: arrayOps,
        denoiser: data.denoiser,
        x: x0,
        sigmas: [sigmaMax, 0],
      }),
    ).rejects.toMatchObject({
      parameter: 'sigmaMin',
    });
    await expect(
      adaptive().sample({ ops: arrayOps, denoiser: data.denoiser, x: x0, sigmas: [1, 2] }),
    ).rejects.toBeInstanceOf(ParameterError);
    await expect(
      adaptive().sample({
        ops: arrayOps,
        denoiser: () => new Float64Array(dim * batch).fill(Number.NaN),
        x: x0,
        sigmas: [1, 0],
      }),
    ).rejects.toMatchObject({
      parameter: 'denoiser',
    });
  });
});
