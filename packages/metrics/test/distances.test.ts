import { describe, expect, it } from 'vitest';
import { createRng, sampleRngs } from '@edmkit/core';
import {
  frechetDistance,
  frechetFromMoments,
  gaussianMoments,
  mmd,
  rmsError,
  slicedWasserstein,
  summarize,
  symmetricEigen,
  wasserstein1d,
} from '@edmkit/metrics';

/** A random orthogonal matrix (rows), by Gram–Schmidt on normal draws. */
function randomRotation(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const q = new Float64Array(n * n).map(() => rng.normal());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += q[i * n + k]! * q[j * n + k]!;
      for (let k = 0; k < n; k++) q[i * n + k]! -= dot * q[j * n + k]!;
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[i * n + k]! ** 2;
    for (let k = 0; k < n; k++) q[i * n + k]! /= Math.sqrt(norm);
  }
  return q;
}

/** Qᵀ diag(values) Q. */
function fromSpectrum(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const a = values[k]! * q[k * n + i]!;
      for (let j = 0; j < n; j++) out[i * n + j]! += a * q[k * n + j]!;
    }
  }
  return out;
}

describe('rmsError and summarize', () => {
  it('computes per-sample RMS distances', () => {
    const a = new Float64Array([1, 1, 0, 0]);
    const b = new Float64Array([0, 0, 3, 4]);
    expect(Array.from(rmsError(a, b, 2))).toEqual([1, Math.sqrt(12.5)]);
    expect(() => rmsError(a, b.subarray(0, 2), 2)).toThrow(/b\.length/);
    expect(() => rmsError(a, b, 3)).toThrow(/a\.length/);
  });
  it('summarizes', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, mean: 3, median: 3, p90: 4.6, min: 1, max: 5 });
    expect(summarize(new Float64Array([1, 2])).median).toBe(1.5);
    expect(() => summarize([])).toThrow(/values/);
    expect(() => summarize([1, Number.NaN])).toThrow(/values\[1\]/);
  });
});

describe('symmetricEigen', () => {
  for (const n of [1, 2, 3, 7, 40]) {
    it(`recovers a known spectrum and orthonormal vectors (n = ${n})`, () => {
      const q = randomRotation(n, n);
      const spectrum = Array.from({ length: n }, (_, k) => (k % 3 === 0 ? 2 : k - n / 2)); // repeated values too
      const a = fromSpectrum(q, spectrum, n);
      const { values, vectors } = symmetricEigen(a, n);
      const sorted = [...spectrum].sort((x, y) => x - y);
      for (let k = 0; k < n; k++) expect(values[k]).toBeCloseTo(sorted[k]!, 11);
      // A v = λ v and VᵀV = I
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += a[i * n + j]! * vectors![k * n + j]!;
          expect(s).toBeCloseTo(values[k]! * vectors![k * n + i]!, 11);
        }
        for (let m = 0; m < n; m++) {
          let dot = 0;
          for (let j = 0; j < n; j++) dot += vectors![k * n + j]! * vectors![m * n + j]!;
          expect(dot).toBeCloseTo(k === m ? 1 : 0, 12);
        }
      }
      const only = symmetricEigen(a, n, { vectors: false });
      expect(only.vectors).toBeUndefined();
      for (let k = 0; k < n; k++) expect(only.values[k]).toBeCloseTo(values[k]!, 12);
    });
  }
  it('converges on a large cluster of zero eigenvalues (rank-deficient covariance)', () => {
    const n = 120;
    const rng = createRng(8);
    const rows = 10; // rank 10
    const f = new Float64Array(rows * n).map(() => rng.normal());
    const a = new Float64Array(n * n);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) a[i * n + j]! += f[r * n + i]! * f[r * n + j]!;
    const { values } = symmetricEigen(a, n);
    const scale = values[n - 1]!;
    for (let k = 0; k < n - rows; k++) expect(Math.abs(values[k]!) / scale).toBeLessThan(1e-13);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 8);
  });
  it('handles diagonal and zero matrices and refuses bad input', () => {
    expect(
      Array.from(symmetricEigen(new Float64Array([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3).values),
    ).toEqual([1, 2, 3]);
    expect(Array.from(symmetricEigen(new Float64Array(16), 4).values)).toEqual([0, 0, 0, 0]);
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(/matrix/);
    expect(() => symmetricEigen(new Float64Array([1, Number.NaN, 0, 1]), 2)).toThrow(/matrix\[1\]/);
  });
});

describe('frechetFromMoments', () => {
  it('matches the closed form for covariances with a common eigenbasis (16-d and 196-d)', () => {
    // Under mutation testing (instrumented O(d³) loops run ~100× slower) only the 16-d case.
    for (const n of process.env['EDMKIT_MUTATE_PACKAGE'] ? [16] : [16, 196]) {
      const q = randomRotation(n, 7);
      const rng = createRng(n);
      const la = Array.from({ length: n }, () => 0.05 + rng.uniform());
      const lb = Array.from({ length: n }, () => 0.05 + rng.uniform());
      const ma = new Float64Array(n).map(() => rng.normal());
      const mb = new Float64Array(n).map(() => rng.normal());
      const a = { dim: n, count: 100, mean: ma, cov: fromSpectrum(q, la, n) };
      const b = { dim: n, count: 100, mean: mb, cov: fromSpectrum(q, lb, n) };
      let want = 0;
      for (let i = 0; i < n; i++)
        want += (ma[i]! - mb[i]!) ** 2 + (Math.sqrt(la[i]!) - Math.sqrt(lb[i]!)) ** 2;
      expect(frechetFromMoments(a, b)).toBeCloseTo(want, 9);
      expect(frechetFromMoments(b, a)).toBeCloseTo(want, 9);
      expect(frechetFromMoments(a, a)).toBeLessThan(1e-10);
    }
  });

  it('matches the 2-d closed form for non-commuting covariances', () => {
    // Tr √(Σa^½ Σb Σa^½) = √(Tr(Σa Σb) + 2 √(det Σa det Σb)) for 2×2 matrices.
    const sa = [2, 0.6, 0.6, 1];
    const sb = [0.5, -0.3, -0.3, 1.5];
    const trAB = sa[0]! * sb[0]! + sa[1]! * sb[2]! + sa[2]! * sb[1]! + sa[3]! * sb[3]!;
    const det = (m: number[]) => m[0]! * m[3]! - m[1]! * m[2]!;
    const want =
      1 ** 2 + 2 ** 2 + 2 + 1 + 0.5 + 1.5 - 2 * Math.sqrt(trAB + 2 * Math.sqrt(det(sa) * det(sb)));
    const a = { dim: 2, count: 10, mean: new Float64Array([0, 0]), cov: new Float64Array(sa) };
    const b = { dim: 2, count: 10, mean: new Float64Array([1, 2]), cov: new Float64Array(sb) };
    expect(frechetFromMoments(a, b)).toBeCloseTo(want, 12);
  });

  it('counts a rounding-negative eigenvalue of Σa^½ Σb Σa^½ as 0 (closed form, singular Σb)', () => {
    // Σb estimated in floating point can come out slightly indefinite: diag(1, 4, −1e-10).
    // With Σa = diag(9, 1, 1): Tr √(Σa^½ Σb Σa^½) = √9 + √4 + √max(−1e-10, 0) = 5.
    const a = {
      dim: 3,
      count: 10,
      mean: new Float64Array([0, 1, 0]),
      cov: new Float64Array([9, 0, 0, 0, 1, 0, 0, 0, 1]),
    };
    const b = {
      dim: 3,
      count: 10,
      mean: new Float64Array([2, 1, 0]),
      cov: new Float64Array([1, 0, 0, 0, 4, 0, 0, 0, -1e-10]),
    };
    const want = 4 + (9 + 1 + 1) + (1 + 4 - 1e-10) - 2 * 5;
    expect(frechetFromMoments(a, b)).toBeCloseTo(want, 14);
    expect(frechetFromMoments(b, a)).toBeCloseTo(want, 14);
  });
});

describe('frechetDistance', () => {
  it('converges to the closed form from samples, is symmetric, and is 0 for a set with itself', () => {
    const n = 4;
    const count = 20000;
    const rng = createRng(1);
    const sd = [1, 0.5, 2, 0.1];
    const a = new Float64Array(count * n).map((_, i) => sd[i % n]! * rng.normal());
    const b = new Float64Array(count * n).map(() => 1 + rng.normal());
    let want = n; // ‖Δμ‖² = 4·1
    for (const s of sd) want += (s - 1) ** 2;
    const fd = frechetDistance(a, b, n);
    expect(Math.abs(fd - want) / want).toBeLessThan(0.02);
    expect(frechetDistance(b, a, n)).toBeCloseTo(fd, 10);
    expect(frechetDistance(a, a, n)).toBeLessThan(1e-10);
  });
  it('works with fewer samples than dimensions (singular covariance)', () => {
    const rng = createRng(2);
    const a = new Float64Array(10 * 30).map(() => rng.normal());
    const b = new Float64Array(12 * 30).map(() => rng.normal());
    const fd = frechetDistance(a, b, 30);
    expect(fd).toBeGreaterThan(0);
    // √ of eigenvalues that are 0 up to rounding (~1e-15) costs ~1e-8 of symmetry, as in FID.
    expect(Math.abs(frechetDistance(b, a, 30) - fd) / fd).toBeLessThan(1e-7);
  });
  it('computes moments and refuses bad input', () => {
    const m = gaussianMoments(new Float64Array([0, 0, 2, 4]), 2);
    expect(Array.from(m.mean)).toEqual([1, 2]);
    expect(Array.from(m.cov)).toEqual([2, 4, 4, 8]);
    expect(() => gaussianMoments(new Float64Array([1, 2]), 2)).toThrow(/at least 2/);
    expect(() => frechetDistance(new Float64Array(4), new Float64Array(6), 2)).not.toThrow();
    expect(() => frechetDistance(new Float64Array(4), new Float64Array(5), 2)).toThrow(
      /samplesB\.length/,
    );
  });
});

describe('wasserstein1d and slicedWasserstein', () => {
  it('computes 1-D W₂² by hand, equal and unequal sizes', () => {
    expect(wasserstein1d(new Float64Array([0, 1]), new Float64Array([0.5]))).toBeCloseTo(0.25, 15);
    // quantile pieces [1/3, 1/2): 1 vs 0 and [1/2, 2/3): 1 vs 2 → 1/6 + 1/6
    expect(wasserstein1d(new Float64Array([2, 0, 1]), new Float64Array([2, 0]))).toBeCloseTo(
      1 / 3,
      15,
    );
    expect(wasserstein1d(new Float64Array([3, 1]), new Float64Array([0, 2]))).toBeCloseTo(1, 15);
    expect(wasserstein1d(new Float64Array([1, 2, 3]), new Float64Array([3, 1, 2]))).toBe(0);
  });

  it('is 0 for a set with itself, symmetric, and ‖c‖/√d for a shift by c', () => {
    const dim = 8;
    const rng = createRng(3);
    const a = new Float64Array(300 * dim).map(() => rng.normal());
    const c = Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 0.5 : -0.25));
    const shifted = a.map((v, i) => v + c[i % dim]!);
    expect(slicedWasserstein(a, a, dim, { rng: createRng(1) })).toBe(0);
    const ab = slicedWasserstein(a, shifted, dim, { projections: 2000, rng: createRng(4) });
    const ba = slicedWasserstein(shifted, a, dim, { projections: 2000, rng: createRng(4) });
    expect(ab).toBeCloseTo(ba, 12);
    const want = Math.sqrt(c.reduce((s, v) => s + v * v, 0) / dim);
    expect(Math.abs(ab - want) / want).toBeLessThan(0.08);
    // unequal sizes
    expect(
      slicedWasserstein(a, shifted.subarray(0, 200 * dim), dim, { rng: createRng(5) }),
    ).toBeGreaterThan(0);
    expect(() => slicedWasserstein(a, a, dim, { rng: createRng(1), projections: 0 })).toThrow(
      /projections/,
    );
    expect(() => slicedWasserstein(a, a, dim, {} as never)).toThrow(/rng/);
  });
});

describe('mmd', () => {
  it('matches the closed form between two 1-D Gaussians', () => {
    const n = 1000;
    const ra = sampleRngs(1, 1)[0]!;
    const a = new Float64Array(n).map(() => ra.normal());
    const b = new Float64Array(n).map(() => 1 + ra.normal());
    const h = 1;
    const { mmd2, bandwidth } = mmd(a, b, 1, { bandwidth: h });
    expect(bandwidth).toBe(1);
    const base = h / Math.sqrt(h * h + 2);
    const want = 2 * base * (1 - Math.exp(-1 / (2 * (h * h + 2))));
    expect(Math.abs(mmd2 - want)).toBeLessThan(0.01);
    expect(mmd(b, a, 1, { bandwidth: h }).mmd2).toBeCloseTo(mmd2, 12);
    const same = mmd(
      a,
      new Float64Array(n).map(() => ra.normal()),
      1,
      { bandwidth: h },
    ).mmd2;
    expect(Math.abs(same)).toBeLessThan(0.005);
    expect(mmd(a, b, 1).bandwidth).toBeGreaterThan(0.5);
    expect(() => mmd(a, b, 1, { bandwidth: 0 })).toThrow(/bandwidth/);
  });
});
