import * as tf from '@tensorflow/tfjs';
import type * as WasmModule from '@tensorflow/tfjs-backend-wasm';
import { checkInteger, checkOneOf } from '@edmkit/core';
import { registerTrainingKernels, type KernelRegistration } from '../kernels/register.js';
import { backendNames, type BackendKind, type BackendName } from './backend-names.js';
import { BackendUnavailableError } from './backend-unavailable-error.js';

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * The backend to use, or `'auto'` for the fastest one available. A named backend
   * that cannot be used throws {@link BackendUnavailableError}. Default: `env`, else `'auto'`.
   */
  readonly prefer?: BackendName | 'auto';
  /**
   * The value of the `EDMKIT_BACKEND` environment variable (same values as `prefer`),
   * used when `prefer` is absent or `'auto'`. Default `process.env.EDMKIT_BACKEND`;
   * pass `undefined` explicitly to ignore the environment.
   */
  readonly env?: string | undefined;
  /** Receives one line per skipped backend and one for the choice. Default: silent (read `skipped`). */
  readonly log?: (message: string) => void;
  /**
   * Loads a backend package by name. Default: a dynamic `import()`. Bundled apps, which
   * cannot resolve a computed specifier, pass e.g. `(name) => import('@tensorflow/tfjs-node')`
   * guarded by name; tests pass fakes.
   */
  readonly importModule?: (specifier: string) => Promise<unknown>;
  /**
   * Where the wasm binaries are (`setWasmPaths` of tfjs-backend-wasm): a directory
   * prefix ending in `/`. Default in Node: the `dist/` directory of the installed
   * `@tensorflow/tfjs-backend-wasm`; in a browser: tfjs's own default (next to the script).
   */
  readonly wasmPaths?: string;
  /**
   * Threads of the wasm backend (browsers with cross-origin isolation only; the Node
   * build is single-threaded). Default: tfjs's (the number of logical cores).
   */
  readonly threads?: number;
}

/** A backend {@link selectBackend} did not take, and why. */
export interface SkippedBackend {
  readonly name: BackendName;
  readonly reason: string;
}

/** The backend {@link selectBackend} switched tfjs to. */
export interface SelectedBackend {
  /** edmkit's name of the backend. */
  readonly name: BackendName;
  /** What it runs: CUDA, native CPU code, WebAssembly or JavaScript. */
  readonly kind: BackendKind;
  /** The tfjs backend name now active (`tf.getBackend()`). */
  readonly tfjsBackend: 'tensorflow' | 'wasm' | 'cpu';
  /** How the choice was made: the `prefer` option, `EDMKIT_BACKEND`, or the first available in auto mode. */
  readonly source: 'option' | 'env' | 'auto';
  /** Threads of the wasm backend. */
  readonly threads?: number;
  /** Whether the wasm backend uses WebAssembly SIMD. */
  readonly simd?: boolean;
  /** The faster backends that were tried first in auto mode, with the reason each was skipped. */
  readonly skipped: readonly SkippedBackend[];
  /** The training kernels registered on the way ({@link registerTrainingKernels}). */
  readonly kernels: readonly KernelRegistration[];
  /** One line for logs, e.g. `wasm (webassembly, SIMD, 1 thread; skipped tensorflow-gpu, tensorflow)`. */
  readonly summary: string;
}

const PACKAGES: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

const KINDS: Readonly<Record<BackendName, BackendKind>> = {
  'tensorflow-gpu': 'native-gpu',
  tensorflow: 'native-cpu',
  wasm: 'webassembly',
  cpu: 'javascript',
};

const TFJS_NAMES: Readonly<Record<BackendName, 'tensorflow' | 'wasm' | 'cpu'>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const CHOICES = [...backendNames, 'auto'] as const;

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Outcome of one attempt: the extra facts of a success, or the reason of a failure. */
type Attempt = { ok: true; threads?: number; simd?: boolean } | { ok: false; reason: string };

function errorReason(specifier: string, error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : '';
  if (
    (code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      // Node, and bundlers (vite/vitest: a declared but absent optional peer) word it thus.
      /Cannot find (package|module)|Failed to load url|Could not resolve/.test(message)) &&
    message.includes(specifier)
  ) {
    return `${specifier} is not installed`;
  }
  return `${specifier} failed to load: ${message.split('\n')[0]}`;
}

async function load(
  specifier: string,
  importModule: (s: string) => Promise<unknown>,
): Promise<{ module: unknown } | { reason: string }> {
  try {
    return { module: await importModule(specifier) };
  } catch (error) {
    return { reason: errorReason(specifier, error) };
  }
}

/** The `dist/` directory of the installed tfjs-backend-wasm, where its .wasm files are (Node only). */
async function wasmDistDirectory(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const main = createRequire(import.meta.url).resolve(PACKAGES.wasm);
  const dir = path.dirname(main);
  const binary = path.join(dir, 'tfjs-backend-wasm.wasm');
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found`);
  return dir + path.sep;
}

/** Whether tfjs has initialised backend `tfjsName` (unlike `tf.findBackend`, this initialises nothing). */
const initialised = (tfjsName: string): boolean => tf.engine().registry[tfjsName] != null;

/** Makes `tfjsName` the active backend; on failure, goes back to the one active before. */
async function activate(tfjsName: string): Promise<string | undefined> {
  const before = tf.engine().backendName as string | null | undefined;
  if (tf.findBackendFactory(tfjsName) == null) return `no tfjs backend "${tfjsName}" is registered`;
  let ok = false;
  let failure = 'initialisation failed (tfjs logged the cause)';
  try {
    ok = await tf.setBackend(tfjsName);
  } catch (error) {
    failure = `initialisation failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (ok) return undefined;
  if (before != null && before !== tfjsName && initialised(before)) await tf.setBackend(before);
  return failure;
}

async function tryNative(
  name: 'tensorflow-gpu' | 'tensorflow',
  importModule: (s: string) => Promise<unknown>,
): Promise<Attempt> {
  const loaded = await load(PACKAGES[name], importModule);
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  if (tf.findBackendFactory('tensorflow') == null) {
    return {
      ok: false,
      reason: `${PACKAGES[name]} loaded but registered no "tensorflow" backend with this @tensorflow/tfjs (${tf.version_core}): install the same tfjs version`,
    };
  }
  const failure = await activate('tensorflow');
  return failure === undefined ? { ok: true } : { ok: false, reason: failure };
}

async function tryWasm(
  options: SelectBackendOptions,
  importModule: (s: string) => Promise<unknown>,
): Promise<Attempt> {
  const loaded = await load(PACKAGES.wasm, importModule);
  if ('reason' in loaded) return { ok: false, reason: loaded.reason };
  const wasm = loaded.module as Partial<typeof WasmModule>;
  if (!initialised('wasm')) {
    // Binaries and threads are configured before the backend initialises, once.
    let paths = options.wasmPaths;
    if (paths === undefined && isNode()) {
      try {
        paths = await wasmDistDirectory();
      } catch (error) {
        return {
          ok: false,
          reason: `wasm binaries not found: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }
    try {
      if (paths !== undefined) wasm.setWasmPaths?.(paths);
      if (options.threads !== undefined) wasm.setThreadsCount?.(options.threads);
    } catch {
      // tfjs refuses new settings after a first (failed) initialisation; activate() reports that failure again.
    }
  }
  const failure = await activate('wasm');
  if (failure !== undefined) return { ok: false, reason: failure };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { ok: true, threads: wasm.getThreadsCount?.() ?? 1, simd: simd === true };
}

async function attempt(
  name: BackendName,
  options: SelectBackendOptions,
  importModule: (s: string) => Promise<unknown>,
): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name, importModule);
    case 'wasm':
      return tryWasm(options, importModule);
    case 'cpu': {
      const failure = await activate('cpu');
      return failure === undefined ? { ok: true } : { ok: false, reason: failure };
    }
  }
}

/** Backends whose package loads (not initialised); cpu always. */
async function probeAvailable(
  importModule: (s: string) => Promise<unknown>,
): Promise<BackendName[]> {
  const available: BackendName[] = [];
  for (const name of backendNames) {
    if (name === 'cpu') available.push(name);
    else if ('module' in (await load(PACKAGES[name], importModule))) {
      if (name === 'wasm' || tf.findBackendFactory('tensorflow') != null) available.push(name);
    }
  }
  return available;
}

function summarize(
  name: BackendName,
  attempt: { threads?: number; simd?: boolean },
  skipped: readonly SkippedBackend[],
): string {
  const facts: string[] = [KINDS[name]];
  if (attempt.simd !== undefined) facts.push(attempt.simd ? 'SIMD' : 'no SIMD');
  if (attempt.threads !== undefined)
    facts.push(`${attempt.threads} thread${attempt.threads === 1 ? '' : 's'}`);
  if (skipped.length > 0) facts.push(`skipped ${skipped.map((s) => s.name).join(', ')}`);
  return `${name} (${facts.join(', ')})`;
}

/**
 * Switches TensorFlow.js to the fastest backend available, or to the one asked
 * for, registers the training kernels it needs ({@link registerTrainingKernels})
 * and reports what it got.
 *
 * Auto mode tries, in order: `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`: TensorFlow
 * with CUDA), `tensorflow` (`@tensorflow/tfjs-node`: TensorFlow on the CPU), `wasm`
 * (`@tensorflow/tfjs-backend-wasm`; in Node the binaries are found in the package's
 * `dist/` directory), then `cpu`; each skipped one is reported with its reason. The two
 * native packages are optional peer dependencies (version 4.22.0): their installers
 * download libtensorflow, so install them where that works (`npm i @tensorflow/tfjs-node-gpu@4.22.0`,
 * the same version as `@tensorflow/tfjs`). They register the tfjs backend `tensorflow` and run the same tfjs
 * API — models, `tfjsOps`, training — with TensorFlow's own kernels; with tfjs-node-gpu,
 * TensorFlow places work on the GPU when CUDA and cuDNN load, and otherwise logs why and
 * uses the CPU.
 *
 * A backend forced by `prefer` or `EDMKIT_BACKEND` that cannot be used throws
 * {@link BackendUnavailableError}: edmkit never lands silently on another.
 *
 * @param options - see {@link SelectBackendOptions}
 * @returns the backend now active, why faster ones were skipped, the kernels registered
 * @throws {@link BackendUnavailableError} when a forced backend cannot be used
 * @throws UnknownNameError when `prefer` or `EDMKIT_BACKEND` is not a backend name or `auto`
 * @example
 * const backend = await selectBackend(); // EDMKIT_BACKEND=wasm forces wasm
 * console.log(`backend: ${backend.summary}`); // e.g. "wasm (webassembly, SIMD, 1 thread; skipped …)"
 * for (const { name, reason } of backend.skipped) console.log(`  ${name}: ${reason}`);
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectedBackend> {
  const prefer = checkOneOf('prefer', options.prefer ?? 'auto', CHOICES);
  const envValue =
    'env' in options ? options.env : isNode() ? process.env.EDMKIT_BACKEND : undefined;
  const env =
    envValue === undefined || envValue === ''
      ? 'auto'
      : checkOneOf('EDMKIT_BACKEND', envValue, CHOICES);
  if (options.threads !== undefined) checkInteger('threads', options.threads, 1);
  const log = options.log ?? (() => {});
  const importModule =
    options.importModule ?? ((specifier: string) => import(/* @vite-ignore */ specifier));
  // Load the wasm package first: importing it registers its kernels, which would
  // otherwise overwrite the ones edmkit registers in their place.
  await load(PACKAGES.wasm, importModule);
  const kernels = registerTrainingKernels();

  const forced = prefer !== 'auto' ? prefer : env !== 'auto' ? env : undefined;
  const source = prefer !== 'auto' ? 'option' : env !== 'auto' ? 'env' : 'auto';
  const skipped: SkippedBackend[] = [];
  for (const name of forced === undefined ? backendNames : [forced]) {
    const result = await attempt(name, options, importModule);
    if (!result.ok) {
      if (forced !== undefined) {
        throw new BackendUnavailableError(
          name,
          result.reason,
          source,
          await probeAvailable(importModule),
        );
      }
      skipped.push({ name, reason: result.reason });
      log(`edmkit: backend ${name} skipped: ${result.reason}`);
      continue;
    }
    const summary = summarize(name, result, skipped);
    log(`edmkit: backend ${summary}`);
    return Object.freeze({
      name,
      kind: KINDS[name],
      tfjsBackend: TFJS_NAMES[name],
      source,
      ...(result.threads !== undefined ? { threads: result.threads } : {}),
      ...(result.simd !== undefined ? { simd: result.simd } : {}),
      skipped: Object.freeze(skipped),
      kernels,
      summary,
    });
  }
  // Unreachable in practice: the cpu backend ships with @tensorflow/tfjs.
  throw new BackendUnavailableError(
    'cpu',
    skipped.at(-1)?.reason ?? 'no backend could be initialised',
    'auto',
    [],
  );
}
