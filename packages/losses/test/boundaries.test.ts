import { describe, expect, it } from 'vitest';
import { arrayOps, sampleRngs } from '@edmkit/core';
import type { Rng, TensorOps } from '@edmkit/core';
import { edmPrecond } from '@edmkit/precond';
import {
  denoisingLoss,
  denoisingLossF,
  draw,
  inverseSquare,
  logNormal,
  trainingLoss,
  veNoise,
  vpNoise,
} from '@edmkit/losses';
import type { NoiseDistribution } from '@edmkit/losses';

/** arrayOps that records what is disposed. */
function recordingOps(): TensorOps<Float64Array> & { disposed: Float64Array[] } {
  const disposed: Float64Array[] = [];
  return { ...arrayOps, disposed, dispose: (t: Float64Array) => void disposed.push(t) };
}

const y = Float64Array.of(0.5, -0.5, 1, 0);
const sigma = Float64Array.of(1, 2);
const noise = Float64Array.of(1, 1, -1, 2);

describe('denoisingLoss: what it disposes', () => {
  it('a fresh denoiser output and x, never y or the caller’s noise', () => {
    const ops = recordingOps();
    let xSeen: Float64Array | undefined;
    const out = Float64Array.of(0, 0, 0, 0);
    const r = denoisingLoss({
      ops,
      y,
      sigma,
      noise,
      weighting: inverseSquare(),
      denoiser: (x) => {
        xSeen = x;
        return out;
      },
    });
    expect(ops.disposed).toContain(out);
    expect(ops.disposed).toContain(xSeen);
    expect(ops.disposed).not.toContain(y);
    expect(ops.disposed).not.toContain(noise);
    // λ(σ)·(0 − y)² with λ = 1/σ².
    expect(Array.from(r.loss)).toEqual([0.25, 0.25, 0.25, 0]);
  });

  it('an output that is x itself once, one that is y never', () => {
    const asX = recordingOps();
    denoisingLoss({ ops: asX, y, sigma, noise, weighting: inverseSquare(), denoiser: (x) => x });
    expect(new Set(asX.disposed).size).toBe(asX.disposed.length); // nothing twice
    const asY = recordingOps();
    const r = denoisingLoss({
      ops: asY,
      y,
      sigma,
      noise,
      weighting: inverseSquare(),
      denoiser: () => y,
    });
    expect(asY.disposed).not.toContain(y);
    expect(Array.from(r.loss)).toEqual([0, 0, 0, 0]);
  });

  it('the noise it drew itself', () => {
    const ops = recordingOps();
    const drawn: Float64Array[] = [];
    const drawing = {
      ...ops,
      randnLike: (like: Float64Array, rngs: readonly Rng[]) => {
        const e = arrayOps.randnLike(like, rngs);
        drawn.push(e);
        return e;
      },
    };
    denoisingLoss({
      ops: drawing,
      y,
      sigma,
      rngs: sampleRngs(1, 2),
      weighting: inverseSquare(),
      denoiser: (x) => x.map(() => 0),
    });
    expect(drawn).toHaveLength(1);
    expect(ops.disposed).toContain(drawn[0]);
  });

  it('gives the denoiser its own copy of σ', () => {
    const r = denoisingLoss({
      ops: arrayOps,
      y,
      sigma,
      noise,
      weighting: inverseSquare(),
      denoiser: (x, s) => {
        s.fill(99);
        return x;
      },
    });
    expect(Array.from(r.sigma)).toEqual([1, 2]);
    expect(Array.from(sigma)).toEqual([1, 2]);
  });

  it('refuses null outputs and a missing options object by name', () => {
    expect(() =>
      denoisingLoss({
        ops: arrayOps,
        y,
        sigma,
        noise,
        weighting: inverseSquare(),
        denoiser: () => null as unknown as Float64Array,
      }),
    ).toThrow('the denoiser returned null (sigma = 1)');
    expect(() =>
      denoisingLoss({
        ops: arrayOps,
        y,
        sigma,
        noise,
        weighting: inverseSquare(),
        denoiser: () => undefined as unknown as Float64Array,
      }),
    ).toThrow('the denoiser returned undefined (sigma = 1)');
    expect(() => denoisingLoss(undefined as never)).toThrow(/^denoiser must be a function/);
    expect(() => denoisingLossF(undefined as never)).toThrow(/^F must be a function/);
  });
});

describe('denoisingLossF: what it disposes', () => {
  const base = {
    ops: arrayOps,
    y,
    sigma,
    noise,
    weighting: inverseSquare(),
    precond: edmPrecond(),
  };

  it('a fresh F output, never xIn twice, y or the target it returns', () => {
    for (const pick of ['fresh', 'xIn', 'y'] as const) {
      const ops = recordingOps();
      let given: Float64Array | undefined;
      const fresh = new Float64Array(4);
      const r = denoisingLossF({
        ...base,
        ops,
        F: (xIn) => {
          given = xIn;
          return pick === 'fresh' ? fresh : pick === 'xIn' ? xIn : y;
        },
      });
      expect(new Set(ops.disposed).size).toBe(ops.disposed.length);
      expect(ops.disposed).toContain(given);
      expect(ops.disposed).not.toContain(y);
      expect(ops.disposed).not.toContain(r.target);
      expect(ops.disposed.includes(fresh)).toBe(pick === 'fresh');
    }
  });

  it('an F output that is the target is kept (it is returned)', () => {
    const ops = recordingOps();
    let target: Float64Array | undefined;
    const spy = {
      ...ops,
      combine: (terms: readonly (readonly [number, Float64Array])[]) => {
        const out = arrayOps.combine(terms);
        if (target === undefined) target = out; // the first combine builds the target
        return out;
      },
    };
    const r = denoisingLossF({ ...base, ops: spy, F: () => target! });
    expect(r.target).toBe(target);
    expect(ops.disposed).not.toContain(target);
    expect(Array.from(r.loss)).toEqual([0, 0, 0, 0]);
  });

  it('refuses a preconditioner without c_out and a weight·c_out² that is not finite', () => {
    expect(() => denoisingLossF({ ...base, precond: {} as never, F: (x) => x })).toThrow(
      /^precond must be a Preconditioner/,
    );
    expect(() =>
      denoisingLossF({
        ...base,
        precond: edmPrecond({ sigmaData: 10 }), // c_out(2)² = 400/104 > 1
        weighting: { name: 'huge', weight: () => 1e308 },
        F: (x) => x,
      }),
    ).toThrow(/^effectiveWeight\[1\] must be a finite number >= 0/);
  });
});

describe('draw: refusals name the parameter', () => {
  const weighting = inverseSquare();
  it('ops, weighting, distribution and streams', () => {
    expect(() =>
      draw({ ops: { ...arrayOps, scaleSamples: undefined } as never, y, weighting, sigma, noise }),
    ).toThrow(/^ops must be a TensorOps implementation/);
    expect(() =>
      draw({ ops: { ...arrayOps, combine: undefined } as never, y, weighting, sigma, noise }),
    ).toThrow(/^ops/);
    expect(() => draw({ ops: null as never, y, weighting, sigma, noise })).toThrow(/^ops/);
    expect(() => draw({ ops: arrayOps, y, weighting: {} as never, sigma, noise })).toThrow(
      /^weighting must be/,
    );
    expect(() =>
      draw({
        ops: arrayOps,
        y,
        weighting,
        rngs: sampleRngs(0, 2),
        distribution: {} as NoiseDistribution,
      }),
    ).toThrow(/^distribution must be a NoiseDistribution/);
    // σ and noise given: no streams needed.
    expect(draw({ ops: arrayOps, y, weighting, sigma, noise }).ownsEpsilon).toBe(false);
    // σ given, noise not: streams needed.
    expect(() => draw({ ops: arrayOps, y, weighting, sigma })).toThrow(
      /^rngs must be a non-empty array/,
    );
    expect(() =>
      draw({
        ops: arrayOps,
        y,
        weighting,
        sigma,
        rngs: [{ normal: () => 0 } as unknown as Rng, sampleRngs(0, 1)[0]!],
      }),
    ).toThrow(/^rngs\[0\] must be an Rng/);
    expect(() =>
      draw({
        ops: arrayOps,
        y,
        weighting,
        sigma,
        rngs: [sampleRngs(0, 1)[0]!, { uniform: () => 0 } as unknown as Rng],
      }),
    ).toThrow(/^rngs\[1\] must be an Rng/);
    expect(() =>
      draw({ ops: arrayOps, y, weighting, sigma: [1, 2] as unknown as Float64Array, noise }),
    ).toThrow(/^sigma must be a non-empty Float64Array/);
  });

  it('copies a given σ', () => {
    const s = Float64Array.of(1, 2);
    const d = draw({ ops: arrayOps, y, weighting, sigma: s, noise });
    s[0] = 5;
    expect(Array.from(d.sigma)).toEqual([1, 2]);
  });
});

describe('noise distributions and names', () => {
  it('log-normal: the bound is inclusive, pMean is named', () => {
    // |pMean| + 8.6·pStd ≤ 700: exactly at the bound is allowed, on either sign of pMean.
    expect(logNormal({ pMean: -614, pStd: 10 }).pMean).toBe(-614);
    expect(logNormal({ pMean: 614, pStd: 10 }).pStd).toBe(10);
    expect(() => logNormal({ pMean: -614.5, pStd: 10 })).toThrow(/^pStd must be a number with/);
    expect(() => logNormal({ pMean: 'x' as never })).toThrow(/^pMean must be a finite number/);
  });

  it('VE and VP name their options; VP refuses ε_t inside a β_min < 0 gap', () => {
    expect(() => veNoise({ sigmaMax: 0 })).toThrow('sigmaMax must be a finite number > 0 (got 0)');
    const tZero = 0.6 / 19.9;
    expect(() => vpNoise({ betaD: 19.9, betaMin: -0.3, epsilonT: tZero / 2 })).toThrow(
      /^epsilonT must be a finite number > 0\.0301/,
    );
    expect(vpNoise({ betaD: 19.9, betaMin: -0.3, epsilonT: 2 * tZero }).epsilonT).toBe(2 * tZero);
    expect(() => trainingLoss('foo' as never)).toThrow(
      'unknown name "foo"; expected one of: vp, ve, iddpm, edm',
    );
  });
});
