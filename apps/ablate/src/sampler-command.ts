import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MNIST_MAX_COUNT } from '@edmkit/data/mnist';
import { resolveSampler, type SamplerFamily } from '@edmkit/presets';
import { prepareDataset, type DatasetName, type DatasetSizes } from './datasets.js';
import { writeJsonAtomic, writeResultSet } from './output/index.js';
import { createProgress, type Progress } from './progress.js';
import { tableAt, writeSamplerReport } from './report.js';
import {
  ablationConfigs,
  mergeShards,
  runSamplerAblation,
  stepCounts,
  type DatasetAblation,
} from './sampler-ablation.js';
import {
  checkShardSet,
  readShard,
  runShardProcesses,
  SHARD_FORMAT,
  shardFileName,
  type ShardFile,
} from './shards.js';

/** Defaults of `edmkit ablate sampler`: a few minutes on 2 cores. */
export const samplerDefaults = Object.freeze({
  families: ['vp', 've', 'iddpm'] as SamplerFamily[],
  nfe: [9, 17, 35, 71, 143, 287, 511],
  /**
   * The mixture and the blurred digits, whose flows stay smooth down to σ = 0, so that the error
   * measures the discretisation. The empirical set (`mnist`, by flag) ends every flow on a training
   * image: its report gives only the fraction of samples that end on another image than the reference.
   */
  data: ['gmm', 'mnist-kde'] as DatasetName[],
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

/** `--full`: the digit data sets (mnist-kde, mnist) over every MNIST image at full resolution. */
export const samplerFull = Object.freeze({
  sizes: Object.freeze<DatasetSizes>({
    gmmSamples: 1024,
    gmmDim: 16,
    gmmComponents: 4,
    mnistSamples: 256,
    mnistImages: MNIST_MAX_COUNT,
    mnistSize: 28,
  }),
});

/** The options that define a sampler-ablation run (shards merge only when these agree). */
export interface SamplerRunOptions {
  readonly families: SamplerFamily[];
  readonly includeEdm: boolean;
  readonly nfe: number[];
  readonly data: DatasetName[];
  readonly seed: number;
  readonly referenceRtol: number;
  readonly sizes: DatasetSizes;
}

/** Options of `edmkit ablate sampler`, with every default filled in. */
export interface SamplerCommandOptions {
  /** What the ablation computes (the part shards of one run share). */
  readonly run: SamplerRunOptions;
  /** Output directory (`--out`). */
  readonly out: string;
  /** Processes to split the configurations over (`--jobs`); 1 runs them in this process. */
  readonly jobs: number;
  /** Run only this shard (0-based index) and write its file for `edmkit merge` (`--shard k/n`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Show progress on stderr (`--no-progress` turns it off). */
  readonly progress: boolean;
  /** Progress as JSON lines on stdout instead, read by the parent of a shard process. */
  readonly progressJson: boolean;
}

/** Options of `edmkit merge`. */
export interface MergeCommandOptions {
  /** Output directory (`--out`). */
  readonly out: string;
}

/** The command line that reruns `run` (for the shards' child processes). */
function argsOf(run: SamplerRunOptions): string[] {
  const s = run.sizes;
  return [
    'ablate',
    'sampler',
    ...[
      '--families',
      run.families.join(','),
      '--nfe',
      run.nfe.join(','),
      '--data',
      run.data.join(','),
    ],
    ...[
      '--gmm-samples',
      String(s.gmmSamples),
      '--gmm-dim',
      String(s.gmmDim),
      '--gmm-components',
      String(s.gmmComponents),
    ],
    ...[
      '--mnist-samples',
      String(s.mnistSamples),
      '--mnist-images',
      String(s.mnistImages),
      '--mnist-size',
      String(s.mnistSize),
    ],
    ...['--seed', String(run.seed), '--rtol', String(run.referenceRtol), '--jobs', '1'],
    ...(run.includeEdm ? [] : ['--no-edm']),
  ];
}

/** Total denoiser evaluations of a run (for the progress display). */
function totalNfe(run: SamplerRunOptions): number {
  const perDataset = ablationConfigs(run).reduce((sum, { config }) => {
    const sampler = resolveSampler(config);
    return sum + stepCounts(sampler, run.nfe).reduce((acc, { n }) => acc + sampler.nfe(n), 0);
  }, 0);
  return perDataset * run.data.length;
}

/** Progress as JSON lines on stdout, read by the parent of a shard process. */
function jsonProgress(): Progress {
  return {
    start() {},
    advance(done, label) {
      process.stdout.write(`${JSON.stringify({ done, label })}\n`);
    },
    log() {},
    stop() {},
  };
}

/** Runs `edmkit ablate sampler`. */
export async function runSamplerCommand(
  options: SamplerCommandOptions,
): Promise<DatasetAblation[]> {
  const { run, shard, jobs } = options;
  const outDir = resolve(options.out);
  const progress = options.progressJson ? jsonProgress() : createProgress(options.progress);
  const order = ablationConfigs(run).map((c) => c.config.label);

  const started = performance.now();
  progress.start(shard ? Math.ceil(totalNfe(run) / shard.count) : totalNfe(run));
  let results: DatasetAblation[];
  if (jobs > 1) {
    progress.log(`${jobs} shard processes (--jobs ${jobs})`);
    const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
    const shards = await runShardProcesses(cli, argsOf(run), jobs, (done, label) =>
      progress.advance(done, label),
    );
    results = mergeShards(
      shards.map((s) => s.results),
      order,
    );
  } else {
    results = [];
    for (const name of run.data) {
      const dataset = prepareDataset(name, run.sizes, run.seed);
      progress.log(`${dataset.title}: ${dataset.samples} samples`);
      results.push(
        await runSamplerAblation(dataset, {
          ...run,
          ...(shard ? { shard } : {}),
          onProgress: ({ done, config }) => progress.advance(done, `${dataset.key}: ${config}`),
        }),
      );
    }
  }
  progress.stop();
  const seconds = (performance.now() - started) / 1000;

  if (shard) {
    const file: ShardFile = {
      format: SHARD_FORMAT,
      version: 1,
      shard,
      options: { ...run },
      results,
    };
    const path = join(outDir, shardFileName(shard));
    await writeJsonAtomic(path, file);
    if (!options.progressJson) process.stdout.write(`Wrote ${path}\n`);
    return results;
  }
  await report(outDir, results, run, seconds, jobs);
  return results;
}

/** Runs `edmkit merge`: merges shard files into the full report. */
export async function runMergeCommand(
  files: readonly string[],
  options: MergeCommandOptions,
): Promise<void> {
  const shards = files.map((f) => readShard(f));
  checkShardSet(shards);
  const run = shards[0]!.options as unknown as SamplerRunOptions;
  const order = ablationConfigs(run).map((c) => c.config.label);
  const results = mergeShards(
    shards.map((s) => s.results),
    order,
  );
  await report(resolve(options.out), results, run, undefined, shards.length);
}

async function report(
  outDir: string,
  results: DatasetAblation[],
  run: SamplerRunOptions,
  seconds: number | undefined,
  shards: number,
) {
  const files = await writeResultSet(outDir, 'sampler-ablation', (dir) =>
    writeSamplerReport(dir, results, {
      ablation: 'sampler',
      // The command that ran, and one that reproduces these numbers with every option spelled out.
      edmkitCommand: `edmkit ${process.argv.slice(2).join(' ')}`,
      reproduceCommand: `edmkit ${argsOf(run)
        .filter((_, i, a) => a[i] !== '--jobs' && a[i - 1] !== '--jobs')
        .join(' ')}`,
      options: run,
      shards,
      wallSeconds: seconds ?? null,
      node: process.version,
    }),
  );
  const what = results.some((r) => r.dataset.empirical)
    ? 'Per-sample RMS error against the exact ODE solution (for mnist: the fraction of samples that end on another training image) at NFE ≈ 35'
    : 'Per-sample RMS error against the exact ODE solution at NFE ≈ 35';
  process.stdout.write(`\n${what}\n\n${tableAt(results, 35)}\n`);
  if (seconds !== undefined) process.stdout.write(`Wall time ${seconds.toFixed(1)} s.`);
  process.stdout.write(` Wrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
}
