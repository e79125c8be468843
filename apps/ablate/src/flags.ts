import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import { MNIST_MAX_COUNT } from '@edmkit/data/mnist';
import { samplerFamilies, type SamplerFamily, type Table2Baseline } from '@edmkit/presets';
import type { BackendName } from '@edmkit/unet';
import type { DatasetName } from './datasets.js';
import { samplerDefaults, samplerFull, type SamplerCommandOptions } from './sampler-command.js';
import { parseShard } from './shards.js';
import { solverDefaults, type SolverCommandOptions } from './solver-command.js';
import type { QuickDatasetName } from './training-ablation.js';
import {
  trainingDefaults,
  trainingFullDefaults,
  type TrainingCommandOptions,
} from './training-command.js';

// The flags of each ablation, what commander makes of them, and the one place where those
// values become the typed options the ablations run with.

function intList(name: string) {
  return (value: string): number[] => {
    const list = value.split(',').map((s) => Number(s.trim()));
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of integers >= 1`);
    }
    return list;
  };
}

function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function intRange(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer in ${min}…${max}`);
    return n;
  };
}

function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number in (0, 1]`);
    return n;
  };
}

function nameList<T extends string>(name: string, known: readonly T[]) {
  return (value: string): T[] => {
    const list = value.split(',').map((s) => s.trim());
    const unknown = list.find((item) => !(known as readonly string[]).includes(item));
    if (unknown !== undefined)
      throw new InvalidArgumentError(
        `unknown ${name} "${unknown}"; expected one of: ${known.join(', ')}`,
      );
    return list as T[];
  };
}

const dataSets: readonly DatasetName[] = ['gmm', 'mnist', 'mnist-kde'];
const mnistSides = { '14': 14, '28': 28 } as const;

/** The flags every ablation takes: `--seed`, `--out`, `--no-progress`. */
export function sharedFlags(): Option[] {
  return [
    new Option('--seed <n>', 'seed of the latents, the mixture and the image subset')
      .default(0)
      .argParser(int('--seed', 0)),
    new Option('--out <dir>', 'output directory').default('results'),
    new Option('--no-progress', 'no progress display'),
  ];
}

/** Values of {@link sharedFlags} as commander parses them. */
export interface SharedFlagValues {
  readonly seed: number;
  readonly out: string;
  readonly progress: boolean;
}

/** The flags of the sampler ablation (`edmkit ablate sampler`). */
export function samplerFlags(): Option[] {
  return [
    new Option('--families <list>', 'model families whose sampler chains run (comma-separated)')
      .default([...samplerDefaults.families], samplerDefaults.families.join(','))
      .argParser(nameList('family', samplerFamilies)),
    new Option('--no-edm', 'leave out the EDM preset row (EDM network, σ ∈ [0.002, 80])'),
    new Option(
      '--nfe <list>',
      'target NFE values (each configuration uses the most steps whose NFE fits)',
    )
      .default([...samplerDefaults.nfe], samplerDefaults.nfe.join(','))
      .argParser(intList('--nfe')),
    new Option(
      '--data <list>',
      'data sets: gmm (Gaussian mixture), mnist-kde (MNIST digits blurred by N(0, 0.1²)), mnist (the empirical MNIST distribution, whose flow ends on a training image: only the fraction of samples that end on another image than the reference is reported)',
    )
      .default([...samplerDefaults.data], samplerDefaults.data.join(','))
      .argParser(nameList('data set', dataSets)),
    new Option('--gmm-samples <n>', 'samples from the Gaussian mixture').argParser(
      int('--gmm-samples', 1),
    ),
    new Option('--gmm-dim <n>', 'dimension of the Gaussian mixture').argParser(int('--gmm-dim', 1)),
    new Option('--gmm-components <n>', 'components of the Gaussian mixture').argParser(
      int('--gmm-components', 1),
    ),
    new Option(
      '--mnist-samples <n>',
      'samples from the digit data sets (mnist-kde, mnist)',
    ).argParser(int('--mnist-samples', 1)),
    new Option(
      '--mnist-images <n>',
      `MNIST images of the digit data sets, split evenly over the ten digits (at most ${MNIST_MAX_COUNT})`,
    ).argParser(intRange('--mnist-images', 1, MNIST_MAX_COUNT)),
    new Option('--mnist-size <side>', 'MNIST image side: 28, or 14 (2×2 average pooled)').choices([
      '14',
      '28',
    ]),
    new Option(
      '--full',
      'the full sizes (1024 mixture samples; for mnist-kde and mnist, 256 samples over all MNIST digits at 28×28); hours on 2 cores',
    ),
    new Option('--rtol <x>', 'relative tolerance of the reference ODE solve, in (0, 1]')
      .default(samplerDefaults.rtol)
      .argParser(fraction('--rtol')),
    new Option(
      '--jobs <n>',
      'sampler ablation: processes to split the configurations over (default: min(2, cores))',
    ).argParser(int('--jobs', 1)),
    new Option(
      '--shard <k/n>',
      'sampler ablation: run only shard k of n and write its results for `edmkit merge` (for clusters)',
    ),
    new Option('--progress-json', 'progress as JSON lines on stdout (used by --jobs)').hideHelp(),
  ];
}

/** Values of {@link samplerFlags} (and the shared flags) as commander parses them. */
export interface SamplerFlagValues extends SharedFlagValues {
  readonly families: SamplerFamily[];
  readonly edm: boolean;
  readonly nfe: number[];
  readonly data: DatasetName[];
  readonly gmmSamples?: number;
  readonly gmmDim?: number;
  readonly gmmComponents?: number;
  readonly mnistSamples?: number;
  readonly mnistImages?: number;
  readonly mnistSize?: '14' | '28';
  readonly full?: boolean;
  readonly rtol: number;
  readonly jobs?: number;
  readonly shard?: string;
  readonly progressJson?: boolean;
}

/** The flags of the training ablation (`edmkit ablate training`). */
export function trainingFlags(): Option[] {
  return [
    new Option('--baselines <list>', 'training ablation: Table 2 baselines (vp, ve)')
      .default([...trainingDefaults.baselines], trainingDefaults.baselines.join(','))
      .argParser(nameList<Table2Baseline>('baseline', ['vp', 've'])),
    new Option(
      '--mode <mode>',
      'training ablation: quick (MLPs on low-dimensional data, minutes) or full (small U-Nets on MNIST, hours)',
    )
      .choices(['quick', 'full'])
      .default('quick'),
    new Option(
      '--mnist-train-images <n>',
      'training ablation, full mode: MNIST images to train on',
    ).argParser(int('--mnist-train-images', 2)),
    new Option(
      '--train-data <name>',
      'training ablation data: ring (2-D, 8 Gaussians) or gmm (16-d mixture)',
    )
      .choices(['ring', 'gmm'])
      .default(trainingDefaults.data),
    new Option(
      '--train-images <n>',
      `training ablation: images per configuration (default ${trainingDefaults.totalImages}; full mode ${trainingFullDefaults.totalImages})`,
    ).argParser(int('--train-images', 1)),
    new Option(
      '--train-samples <n>',
      `training ablation: samples drawn from each trained model (default ${trainingDefaults.samples}; full mode ${trainingFullDefaults.samples})`,
    ).argParser(int('--train-samples', 2)),
    new Option(
      '--backend <name>',
      'tfjs backend of the training ablation (default: EDMKIT_BACKEND, else the fastest available)',
    ).choices(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
    new Option(
      '--workers <n>',
      'training ablation: worker threads per training run, each computing the gradient of a slice of the batch (default: one per core)',
    ).argParser(int('--workers', 1)),
  ];
}

/** Values of {@link trainingFlags} (and the shared flags) as commander parses them. */
export interface TrainingFlagValues extends SharedFlagValues {
  readonly baselines: Table2Baseline[];
  readonly mode: 'quick' | 'full';
  readonly mnistTrainImages?: number;
  readonly trainData: QuickDatasetName;
  readonly trainImages?: number;
  readonly trainSamples?: number;
  readonly backend?: BackendName | 'auto';
  readonly workers?: number;
}

/** The flags of the solver ablation (`edmkit ablate solvers`). */
export function solverFlags(): Option[] {
  return [
    new Option(
      '--solver-data <list>',
      `solver ablation: data sets (default ${solverDefaults.data.join(',')}): gmm, mnist, mnist-kde`,
    ).argParser(nameList('data set', dataSets)),
    new Option(
      '--solver-nfe <list>',
      `solver ablation: target NFE values (default ${solverDefaults.nfe.join(',')}; ${solverDefaults.shortNfe.join(',')} within "all")`,
    ).argParser(intList('--solver-nfe')),
  ];
}

/** Values of {@link solverFlags} (and the shared flags) as commander parses them. */
export interface SolverFlagValues extends SharedFlagValues {
  readonly solverData?: DatasetName[];
  readonly solverNfe?: number[];
}

/** Values of every flag, as `edmkit ablate all` takes them. */
export type AllFlagValues = SamplerFlagValues & TrainingFlagValues & SolverFlagValues;

/** The sampler ablation's options from its parsed flags: sizes from `--full` or the defaults, each overridable. */
export function samplerCommandOptions(flags: SamplerFlagValues): SamplerCommandOptions {
  const base = flags.full === true ? samplerFull.sizes : samplerDefaults.sizes;
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  return {
    run: {
      families: flags.families,
      includeEdm: flags.edm,
      nfe: flags.nfe,
      data: flags.data,
      seed: flags.seed,
      referenceRtol: flags.rtol,
      sizes: {
        gmmSamples: flags.gmmSamples ?? base.gmmSamples,
        gmmDim: flags.gmmDim ?? base.gmmDim,
        gmmComponents: flags.gmmComponents ?? base.gmmComponents,
        mnistSamples: flags.mnistSamples ?? base.mnistSamples,
        mnistImages: flags.mnistImages ?? base.mnistImages,
        mnistSize: flags.mnistSize === undefined ? base.mnistSize : mnistSides[flags.mnistSize],
      },
    },
    out: flags.out,
    // A shard runs in its own process.
    jobs: shard ? 1 : (flags.jobs ?? Math.min(2, availableParallelism())),
    ...(shard ? { shard } : {}),
    progress: flags.progress,
    progressJson: flags.progressJson === true,
  };
}

/** The training ablation's options from its parsed flags: image and sample counts by `--mode`. */
export function trainingCommandOptions(flags: TrainingFlagValues): TrainingCommandOptions {
  const defaults = flags.mode === 'full' ? trainingFullDefaults : trainingDefaults;
  return {
    baselines: flags.baselines,
    mode: flags.mode,
    data: flags.trainData,
    totalImages: flags.trainImages ?? defaults.totalImages,
    samples: flags.trainSamples ?? defaults.samples,
    mnistImages: flags.mnistTrainImages ?? trainingFullDefaults.mnistImages,
    seed: flags.seed,
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
    out: flags.out,
    progress: flags.progress,
  };
}

/**
 * The solver ablation's options from its parsed flags; `short` is the version `edmkit ablate all`
 * includes (NFE 5, 10, 20 and no adaptive solver, unless `--solver-nfe` says otherwise).
 */
export function solverCommandOptions(
  flags: SolverFlagValues,
  short: boolean,
): SolverCommandOptions {
  return {
    nfe: flags.solverNfe ?? (short ? solverDefaults.shortNfe : solverDefaults.nfe),
    data: flags.solverData ?? solverDefaults.data,
    seed: flags.seed,
    adaptiveTolerances: short ? [] : solverDefaults.adaptiveTolerances,
    out: flags.out,
    progress: flags.progress,
  };
}
