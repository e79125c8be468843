import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { ParameterError } from '@edmkit/core';
import { edmPrecond, precondition, preconditionBatch } from '@edmkit/precond';
import { ddpmppSmall, mlp, rawNetwork, tfjsOps, type Network } from '@edmkit/unet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, onnxBatchDenoiser, onnxDenoiser, onnxNetwork } from '../src/index.js';
import { normals, randomizeWeights, relativeError } from './helpers.js';

let network: Network;
let session: ort.InferenceSession;
const batch = 2;
const labels = new Float32Array([1, 0, 0, 0, 0, 1]); // one-hot, one per sample

beforeAll(async () => {
  await tf.setBackend('cpu');
  network = ddpmppSmall({ resolution: 16, attnResolutions: [8], labelDim: 3, seed: 9 });
  randomizeWeights(network, 4);
  session = await ort.InferenceSession.create(exportOnnx(network));
});

afterAll(async () => {
  await session.release();
  network.dispose();
});

/** Runs a tfjs denoiser on float64 values and returns float64 values. */
async function onTfjs(
  fn: (x: tf.Tensor) => tf.Tensor | Promise<tf.Tensor>,
  x: Float64Array,
  shape: number[],
): Promise<Float64Array> {
  const input = tf.tensor(Float32Array.from(x), shape);
  const y = await fn(input);
  const out = Float64Array.from(y.dataSync());
  tf.dispose([input, y]);
  return out;
}

describe('onnxDenoiser', () => {
  const shape = [batch, 16, 16, 1];
  const x = Float64Array.from(normals(batch * 256, 3), (v) => 2 * v);

  it('equals precondition(rawNetwork(network), edmPrecond(), tfjsOps)', async () => {
    const classLabels = tf.tensor2d(labels, [batch, 3]);
    const ref = precondition(rawNetwork(network, { classLabels }), edmPrecond(), tfjsOps);
    const D = onnxDenoiser({
      session,
      ort,
      config: network.config,
      precond: edmPrecond(),
      classLabels: labels,
    });
    for (const sigma of [0.05, 2.5]) {
      const expected = await onTfjs((t) => ref(t, sigma), x, shape);
      expect(relativeError(await D(x, sigma), expected)).toBeLessThan(1e-4);
    }
    classLabels.dispose();
  });

  it('batch variant equals preconditionBatch of the tfjs network (one σ per sample)', async () => {
    const classLabels = tf.tensor2d(labels, [batch, 3]);
    const F = (xIn: tf.Tensor, cNoise: Float64Array) =>
      tf.tidy(() => network.apply(xIn, tf.tensor1d(Float32Array.from(cNoise)), { classLabels }));
    const ref = preconditionBatch(F, edmPrecond(), tfjsOps);
    const sigma = new Float64Array([0.3, 7]);
    const Db = onnxBatchDenoiser({
      session,
      ort: ort.Tensor,
      config: network.config,
      precond: edmPrecond(),
      classLabels: labels,
    });
    const expected = await onTfjs((t) => ref(t, sigma), x, shape);
    expect(relativeError(await Db(x, sigma), expected)).toBeLessThan(1e-4);
    classLabels.dispose();
  });

  it('uses the first C channels of a 2C-channel output (learned variance)', async () => {
    const net = mlp({ dim: 2, outChannels: 4, hidden: 16, layers: 2, seed: 1 });
    randomizeWeights(net, 2);
    const s = await ort.InferenceSession.create(exportOnnx(net));
    const xs = new Float64Array([0.5, -1, 2, 0.25, 0, 3]);
    const precond = edmPrecond();
    const sigma = 1.5;
    const F = await onTfjs(
      (t) => rawNetwork(net)(t, precond.cNoise(sigma)),
      xs.map((v) => v * precond.cIn(sigma)),
      [3, 2],
    );
    const expected = xs.map(
      (v, i) =>
        precond.cSkip(sigma) * v + precond.cOut(sigma) * F[Math.floor(i / 2) * 4 + (i % 2)]!,
    );
    const D = onnxDenoiser({ session: s, ort, config: net.config, precond });
    expect(relativeError(await D(xs, sigma), expected)).toBeLessThan(1e-4);
    await s.release();
    net.dispose();
  });

  it('refuses bad options and inputs with ParameterError', async () => {
    const config = network.config;
    const precond = edmPrecond();
    const base = { session, ort, config, precond, classLabels: labels };
    const bad = (o: object) => () => onnxDenoiser({ ...base, ...o });
    expect(bad({ session: {} })).toThrow(ParameterError);
    expect(bad({ ort: {} })).toThrow(/ort/);
    expect(bad({ precond: {} })).toThrow(/precond/);
    expect(bad({ config: { ...config, inputShape: [0] } })).toThrow(/inputShape/);
    expect(bad({ classLabels: undefined })).toThrow(/classLabels/);
    expect(bad({ classLabels: [1, 0] })).toThrow(/classLabels/);
    expect(bad({ classLabels: [1, 0, NaN] })).toThrow(/classLabels\[2\]/);
    expect(bad({ augmentLabels: [1] })).toThrow(/augmentLabels/);
    expect(() => onnxDenoiser(null as unknown as Parameters<typeof onnxDenoiser>[0])).toThrow(
      ParameterError,
    );
    const D = onnxDenoiser(base);
    await expect(D(new Float64Array(100), 1)).rejects.toThrow(/x must be/);
    await expect(D(new Float64Array(3 * 256), 1)).rejects.toThrow(/classLabels/); // 3 samples, 2 label vectors
    expect(() => D(new Float64Array(256), -1)).toThrow(/sigma/);
    const F = onnxNetwork({ session, ort, config, classLabels: [0, 1, 0] });
    expect((await F(new Float64Array(3 * 256), 0)).length).toBe(3 * 256); // one label vector for all
    await expect(F(new Float64Array(256), new Float64Array(2))).rejects.toThrow(/cNoise/);
  });
});
