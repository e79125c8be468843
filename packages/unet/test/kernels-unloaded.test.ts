import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { registerTrainingKernels } from '@edmkit/unet';
import { loadWasm, randomValues, relativeError, valuesOn } from './helpers/backends.js';

// Its own file: the wasm package must not be imported before the first call.
it('skips the wasm kernels until the wasm package is loaded, then registers them after its own', async () => {
  await tf.setBackend('cpu');
  const before = registerTrainingKernels();
  expect(before.filter((r) => r.backendName === 'wasm').map((r) => r.action)).toEqual([
    'skipped',
    'skipped',
    'skipped',
    'skipped',
    'skipped',
  ]);
  expect(before.filter((r) => r.backendName === 'cpu').map((r) => r.action)).toEqual([
    'replaced',
    'replaced',
  ]);
  await loadWasm(false);
  const after = registerTrainingKernels();
  expect(after.map((r) => `${r.backendName}/${r.kernelName}: ${r.action}`)).toEqual([
    'wasm/Conv2DBackpropFilter: added',
    'wasm/Conv2DBackpropInput: replaced',
    'wasm/DepthwiseConv2dNativeBackpropInput: added',
    'wasm/DepthwiseConv2dNativeBackpropFilter: added',
    'wasm/ResizeNearestNeighborGrad: replaced',
    'cpu/ResizeNearestNeighborGrad: present',
    'cpu/Conv2DBackpropFilter: present',
  ]);

  // The wasm backend initialises after the replacement: the replaced kernel's setup still
  // runs, so the stride-2 transposed convolution that edmkit passes to it works.
  const dy = randomValues(2 * 4 * 4 * 3, 91);
  const filter = randomValues(4 * 4 * 2 * 3, 92);
  const up = () =>
    tf.conv2dTranspose(
      tf.tensor4d(dy, [2, 4, 4, 3]),
      tf.tensor4d(filter, [4, 4, 2, 3]),
      [2, 8, 8, 2],
      2,
      'same',
    );
  expect(relativeError(await valuesOn('wasm', up), await valuesOn('cpu', up))).toBeLessThan(1e-5);
});
