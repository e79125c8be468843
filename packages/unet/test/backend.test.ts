import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import { BackendUnavailableError, backendNames, selectBackend } from '@edmkit/unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow') != null) {
    await tf.setBackend('cpu');
    tf.removeBackend('tensorflow');
  }
});

/** A stand-in for @tensorflow/tfjs-node: importing it registers a tfjs backend named "tensorflow". */
function fakeNative(registered: string[]): (specifier: string) => Promise<unknown> {
  return (specifier) => {
    if (specifier === '@tensorflow/tfjs-node' && registered.includes('tensorflow')) {
      const Cpu = tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
      tf.registerBackend('tensorflow', () => new Cpu(), 0);
      return Promise.resolve({});
    }
    if (specifier === '@tensorflow/tfjs-node' && registered.includes('nothing'))
      return Promise.resolve({});
    if (specifier === '@tensorflow/tfjs-node-gpu' && registered.includes('broken-gpu')) {
      return Promise.reject(new Error('libcudart.so.11.0: cannot open shared object file'));
    }
    if (specifier.startsWith('@tensorflow/tfjs-node')) {
      return Promise.reject(
        Object.assign(new Error(`Cannot find package '${specifier}' imported from x.js`), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
      );
    }
    return import(/* @vite-ignore */ specifier);
  };
}

describe('selectBackend in auto mode', () => {
  it('skips the native backends that are not installed, says why, and lands on wasm', async () => {
    const lines: string[] = [];
    const backend = await selectBackend({ env: undefined, log: (line) => lines.push(line) });
    expect(backend.name).toBe('wasm');
    expect(backend.kind).toBe('webassembly');
    expect(backend.source).toBe('auto');
    expect(tf.getBackend()).toBe('wasm');
    expect(backend.threads).toBe(1); // the Node build of tfjs-backend-wasm has no threads
    expect(backend.simd).toBe(true); // Node ≥ 16 has WebAssembly SIMD
    expect(backend.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(backend.skipped[0]!.reason).toBe('@tensorflow/tfjs-node-gpu is not installed');
    expect(backend.skipped[1]!.reason).toBe('@tensorflow/tfjs-node is not installed');
    expect(backend.summary).toBe(
      'wasm (webassembly, SIMD, 1 thread, skipped tensorflow-gpu, tensorflow)',
    );
    expect(lines).toEqual([
      'edmkit: backend tensorflow-gpu skipped: @tensorflow/tfjs-node-gpu is not installed',
      'edmkit: backend tensorflow skipped: @tensorflow/tfjs-node is not installed',
      `edmkit: backend ${backend.summary}`,
    ]);
    expect(
      backend.kernels.find(
        (k) => k.backendName === 'wasm' && k.kernelName === 'Conv2DBackpropFilter',
      )?.action,
    ).toBe('added');
    // edmkit's ResizeNearestNeighborGrad stands on both backends: the wasm package, loaded first, did not overwrite it.
    expect(tf.getKernel('ResizeNearestNeighborGrad', 'wasm').kernelFunc).toBe(
      tf.getKernel('ResizeNearestNeighborGrad', 'cpu').kernelFunc,
    );
    // The wasm backend can now train a conv layer.
    const grad = tf.tidy(() =>
      tf
        .grad((w: tf.Tensor) =>
          tf.conv2d(tf.ones<tf.Rank.R4>([1, 3, 3, 1]), w as tf.Tensor4D, 1, 'valid').sum(),
        )(tf.zeros([2, 2, 1, 1]))
        .dataSync(),
    );
    expect(Array.from(grad)).toEqual([4, 4, 4, 4]);
    await tf.setBackend('cpu');
  });

  it('takes a native backend when its package loads, reporting the faster one it skipped', async () => {
    const backend = await selectBackend({
      env: undefined,
      importModule: fakeNative(['tensorflow', 'broken-gpu']),
    });
    expect(backend.name).toBe('tensorflow');
    expect(backend.kind).toBe('native-cpu');
    expect(backend.tfjsBackend).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(backend.skipped).toEqual([
      {
        name: 'tensorflow-gpu',
        reason:
          '@tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file',
      },
    ]);
    expect(backend.threads).toBeUndefined();
  });

  it('skips a native package that registers no backend with this tfjs (a second tfjs-core copy)', async () => {
    const backend = await selectBackend({ env: undefined, importModule: fakeNative(['nothing']) });
    expect(backend.name).toBe('wasm');
    expect(backend.skipped[1]!.reason).toMatch(
      /^@tensorflow\/tfjs-node loaded but registered no "tensorflow" backend with this @tensorflow\/tfjs \(4\.22\.0\)/,
    );
  });
});

describe('selectBackend with a forced backend', () => {
  it('uses the prefer option, which wins over EDMKIT_BACKEND', async () => {
    const backend = await selectBackend({ prefer: 'cpu', env: 'wasm' });
    expect([backend.name, backend.kind, backend.source, tf.getBackend()]).toEqual([
      'cpu',
      'javascript',
      'option',
      'cpu',
    ]);
    expect(backend.skipped).toEqual([]);
  });

  it('uses EDMKIT_BACKEND when prefer is absent or auto', async () => {
    const fromEnv = await selectBackend({ env: 'cpu' });
    expect([fromEnv.name, fromEnv.source]).toEqual(['cpu', 'env']);
    process.env.EDMKIT_BACKEND = 'wasm';
    try {
      const fromProcess = await selectBackend({ prefer: 'auto' });
      expect([fromProcess.name, fromProcess.source, tf.getBackend()]).toEqual([
        'wasm',
        'env',
        'wasm',
      ]);
    } finally {
      delete process.env.EDMKIT_BACKEND;
      await tf.setBackend('cpu');
    }
  });

  it('throws BackendUnavailableError naming it and what is available, and leaves the backend as it was', async () => {
    await tf.setBackend('cpu');
    const error = await selectBackend({
      prefer: 'tensorflow-gpu',
      env: undefined,
      importModule: fakeNative(['tensorflow']),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect([e.backend, e.reason, e.source]).toEqual([
      'tensorflow-gpu',
      '@tensorflow/tfjs-node-gpu is not installed',
      'option',
    ]);
    expect(e.available).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(e.message).toBe(
      'backend "tensorflow-gpu" (forced by the prefer option) is unavailable: @tensorflow/tfjs-node-gpu is not installed; available: tensorflow, wasm, cpu',
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses a forced native backend that is absent for real (EDMKIT_BACKEND=tensorflow)', async () => {
    const error = await selectBackend({ env: 'tensorflow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).message).toBe(
      'backend "tensorflow" (forced by EDMKIT_BACKEND) is unavailable: @tensorflow/tfjs-node is not installed; available: wasm, cpu',
    );
  });

  it('validates its options', async () => {
    await expect(selectBackend({ prefer: 'gpu' as 'cpu' })).rejects.toThrow(UnknownNameError);
    await expect(selectBackend({ env: 'cuda' })).rejects.toThrow(
      'unknown EDMKIT_BACKEND "cuda"; expected one of: tensorflow-gpu, tensorflow, wasm, cpu, auto',
    );
    await expect(selectBackend({ env: undefined, threads: 0 })).rejects.toThrow(ParameterError);
    expect(backendNames).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });
});
