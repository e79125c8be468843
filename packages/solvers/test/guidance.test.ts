import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, type Denoiser, type TensorOps } from '@edmkit/core';
import { isotropicGaussian } from '@edmkit/data';
import { adaptive, autoguidance, classifierFreeGuidance, guidanceInterval } from '@edmkit/solvers';

const sc = 0.3; // conditional data N(μ, sc² I)
const su = 0.5; // unconditional data N(0, su² I)
const mu = Float64Array.from([1, -2, 0.5]);

/** Posterior mean of N(μ, s² I) data at noise σ: μ + s²/(σ² + s²)·(x − μ). */
function gaussianPosterior(mean: Float64Array, s: number): Denoiser<Float64Array> {
  return (x, sigma) => {
    const a = (s * s) / (sigma * sigma + s * s);
    return x.map((v, i) => mean[i]! + a * (v - mean[i]!));
  };
}

const conditional = gaussianPosterior(mu, sc);
const unconditional = gaussianPosterior(new Float64Array(3), su);
const x = Float64Array.from([0.7, 3, -1.2]);

function counting(d: Denoiser<Float64Array>) {
  let n = 0;
  return { d: ((xx, s) => (n++, d(xx, s))) as Denoiser<Float64Array>, n: () => n };
}

function trackingOps() {
  const live = new Set<Float64Array>();
  const ops: TensorOps<Float64Array> = {
    ...arrayOps,
    combine: (terms) => {
      const out = arrayOps.combine(terms);
      live.add(out);
      return out;
    },
    dispose: (t) => {
      if (!live.delete(t)) throw new Error('dispose of a tensor that is not live');
    },
  };
  const wrap =
    (d: Denoiser<Float64Array>): Denoiser<Float64Array> =>
    async (xx, s) => {
      const out = await d(xx, s);
      live.add(out);
      return out;
    };
  return { ops, live, wrap };
}

describe('classifierFreeGuidance', () => {
  it('is the explicit linear map of two Gaussian posteriors', async () => {
    for (const w of [0.5, 2, 4.5, -1]) {
      const guided = classifierFreeGuidance({
        ops: arrayOps,
        conditional,
        unconditional,
        scale: w,
      });
      for (const sigma of [0.1, 1, 10]) {
        const ac = (sc * sc) / (sigma * sigma + sc * sc);
        const au = (su * su) / (sigma * sigma + su * su);
        // D_w(x) = [(1 − w)·a_u + w·a_c]·x + w·(1 − a_c)·μ.
        const slope = (1 - w) * au + w * ac;
        const got = await guided(x, sigma);
        for (let i = 0; i < 3; i++)
          expect(got[i]!).toBeCloseTo(slope * x[i]! + w * (1 - ac) * mu[i]!, 12);
      }
    }
  });

  it('w = 1 is the conditional denoiser itself (one evaluation), w = 0 the unconditional one', async () => {
    const c = counting(conditional);
    const u = counting(unconditional);
    const one = classifierFreeGuidance({
      ops: arrayOps,
      conditional: c.d,
      unconditional: u.d,
      scale: 1,
    });
    expect(Array.from(await one(x, 0.7))).toEqual(Array.from(conditional(x, 0.7) as Float64Array));
    expect([c.n(), u.n()]).toEqual([1, 0]);
    const zero = classifierFreeGuidance({
      ops: arrayOps,
      conditional: c.d,
      unconditional: u.d,
      scale: 0,
    });
    expect(Array.from(await zero(x, 0.7))).toEqual(
      Array.from(unconditional(x, 0.7) as Float64Array),
    );
    expect([c.n(), u.n()]).toEqual([1, 1]);
    const two = classifierFreeGuidance({
      ops: arrayOps,
      conditional: c.d,
      unconditional: u.d,
      scale: 2,
    });
    await two(x, 0.7);
    expect([c.n(), u.n()]).toEqual([2, 2]);
  });

  it('disposes both branch outputs (also when the second branch throws)', async () => {
    const t = trackingOps();
    const guided = classifierFreeGuidance({
      ops: t.ops,
      conditional: t.wrap(conditional),
      unconditional: t.wrap(unconditional),
      scale: 3,
    });
    const out = await guided(x, 1);
    expect([...t.live]).toEqual([out]);
    t.ops.dispose(out);
    const failing = classifierFreeGuidance({
      ops: t.ops,
      conditional: t.wrap(conditional),
      unconditional: () => Promise.reject(new Error('boom')),
      scale: 3,
    });
    await expect(failing(x, 1)).rejects.toThrow('boom');
    expect(t.live.size).toBe(0);
  });

  it('works inside a solver: with w = 1 the run equals the conditional run', async () => {
    const data = isotropicGaussian({ sigmaData: 0.5, dim: 3 });
    const x0 = x.map((v) => 80 * v);
    const solver = adaptive({ rtol: 1e-3, atol: 1e-3 });
    const plain = await solver.sample({
      ops: arrayOps,
      denoiser: data.denoiser,
      x: x0,
      sigmas: [80, 0],
    });
    const guided = await solver.sample({
      ops: arrayOps,
      denoiser: classifierFreeGuidance({
        ops: arrayOps,
        conditional: data.denoiser,
        unconditional: unconditional,
        scale: 1,
      }),
      x: x0,
      sigmas: [80, 0],
    });
    expect(Array.from(guided.x)).toEqual(Array.from(plain.x));
  });

  it('refuses a non-finite scale and missing parts', () => {
    for (const scale of [Number.NaN, Infinity, -Infinity, '2']) {
      expect(() =>
        classifierFreeGuidance({
          ops: arrayOps,
          conditional,
          unconditional,
          scale: scale as number,
        }),
      ).toThrow(ParameterError);
    }
    expect(() =>
      classifierFreeGuidance({
        ops: arrayOps,
        conditional,
        unconditional: undefined as never,
        scale: 2,
      }),
    ).toThrow(/unconditional/);
    expect(() =>
      classifierFreeGuidance({ ops: undefined as never, conditional, unconditional, scale: 2 }),
    ).toThrow(/ops/);
  });
});

describe('autoguidance', () => {
  it('D = D_guide + w·(D_main − D_guide); w = 1 is main', async () => {
    const main = conditional;
    const guide = gaussianPosterior(mu, 0.6); // a "worse" model of the same data
    const w = 2.25;
    const guided = autoguidance({ ops: arrayOps, main, guide, scale: w });
    const sigma = 0.4;
    const a1 = (sc * sc) / (sigma * sigma + sc * sc);
    const a0 = 0.36 / (sigma * sigma + 0.36);
    const got = await guided(x, sigma);
    for (let i = 0; i < 3; i++) {
      const d1 = mu[i]! + a1 * (x[i]! - mu[i]!);
      const d0 = mu[i]! + a0 * (x[i]! - mu[i]!);
      expect(got[i]!).toBeCloseTo(d0 + w * (d1 - d0), 12);
    }
    expect(autoguidance({ ops: arrayOps, main, guide, scale: 1 })).toBe(main);
    expect(() => autoguidance({ ops: arrayOps, main, guide, scale: Number.NaN })).toThrow(/scale/);
    expect(() => autoguidance({ ops: arrayOps, main, guide: 3 as never, scale: 2 })).toThrow(
      /guide/,
    );
  });
});

describe('guidanceInterval', () => {
  const guided = classifierFreeGuidance({ ops: arrayOps, conditional, unconditional, scale: 3 });
  const d = guidanceInterval(guided, conditional, { sigmaLo: 0.28, sigmaHi: 2.9 });

  it('guides exactly for σ in (σ_lo, σ_hi] and switches at the boundaries', async () => {
    const isGuided = async (sigma: number) => {
      const got = await d(x, sigma);
      const g = await guided(x, sigma);
      const p = await conditional(x, sigma);
      const eq = (a: Float64Array) => Array.from(got).every((v, i) => v === a[i]);
      expect(eq(g) !== eq(p)).toBe(true); // the two branches differ here, so exactly one matches
      return eq(g);
    };
    expect(await isGuided(2.9)).toBe(true); // σ_hi included
    expect(await isGuided(2.9 * (1 + 2 ** -52))).toBe(false);
    expect(await isGuided(1)).toBe(true);
    expect(await isGuided(0.28)).toBe(false); // σ_lo excluded
    expect(await isGuided(0.28 * (1 + 2 ** -52))).toBe(true);
    expect(await isGuided(80)).toBe(false);
    expect(await isGuided(0.002)).toBe(false);
  });

  it('allows σ_hi = Infinity and refuses σ_lo > σ_hi or bad bounds', async () => {
    const all = guidanceInterval(guided, conditional, { sigmaLo: 0, sigmaHi: Infinity });
    expect(Array.from(await all(x, 1e6))).toEqual(Array.from(await guided(x, 1e6)));
    expect(() => guidanceInterval(guided, conditional, { sigmaLo: 3, sigmaHi: 1 })).toThrow(
      ParameterError,
    );
    expect(() => guidanceInterval(guided, conditional, { sigmaLo: 3, sigmaHi: 1 })).toThrow(
      /sigmaHi/,
    );
    expect(() => guidanceInterval(guided, conditional, { sigmaLo: -1, sigmaHi: 1 })).toThrow(
      /sigmaLo/,
    );
    expect(() =>
      guidanceInterval(guided, conditional, { sigmaLo: Number.NaN, sigmaHi: 1 }),
    ).toThrow(/sigmaLo/);
    expect(() => guidanceInterval(guided, undefined as never, { sigmaLo: 0, sigmaHi: 1 })).toThrow(
      /plain/,
    );
  });
});
