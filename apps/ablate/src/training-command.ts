import { resolve } from 'node:path';
import { writeResultSet } from './output/index.js';
import type { Table2Baseline } from '@edmkit/presets';
import type { BackendName } from '@edmkit/unet';
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

/** Options of `edmkit ablate training`, with every default filled in. */
export interface TrainingCommandOptions {
  /** Table 2 baselines to run (`--baselines`). */
  readonly baselines: readonly Table2Baseline[];
  /** `quick`: MLPs on low-dimensional data; `full`: small U-Nets on MNIST (`--mode`). */
  readonly mode: 'quick' | 'full';
  /** Quick mode's data set (`--train-data`). */
  readonly data: QuickDatasetName;
  /** Training budget of every configuration, in images (`--train-images`). */
  readonly totalImages: number;
  /** Samples drawn from each trained model (`--train-samples`). */
  readonly samples: number;
  /** Full mode: MNIST images to train on (`--mnist-train-images`). */
  readonly mnistImages: number;
  readonly seed: number;
  /** Worker threads per training run (`--workers`); absent: one per core. */
  readonly workers?: number;
  /** The tfjs backend (`--backend`); absent: `EDMKIT_BACKEND`, else the fastest available. */
  readonly backend?: BackendName | 'auto';
  /** Output directory (`--out`). */
  readonly out: string;
  /** Show progress on stderr (`--no-progress` turns it off). */
  readonly progress: boolean;
}

/** Runs `edmkit ablate training`. */
export async function runTrainingCommand(options: TrainingCommandOptions): Promise<void> {
  // tfjs loads only for the training ablation.
  const { selectBackend } = await import('@edmkit/unet');
  const { runTrainingAblation } = await import('./training-ablation.js');
  const { trainingTable, writeTrainingReport } = await import('./training-report.js');
  const progress = createProgress(options.progress, 'training images', 'images');
  const backend = await selectBackend(
    options.backend === undefined ? {} : { prefer: options.backend },
  );
  progress.log(`tfjs backend: ${backend.summary}`);

  const { baselines, mode, data, totalImages, samples, mnistImages, seed } = options;
  const outDir = resolve(options.out);
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
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
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
