/**
 * The page script of ort-web.browser.test.ts, bundled by esbuild and run in Chromium: an
 * exported model loaded by onnxruntime-web (CPU, WebAssembly) and run through this
 * package's `onnxNetwork`, imported by name as a browser app would.
 */
import type * as Ort from 'onnxruntime-web';
import { onnxNetwork } from '@edmkit/onnx';
import type { NetworkConfig } from '@edmkit/unet';

/** One run: model URL, config, and the inputs as plain numbers (float32 values). */
export interface PageRun {
  readonly modelUrl: string;
  readonly config: NetworkConfig;
  readonly x: readonly number[];
  readonly cNoise: readonly number[];
  readonly classLabels?: readonly number[];
  readonly augmentLabels?: readonly number[];
}

/** What the page exposes as `globalThis.edmkitOrtWeb`. */
export interface OrtWebPage {
  /** The model's output y, as plain numbers. */
  run(run: PageRun): Promise<number[]>;
}

/**
 * Sets up `ort` (one of onnxruntime-web's entries, imported by the bundle's entry) and
 * exposes {@link OrtWebPage} as `globalThis.edmkitOrtWeb`.
 */
export function installPage(ort: typeof Ort): void {
  // The server's root is onnxruntime-web's dist folder in node_modules (its .wasm and .mjs
  // files); one thread, as the page is not cross-origin isolated.
  ort.env.wasm.wasmPaths = `${location.origin}/`;
  ort.env.wasm.numThreads = 1;
  const page: OrtWebPage = {
    async run({ modelUrl, config, x, cNoise, classLabels, augmentLabels }) {
      const session = await ort.InferenceSession.create(modelUrl, {
        executionProviders: ['wasm'],
      });
      try {
        const F = onnxNetwork({
          session,
          ort,
          config,
          ...(classLabels ? { classLabels } : {}),
          ...(augmentLabels ? { augmentLabels } : {}),
        });
        const y = await F(Float64Array.from(x), Float64Array.from(cNoise));
        return Array.from(y);
      } finally {
        await session.release();
      }
    },
  };
  (globalThis as unknown as { edmkitOrtWeb: OrtWebPage }).edmkitOrtWeb = page;
}
