import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddpmppSmall, mlp, type Network, type NetworkConfig } from '@edmkit/unet';
import {
  launchBrowser,
  serveDirectory,
  watchPage,
  type Browser,
  type Page,
  type PageWatch,
  type StaticServer,
} from '../../../test-support/browser/index.js';
import { exportOnnx } from '../src/index.js';
import { inputsFor, randomizeWeights, relativeError, runTfjs, type Inputs } from './helpers.js';
import type { OrtWebPage, PageRun } from './ort-web-page.js';

/**
 * The two builds of onnxruntime-web a page can import: `onnxruntime-web/wasm` (CPU only,
 * ort-wasm-simd-threaded.wasm) and the default entry (also WebGPU/WebNN through JSEP,
 * ort-wasm-simd-threaded.jsep.wasm, about twice the size). Both are multi-threaded builds
 * that run single-threaded on a page that is not cross-origin isolated.
 */
const builds = [
  { entry: 'onnxruntime-web/wasm', wasm: 'ort-wasm-simd-threaded.wasm' },
  { entry: 'onnxruntime-web', wasm: 'ort-wasm-simd-threaded.jsep.wasm' },
] as const;
type Entry = (typeof builds)[number]['entry'];

/** onnxruntime-web's dist folder (its .wasm and .mjs files), from this package's node_modules. */
const ortDist = dirname(
  createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
);

let browser: Browser | undefined;
let server: StaticServer | undefined;
const pages = new Map<Entry, { page: Page; watch: PageWatch }>();

/**
 * A page script: `entry` imported and handed to ort-web-page.ts, bundled for the browser.
 * `node:*` stays external: @edmkit/unet's file and backend helpers import Node built-ins,
 * which tree-shaking drops (a surviving import would fail to load in the page).
 */
async function bundlePage(entry: Entry): Promise<Uint8Array> {
  const result = await build({
    stdin: {
      contents: `import * as ort from '${entry}';\nimport { installPage } from './ort-web-page.ts';\ninstallPage(ort);\n`,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@edmkit/source'],
    external: ['node:*'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  // The server's root is onnxruntime-web's dist folder: the pages set wasmPaths to it.
  server = await serveDirectory(ortDist);
  browser = await launchBrowser();
  for (const [k, { entry }] of builds.entries()) {
    server.route(`/page${k}.js`, await bundlePage(entry));
    server.route(
      `/page${k}.html`,
      `<!doctype html><meta charset="utf-8"><script type="module" src="/page${k}.js"></script>`,
    );
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await page.goto(`${server.url}/page${k}.html`);
    await page
      .waitForFunction(() => 'edmkitOrtWeb' in globalThis, undefined, { timeout: 20_000 })
      .finally(() => watch.check());
    pages.set(entry, { page, watch });
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Reference {
  readonly config: NetworkConfig;
  readonly inputs: Inputs;
  readonly y: Float32Array;
  readonly modelUrl: string;
}

/** Two of export.test.ts's networks: a 16² class-conditional DDPM++ U-Net and the MLP. */
const networks: Readonly<Record<string, () => Network>> = {
  'ddpmppSmall 16², labelDim 3': () =>
    ddpmppSmall({ resolution: 16, attnResolutions: [8], labelDim: 3, seed: 6 }),
  mlp: () => mlp({ dim: 3, seed: 4 }),
};
const references = new Map<string, Reference>();

/** The network's tfjs output on fixed inputs, its ONNX file served at `modelUrl` (once). */
function reference(name: string): Reference {
  let ref = references.get(name);
  if (!ref) {
    const network = networks[name]!();
    randomizeWeights(network, 11);
    const { config } = network;
    const inputs = inputsFor(config, 2, 21);
    const modelUrl = `/models/${references.size}.onnx`;
    server!.route(modelUrl, exportOnnx(network));
    ref = { config, inputs, y: runTfjs(network, inputs), modelUrl };
    network.dispose();
    references.set(name, ref);
  }
  return ref;
}

const cases: readonly (readonly [string, Entry])[] = [
  ['ddpmppSmall 16², labelDim 3', 'onnxruntime-web/wasm'],
  ['mlp', 'onnxruntime-web/wasm'],
  ['mlp', 'onnxruntime-web'],
];

describe('onnxruntime-web in Chromium runs the exported file as network.apply (tfjs cpu)', () => {
  it.each(cases)('%s, %s', { timeout: 60_000 }, async (name, entry) => {
    const { config, inputs, y: expected, modelUrl } = reference(name);
    const { page, watch } = pages.get(entry)!;
    const run: PageRun = {
      modelUrl,
      config,
      x: Array.from(inputs.x),
      cNoise: Array.from(inputs.cNoise),
      ...(inputs.classLabels ? { classLabels: Array.from(inputs.classLabels) } : {}),
      ...(inputs.augmentLabels ? { augmentLabels: Array.from(inputs.augmentLabels) } : {}),
    };
    const y = await page.evaluate(
      (r) => (globalThis as unknown as { edmkitOrtWeb: OrtWebPage }).edmkitOrtWeb.run(r),
      run,
    );
    watch.check();
    expect(y.length).toBe(expected.length);
    expect(relativeError(y, expected)).toBeLessThan(1e-4);
    const wasm = builds.find((b) => b.entry === entry)!.wasm;
    expect(watch.requests).toContain(`${server!.url}/${wasm}`);
  });
});
