import { resolve } from 'node:path';
import type { SamplerFamily } from '@edmkit/presets';
import { prepareDataset, type DatasetName, type DatasetSizes } from './datasets.js';
import { createProgress } from './progress.js';
import { tableAt, writeSamplerReport } from './report.js';
import { ablationConfigs, runSamplerAblation, stepCounts, type DatasetAblation } from './sampler-ablation.js';
import { resolveSampler } from '@edmkit/presets';

/** Defaults of `edmkit ablate sampler`: a few minutes on 2 cores. */
export const samplerDefaults = Object.freeze({
  families: ['vp', 've', 'iddpm'] as SamplerFamily[],
  nfe: [9, 17, 35, 71, 143, 287, 511],
  data: ['gmm', 'mnist'] as DatasetName[],
  rtol: 1e-8,
  sizes: Object.freeze<DatasetSizes>({
    gmmSamples: 256,
    gmmDim: 16,
    gmmComponents: 4,
    mnistSamples: 64,
    mnistImages: 500,
    mnistSize: 14,
  }),
});

/** `--full`: the whole image set at full resolution. */
export const samplerFull = Object.freeze({
  sizes: Object.freeze<DatasetSizes>({
    gmmSamples: 1024,
    gmmDim: 16,
    gmmComponents: 4,
    mnistSamples: 256,
    mnistImages: 9999,
    mnistSize: 28,
  }),
});

/** Runs `edmkit ablate sampler` with parsed command-line options. */
export async function runSamplerCommand(opts: Record<string, unknown>): Promise<DatasetAblation[]> {
  const base = opts['full'] === true ? samplerFull.sizes : samplerDefaults.sizes;
  const pick = <K extends keyof DatasetSizes>(key: K, flag: string): DatasetSizes[K] =>
    (opts[flag] === undefined ? base[key] : key === 'mnistSize' ? Number(opts[flag]) : opts[flag]) as DatasetSizes[K];
  const sizes: DatasetSizes = {
    gmmSamples: pick('gmmSamples', 'gmmSamples'),
    gmmDim: pick('gmmDim', 'gmmDim'),
    gmmComponents: pick('gmmComponents', 'gmmComponents'),
    mnistSamples: pick('mnistSamples', 'mnistSamples'),
    mnistImages: pick('mnistImages', 'mnistImages'),
    mnistSize: pick('mnistSize', 'mnistSize'),
  };
  const families = opts['families'] as SamplerFamily[];
  const includeEdm = opts['edm'] !== false;
  const nfe = opts['nfe'] as number[];
  const seed = opts['seed'] as number;
  const rtol = opts['rtol'] as number;
  const outDir = resolve(String(opts['out']));
  const progress = createProgress(opts['progress'] !== false);

  const started = performance.now();
  const datasets = (opts['data'] as DatasetName[]).map((name) => prepareDataset(name, sizes, seed));
  const configs = ablationConfigs({ families, includeEdm });
  const perDataset = configs.reduce((sum, { config }) => {
    const sampler = resolveSampler(config);
    return sum + stepCounts(sampler, nfe).reduce((s, { n }) => s + sampler.nfe(n), 0);
  }, 0);
  progress.start(perDataset * datasets.length);

  const results: DatasetAblation[] = [];
  for (const dataset of datasets) {
    progress.log(`${dataset.title}: ${dataset.samples} samples, ${configs.length} configurations`);
    results.push(
      await runSamplerAblation(dataset, {
        families,
        includeEdm,
        nfe,
        seed,
        referenceRtol: rtol,
        onProgress: ({ done, config }) => progress.advance(done, `${dataset.key}: ${config}`),
      }),
    );
  }
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  const files = await writeSamplerReport(outDir, results, {
    ablation: 'sampler',
    edmkitCommand: `edmkit ablate sampler ${process.argv.slice(3).join(' ')}`.trim(),
    options: { families, includeEdm, nfe, seed, referenceRtol: rtol, sizes },
    wallSeconds: seconds,
    node: process.version,
  });
  process.stdout.write(`\nPer-sample RMS error against the exact ODE solution at NFE ≈ 35\n\n${tableAt(results, 35)}\n`);
  process.stdout.write(`Wall time ${seconds.toFixed(1)} s. Wrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  return results;
}
