import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError } from '@edmkit/core';
import type { TensorOps } from '@edmkit/core';
import {
  edmPrecond,
  iddpmPrecond,
  precondition,
  score,
  vePrecond,
  vpPrecond,
} from '@edmkit/precond';
import type { Preconditioner, RawNetwork } from '@edmkit/precond';
import { readFixture } from '../../../test-support/fixtures.js';
import type { NetName, PrecondFixture } from '../../../test-support/fixtures.js';

const fixture = readFixture<PrecondFixture>('precond.json');
// Built inside each test (not at import), so that a fault in a factory fails the tests.
const makers: Record<NetName, () => Preconditioner> = {
  vp: () => vpPrecond(),
  ve: () => vePrecond(),
  iddpm: () => iddpmPrecond(),
  edm: () => edmPrecond(),
};

describe('precondition against linear_check of precond.json', () => {
  it.each(['vp', 've', 'iddpm', 'edm'] as const)(
    '%s: D = c_skip x + c_out F(c_in x; c_noise)',
    (name) => {
      const f = fixture.preconds[name];
      const { w, v, b } = f.linear_check.F_params;
      const F: RawNetwork<Float64Array> = (xIn, cNoise) => xIn.map((xi) => w * xi + v * cNoise + b);
      const D = precondition(F, makers[name](), arrayOps);
      f.sigma.forEach((sigma, k) => {
        const x = f.linear_check.x[k]!;
        const d = D(new Float64Array([x]), sigma) as Float64Array;
        const ref = f.linear_check.D[k]!;
        // The official D is float32 arithmetic: compare on the scale of the summed terms,
        // plus what the official code's own c_noise contributes where it differs from ours
        // (VP: float32 cancellation; iDDPM: a neighbouring index at 3 level midpoints).
        const p = makers[name]();
        const scale =
          Math.abs(p.cSkip(sigma) * x) +
          Math.abs(p.cOut(sigma)) *
            (Math.abs(w * p.cIn(sigma) * x) + Math.abs(v * p.cNoise(sigma)) + Math.abs(b));
        const cNoiseGap = Math.abs(p.cOut(sigma) * v * (p.cNoise(sigma) - f.c_noise[k]!));
        expect(Math.abs(d[0]! - ref)).toBeLessThan(3e-7 * scale + cNoiseGap);
        if (name === 'edm' || name === 've') expect(cNoiseGap).toBeLessThan(1e-7 * scale);
      });
    },
  );
});

/** arrayOps that counts live tensors created by combine and released by dispose. */
function countingOps(): TensorOps<Float64Array> & { live: Set<Float64Array>; disposed: number } {
  const live = new Set<Float64Array>();
  const ops = {
    ...arrayOps,
    live,
    disposed: 0,
    combine(terms: readonly (readonly [number, Float64Array])[]) {
      const out = arrayOps.combine(terms);
      live.add(out);
      return out;
    },
    dispose(x: Float64Array) {
      ops.disposed++;
      live.delete(x);
    },
  };
  return ops;
}

describe('precondition', () => {
  const x = new Float64Array([0.3, -1.2, 2]);
  const F: RawNetwork<Float64Array> = (xIn, cNoise) => xIn.map((xi) => 0.5 * xi + cNoise);

  it('is synchronous for a synchronous F and async for an async F, with equal results', async () => {
    const sync = precondition(F, edmPrecond(), arrayOps)(x, 1.7);
    expect(sync).toBeInstanceOf(Float64Array);
    const pending = precondition(
      (xIn, c) => Promise.resolve(F(xIn, c) as Float64Array),
      edmPrecond(),
      arrayOps,
    )(x, 1.7);
    expect(pending).toBeInstanceOf(Promise);
    expect(Array.from(await pending)).toEqual(Array.from(sync as Float64Array));
  });

  it('passes c_in·x and c_noise to F, and combines with c_skip and c_out', () => {
    const p = edmPrecond();
    const sigma = 3;
    let seen: [number[], number] | undefined;
    const D = precondition(
      (xIn: Float64Array, cNoise: number) => {
        seen = [Array.from(xIn), cNoise];
        return new Float64Array([1, 1, 1]);
      },
      p,
      arrayOps,
    );
    const d = D(x, sigma) as Float64Array;
    expect(seen![1]).toBe(0.25 * Math.log(3));
    seen![0].forEach((v, i) => expect(v).toBeCloseTo(p.cIn(sigma) * x[i]!, 15));
    d.forEach((v, i) => expect(v).toBeCloseTo(p.cSkip(sigma) * x[i]! + p.cOut(sigma), 15));
  });

  it('disposes the scaled input and F output, also when F throws or rejects', async () => {
    const ops = countingOps();
    const out = precondition(F, vpPrecond(), ops)(x, 0.5) as Float64Array;
    expect([...ops.live]).toEqual([out]);
    expect(ops.disposed).toBe(2);

    const ops2 = countingOps();
    const boom = precondition(
      () => {
        throw new Error('boom');
      },
      vpPrecond(),
      ops2,
    );
    expect(() => boom(x, 0.5)).toThrow('boom');
    expect(ops2.live.size).toBe(0);

    const ops3 = countingOps();
    const reject = precondition(() => Promise.reject(new Error('later')), vpPrecond(), ops3);
    await expect(reject(x, 0.5)).rejects.toThrow('later');
    expect(ops3.live.size).toBe(0);

    // F returning its input is disposed once.
    const ops4 = countingOps();
    const identity = precondition(
      (xIn: Float64Array) => xIn,
      vePrecond(),
      ops4,
    )(x, 0.5) as Float64Array;
    expect(ops4.disposed).toBe(1);
    expect(Array.from(identity)).toEqual(Array.from(x, (xi) => xi + 0.5 * xi));
  });

  it('validates σ before calling F, and F itself', () => {
    let calls = 0;
    const D = precondition(
      (xIn: Float64Array) => {
        calls++;
        return xIn;
      },
      edmPrecond(),
      arrayOps,
    );
    expect(() => D(x, -1)).toThrow(/^sigma must be a finite number >= 0/);
    expect(() => D(x, Number.NaN)).toThrow(ParameterError);
    expect(() => D(x, 0)).toThrow(/^sigma must be a finite number > 0/); // EDM c_noise = ¼ ln σ
    expect(calls).toBe(0);
    expect(() =>
      precondition(undefined as unknown as RawNetwork<Float64Array>, edmPrecond(), arrayOps),
    ).toThrow(/^F must be/);
  });
});

/** An isotropic Gaussian mixture Σ w_k N(μ_k, s_k² I) in d dimensions. */
interface Gmm {
  d: number;
  weights: number[];
  means: number[][];
  stds: number[];
}

/**
 * Responsibilities r_k(x) of the mixture noised to σ (numerics guide: “Ideal denoiser of a
 * Gaussian mixture”).
 */
function responsibilities(gmm: Gmm, x: ArrayLike<number>, sigma: number): number[] {
  const logs = gmm.weights.map((w, k) => {
    const v = gmm.stds[k]! ** 2 + sigma * sigma;
    let dist2 = 0;
    for (let i = 0; i < gmm.d; i++) dist2 += (x[i]! - gmm.means[k]![i]!) ** 2;
    return Math.log(w) - 0.5 * gmm.d * Math.log(v) - dist2 / (2 * v);
  });
  const top = Math.max(...logs);
  const e = logs.map((l) => Math.exp(l - top));
  const z = e.reduce((a, c) => a + c, 0);
  return e.map((c) => c / z);
}

/** The ideal denoiser D(x; σ) = Σ r_k [μ_k + s_k²/v_k (x − μ_k)], batched. */
function gmmDenoiser(gmm: Gmm) {
  return (x: Float64Array, sigma: number): Float64Array => {
    const out = new Float64Array(x.length);
    for (let b = 0; b < x.length / gmm.d; b++) {
      const xb = x.subarray(b * gmm.d, (b + 1) * gmm.d);
      const r = responsibilities(gmm, xb, sigma);
      r.forEach((rk, k) => {
        const shrink = gmm.stds[k]! ** 2 / (gmm.stds[k]! ** 2 + sigma * sigma);
        for (let i = 0; i < gmm.d; i++) {
          const mu = gmm.means[k]![i]!;
          out[b * gmm.d + i]! += rk * (mu + shrink * (xb[i]! - mu));
        }
      });
    }
    return out;
  };
}

/** The analytic score ∇ log p_σ(x) = Σ r_k (μ_k − x)/v_k, written independently of D. */
function gmmScore(gmm: Gmm, x: Float64Array, sigma: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < x.length / gmm.d; b++) {
    const xb = x.subarray(b * gmm.d, (b + 1) * gmm.d);
    responsibilities(gmm, xb, sigma).forEach((rk, k) => {
      const v = gmm.stds[k]! ** 2 + sigma * sigma;
      for (let i = 0; i < gmm.d; i++)
        out[b * gmm.d + i]! += (rk * (gmm.means[k]![i]! - xb[i]!)) / v;
    });
  }
  return out;
}

/** Central-difference gradient of log p_σ (1-D check of the analytic score). */
function logDensity1d(gmm: Gmm, x: number, sigma: number): number {
  return Math.log(
    gmm.weights.reduce((acc, w, k) => {
      const v = gmm.stds[k]! ** 2 + sigma * sigma;
      return (
        acc + (w / Math.sqrt(2 * Math.PI * v)) * Math.exp(-((x - gmm.means[k]![0]!) ** 2) / (2 * v))
      );
    }, 0),
  );
}

const gmm1: Gmm = { d: 1, weights: [0.3, 0.7], means: [[-1], [2]], stds: [0.2, 0.5] };
const gmm3: Gmm = {
  d: 3,
  weights: [0.2, 0.5, 0.3],
  means: [
    [1, 0, -1],
    [-0.5, 0.5, 0.25],
    [0, -2, 1],
  ],
  stds: [0.1, 0.3, 0.6],
};

describe('score of a Gaussian mixture', () => {
  it('1-D: (D − x)/σ² equals the analytic and the finite-difference gradient of log p_σ', () => {
    const s = score(gmmDenoiser(gmm1), arrayOps);
    for (const sigma of [0.01, 0.1, 0.5, 1, 3, 20]) {
      for (const x0 of [-2, -1, 0, 0.4, 2, 3.5]) {
        const got = (s(new Float64Array([x0]), sigma) as Float64Array)[0]!;
        const analytic = gmmScore(gmm1, new Float64Array([x0]), sigma)[0]!;
        expect(Math.abs(got - analytic)).toBeLessThan(1e-10 * Math.max(1, Math.abs(analytic)));
        if (sigma >= 0.1) {
          const h = 1e-5 * sigma;
          const fd =
            (logDensity1d(gmm1, x0 + h, sigma) - logDensity1d(gmm1, x0 - h, sigma)) / (2 * h);
          expect(Math.abs(got - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });

  it('3-D, batch of 2: matches the analytic score per sample', () => {
    const s = score(gmmDenoiser(gmm3), arrayOps);
    const x = new Float64Array([0.9, 0.1, -0.8, -3, 1, 2]);
    for (const sigma of [0.05, 0.4, 2, 50]) {
      const got = s(x, sigma) as Float64Array;
      const analytic = gmmScore(gmm3, x, sigma);
      got.forEach((g, i) =>
        expect(Math.abs(g - analytic[i]!)).toBeLessThan(
          1e-10 * Math.max(1, Math.abs(analytic[i]!)),
        ),
      );
    }
  });

  it('through precondition: the ideal F of each preconditioner gives back the ideal D and its score', async () => {
    const D = gmmDenoiser(gmm3);
    const x = new Float64Array([0.9, 0.1, -0.8]);
    for (const p of [edmPrecond(), vpPrecond(), vePrecond()]) {
      // F(c_in x; c_noise) = (D(x) − c_skip x)/c_out, for the σ this test fixes.
      for (const sigma of [0.05, 1, 30]) {
        const F = (xIn: Float64Array) => {
          const xHat = xIn.map((v) => v / p.cIn(sigma));
          const d = D(xHat, sigma);
          return Promise.resolve(
            d.map((di, i) => (di - p.cSkip(sigma) * xHat[i]!) / p.cOut(sigma)),
          );
        };
        const s = await score(precondition(F, p, arrayOps), arrayOps)(x, sigma);
        const analytic = gmmScore(gmm3, x, sigma);
        s.forEach((g, i) =>
          expect(Math.abs(g - analytic[i]!)).toBeLessThan(
            1e-9 * Math.max(1, Math.abs(analytic[i]!)),
          ),
        );
      }
    }
  });

  it('refuses σ ≤ 0', () => {
    const s = score(gmmDenoiser(gmm1), arrayOps);
    expect(() => s(new Float64Array([0]), 0)).toThrow(/^sigma must be a finite number > 0/);
  });
});
