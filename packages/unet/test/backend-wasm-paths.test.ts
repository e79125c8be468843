import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it, vi } from 'vitest';
import { BackendUnavailableError, selectBackend } from '@edmkit/unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Its own file: a wasm backend that failed to initialise stays failed in this process.
it('skips wasm whose binaries are missing in auto mode, and refuses it when forced', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const auto = await selectBackend({ env: undefined, wasmPaths: '/nonexistent/' });
  expect(auto.name).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect(auto.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
  expect(auto.skipped[2]!.reason).toBe('initialisation failed (tfjs logged the cause)');
  expect(auto.summary).toBe('cpu (javascript, skipped tensorflow-gpu, tensorflow, wasm)');

  const forced = await selectBackend({ prefer: 'wasm', wasmPaths: '/nonexistent/' }).catch(
    (e: unknown) => e,
  );
  expect(forced).toBeInstanceOf(BackendUnavailableError);
  expect((forced as BackendUnavailableError).reason).toBe(
    'initialisation failed (tfjs logged the cause)',
  );
  expect((forced as BackendUnavailableError).available).toEqual(['wasm', 'cpu']);
  expect(tf.getBackend()).toBe('cpu');
  // tfjs reported the cause: the .wasm file it could not read.
  expect(warn.mock.calls.flat().join('\n')).toMatch(/nonexistent/);
  warn.mockRestore();
});
