import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { admSmall, ddpmppSmall, mlp, ncsnppSmall, type Network } from '@edmkit/unet';
import { exportOnnx } from '../src/index.js';
import { inputsFor, randomizeWeights, relativeError, runOnnx, runTfjs } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 16×16 variants (levels 16/8/4, attention at 8) keep the label/augment cases fast. */
const small16 = { resolution: 16, attnResolutions: [8] } as const;

const cases: readonly (readonly [string, () => Network])[] = [
  ['ddpmppSmall', () => ddpmppSmall({ seed: 1 })],
  ['ncsnppSmall', () => ncsnppSmall({ seed: 2 })],
  ['admSmall', () => admSmall({ seed: 3 })],
  ['mlp', () => mlp({ dim: 3, seed: 4 })],
  [
    'mlp, Fourier, labelDim 3',
    () => mlp({ dim: 3, labelDim: 3, embeddingType: 'fourier', seed: 5 }),
  ],
  ['ddpmppSmall 16², labelDim 3', () => ddpmppSmall({ ...small16, labelDim: 3, seed: 6 })],
  [
    'ncsnppSmall 16², labelDim 3, augmentDim 2, 3 channels',
    () => ncsnppSmall({ ...small16, inChannels: 3, labelDim: 3, augmentDim: 2, seed: 7 }),
  ],
  [
    'admSmall 16², labelDim 3, augmentDim 9, outChannels 2',
    () => admSmall({ ...small16, labelDim: 3, augmentDim: 9, outChannels: 2, seed: 8 }),
  ],
];

describe('exportOnnx: ONNX Runtime equals network.apply (tfjs cpu)', () => {
  it.each(cases)('%s', { timeout: 30_000 }, async (_name, make) => {
    const network = make();
    randomizeWeights(network, 11);
    const inputs = inputsFor(network.config, 2, 21);
    const ref = runTfjs(network, inputs);
    const session = await ort.InferenceSession.create(exportOnnx(network));
    const y = await runOnnx(session, network.config, inputs);
    expect(y.length).toBe(ref.length);
    expect(relativeError(y, ref)).toBeLessThan(1e-4);
    await session.release();
    network.dispose();
  });
});
