import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * Loads the wasm backend (binaries from the installed package) next to cpu, without
 * making it the default: cpu stays active. Call once per test file, before any op.
 * With `initialise` false, only imports the package and sets the binaries' path.
 */
export async function loadWasm(initialise = true): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  if (tf.engine().registry.wasm == null) wasm.setWasmPaths(dir + path.sep);
  if (!initialise) return;
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  await tf.setBackend('cpu');
}

/** Runs `fn` with `backend` active and returns the values of its result (tensors disposed). */
export async function valuesOn(
  backend: string,
  fn: () => tf.Tensor | tf.TensorInfo,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = fn();
  const t = out instanceof tf.Tensor ? out : tf.engine().makeTensorFromTensorInfo(out);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  await tf.setBackend('cpu');
  return values;
}

/** max |a − b| / max |b|: the error of `a` relative to the reference `b`'s scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Deterministic standard-normal values (a tiny LCG + Box–Muller), for kernel inputs. */
export function randomValues(n: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}
