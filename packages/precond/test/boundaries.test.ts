import { describe, expect, it } from 'vitest';
import { arrayOps, ParameterError } from '@edmkit/core';
import type { TensorOps } from '@edmkit/core';
import {
  clampRange,
  edmPrecond,
  iddpmPrecond,
  precondition,
  preconditionBatch,
  score,
  vePrecond,
  vpPrecond,
} from '@edmkit/precond';
import type { BatchRawNetwork, Preconditioner, RawNetwork } from '@edmkit/precond';

/** arrayOps that records what is disposed. */
function recordingOps(): TensorOps<Float64Array> & { disposed: Float64Array[] } {
  const disposed: Float64Array[] = [];
  return { ...arrayOps, disposed, dispose: (t: Float64Array) => void disposed.push(t) };
}

/** A preconditioner that checks nothing (as a user-written one may). */
const unchecked: Preconditioner = {
  name: 'unchecked',
  sigmaMin: 0,
  sigmaMax: Infinity,
  cSkip: () => 1,
  cOut: () => 1,
  cIn: () => 1,
  cNoise: (s) => s,
  roundSigma: (s) => s,
};

describe('boundaries of precondition, preconditionBatch and score', () => {
  it('refuses a non-function network with the expected signature in the message', () => {
    expect(() =>
      precondition(42 as unknown as RawNetwork<Float64Array>, edmPrecond(), arrayOps),
    ).toThrow('F must be a function (xIn, cNoise) => tensor (got 42)');
    expect(() =>
      preconditionBatch(null as unknown as BatchRawNetwork<Float64Array>, edmPrecond(), arrayOps),
    ).toThrow('F must be a function (xIn, cNoise: Float64Array) => tensor (got null)');
  });

  it('checks σ itself, also with a preconditioner that does not', () => {
    const x = Float64Array.of(1, 2);
    const D = precondition((xIn: Float64Array) => xIn, unchecked, arrayOps);
    expect(() => D(x, -0.5)).toThrow('sigma must be a finite number >= 0 (got -0.5)');
    expect(Array.from(D(x, 0) as Float64Array)).toEqual([2, 4]);
  });

  it('disposes a network output that is neither the input nor x, and never x', () => {
    const x = Float64Array.of(1, 2);
    const ops = recordingOps();
    precondition(() => x, vePrecond(), ops)(x, 1);
    expect(ops.disposed).not.toContain(x);
    expect(ops.disposed).toHaveLength(1); // the scaled input only
    const batchOps = recordingOps();
    preconditionBatch(() => x, vePrecond(), batchOps)(x, Float64Array.of(1));
    expect(batchOps.disposed).not.toContain(x);
    expect(batchOps.disposed).toHaveLength(3); // c_in·x, c_skip·x, c_out·F
  });

  it('score disposes the denoiser output unless it is x, also when combining fails', () => {
    const x = Float64Array.of(1, 3);
    const d = Float64Array.of(2, 2);
    const ops = recordingOps();
    const s = score(() => d, ops)(x, 2) as Float64Array;
    expect(Array.from(s)).toEqual([0.25, -0.25]); // (D − x)/σ²
    expect(ops.disposed).toEqual([d]);
    const same = recordingOps();
    expect(Array.from(score((y: Float64Array) => y, same)(x, 1) as Float64Array)).toEqual([0, 0]);
    expect(same.disposed).toEqual([]);
    const failing = recordingOps();
    failing.combine = () => {
      throw new Error('combine failed');
    };
    expect(() => score(() => d, failing)(x, 1)).toThrow('combine failed');
    expect(failing.disposed).toEqual([d]);
  });
});

describe('clampRange edges', () => {
  it('refuses a missing range by its fields, and a range that only touches the network range', () => {
    expect(() =>
      clampRange(undefined as unknown as { sigmaMin: number; sigmaMax: number }, vePrecond()),
    ).toThrow('range.sigmaMin must be a finite number > 0 (got undefined)');
    expect(() =>
      clampRange({ sigmaMin: 1 } as { sigmaMin: number; sigmaMax: number }, vePrecond()),
    ).toThrow('range.sigmaMax must be a finite number > 0 (got undefined)');
    // VE supports [0.02, 100]: [100, 200] overlaps in one point only.
    expect(() => clampRange({ sigmaMin: 100, sigmaMax: 200 }, vePrecond())).toThrow(ParameterError);
    expect(clampRange({ sigmaMin: 99, sigmaMax: 200 }, vePrecond())).toEqual({
      sigmaMin: 99,
      sigmaMax: 100,
    });
  });
});

describe('preconditioner options', () => {
  it('name each refused option and its range', () => {
    expect(() => edmPrecond({ sigmaMax: -1 })).toThrow('sigmaMax must be a number >= 0 (got -1)');
    expect(() => edmPrecond({ sigmaMin: 1, sigmaMax: 1 })).toThrow(
      'sigmaMax must be a number > sigmaMin = 1 (got 1)',
    );
    expect(() => vePrecond({ sigmaMax: 0 })).toThrow(
      'sigmaMax must be a finite number > 0 (got 0)',
    );
    expect(() => vpPrecond({ epsilonT: 1 })).toThrow(
      'epsilonT must be a finite number > 0 and < 1 (got 1)',
    );
    expect(vpPrecond({ epsilonT: 0.5 }).epsilonT).toBe(0.5);
  });

  it('take each option when given and its default when not', () => {
    expect(edmPrecond({ sigmaData: 2, sigmaMin: 0.1, sigmaMax: 5 })).toMatchObject({
      sigmaData: 2,
      sigmaMin: 0.1,
      sigmaMax: 5,
    });
    expect(edmPrecond()).toMatchObject({ sigmaData: 0.5, sigmaMin: 0, sigmaMax: Infinity });
    expect(vePrecond()).toMatchObject({ sigmaMin: 0.02, sigmaMax: 100 });
    expect(vePrecond({ sigmaMin: 0.5, sigmaMax: 50 })).toMatchObject({
      sigmaMin: 0.5,
      sigmaMax: 50,
    });
    expect(vpPrecond()).toMatchObject({ M: 1000, epsilonT: 1e-5 });
    expect(vpPrecond({ M: 10, epsilonT: 1e-3 })).toMatchObject({ M: 10, epsilonT: 1e-3 });
    expect(iddpmPrecond().M).toBe(1000);
    expect(iddpmPrecond({ M: 50 }).M).toBe(50);
  });
});
