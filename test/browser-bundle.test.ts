import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInContext, createContext, type Context } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayOps, sampleRngs } from '../packages/core/src/index.js';
import { standardMixture } from '../packages/data/src/index.js';
import { denoisingLoss, edmWeighting, logNormal } from '../packages/losses/src/index.js';
import { edmPrecond, preconditionBatch } from '../packages/precond/src/index.js';
import {
  resolveSampler,
  runSampler,
  samplerAblation,
  trainingPreset,
} from '../packages/presets/src/index.js';
import { edmSteps, linearSchedule } from '../packages/schedules/src/index.js';
import { sample, timeSteps } from '../packages/solvers/src/index.js';

/**
 * The browser-safe packages bundled the way a web app bundles them — esbuild, platform
 * 'browser', every import inlined, no externals — and run where there is no Node: a fresh
 * `node:vm` context with the JavaScript built-ins and `console` only (no `require`, `process`,
 * `Buffer`, timers or Node modules). A Node built-in anywhere in what an example imports fails
 * the bundle; a Node global used at run time fails the run.
 *
 * The examples import the packages by name from a scratch project whose
 * `node_modules/@edmkit/*` link to the workspace packages, as an installed app would;
 * the `@edmkit/source` condition bundles their TypeScript sources (no build needed).
 */

const root = join(import.meta.dirname, '..');
const linked = ['core', 'schedules', 'precond', 'solvers', 'losses', 'data', 'presets'];
let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'edmkit-browser-bundle-'));
  mkdirSync(join(project, 'node_modules', '@edmkit'), { recursive: true });
  for (const name of linked) {
    symlinkSync(
      join(root, 'packages', name),
      join(project, 'node_modules', '@edmkit', name),
      'dir',
    );
  }
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

/** Bundles `source` (an ES module importing edmkit packages by name) for the browser. */
async function bundle(name: string, source: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: {
      contents: source,
      resolveDir: project,
      sourcefile: `${name}-example.js`,
      loader: 'js',
    },
    absWorkingDir: project,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@edmkit/source'],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  return {
    code: result.outputFiles[0]!.text,
    inputs: Object.keys(result.metafile.inputs).map((p) => p.replaceAll('\\', '/')),
  };
}

/** A context with nothing of Node in it: the JavaScript built-ins, and `console`. */
function bareContext(): Context {
  return createContext({ console });
}

/**
 * Runs a bundle in a bare context. The example leaves its answer in `globalThis.result`: a JSON
 * string or a promise of one (JSON carries every double exactly).
 */
async function run(code: string, context: Context): Promise<unknown> {
  runInContext(code, context, { timeout: 10_000 });
  const result = (context as { result?: unknown }).result;
  return JSON.parse(await (result as Promise<string> | string)) as unknown;
}

async function bundleAndRun(name: string, source: string): Promise<unknown> {
  const { code, inputs } = await bundle(name, source);
  // The package's own sources went in, and nothing of Node.
  expect(inputs.some((p) => p.endsWith(`packages/${name}/src/index.ts`))).toBe(true);
  expect(inputs.filter((p) => p.startsWith('node:') || p.includes('(disabled)'))).toEqual([]);
  return run(code, bareContext());
}

const edmRange = { sigmaMin: 0.002, sigmaMax: 80 };

describe('bundled for a browser and run without Node', () => {
  it('runs in a context without require, process, Buffer, module or timers', () => {
    const globals = runInContext(
      "['require', 'process', 'Buffer', 'module', 'setTimeout', 'global'].map((n) => typeof globalThis[n]).join()",
      bareContext(),
    ) as string;
    expect(globals).toBe('undefined,undefined,undefined,undefined,undefined,undefined');
  });

  it('refuses Node built-ins: the Node-only @edmkit/data/mnist does not bundle', async () => {
    await expect(
      bundle(
        'data',
        `import { mnistDataset } from '@edmkit/data/mnist';\nglobalThis.result = mnistDataset;`,
      ),
    ).rejects.toThrow(/Could not resolve "node:(fs|module|path)"/);
  });

  it('@edmkit/schedules: EDM time steps and the refitted VP schedule', async () => {
    const out = (await bundleAndRun(
      'schedules',
      `import { edmSteps, linearSchedule, refitVp, vpSchedule } from '@edmkit/schedules';
const range = { sigmaMin: 0.002, sigmaMax: 80 };
const sigmas = Array.from(edmSteps({ rho: 7 }).sigmaSteps(18, range));
const betas = refitVp(range);
const vp = vpSchedule(betas);
globalThis.result = JSON.stringify({
  sigmas,
  t: sigmas.map((s) => linearSchedule().sigmaInv(s)),
  vpRoundTrip: sigmas.map((s) => vp.sigma(vp.sigmaInv(s))),
  betas,
});`,
    )) as { sigmas: number[]; t: number[]; vpRoundTrip: number[]; betas: Record<string, number> };
    // Eq. 5 of the paper: σ_i = (σ_max^(1/ρ) + i/(N − 1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ.
    expect(out.sigmas).toHaveLength(18);
    out.sigmas.forEach((s, i) => {
      const want = (80 ** (1 / 7) + (i / 17) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7;
      expect(Math.abs(s - want) / want).toBeLessThan(1e-13);
    });
    expect(out.t).toEqual(out.sigmas);
    out.vpRoundTrip.forEach((s, i) => expect(s).toBeCloseTo(out.sigmas[i]!, 9));
    expect(out.betas.betaD).toBeCloseTo(17.538, 3);
    expect(out.betas.betaMin).toBeCloseTo(-0.00477, 5);
  });

  it('@edmkit/precond: the EDM preconditioned denoiser and its score', async () => {
    const out = (await bundleAndRun(
      'precond',
      `import { arrayOps } from '@edmkit/core';
import { edmPrecond, iddpmPrecond, precondition, score } from '@edmkit/precond';
const F = (xIn, cNoise) => xIn.map((v) => 0.7 * v + 0.1 * cNoise);
const D = precondition(F, edmPrecond({ sigmaData: 0.5 }), arrayOps);
const x = new Float64Array([0.3, -1.2]);
const iddpm = iddpmPrecond();
globalThis.result = JSON.stringify({
  denoised: Array.from(D(x, 2.5)),
  score: Array.from(score(D, arrayOps)(x, 2.5)),
  iddpm: [iddpm.roundSigma(80), iddpm.cNoise(80)],
});`,
    )) as { denoised: number[]; score: number[]; iddpm: number[] };
    // D = c_skip·x + c_out·F(c_in·x; c_noise) with EDM's coefficients (σ_d = 0.5, σ = 2.5).
    const [sd, s] = [0.5, 2.5];
    const cSkip = sd ** 2 / (s ** 2 + sd ** 2);
    const cOut = (s * sd) / Math.sqrt(s ** 2 + sd ** 2);
    const cIn = 1 / Math.sqrt(s ** 2 + sd ** 2);
    const cNoise = Math.log(s) / 4;
    const want = [0.3, -1.2].map((v) => cSkip * v + cOut * (0.7 * cIn * v + 0.1 * cNoise));
    out.denoised.forEach((d, i) => expect(d).toBeCloseTo(want[i]!, 14));
    out.score.forEach((g, i) => expect(g).toBeCloseTo((want[i]! - [0.3, -1.2][i]!) / s ** 2, 14));
    expect(out.iddpm[0]).toBeCloseTo(80.2037, 4);
    expect(out.iddpm[1]).toBe(991);
  });

  it('@edmkit/solvers: a Heun sample of a Gaussian lands on the exact flow', async () => {
    const out = (await bundleAndRun(
      'solvers',
      `import { arrayOps } from '@edmkit/core';
import { edmSteps, linearSchedule } from '@edmkit/schedules';
import { heun, sample, timeSteps } from '@edmkit/solvers';
// Data N(0, 0.5² I): the exact denoiser is D(x; σ) = x·σ_d²/(σ_d² + σ²).
const denoiser = (x, sigma) => x.map((v) => (v * 0.25) / (0.25 + sigma * sigma));
const tSteps = timeSteps({
  discretization: edmSteps({ rho: 7 }),
  n: 18,
  range: { sigmaMin: 0.002, sigmaMax: 80 },
  schedule: linearSchedule(),
});
const latents = new Float64Array([1.5, -0.3, 0.8, -2.1]);
globalThis.result = sample({ ops: arrayOps, denoiser, latents, tSteps, solver: heun() }).then(
  ({ x, nfe }) => JSON.stringify({ x: Array.from(x), nfe }),
);`,
    )) as { x: number[]; nfe: number };
    expect(out.nfe).toBe(35);
    // Algorithm 2 of the paper without churn, written out for one coordinate: Heun steps
    // between the σ_i of Eq. 5, an Euler step from σ_min to 0.
    const sigmas = [
      ...Array.from(
        { length: 18 },
        (_, i) => (80 ** (1 / 7) + (i / 17) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7,
      ),
      0,
    ];
    const slope = (x: number, s: number) => (x - (x * 0.25) / (0.25 + s * s)) / s;
    [1.5, -0.3, 0.8, -2.1].forEach((z, i) => {
      let x = 80 * z;
      for (let k = 0; k < 18; k++) {
        const [a, b] = [sigmas[k]!, sigmas[k + 1]!];
        const euler = x + (b - a) * slope(x, a);
        x = b > 0 ? x + ((b - a) * (slope(x, a) + slope(euler, b))) / 2 : euler;
      }
      expect(Math.abs(out.x[i]! - x)).toBeLessThan(1e-12 * Math.abs(x));
      // Near the probability-flow ODE's solution x(0) = x(σ_max)·σ_d/√(σ_d² + σ_max²).
      const exact = (80 * z * 0.5) / Math.sqrt(0.25 + 80 * 80);
      expect(Math.abs(out.x[i]! - exact)).toBeLessThan(0.06 * Math.abs(exact));
    });
  });

  it('@edmkit/losses: the EDM denoising loss of a batch', async () => {
    const out = (await bundleAndRun(
      'losses',
      `import { arrayOps, sampleRngs } from '@edmkit/core';
import { edmPrecond, preconditionBatch } from '@edmkit/precond';
import { denoisingLoss, edmWeighting, logNormal } from '@edmkit/losses';
const y = new Float64Array(4 * 8).map((_, i) => Math.sin(i) / 2);
const F = (xIn, cNoise) => xIn.map((v, i) => 0.9 * v + 0.01 * cNoise[i >> 3]);
const { loss, sigma, weight } = denoisingLoss({
  ops: arrayOps,
  denoiser: preconditionBatch(F, edmPrecond(), arrayOps),
  y,
  weighting: edmWeighting(),
  distribution: logNormal(),
  rngs: sampleRngs(1234, 4),
});
globalThis.result = JSON.stringify({
  loss: Array.from(loss),
  sigma: Array.from(sigma),
  weight: Array.from(weight),
});`,
    )) as { loss: number[]; sigma: number[]; weight: number[] };
    // The same computation here, in Node, on the same streams: the same numbers, bit for bit.
    const y = new Float64Array(4 * 8).map((_, i) => Math.sin(i) / 2);
    const F = (xIn: Float64Array, cNoise: Float64Array) =>
      xIn.map((v, i) => 0.9 * v + 0.01 * cNoise[i >> 3]!);
    const here = denoisingLoss({
      ops: arrayOps,
      denoiser: preconditionBatch(F, edmPrecond(), arrayOps),
      y,
      weighting: edmWeighting(),
      distribution: logNormal(),
      rngs: sampleRngs(1234, 4),
    });
    expect(out).toEqual({
      loss: Array.from(here.loss),
      sigma: Array.from(here.sigma),
      weight: Array.from(here.weight),
    });
    expect(out.loss).toHaveLength(32);
    expect(out.loss.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    // EDM's λ(σ) = (σ² + σ_d²)/(σ·σ_d)², σ_d = 0.5.
    out.sigma.forEach((s, b) => {
      expect(s).toBeGreaterThan(0);
      expect(out.weight[b]).toBeCloseTo((s * s + 0.25) / (s * 0.5) ** 2, 10);
    });
  });

  it('@edmkit/data: Heun samples of a Gaussian mixture with its exact denoiser', async () => {
    const out = (await bundleAndRun(
      'data',
      `import { arrayOps, sampleRngs } from '@edmkit/core';
import { standardMixture } from '@edmkit/data';
import { edmSteps, linearSchedule } from '@edmkit/schedules';
import { sample, timeSteps } from '@edmkit/solvers';
const mixture = standardMixture({ seed: 0 });
const latents = arrayOps.randnLike(new Float64Array(8 * mixture.dim), sampleRngs(1, 8));
const tSteps = timeSteps({
  discretization: edmSteps(),
  n: 18,
  range: { sigmaMin: 0.002, sigmaMax: 80 },
  schedule: linearSchedule(),
});
globalThis.result = sample({ ops: arrayOps, denoiser: mixture.denoiser, latents, tSteps }).then(
  ({ x, nfe }) =>
    JSON.stringify({ x: Array.from(x), nfe, exact: Array.from(mixture.sample(sampleRngs(2, 4))) }),
);`,
    )) as { x: number[]; nfe: number; exact: number[] };
    const mixture = standardMixture({ seed: 0 });
    const latents = arrayOps.randnLike(new Float64Array(8 * mixture.dim), sampleRngs(1, 8));
    const tSteps = timeSteps({
      discretization: edmSteps(),
      n: 18,
      range: edmRange,
      schedule: linearSchedule(),
    });
    const here = await sample({ ops: arrayOps, denoiser: mixture.denoiser, latents, tSteps });
    expect(out.nfe).toBe(35);
    expect(out.x).toEqual(Array.from(here.x));
    expect(out.exact).toEqual(Array.from(mixture.sample(sampleRngs(2, 4))));
    // Each sample has settled: at σ_min the exact denoiser barely moves it.
    const x = new Float64Array(out.x);
    const moved = mixture.denoiser(x, 0.002).map((v, i) => Math.abs(v - x[i]!));
    expect(Math.max(...moved)).toBeLessThan(0.01);
  });

  it('@edmkit/presets: the VP sampler ablation and the training recipe of config F', async () => {
    const out = await bundleAndRun(
      'presets',
      `import { resolveSampler, runSampler, samplerAblation, trainingPreset } from '@edmkit/presets';
import { arrayOps } from '@edmkit/core';
const denoiser = (x, sigma) => x.map((v) => (v * 0.25) / (0.25 + sigma * sigma));
const latents = new Float64Array([1.5, -0.3, 0.8, -2.1]);
globalThis.result = (async () => {
  const rows = [];
  for (const config of samplerAblation('vp')) {
    const sampler = resolveSampler(config);
    const { x, nfe } = await runSampler(sampler, {
      ops: arrayOps,
      denoiser,
      latents,
      n: sampler.stepsForNfe(35),
    });
    rows.push({ label: config.label, nfe, x: Array.from(x) });
  }
  const f = trainingPreset({ baseline: 'vp', config: 'F', resolution: 32, channels: 3 });
  return JSON.stringify({ rows, hyperparameters: f.hyperparameters, network: f.network });
})();`,
    );
    const denoiser = (x: Float64Array, sigma: number) =>
      x.map((v) => (v * 0.25) / (0.25 + sigma * sigma));
    const latents = new Float64Array([1.5, -0.3, 0.8, -2.1]);
    const rows = [];
    for (const config of samplerAblation('vp')) {
      const sampler = resolveSampler(config);
      const { x, nfe } = await runSampler(sampler, {
        ops: arrayOps,
        denoiser,
        latents,
        n: sampler.stepsForNfe(35),
      });
      rows.push({ label: config.label, nfe, x: Array.from(x) });
    }
    const f = trainingPreset({ baseline: 'vp', config: 'F', resolution: 32, channels: 3 });
    const want = JSON.parse(
      JSON.stringify({ rows, hyperparameters: f.hyperparameters, network: f.network }),
    ) as { rows: { label: string; nfe: number; x: number[] }[] };
    expect(want.rows).toHaveLength(3);
    expect(want.rows.every((r) => r.nfe <= 35 && r.x.every(Number.isFinite))).toBe(true);
    expect(out).toEqual(want);
  });
});
