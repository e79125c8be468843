import { resolve } from 'node:path';
import { writeResultSet } from './output/index.js';
import type { Table2Baseline } from '@edmkit/presets';
import { createProgress } from './progress.js';
import type { QuickDatasetName } from './training-ablation.js';

/** Defaults of `edmkit ablate training --mode full`: small U-Nets on MNIST, hours on 2 cores. */
export const trainingFullDefaults = Object.freeze({
  totalImages: 16_384,
  samples: 64,
  mnistImages: 2000,
});

/** Defaults of `edmkit ablate training` (quick mode): about a minute on 2 cores with the wasm backend. */
export const trainingDefaults = Object.freeze({
  baselines: ['vp', 've'] as Table2Baseline[],
  data: 'ring',
  totalImages: 32_768,
  samples: 1024,
  steps: 18,
  hidden: 128,
  layers: 3,
});

/** Runs `edmkit ablate training` with parsed command-line options. */
export async function runTrainingCommand(opts: Record<string, unknown>): Promise<void> {
  // tfjs loads only for the training ablation.
  const { selectBackend } = await import('@edmkit/unet');
  const { runTrainingAblation } = await import('./training-ablation.js');
  const { trainingTable, writeTrainingReport } = await import('./training-report.js');
  const progress = createProgress(opts['progress'] !== false, 'training images', 'images');
  const backend = await selectBackend(
    opts['backend'] === undefined ? {} : { prefer: opts['backend'] as 'cpu' },
  );
  progress.log(`tfjs backend: ${backend.summary}`);

  const baselines =
    (opts['baselines'] as Table2Baseline[] | undefined) ?? trainingDefaults.baselines;
  const data = (opts['trainData'] as QuickDatasetName | undefined) ?? trainingDefaults.data;
  const mode = opts['mode'] === 'full' ? 'full' : 'quick';
  const defaults = mode === 'full' ? trainingFullDefaults : trainingDefaults;
  const totalImages = (opts['trainImages'] as number | undefined) ?? defaults.totalImages;
  const samples = (opts['trainSamples'] as number | undefined) ?? defaults.samples;
  const mnistImages =
    (opts['mnistTrainImages'] as number | undefined) ?? trainingFullDefaults.mnistImages;
  const seed = (opts['seed'] as number | undefined) ?? 0;
  const outDir = resolve(typeof opts['out'] === 'string' ? opts['out'] : 'results');
  // A, B, D, E of Table 2 train (C and F are marked); E is the same run for both baselines.
  const trainedRows = baselines.length * 4 - (baselines.length > 1 ? 1 : 0);
  const started = performance.now();
  progress.start(trainedRows * totalImages);
  let last = 0;
  let lastLabel = '';
  const result = await runTrainingAblation({
    baselines,
    mode,
    data,
    mnistImages,
    totalImages,
    samples,
    steps: trainingDefaults.steps,
    hidden: trainingDefaults.hidden,
    layers: trainingDefaults.layers,
    seed,
    ...(opts['workers'] !== undefined ? { workers: opts['workers'] as number } : {}),
    onProgress: ({ label, imagesSeen }) => {
      if (label !== lastLabel) last = 0;
      lastLabel = label;
      progress.advance(Math.min(imagesSeen, totalImages) - last, label);
      last = Math.min(imagesSeen, totalImages);
    },
  });
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  const files = await writeResultSet(outDir, 'training-ablation', (dir) =>
    writeTrainingReport(dir, result, {
      ablation: 'training',
      mode,
      backend: backend.name,
      dataTitle:
        mode === 'full'
          ? `${mnistImages} MNIST digits at 28×28`
          : data === 'ring'
            ? 'a 2-D ring of 8 Gaussians'
            : 'the 16-d standard Gaussian mixture',
      network:
        mode === 'full'
          ? { architecture: 'ddpmppSmall / ncsnppSmall (by baseline)', maxBatch: 16 }
          : {
              architecture: 'mlp',
              hidden: trainingDefaults.hidden,
              layers: trainingDefaults.layers,
            },
      totalImages,
      samples,
      seed,
      wallSeconds: seconds,
    }),
  );
  process.stdout.write(
    `\nTraining ablation (Table 2), ${mode} mode, ${totalImages} images per configuration\n\n${trainingTable(result)}\n`,
  );
  process.stdout.write(
    `Wall time ${seconds.toFixed(1)} s. Wrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`,
  );
}
