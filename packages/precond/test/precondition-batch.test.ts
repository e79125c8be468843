import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError } from '@edmkit/core';
import type { TensorOps } from '@edmkit/core';
import {
  edmPrecond,
  iddpmPrecond,
  precondition,
  preconditionBatch,
  vePrecond,
  vpPrecond,
} from '@edmkit/precond';
import type { BatchRawNetwork, Preconditioner } from '@edmkit/precond';

/** arrayOps that tracks live tensors created by combine / scaleSamples and released by dispose. */
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
    scaleSamples(x: Float64Array, scale: Float64Array) {
      const out = arrayOps.scaleSamples(x, scale);
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

const w = 0.7;
const v = -0.03;
const c = 0.2;
/** A per-element linear raw network F(xIn; c_noise) = w·xIn + v·c_noise[b] + c. */
function linearF(per: number): BatchRawNetwork<Float64Array> {
  return (xIn, cNoise) => xIn.map((xi, i) => w * xi + v * cNoise[Math.floor(i / per)]! + c);
}

const preconds: Preconditioner[] = [vpPrecond(), vePrecond(), iddpmPrecond(), edmPrecond()];

describe('preconditionBatch', () => {
  const per = 3;
  const x = new Float64Array([0.3, -1.2, 2, 5, -7, 0.01, -0.4, 0.8, 1.5, 40, -60, 3]);
  const sigma = new Float64Array([0.002, 0.5, 3, 79]);

  it.each(preconds.map((p) => [p.name, p] as const))(
    '%s: sample b equals the scalar precondition at σ_b',
    (_name, p) => {
      const D = preconditionBatch(linearF(per), p, arrayOps);
      const got = D(x, sigma) as Float64Array;
      sigma.forEach((s, b) => {
        const scalarF = (xIn: Float64Array, cNoise: number) =>
          xIn.map((xi) => w * xi + v * cNoise + c);
        const ref = precondition(
          scalarF,
          p,
          arrayOps,
        )(x.slice(b * per, (b + 1) * per), s) as Float64Array;
        ref.forEach((r, i) =>
          expect(Math.abs(got[b * per + i]! - r)).toBeLessThanOrEqual(
            1e-15 * Math.max(1, Math.abs(r)),
          ),
        );
      });
    },
  );

  it('EDM, hand values: σ = 0.5 and σ = 1.5 with σ_data = 0.5', () => {
    // σ = 0.5: c_skip = 0.5, c_out = 0.25/√0.5 = √0.125, c_in = 1/√0.5 = √2, c_noise = ¼ ln 0.5.
    // σ = 1.5: c_skip = 0.25/2.5 = 0.1, c_out = 0.75/√2.5, c_in = 1/√2.5, c_noise = ¼ ln 1.5.
    const D = preconditionBatch(linearF(2), edmPrecond(), arrayOps);
    const xs = new Float64Array([1, -2, 0.5, 4]);
    const got = D(xs, new Float64Array([0.5, 1.5])) as Float64Array;
    const hand = [
      0.5 * 1 + Math.sqrt(0.125) * (w * Math.SQRT2 * 1 + v * 0.25 * Math.log(0.5) + c),
      0.5 * -2 + Math.sqrt(0.125) * (w * Math.SQRT2 * -2 + v * 0.25 * Math.log(0.5) + c),
      0.1 * 0.5 +
        (0.75 / Math.sqrt(2.5)) * ((w * 0.5) / Math.sqrt(2.5) + v * 0.25 * Math.log(1.5) + c),
      0.1 * 4 + (0.75 / Math.sqrt(2.5)) * ((w * 4) / Math.sqrt(2.5) + v * 0.25 * Math.log(1.5) + c),
    ];
    hand.forEach((h, i) => expect(got[i]).toBeCloseTo(h, 14));
    // The number itself: 0.5 + 0.35355339·(0.98994949 + 0.00519860 + 0.2) = 0.92254866.
    expect(got[0]).toBeCloseTo(0.92254866, 8);
  });

  it('passes c_in(σ_b)·x_b and one c_noise per sample to F', () => {
    const p = vpPrecond();
    let seen: { xIn: number[]; cNoise: number[] } | undefined;
    const D = preconditionBatch(
      (xIn: Float64Array, cNoise: Float64Array) => {
        seen = { xIn: Array.from(xIn), cNoise: Array.from(cNoise) };
        return new Float64Array(xIn.length).fill(1);
      },
      p,
      arrayOps,
    );
    const s = new Float64Array([0.1, 10]);
    const xs = new Float64Array([1, 2, 3, 4]);
    const d = D(xs, s);
    expect(seen!.cNoise).toEqual([p.cNoise(0.1), p.cNoise(10)]);
    expect(seen!.xIn).toEqual([1, 2, 3, 4].map((xi, i) => p.cIn(s[i < 2 ? 0 : 1]!) * xi));
    // VP: c_skip = 1, c_out = −σ.
    expect(Array.from(d)).toEqual([1 - 0.1, 2 - 0.1, 3 - 10, 4 - 10]);
  });

  it('is async for an async F with the same result', async () => {
    const sync = preconditionBatch(linearF(per), edmPrecond(), arrayOps)(x, sigma);
    const pending = preconditionBatch(
      (xIn, cNoise) => Promise.resolve(linearF(per)(xIn, cNoise) as Float64Array),
      edmPrecond(),
      arrayOps,
    )(x, sigma);
    expect(sync).toBeInstanceOf(Float64Array);
    expect(pending).toBeInstanceOf(Promise);
    expect(Array.from(await pending)).toEqual(Array.from(sync as Float64Array));
  });

  it('disposes every intermediate, also when F throws or rejects', async () => {
    const ops = countingOps();
    const out = preconditionBatch(linearF(per), edmPrecond(), ops)(x, sigma) as Float64Array;
    expect([...ops.live]).toEqual([out]);
    // c_in·x, c_skip·x, c_out·F, and F's own output.
    expect(ops.disposed).toBe(4);

    const ops2 = countingOps();
    const boom = preconditionBatch(
      () => {
        throw new Error('boom');
      },
      edmPrecond(),
      ops2,
    );
    expect(() => boom(x, sigma)).toThrow('boom');
    expect(ops2.live.size).toBe(0);

    const ops3 = countingOps();
    const reject = preconditionBatch(() => Promise.reject(new Error('later')), edmPrecond(), ops3);
    await expect(reject(x, sigma)).rejects.toThrow('later');
    expect(ops3.live.size).toBe(0);

    const ops4 = countingOps();
    const identity = preconditionBatch((xIn: Float64Array) => xIn, vePrecond(), ops4)(x, sigma);
    expect(ops4.disposed).toBe(3); // c_in·x (= F's output) once, c_skip·x, c_out·F
    expect([...ops4.live]).toEqual([identity]);
    // VE: c_skip = 1, c_out = σ, c_in = 1 → D = x + σ·x.
    identity.forEach((d, i) => expect(d).toBe(x[i]! + sigma[Math.floor(i / per)]! * x[i]!));
  });

  it('validates σ before calling F, naming the sample', () => {
    let calls = 0;
    const D = preconditionBatch(
      (xIn: Float64Array) => {
        calls++;
        return xIn;
      },
      edmPrecond(),
      arrayOps,
    );
    expect(() => D(x, new Float64Array([1, -1, 1, 1]))).toThrow(
      /^sigma\[1\] must be a finite number >= 0/,
    );
    expect(() => D(x, new Float64Array([1, 1, Number.NaN, 1]))).toThrow(ParameterError);
    expect(() => D(x, new Float64Array([1, 1, 1, 0]))).toThrow(
      /^sigma must be a finite number > 0/,
    );
    expect(() => D(x, new Float64Array(0))).toThrow(/^sigma must be a non-empty Float64Array/);
    expect(() => D(x, [1, 2] as unknown as Float64Array)).toThrow(
      /^sigma must be a non-empty Float64Array/,
    );
    expect(() => D(x, new Float64Array([1, 1, 1, 1, 1]))).toThrow(
      /^scale must be one factor per sample/,
    );
    expect(calls).toBe(0);
    expect(() =>
      preconditionBatch(
        undefined as unknown as BatchRawNetwork<Float64Array>,
        edmPrecond(),
        arrayOps,
      ),
    ).toThrow(/^F must be/);
  });
});
