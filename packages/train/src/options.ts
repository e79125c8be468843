import { availableParallelism } from 'node:os';
import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import type { LossWeighting, NoiseDistribution } from '@edmkit/losses';
import type { Preconditioner } from '@edmkit/precond';
import type { Network } from '@edmkit/unet';
import { adam, type AdamOptions } from './adam.js';
import type { AugmentPipeline } from './augment/pipeline.js';
import { describe, jsonClone } from './config.js';
import type { DataSource } from './data-source.js';
import { emaHalfLife } from './ema.js';
import { lrRampup } from './lr-rampup.js';
import type { StepInfo } from './progress.js';
import { STREAMS_PER_PURPOSE } from './streams.js';

/** Options of {@link train}. Defaults are the official CIFAR-10 settings (paper Appendix F). */
export interface TrainOptions {
  /** The raw network F_θ to train (updated in place). */
  readonly network: Network;
  /** The preconditioning that turns F into D (e.g. `edmPrecond()`). */
  readonly precond: Preconditioner;
  /** p_train(σ) (e.g. `logNormal()`). */
  readonly distribution: NoiseDistribution;
  /** λ(σ) (e.g. `edmWeighting()`). */
  readonly weighting: LossWeighting;
  /** The training data (`datasetSource`, `samplerSource`). */
  readonly data: DataSource;
  /** Training budget in images (the paper's kimg × 1000); the last step may overshoot it, as in the official loop. */
  readonly totalImages: number;
  /** Images per step (default 512). */
  readonly batchSize?: number;
  /** Seed of every random draw of the run: data order, σ, noise, dropout (default 0). */
  readonly seed?: number;
  /** Base learning rate (default 10⁻³). */
  readonly lr?: number;
  /** Linear learning-rate ramp-up length in images (default 10⁷). */
  readonly lrRampupImages?: number;
  /** EMA half-life in images (default 5·10⁵). */
  readonly emaHalfLifeImages?: number;
  /** EMA ramp-up ratio, or null for none (default 0.05). */
  readonly emaRampupRatio?: number | null;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 10⁻⁸). */
  readonly adam?: AdamOptions;
  /** Clip the gradient to this global L2 norm; null for no clipping (default null, as the official code). */
  readonly gradClip?: number | null;
  /** Replace non-finite gradient entries (NaN → 0, ±∞ → ±10⁵) as the official code (default true). */
  readonly replaceNonFinite?: boolean;
  /**
   * Non-leaky augmentation (`augmentPipeline()`; default none): applied to every minibatch
   * before the noise, each image from its stream `augmentStreams(seed, imagesSeen + k, 1)`,
   * its labels given to the network as `augmentLabels` when its augmentDim is > 0 (which
   * must then equal the pipeline's `labelDim`; a network without them learns the augmented
   * images as data: leaky augmentation). Image data [H, W, C] only.
   */
  readonly augment?: AugmentPipeline;
  /** Run directory for checkpoints (`ckpt-<images>` sub-directories); none: no checkpoints. */
  readonly checkpointDir?: string;
  /** Write a checkpoint every this many images (and always at the end); default: only at the end. */
  readonly checkpointEvery?: number;
  /** Complete checkpoints to keep in the run directory (default 1: the previous one goes once the new one is complete). */
  readonly keepCheckpoints?: number;
  /**
   * Continue from a checkpoint: a checkpoint directory, or a run directory (its newest
   * checkpoint). Checkpoints then go to `checkpointDir`, by default the run directory.
   */
  readonly resume?: string;
  /** Show progress on stderr: a bar on a terminal, a line every `logEvery` steps otherwise (default true). */
  readonly progress?: boolean;
  /** Steps between progress lines when stderr is not a terminal (default 100). */
  readonly logEvery?: number;
  /** Called after every step (awaited). */
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
  /** Stops the run after the current step (a checkpoint is written when there is a run directory). */
  readonly signal?: AbortSignal;
  /**
   * Worker threads for data parallelism: each computes the loss and gradient of a slice of
   * every batch on its own copy of the network, and the slices are added up before one Adam
   * step here, so every copy holds the same weights. Default: one per core
   * (`os.availableParallelism()`), at most the batch size; 1 computes everything in this
   * thread. Only for the wasm and cpu backends (a native backend runs its own threads: 1).
   * The losses and weights equal the one-thread run's to float32 rounding; with dropout > 0
   * the masks are drawn per slice, so they differ from the one-thread run's.
   */
  readonly workers?: number;
  /**
   * Register edmkit's training kernels in tfjs's kernel registry before the first step
   * (`registerTrainingKernels()` of `@edmkit/unet`, re-exported here): the cpu and wasm
   * backends of tfjs 4.22 lack or miscompute kernels that conv-net gradients need. The call
   * is idempotent and changes tfjs's global registry, for every model of the process
   * (default true). Pass false when you manage the registry yourself, e.g. after calling
   * `registerTrainingKernels()` or `selectBackend()` once at start-up; worker threads always
   * register the kernels in their own tfjs.
   */
  readonly registerKernels?: boolean;
}

/** The options of {@link train} checked, with every default filled in. */
export interface ResolvedOptions {
  readonly network: Network;
  readonly precond: Preconditioner;
  readonly distribution: NoiseDistribution;
  readonly weighting: LossWeighting;
  readonly data: DataSource;
  readonly totalImages: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly lr: number;
  readonly lrRampupImages: number;
  readonly emaHalfLifeImages: number;
  readonly emaRampupRatio: number | null;
  readonly adam: AdamOptions;
  readonly gradClip: number | null;
  readonly replaceNonFinite: boolean;
  readonly augment: AugmentPipeline | undefined;
  readonly checkpointDir: string | undefined;
  readonly checkpointEvery: number | undefined;
  readonly keepCheckpoints: number;
  readonly resume: string | undefined;
  readonly progress: boolean;
  readonly logEvery: number;
  readonly onStep: ((info: StepInfo) => void | Promise<void>) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly workers: number;
  readonly registerKernels: boolean;
}

/** Checks the options of {@link train} (naming the parameter at fault) and fills in the defaults. */
export function resolveOptions(options: TrainOptions): ResolvedOptions {
  if (options == null || typeof options !== 'object') {
    throw new ParameterError(
      'options',
      'an object { network, precond, distribution, weighting, data, totalImages, … }',
      options,
    );
  }
  const { network, precond, distribution, weighting, data } = options;
  if (
    network == null ||
    typeof network.apply !== 'function' ||
    !Array.isArray(network.trainableWeights) ||
    network.config == null ||
    !Array.isArray(network.config.inputShape)
  ) {
    throw new ParameterError('network', 'a Network of @edmkit/unet', network);
  }
  if (network.trainableWeights.length === 0)
    throw new ParameterError('network', 'a Network with trainable weights', 0);
  if (
    precond == null ||
    typeof precond.cSkip !== 'function' ||
    typeof precond.cNoise !== 'function'
  ) {
    throw new ParameterError('precond', 'a Preconditioner of @edmkit/precond', precond);
  }
  if (distribution == null || typeof distribution.sample !== 'function') {
    throw new ParameterError('distribution', 'a NoiseDistribution of @edmkit/losses', distribution);
  }
  if (weighting == null || typeof weighting.weight !== 'function') {
    throw new ParameterError('weighting', 'a LossWeighting of @edmkit/losses', weighting);
  }
  if (data == null || typeof data.batch !== 'function' || !Array.isArray(data.shape)) {
    throw new ParameterError('data', 'a DataSource (datasetSource, samplerSource)', data);
  }
  const inputShape = network.config.inputShape;
  if (data.shape.length !== inputShape.length || data.shape.some((s, i) => s !== inputShape[i])) {
    throw new ParameterError(
      'data.shape',
      `the network's input shape [${inputShape.join(', ')}]`,
      data.shape,
    );
  }
  const augment = checkAugment(options.augment, network, data.shape);
  const checkpointDir = options.checkpointDir;
  if (checkpointDir !== undefined && (typeof checkpointDir !== 'string' || checkpointDir === '')) {
    throw new ParameterError('checkpointDir', 'a directory path', checkpointDir);
  }
  const resume = options.resume;
  if (resume !== undefined && (typeof resume !== 'string' || resume === '')) {
    throw new ParameterError('resume', 'a checkpoint or run directory path', resume);
  }
  const gradClip = options.gradClip ?? null;
  if (gradClip !== null) checkNumber('gradClip', gradClip, { min: 0, minInclusive: false });
  const replace = options.replaceNonFinite ?? true;
  if (typeof replace !== 'boolean')
    throw new ParameterError('replaceNonFinite', 'a boolean', replace);
  const progress = options.progress ?? true;
  if (typeof progress !== 'boolean') throw new ParameterError('progress', 'a boolean', progress);
  if (options.onStep !== undefined && typeof options.onStep !== 'function') {
    throw new ParameterError('onStep', 'a function (info) => void', options.onStep);
  }
  const registerKernels = options.registerKernels ?? true;
  if (typeof registerKernels !== 'boolean')
    throw new ParameterError('registerKernels', 'a boolean', registerKernels);
  const checkpointEvery = options.checkpointEvery;
  if (checkpointEvery !== undefined) checkInteger('checkpointEvery', checkpointEvery, 1);
  const lr = lrRampup({ lr: options.lr ?? 1e-3, rampupImages: options.lrRampupImages ?? 10e6 });
  const ema = emaHalfLife({
    halfLifeImages: options.emaHalfLifeImages ?? 5e5,
    rampupRatio: options.emaRampupRatio === undefined ? 0.05 : options.emaRampupRatio,
  });
  const opt = adam(options.adam ?? {});
  return {
    network,
    precond,
    distribution,
    weighting,
    data,
    totalImages: checkNumber('totalImages', options.totalImages, {
      min: 1,
      // Half the random streams of a purpose: room for the last step's overshoot.
      max: STREAMS_PER_PURPOSE / 2,
      integer: true,
    }),
    batchSize: checkInteger('batchSize', options.batchSize ?? 512, 1),
    seed: checkNumber('seed', options.seed ?? 0, { min: 0, max: 0xffffffff, integer: true }),
    lr: lr.lr,
    lrRampupImages: lr.rampupImages,
    emaHalfLifeImages: ema.halfLifeImages,
    emaRampupRatio: ema.rampupRatio,
    adam: { beta1: opt.beta1, beta2: opt.beta2, epsilon: opt.epsilon },
    gradClip,
    replaceNonFinite: replace,
    augment,
    checkpointDir,
    checkpointEvery,
    keepCheckpoints: checkInteger('keepCheckpoints', options.keepCheckpoints ?? 1, 1),
    resume,
    progress,
    logEvery: checkInteger('logEvery', options.logEvery ?? 100, 1),
    onStep: options.onStep,
    signal: options.signal,
    workers: checkInteger('workers', options.workers ?? availableParallelism(), 1),
    registerKernels,
  };
}

/** The settings a resumed run must share with the run it continues, as a checkpoint holds them (JSON). */
export function runConfig(o: ResolvedOptions): Record<string, unknown> {
  return jsonClone({
    network: o.network.config,
    training: {
      seed: o.seed,
      batchSize: o.batchSize,
      precond: describe(o.precond),
      distribution: describe(o.distribution),
      weighting: describe(o.weighting),
      data: { name: o.data.name, shape: o.data.shape, size: String(o.data.size) },
      lr: o.lr,
      lrRampupImages: o.lrRampupImages,
      emaHalfLifeImages: o.emaHalfLifeImages,
      emaRampupRatio: o.emaRampupRatio,
      adam: o.adam,
      gradClip: o.gradClip,
      replaceNonFinite: o.replaceNonFinite,
      // Absent without augmentation (JSON drops undefined): earlier checkpoints still match.
      augment: o.augment?.config,
    },
  });
}

/** Checks the `augment` option against the network and the data (images, label count). */
function checkAugment(
  augment: unknown,
  network: Network,
  shape: readonly number[],
): AugmentPipeline | undefined {
  if (augment === undefined) return undefined;
  const a = augment as AugmentPipeline | null;
  if (
    a == null ||
    a.name !== 'augmentPipeline' ||
    typeof a.applyArray !== 'function' ||
    typeof a.labelDim !== 'number'
  ) {
    throw new ParameterError('augment', 'an augmentPipeline() or undefined', augment);
  }
  if (shape.length !== 3)
    throw new ParameterError('augment', 'undefined for data that are not images [H, W, C]', shape);
  const augmentDim = network.config.augmentDim;
  if (augmentDim > 0 && a.labelDim !== augmentDim) {
    throw new ParameterError(
      'augment',
      `a pipeline with ${augmentDim} labels (the network's augmentDim)`,
      a.labelDim,
    );
  }
  return a;
}
