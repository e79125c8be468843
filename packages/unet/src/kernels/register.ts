import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import {
  depthwiseConv2dBackpropFilterKernel,
  depthwiseConv2dBackpropInputKernel,
} from './depthwise-conv2d-backprop.js';
import { resizeNearestNeighborGradKernel } from './resize-nearest-neighbor-grad.js';

/** What {@link registerTrainingKernels} did for one kernel of one backend. */
export interface KernelRegistration {
  /** tfjs kernel name, e.g. `Conv2DBackpropFilter`. */
  readonly kernelName: string;
  /** tfjs backend name. */
  readonly backendName: 'cpu' | 'wasm';
  /**
   * `added`: the backend had no such kernel; `replaced`: edmkit's kernel now stands in
   * for tfjs's own; `present`: left as it was (tfjs provides it, or edmkit's is already
   * registered); `skipped`: the backend's package is not loaded yet.
   */
  readonly action: 'added' | 'replaced' | 'present' | 'skipped';
  /** Why. */
  readonly reason: string;
}

interface Plan {
  readonly kernelName: string;
  readonly backendName: 'cpu' | 'wasm';
  /** Replace tfjs's own kernel (else only fill a gap). */
  readonly replace: boolean;
  readonly reason: string;
  readonly make: (original: tf.KernelFunc | undefined) => tf.KernelFunc;
}

const PLANS: readonly Plan[] = [
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    replace: false,
    reason:
      'missing in tfjs-backend-wasm 4.22 (filter gradient of conv2d): im2col + the backend BatchMatMul',
    make: (original) => conv2dBackpropFilterKernel(original),
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    replace: true,
    reason:
      'tfjs-backend-wasm 4.22 runs a direct loop; with stride 1 it is a conv2d with the rotated filter on XNNPACK',
    make: (original) => conv2dBackpropInputKernel(original!), // present: the wasm package is loaded
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    replace: false,
    reason: 'missing in tfjs-backend-wasm 4.22 (input gradient of depthwiseConv2d)',
    make: () => depthwiseConv2dBackpropInputKernel,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: 'wasm',
    replace: false,
    reason: 'missing in tfjs-backend-wasm 4.22 (filter gradient of depthwiseConv2d)',
    make: () => depthwiseConv2dBackpropFilterKernel,
  },
  {
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName: 'wasm',
    replace: true,
    reason:
      'tfjs-backend-wasm 4.22 is not the adjoint of the forward resize when halfPixelCenters is true',
    make: () => resizeNearestNeighborGradKernel,
  },
  {
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName: 'cpu',
    replace: true,
    reason:
      "tfjs-backend-cpu 4.22 reads dy at the images' batch offset: wrong for every sample after the first",
    make: () => resizeNearestNeighborGradKernel,
  },
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'cpu',
    replace: true,
    reason:
      'tfjs-backend-cpu 4.22 indexes through TensorBuffer.get per term (20–85× slower, measured); NCHW still goes to it',
    make: (original) => conv2dBackpropFilterKernel(original),
  },
];

/** Kernel functions registered by edmkit, to recognise them on a second call. */
const ours = new WeakSet<tf.KernelFunc>();

function existing(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  // tf.getKernel is typed as always returning a config; it returns undefined when there is none.
  const config: tf.KernelConfig | undefined = tf.getKernel(kernelName, backendName);
  return config;
}

/**
 * Registers the kernels that training conv nets needs and that tfjs 4.22 lacks or
 * gets wrong, in tfjs's global kernel registry, and reports what it did. Idempotent;
 * {@link selectBackend} calls it. Call it yourself if you pick a backend with
 * `tf.setBackend` — after importing `@tensorflow/tfjs-backend-wasm`, whose import
 * registers its own kernels over any registered before.
 *
 * - wasm (once `@tensorflow/tfjs-backend-wasm` is imported; skipped before): `Conv2DBackpropFilter`
 *   (im2col on the wasm heap, then the backend's XNNPACK BatchMatMul),
 *   `DepthwiseConv2dNativeBackpropInput`, `DepthwiseConv2dNativeBackpropFilter` (plain
 *   JavaScript) — added only where the backend has none, so a later tfjs that ships them
 *   keeps its own; `Conv2DBackpropInput` replaced for stride 1 by a conv2d with the rotated
 *   filter on XNNPACK (other strides go to the original);
 *   `ResizeNearestNeighborGrad` replaced (the 4.22 kernel is wrong with `halfPixelCenters`).
 * - cpu: `ResizeNearestNeighborGrad` replaced (the 4.22 kernel is wrong for batch > 1),
 *   `Conv2DBackpropFilter` replaced by a faster NHWC one (NCHW is passed to the original).
 *
 * The native backends (tfjs-node, tfjs-node-gpu) run TensorFlow's own kernels and need none.
 *
 * @returns one entry per kernel and backend
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * registerTrainingKernels();
 * await tf.setBackend('wasm'); // now tf.variableGrads through conv2d works on wasm
 */
export function registerTrainingKernels(): readonly KernelRegistration[] {
  // The wasm package registers its kernels when imported: edmkit's go in after them.
  const wasmLoaded = existing(tf.Conv2D, 'wasm') !== undefined;
  return PLANS.map(({ kernelName, backendName, replace, reason, make }) => {
    if (backendName === 'wasm' && !wasmLoaded) {
      return {
        kernelName,
        backendName,
        action: 'skipped',
        reason: '@tensorflow/tfjs-backend-wasm is not loaded yet',
      } as const;
    }
    const current = existing(kernelName, backendName);
    if (current !== undefined && ours.has(current.kernelFunc)) {
      return {
        kernelName,
        backendName,
        action: 'present',
        reason: 'edmkit kernel already registered',
      } as const;
    }
    if (current !== undefined && !replace) {
      return { kernelName, backendName, action: 'present', reason: 'provided by tfjs' } as const;
    }
    const kernelFunc = make(current?.kernelFunc);
    ours.add(kernelFunc);
    if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
    // The replaced kernel's setup (run when its backend initialises) is kept: the fallback needs it.
    const { setupFunc, disposeFunc } = current ?? {};
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc,
      ...(setupFunc !== undefined ? { setupFunc } : {}),
      ...(disposeFunc !== undefined ? { disposeFunc } : {}),
    });
    return {
      kernelName,
      backendName,
      action: current === undefined ? 'added' : 'replaced',
      reason,
    } as const;
  });
}

/**
 * The names of the tfjs kernels `fn` dispatches (forward and, if `fn` computes
 * gradients, backward), sorted, via `tf.profile` on the current backend.
 *
 * @example
 * const names = await dispatchedKernels(() => tf.variableGrads(loss).grads);
 * missingKernels(names, 'wasm'); // [] once registerTrainingKernels() ran
 */
export async function dispatchedKernels(fn: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(fn);
  tf.dispose(info.result);
  return [...new Set(info.kernelNames)].sort();
}

/** The kernels among `kernelNames` that `backendName` has no implementation of. */
export function missingKernels(kernelNames: readonly string[], backendName: string): string[] {
  return kernelNames.filter((name) => existing(name, backendName) === undefined);
}
