import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayOps, ParameterError, sampleRngs, type Denoiser } from '@edmkit/core';
import { edmPrecond, precondition } from '@edmkit/precond';
import { edmSteps, linearSchedule } from '@edmkit/schedules';
import { sample, timeSteps } from '@edmkit/solvers';
import { tfjsOps } from '@edmkit/unet';
import { randomValues, relativeError } from './helpers/backends.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = [3, 2, 2, 2];
const size = 24;

function pair(seed: number): [tf.Tensor, Float64Array] {
  const values = randomValues(size, seed);
  return [tf.tensor(values, shape), Float64Array.from(values)];
}

describe('tfjsOps agrees with arrayOps', () => {
  it('combine: Σ aₖ·xₖ with float64 coefficients, to float32 rounding', () => {
    const [x1, a1] = pair(1);
    const [x2, a2] = pair(2);
    const [x3, a3] = pair(3);
    const terms: [number, number][] = [
      [0.7071067811865476, 0],
      [-80.00000001, 1],
      [1e-3, 2],
    ];
    const got = tfjsOps.combine(terms.map(([a, k]) => [a, [x1, x2, x3][k]!] as const));
    const expected = arrayOps.combine(terms.map(([a, k]) => [a, [a1, a2, a3][k]!] as const));
    expect(got.shape).toEqual(shape);
    expect(got.dtype).toBe('float32');
    expect(relativeError(got.dataSync(), expected)).toBeLessThan(3e-7);
    tf.dispose([x1, x2, x3, got]);
  });

  it('combine returns a new tensor even for 1·x, and zeros when every coefficient is 0', () => {
    const [x] = pair(4);
    const same = tfjsOps.combine([[1, x]]);
    expect(same).not.toBe(x);
    const zeros = tfjsOps.combine([
      [0, x],
      [0, x],
    ]);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual(Array.from(randomValues(size, 4)));
    expect(Array.from(zeros.dataSync())).toEqual(new Array<number>(size).fill(0));
    tf.dispose([same, zeros]);
  });

  it('randnLike: exactly arrayOps draws rounded to float32', () => {
    const like = tf.zeros(shape);
    const got = tfjsOps.randnLike(like, sampleRngs(5, 3));
    const expected = arrayOps.randnLike(new Float64Array(size), sampleRngs(5, 3));
    expect(got.dtype).toBe('float32');
    expect(Array.from(got.dataSync())).toEqual(Array.from(expected, Math.fround));
    tf.dispose([like, got]);
  });

  it('mul and scaleSamples', () => {
    const [x, a] = pair(6);
    const [y, b] = pair(7);
    const scale = new Float64Array([2.5, -1e-3, 80]);
    const product = tfjsOps.mul(x, y);
    const scaled = tfjsOps.scaleSamples(x, scale);
    expect(relativeError(product.dataSync(), arrayOps.mul(a, b))).toBeLessThan(1e-7);
    expect(relativeError(scaled.dataSync(), arrayOps.scaleSamples(a, scale))).toBeLessThan(1e-7);
    // Sample 1 (second slice of 8) is scaled by −1e-3 only.
    expect(scaled.dataSync()[8]).toBeCloseTo(-1e-3 * a[8]!, 9);
    tf.dispose([x, y, product, scaled]);
  });
});

describe('tfjsOps.randnLike uses one stream per sample', () => {
  it("a sample's noise does not depend on the batch it is drawn in", () => {
    const batch = tfjsOps.randnLike(tf.zeros([4, 5]), sampleRngs(9, 4));
    const alone = tfjsOps.randnLike(tf.zeros([1, 5]), sampleRngs(9, 1, 2));
    const rows = batch.arraySync() as number[][];
    expect(rows[2]).toEqual((alone.arraySync() as number[][])[0]);
    // Different samples draw different numbers.
    expect(rows[0]).not.toEqual(rows[1]);
    tf.dispose([batch, alone]);
  });
});

describe('tfjsOps.tidy', () => {
  it('releases intermediates and keeps the tensors of the result, or returns plain values', () => {
    const before = tf.memory().numTensors;
    const kept = tfjsOps.tidy(() => {
      const a = tf.ones([2, 2]);
      return { sum: tf.add(a, a), tag: 'x' };
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(kept.sum.dataSync())).toEqual([2, 2, 2, 2]);
    kept.sum.dispose();
    const values = tfjsOps.tidy(() => tf.range(0, 5).mul(2).dataSync());
    expect(Array.from(values)).toEqual([0, 2, 4, 6, 8]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('tfjsOps validates its inputs', () => {
  it('throws ParameterError naming the parameter', () => {
    const x = tf.zeros([2, 3]);
    const y = tf.zeros([3, 2]);
    const n = tf.zeros([2, 3], 'int32');
    const bad: [() => unknown, string][] = [
      [() => tfjsOps.combine([]), 'terms'],
      [() => tfjsOps.combine([[Number.NaN, x]]), 'terms[0][0]'],
      [
        () =>
          tfjsOps.combine([
            [1, x],
            [2, y],
          ]),
        'terms[1][1].shape',
      ],
      [() => tfjsOps.combine([[1, n]]), 'terms[0][1].dtype'],
      [() => tfjsOps.randnLike(x, sampleRngs(0, 3)), 'rngs'],
      [() => tfjsOps.mul(x, y), 'b.shape'],
      [() => tfjsOps.scaleSamples(x, new Float64Array([1])), 'scale'],
      [() => tfjsOps.scaleSamples(x, new Float64Array([1, Number.POSITIVE_INFINITY])), 'scale[1]'],
      [() => tfjsOps.combine([[1, tf.scalar(1)]]), 'terms[0][1].shape'],
    ];
    for (const [call, parameter] of bad) {
      expect(call).toThrow(ParameterError);
      try {
        call();
      } catch (error) {
        expect((error as ParameterError).parameter).toBe(parameter);
      }
    }
    const gone = tf.zeros([2, 3]);
    gone.dispose();
    expect(() => tfjsOps.combine([[1, gone]])).toThrow(/terms\[0\]\[1\] must be a live tf.Tensor/);
    tf.dispose([x, y, n]);
  });
});

describe('the generic sampler on tfjs tensors', () => {
  const sigmaData = 0.5;
  // Ideal denoiser of N(0, σ_d² I): D(x; σ) = σ_d²/(σ² + σ_d²)·x.
  const gaussian = (sigma: number): number => sigmaData ** 2 / (sigma ** 2 + sigmaData ** 2);
  const tfDenoiser: Denoiser<tf.Tensor> = (x, sigma) => tf.tidy(() => tf.mul(x, gaussian(sigma)));
  const arrayDenoiser: Denoiser<Float64Array> = (x, sigma) =>
    arrayOps.combine([[gaussian(sigma), x]]);
  const tSteps = timeSteps({
    discretization: edmSteps(),
    n: 8,
    range: { sigmaMin: 0.002, sigmaMax: 80 },
    schedule: linearSchedule(),
  });

  for (const churn of [undefined, { sChurn: 30, sMin: 0.01, sMax: 50, sNoise: 1.007 }]) {
    it(`leaves no tensor behind and matches arrayOps (${churn === undefined ? 'deterministic' : 'with churn'})`, async () => {
      const latents = tfjsOps.randnLike(tf.zeros([4, 3, 3, 2]), sampleRngs(11, 4));
      const latents64 = arrayOps.randnLike(new Float64Array(72), sampleRngs(11, 4));
      const before = tf.memory().numTensors;
      const result = await sample({
        ops: tfjsOps,
        denoiser: tfDenoiser,
        latents,
        tSteps,
        ...(churn ? { churn, rngs: sampleRngs(12, 4) } : {}),
      });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(result.nfe).toBe(15);
      const reference = await sample({
        ops: arrayOps,
        denoiser: arrayDenoiser,
        latents: latents64,
        tSteps,
        ...(churn ? { churn, rngs: sampleRngs(12, 4) } : {}),
      });
      expect(relativeError(result.x.dataSync(), reference.x)).toBeLessThan(1e-5);
      result.x.dispose();
      expect(tf.memory().numTensors).toBe(before);
      latents.dispose();
    });
  }

  it('leaves no tensor behind with a preconditioned tfjs network', async () => {
    // F: a fixed 1×1 convolution with a c_noise-dependent bias; D = c_skip·x + c_out·F(c_in·x; c_noise).
    const kernel = tf.tensor4d([0.9, 0.1, -0.2, 0.8], [1, 1, 2, 2]);
    const F = (xIn: tf.Tensor, cNoise: number) =>
      tf.tidy(() => tf.conv2d(xIn as tf.Tensor4D, kernel, 1, 'same').add(0.01 * cNoise));
    const denoiser = precondition(F, edmPrecond({ sigmaData }), tfjsOps);
    const latents = tfjsOps.randnLike(tf.zeros([2, 4, 4, 2]), sampleRngs(13, 2));
    const before = tf.memory().numTensors;
    const { x } = await sample({
      ops: tfjsOps,
      denoiser,
      latents,
      tSteps,
      churn: { sChurn: 10 },
      rngs: sampleRngs(14, 2),
    });
    expect(x.shape).toEqual([2, 4, 4, 2]);
    expect(tf.tidy(() => x.abs().max().dataSync()[0]!)).toBeGreaterThan(0);
    expect(tf.tidy(() => x.isFinite().all().dataSync()[0])).toBe(1);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([latents, kernel]);
  });
});
