import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { ParameterError } from '@edmkit/core';
import { Conv2d, GroupNorm, ScaledAdd, type Network, type NetworkConfig } from '@edmkit/unet';
import { beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { CONFIG_METADATA_KEY, exportOnnx } from '../src/index.js';
import { normals, randomizeWeights, relativeError } from './helpers.js';

const { onnx } = onnxProto;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A Network around a hand-made model with the single input x (only config and model are read). */
function asNetwork(model: tf.LayersModel, inputShape: number[], outChannels: number): Network {
  const config: NetworkConfig = {
    architecture: 'ddpmpp',
    inputShape,
    outChannels,
    labelDim: 0,
    augmentDim: 0,
  };
  return { config, model } as unknown as Network;
}

async function compare(network: Network, batch: number): Promise<number> {
  const shape = [batch, ...network.config.inputShape];
  const x = normals(
    shape.reduce((a, b) => a * b, 1),
    5,
  );
  const ref = tf.tidy(() => (network.model.apply(tf.tensor(x, shape)) as tf.Tensor).dataSync());
  const session = await ort.InferenceSession.create(exportOnnx(network));
  const out = await session.run({ x: new ort.Tensor('float32', x, shape) });
  await session.release();
  return relativeError(out['y']!.data as Float32Array, ref);
}

describe('exportOnnx: Conv2d resampling variants, GroupNorm settings, odd sizes', () => {
  it('matches tfjs on a chain of every Conv2d form', async () => {
    const x = tf.input({ shape: [7, 7, 4], name: 'x' });
    const layers = [
      // fused up (unused by the presets): FIR up 7 → 16, then 3×3 conv without padding → 14
      new Conv2d({
        name: 'fused_up',
        filters: 6,
        up: true,
        resampleFilter: [1, 3, 3, 1],
        fusedResample: true,
      }),
      // pure FIR downsampling 14 → 7 (kernel 0)
      new Conv2d({
        name: 'fir_down',
        filters: 0,
        kernel: 0,
        down: true,
        resampleFilter: [1, 3, 3, 1],
      }),
      // box downsampling of an odd size (7 → 3) and a 1×1 conv
      new Conv2d({ name: 'box_down', filters: 5, kernel: 1, down: true }),
      // nearest upsampling 3 → 6, no bias
      new Conv2d({ name: 'box_up', filters: 8, up: true, useBias: false }),
      // fused down (NCSN++ residual skip): 6 → 3
      new Conv2d({
        name: 'fused_down',
        filters: 8,
        down: true,
        resampleFilter: [1, 3, 3, 1],
        fusedResample: true,
      }),
      new GroupNorm({ name: 'norm', groups: 2, minChannelsPerGroup: 1, epsilon: 1e-3 }),
      tf.layers.activation({ name: 'silu', activation: 'swish' }),
    ];
    let y = x;
    for (const layer of layers) y = layer.apply(y) as tf.SymbolicTensor;
    // skip path: 1×1 box down 7 → 3, pure FIR up 3 → 6, pure box down 6 → 3
    let skip = x;
    for (const layer of [
      new Conv2d({ name: 'pre', filters: 8, kernel: 1, down: true }),
      new Conv2d({ name: 'fir_up', filters: 0, kernel: 0, up: true, resampleFilter: [1, 3, 3, 1] }),
      new Conv2d({ name: 'mean_down', filters: 0, kernel: 0, down: true }),
    ])
      skip = layer.apply(skip) as tf.SymbolicTensor;
    y = new ScaledAdd({ name: 'sum', scale: 0.5 }).apply([y, skip]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y });
    expect(y.shape).toEqual([null, 3, 3, 8]);
    const network = asNetwork(model, [7, 7, 4], 8);
    randomizeWeights(network, 3);
    expect(await compare(network, 2)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('exports a fixed batch size and the config as metadata', async () => {
    const x = tf.input({ shape: [4, 4, 2], name: 'x' });
    const y = new Conv2d({ name: 'conv', filters: 2 }).apply(x) as tf.SymbolicTensor;
    const network = asNetwork(tf.model({ inputs: x, outputs: y }), [4, 4, 2], 2);
    const bytes = exportOnnx(network, { batchSize: 3, graphName: 'tiny' });
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    expect(model.graph?.name).toBe('tiny');
    const meta = model.metadataProps.find((p) => p.key === CONFIG_METADATA_KEY);
    expect(JSON.parse(meta?.value ?? '{}')).toEqual(network.config);
    const session = await ort.InferenceSession.create(bytes);
    await expect(
      session.run({ x: new ort.Tensor('float32', new Float32Array(2 * 32), [2, 4, 4, 2]) }),
    ).rejects.toThrow();
    const out = await session.run({
      x: new ort.Tensor('float32', new Float32Array(3 * 32), [3, 4, 4, 2]),
    });
    expect(out['y']!.dims).toEqual([3, 4, 4, 2]);
    await session.release();
  });
});

describe('exportOnnx: refusals', () => {
  it('refuses what is not a network, bad options and unsupported layers', () => {
    expect(() => exportOnnx(null as unknown as Network)).toThrow(ParameterError);
    expect(() => exportOnnx({ config: {}, model: {} } as unknown as Network)).toThrow(/inputShape/);
    const x = tf.input({ shape: [3], name: 'x' });
    const dense = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
    const network = asNetwork(tf.model({ inputs: x, outputs: dense }), [3], 3);
    expect(() => exportOnnx(network)).toThrow(/Dense/);
    const y = new Conv2d({ name: 'c', filters: 1 }).apply(
      tf.input({ shape: [2, 2, 1], name: 'x' }),
    );
    const conv = asNetwork(
      tf.model({
        inputs: (y as tf.SymbolicTensor).sourceLayer.inboundNodes[0]!.inputTensors,
        outputs: y as tf.SymbolicTensor,
      }),
      [2, 2, 1],
      1,
    );
    expect(() => exportOnnx(conv, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => exportOnnx(conv, { graphName: '' })).toThrow(/graphName/);
    expect(() => exportOnnx({ ...conv, config: { ...conv.config, outChannels: 2 } })).toThrow(
      /outChannels/,
    );
    expect(() =>
      exportOnnx({ ...conv, config: { ...conv.config, inputShape: [3, 3, 1] } }),
    ).toThrow(ParameterError);
  });
});
