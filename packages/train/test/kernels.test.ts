import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels, train } from '@edmkit/train';
import { baseOptions, tinyNetwork, useCpu } from './helpers.js';

beforeAll(useCpu);

/** The function tfjs runs for a cpu kernel that registerTrainingKernels() replaces. */
const kernel = (): tf.KernelFunc | undefined =>
  (tf.getKernel('ResizeNearestNeighborGrad', 'cpu') as tf.KernelConfig | undefined)?.kernelFunc;

describe('training kernels', () => {
  it('are registered by train() itself, unless registerKernels is false; importing registers nothing', async () => {
    const original = kernel();
    expect(original).toBeDefined();
    const network = tinyNetwork(1);
    const alone = await train(baseOptions(network, { totalImages: 16, registerKernels: false }));
    alone.ema.dispose();
    expect(kernel()).toBe(original);
    const r = await train(baseOptions(network, { totalImages: 16 }));
    r.ema.dispose();
    const registered = kernel();
    expect(registered).not.toBe(original);
    // Idempotent: a second call (or a caller's own) changes nothing.
    const again = registerTrainingKernels();
    expect(
      again.find((k) => k.kernelName === 'ResizeNearestNeighborGrad' && k.backendName === 'cpu')
        ?.action,
    ).toBe('present');
    expect(kernel()).toBe(registered);
    await expect(train(baseOptions(network, { registerKernels: 'yes' as never }))).rejects.toThrow(
      /registerKernels must be a boolean/,
    );
    network.dispose();
  });
});
