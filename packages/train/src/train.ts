import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { arrayOps, checkInteger, checkNumber, ParameterError } from '@edmkit/core';
import { denoisingLoss, draw, type LossWeighting, type NoiseDistribution } from '@edmkit/losses';
import { preconditionBatch, type Preconditioner } from '@edmkit/precond';
import {
  buildNetwork,
  loadNetwork,
  registerTrainingKernels,
  saveNetwork,
  tfjsOps,
  type Network,
} from '@edmkit/unet';
import { adam, type AdamOptions, type AdamState } from './adam.js';
import {
  listCheckpoints,
  readCheckpoint,
  removeStaleTemporaries,
  resolveCheckpoint,
  writeCheckpoint,
  type LoadedCheckpoint,
} from './checkpoint.js';
import { describe, firstDifference, jsonClone } from './config.js';
import { sizeOf, type DataSource } from './data-source.js';
import { emaHalfLife } from './ema.js';
import { CheckpointError, NonFiniteLossError } from './errors.js';
import { GradientPool } from './gradient-pool.js';
import type { GradientJob } from './gradient-protocol.js';
import { clipGlobalNorm, reduceLoss, replaceNonFinite } from './gradients.js';
import { lrRampup } from './lr-rampup.js';
import { createProgress, type StepInfo } from './progress.js';
import { derivedSeed, sampleStreams } from './streams.js';

/** Options of {@link train}. Defaults are the official CIFAR-10 settings (SPEC §5). */
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
}

/** What {@link train} returns. */
export interface TrainResult {
  /** The trained network (the one passed in). */
  readonly network: Network;
  /** A network holding the EMA of the weights, the one to sample from. The caller disposes it. */
  readonly ema: Network;
  /** Steps taken, over all sessions of the run. */
  readonly step: number;
  /** Images seen, over all sessions of the run. */
  readonly imagesSeen: number;
  /** Training objective of every step, over all sessions of the run. */
  readonly lossHistory: Float64Array;
  /** The last checkpoint written (or resumed from), if any. */
  readonly checkpoint: string | undefined;
  /** Whether the run stopped early on `signal`. */
  readonly stopped: boolean;
}

/**
 * Trains a network with any edmkit configuration — preconditioning, noise
 * distribution, loss weighting (paper Table 1, "Training" rows) — as the official
 * training loop does, and resumes exactly from its checkpoints.
 *
 * Paper: Eq. 2/8 and SPEC §5. Each step, for a minibatch y of `batchSize` images:
 * σ_b ∼ p_train and n_b = σ_b·ε_b from the stream of global sample `imagesSeen + b`
 * (σ before ε); loss = Σ_elements λ(σ)·(D_θ(y + n; σ) − y)² / batchSize; gradient;
 * non-finite entries replaced (NaN → 0, ±∞ → ±10⁵); optional global-norm clipping;
 * Adam with lr·min(imagesSeen / lrRampupImages, 1); EMA with β = 0.5^(batch / h),
 * h = min(emaHalfLifeImages, emaRampupRatio · imagesSeen). The dropout seed of step s
 * is derived from (seed, s). Everything random is a function of (seed, images seen),
 * so a run resumed from a checkpoint reaches bit for bit the weights of the
 * uninterrupted run (same backend).
 *
 * A NaN or infinite loss stops the run with a {@link NonFiniteLossError} before the
 * step is applied; checkpoints already on disk are untouched.
 *
 * Differences from the official code: float32 throughout (no fp16 / loss scaling), no
 * augmentation or class labels, data visited in per-epoch shuffled order.
 *
 * Runs on the current tfjs backend (pick one with `selectBackend` of `@edmkit/unet`, or
 * `tf.setBackend`); calls `registerTrainingKernels()` of `@edmkit/unet` first, which fixes
 * and speeds up the conv-gradient kernels of the cpu and wasm backends (global, idempotent).
 *
 * @param options - see {@link TrainOptions}
 * @returns the network, its EMA, and the run's position and loss history
 * @throws {NonFiniteLossError} when the loss (or, without replacement, the gradient) is not finite
 * @throws {CheckpointError} when `resume` is missing, corrupt or from another configuration
 * @example
 * const network = mlp({ dim: 2 });
 * const { ema, lossHistory } = await train({
 *   network, precond: edmPrecond(), distribution: logNormal(), weighting: edmWeighting(),
 *   data: samplerSource({ shape: [2], sample: mixture.sample }),
 *   totalImages: 200_000, batchSize: 256, lrRampupImages: 10_000, emaHalfLifeImages: 5_000,
 *   checkpointDir: 'runs/toy', checkpointEvery: 50_000,
 * });
 * @see https://arxiv.org/abs/2206.00364
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const o = resolveOptions(options);
  // The cpu/wasm backends of tfjs 4.22 lack or miscompute kernels that conv-net gradients need.
  registerTrainingKernels();
  const { network, batchSize } = o;
  const weights = network.trainableWeights;
  const weightShapes = weights.map((w) => [...w.shape]);
  const config = jsonClone(describeRun(o));
  const optimizer = adam(o.adam);
  const lrSchedule = lrRampup({ lr: o.lr, rampupImages: o.lrRampupImages });
  const emaSchedule = emaHalfLife({
    halfLifeImages: o.emaHalfLifeImages,
    rampupRatio: o.emaRampupRatio,
  });

  let step = 0;
  let imagesSeen = 0;
  let lossHistory: number[] = [];
  let lastCheckpoint: string | undefined;
  let lastCheckpointImages = -1;
  let runDir = o.checkpointDir;
  let ema: Network | undefined;
  let adamState: AdamState | undefined;

  try {
    if (o.resume !== undefined) {
      const checkpoint = await readCheckpoint(await resolveCheckpoint(o.resume));
      checkCompatible(checkpoint, config, weightShapes);
      await restoreWeights(network, checkpoint.networkDir, checkpoint.dir);
      ema = await loadNetwork(checkpoint.emaDir);
      checkSameWeights(ema, weightShapes, checkpoint.dir);
      adamState = optimizer.init(weights);
      restoreAdam(adamState, checkpoint);
      step = checkpoint.state.step;
      imagesSeen = checkpoint.state.imagesSeen;
      lossHistory = Array.from(checkpoint.lossHistory);
      lastCheckpoint = checkpoint.dir;
      lastCheckpointImages = imagesSeen;
      const ownRunDir = path.dirname(checkpoint.dir);
      runDir ??= ownRunDir;
      if (path.resolve(ownRunDir) !== path.resolve(runDir)) {
        // Continuing into another directory: never prune checkpoints of some other run there.
        if ((await listCheckpoints(runDir)).length > 0) {
          throw new ParameterError(
            'checkpointDir',
            `a directory without checkpoints, or the run directory of the checkpoint resumed (${ownRunDir})`,
            runDir,
          );
        }
        lastCheckpointImages = -1;
      }
    } else {
      if (runDir !== undefined && (await listCheckpoints(runDir)).length > 0) {
        throw new ParameterError(
          'checkpointDir',
          'a directory without checkpoints (pass resume to continue the run it holds)',
          runDir,
        );
      }
      ema = cloneNetwork(network);
      checkSameWeights(ema, weightShapes, 'the EMA copy');
      adamState = optimizer.init(weights);
    }
    if (runDir !== undefined) await removeStaleTemporaries(runDir);
  } catch (error) {
    if (adamState !== undefined) optimizer.dispose(adamState);
    ema?.dispose();
    throw error;
  }

  const backend = tf.getBackend();
  const workerCount = backend === 'wasm' || backend === 'cpu' ? Math.min(o.workers, batchSize) : 1;
  let pool: GradientPool | undefined;
  if (workerCount > 1) {
    try {
      pool = await GradientPool.start(workerCount, {
        config: network.config,
        backend: backend as 'wasm' | 'cpu',
      });
    } catch (error) {
      optimizer.dispose(adamState);
      ema.dispose();
      throw error;
    }
  }

  const progress = createProgress(o.progress, o.logEvery);
  const sessionStart = performance.now();
  const sessionImages = imagesSeen;
  let stopped = false;
  const save = async (): Promise<void> => {
    if (runDir === undefined || lastCheckpointImages === imagesSeen) return;
    const emaNetwork = ema;
    lastCheckpoint = await writeCheckpoint(
      runDir,
      {
        state: { step, imagesSeen, adamStep: adamState.step, weightShapes, config },
        lossHistory: Float64Array.from(lossHistory),
        adamM: adamState.m.map((m) => Float32Array.from(m.dataSync() as Float32Array)),
        adamV: adamState.v.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
        saveNetwork: (dir) => saveNetwork(network, dir),
        saveEma: (dir) => saveNetwork(emaNetwork, dir),
      },
      o.keepCheckpoints,
    );
    lastCheckpointImages = imagesSeen;
  };

  try {
    while (imagesSeen < o.totalImages) {
      if (o.signal?.aborted === true) {
        stopped = true;
        break;
      }
      const lr = lrSchedule.at(imagesSeen);
      const beta = emaSchedule.beta(imagesSeen, batchSize);
      const { loss, gradNorm } = await trainingStep({
        o,
        step,
        imagesSeen,
        lr,
        beta,
        adamState,
        optimizer,
        ema,
        lastCheckpoint,
        pool,
      });
      step += 1;
      imagesSeen += batchSize;
      lossHistory.push(loss);
      const seconds = (performance.now() - sessionStart) / 1000;
      const info: StepInfo = {
        step,
        imagesSeen,
        totalImages: o.totalImages,
        loss,
        lr,
        gradNorm,
        imagesPerSecond: seconds > 0 ? (imagesSeen - sessionImages) / seconds : 0,
      };
      progress.update(info);
      if (o.onStep !== undefined) await o.onStep(info);
      const every = o.checkpointEvery;
      if (
        every !== undefined &&
        Math.floor(imagesSeen / every) > Math.floor((imagesSeen - batchSize) / every)
      ) {
        await save();
      }
    }
    await save();
  } catch (error) {
    optimizer.dispose(adamState);
    ema.dispose();
    throw error;
  } finally {
    progress.stop();
    await pool?.close();
  }
  optimizer.dispose(adamState);
  return {
    network,
    ema,
    step,
    imagesSeen,
    lossHistory: Float64Array.from(lossHistory),
    checkpoint: lastCheckpoint,
    stopped,
  };
}

interface ResolvedOptions {
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
  readonly checkpointDir: string | undefined;
  readonly checkpointEvery: number | undefined;
  readonly keepCheckpoints: number;
  readonly resume: string | undefined;
  readonly progress: boolean;
  readonly logEvery: number;
  readonly onStep: ((info: StepInfo) => void | Promise<void>) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly workers: number;
}

function resolveOptions(options: TrainOptions): ResolvedOptions {
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
      max: Number.MAX_SAFE_INTEGER / 2,
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
    checkpointDir,
    checkpointEvery,
    keepCheckpoints: checkInteger('keepCheckpoints', options.keepCheckpoints ?? 1, 1),
    resume,
    progress,
    logEvery: checkInteger('logEvery', options.logEvery ?? 100, 1),
    onStep: options.onStep,
    signal: options.signal,
    workers: checkInteger('workers', options.workers ?? availableParallelism(), 1),
  };
}

/** The settings a resumed run must share with the run it continues (JSON). */
function describeRun(o: ResolvedOptions): Record<string, unknown> {
  return {
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
    },
  };
}

function checkCompatible(
  checkpoint: LoadedCheckpoint,
  config: Record<string, unknown>,
  weightShapes: number[][],
): void {
  const saved = checkpoint.state.config;
  const network = firstDifference(saved.network, config.network, 'network');
  if (network !== undefined) {
    throw new CheckpointError(
      checkpoint.dir,
      'mismatch',
      `saved for another network architecture (${network})`,
    );
  }
  const shapes = firstDifference(checkpoint.state.weightShapes, weightShapes, 'weightShapes');
  if (shapes !== undefined) {
    throw new CheckpointError(
      checkpoint.dir,
      'mismatch',
      `saved for other weight shapes (${shapes})`,
    );
  }
  const training = firstDifference(saved.training, config.training, 'training');
  if (training !== undefined) {
    throw new CheckpointError(
      checkpoint.dir,
      'mismatch',
      `saved with other training settings (${training})`,
    );
  }
}

function checkSameWeights(network: Network, shapes: number[][], where: string): void {
  const got = network.trainableWeights.map((w) => [...w.shape]);
  const diff = firstDifference(got, shapes, 'trainableWeights');
  if (diff !== undefined)
    throw new CheckpointError(where, 'mismatch', `the EMA network's weights differ (${diff})`);
}

/** Loads the saved network and copies all its weights (trainable or not) into `network`. */
async function restoreWeights(network: Network, dir: string, checkpointDir: string): Promise<void> {
  let loaded: Network;
  try {
    loaded = await loadNetwork(dir);
  } catch (error) {
    throw new CheckpointError(
      checkpointDir,
      'corrupt',
      `cannot load the network weights: ${(error as Error).message}`,
    );
  }
  try {
    const diff = firstDifference(jsonClone(loaded.config), jsonClone(network.config), 'network');
    if (diff !== undefined) {
      throw new CheckpointError(
        checkpointDir,
        'mismatch',
        `saved for another network architecture (${diff})`,
      );
    }
    const values = loaded.model.getWeights();
    const targets = network.model.weights;
    if (
      values.length !== targets.length ||
      values.some((v, i) => firstDifference(v.shape, targets[i]!.shape) !== undefined)
    ) {
      throw new CheckpointError(
        checkpointDir,
        'mismatch',
        'the saved network has other weights than the network given',
      );
    }
    network.model.setWeights(values);
  } finally {
    loaded.dispose();
  }
}

function restoreAdam(state: AdamState, checkpoint: LoadedCheckpoint): void {
  state.step = checkpoint.state.adamStep;
  state.m.forEach((m, i) => {
    tf.tidy(() => m.assign(tf.tensor(checkpoint.adamM[i]!, m.shape, 'float32')));
  });
  state.v.forEach((v, i) => {
    tf.tidy(() => v.assign(tf.tensor(checkpoint.adamV[i]!, v.shape, 'float32')));
  });
}

/** A new network with the same configuration and weights (trainable or not). */
function cloneNetwork(network: Network): Network {
  const copy = buildNetwork(network.config);
  try {
    copy.model.setWeights(network.model.getWeights());
  } catch (error) {
    copy.dispose();
    throw error;
  }
  return copy;
}

/** The loss value and Σ_k ‖g_k‖² (each ‖g_k‖² a float32 reduction, the sum float64), in one read. */
function lossAndSquares(value: tf.Scalar, grads: readonly tf.Tensor[]): [number, number] {
  const stats = tf.tidy(() => tf.stack([value, ...grads.map((g) => tf.sum(tf.square(g)))]));
  try {
    const numbers = stats.dataSync();
    let squares = 0;
    for (let i = 1; i < numbers.length; i++) squares += numbers[i]!;
    return [numbers[0]!, squares];
  } finally {
    stats.dispose();
  }
}

interface StepContext {
  readonly o: ResolvedOptions;
  readonly step: number;
  readonly imagesSeen: number;
  readonly lr: number;
  readonly beta: number;
  readonly adamState: AdamState;
  readonly optimizer: ReturnType<typeof adam>;
  readonly ema: Network;
  readonly lastCheckpoint: string | undefined;
  readonly pool: GradientPool | undefined;
}

/**
 * The loss and gradient of a step computed by the worker pool: σ, ε and the coefficients
 * are drawn here exactly as the one-thread step draws them, then each worker gets a slice.
 */
async function pooledGradients(
  ctx: StepContext,
  pool: GradientPool,
  y: Float32Array,
  rngs: ReturnType<typeof sampleStreams>,
  dropoutSeed: number,
): Promise<{ value: tf.Scalar; raw: tf.Tensor[] }> {
  const { o } = ctx;
  const { batchSize, precond } = o;
  const weights = o.network.trainableWeights;
  const per = sizeOf(o.data.shape);
  // σ, λ(σ) and ε drawn by the same code as the one-thread step (denoisingLoss), on arrays.
  const drawn = draw({
    ops: arrayOps,
    y: new Float64Array(batchSize * per),
    rngs,
    distribution: o.distribution,
    weighting: o.weighting,
  });
  const { sigma } = drawn;
  const noise = Float32Array.from(drawn.epsilon);
  const coefficients = {
    cSkip: sigma.map((s) => precond.cSkip(s)),
    cOut: sigma.map((s) => precond.cOut(s)),
    cIn: sigma.map((s) => precond.cIn(s)),
    cNoise: sigma.map((s) => precond.cNoise(s)),
    weight: drawn.weight,
  };
  const current = weights.map((w) => w.dataSync() as Float32Array);
  const jobs: GradientJob[] = [];
  for (let k = 0; k < pool.size; k++) {
    const from = Math.floor((k * batchSize) / pool.size);
    const to = Math.floor(((k + 1) * batchSize) / pool.size);
    if (to === from) continue;
    jobs.push({
      weights: current,
      y: y.slice(from * per, to * per),
      noise: noise.slice(from * per, to * per),
      shape: [to - from, ...o.data.shape],
      sigma: sigma.slice(from, to),
      coefficients: {
        cSkip: coefficients.cSkip.slice(from, to),
        cOut: coefficients.cOut.slice(from, to),
        cIn: coefficients.cIn.slice(from, to),
        cNoise: coefficients.cNoise.slice(from, to),
        weight: coefficients.weight.slice(from, to),
      },
      batchSize,
      dropoutSeed,
    });
  }
  const { loss, grads } = await pool.run(jobs);
  return {
    value: tf.scalar(loss, 'float32'),
    raw: weights.map((w, i) => tf.tensor(grads[i]!, w.shape, 'float32')),
  };
}

/** One training step: loss and gradient, checks, Adam, EMA. Leaves no tensor behind. */
async function trainingStep(ctx: StepContext): Promise<{ loss: number; gradNorm: number }> {
  const { o, step, imagesSeen } = ctx;
  const { batchSize, seed } = o;
  const y = o.data.batch(seed, imagesSeen, batchSize);
  const shape = [batchSize, ...o.data.shape];
  if (y.length !== sizeOf(shape))
    throw new ParameterError('data.batch()', `${sizeOf(shape)} numbers`, y.length);
  const rngs = sampleStreams(seed, imagesSeen, batchSize, 'loss');
  const dropoutSeed = derivedSeed(seed, step, 'dropout');
  const { value, raw } =
    ctx.pool !== undefined
      ? await pooledGradients(ctx, ctx.pool, y, rngs, dropoutSeed)
      : localGradients(ctx, y, shape, rngs, dropoutSeed);
  return applyStep(ctx, value, raw);
}

/** The loss and gradient of a step, computed in this thread. */
function localGradients(
  ctx: StepContext,
  y: Float32Array,
  shape: number[],
  rngs: ReturnType<typeof sampleStreams>,
  dropoutSeed: number,
): { value: tf.Scalar; raw: tf.Tensor[] } {
  const { o } = ctx;
  const { network, batchSize } = o;
  const weights = network.trainableWeights;
  const F = (xIn: tf.Tensor, cNoise: Float64Array): tf.Tensor =>
    network.apply(xIn, tf.tensor1d(Float32Array.from(cNoise), 'float32'), {
      training: true,
      seed: dropoutSeed,
    });
  const D = preconditionBatch(F, o.precond, tfjsOps);

  const { value, grads } = tf.variableGrads(() => {
    const yT = tf.tensor(y, shape, 'float32');
    const result = denoisingLoss({
      ops: tfjsOps,
      denoiser: D,
      y: yT,
      rngs,
      distribution: o.distribution,
      weighting: o.weighting,
    });
    if (result instanceof Promise)
      throw new ParameterError('network', 'a network whose apply() is synchronous', 'a promise');
    return reduceLoss(result.loss, batchSize);
  }, weights as tf.Variable[]);

  const raw = weights.map((w) => grads[w.name] ?? tf.zerosLike(w));
  return { value, raw };
}

/** Checks the loss and gradient, then Adam and EMA. Disposes `value` and `raw`. */
function applyStep(
  ctx: StepContext,
  value: tf.Scalar,
  raw: readonly tf.Tensor[],
): { loss: number; gradNorm: number } {
  const { o, step, imagesSeen } = ctx;
  const weights = o.network.trainableWeights;
  const owned: tf.Tensor[] = [value, ...raw];
  try {
    // One read of the loss and of ‖g_k‖² per weight.
    const [loss, rawSquares] = lossAndSquares(value, raw);
    if (!Number.isFinite(loss)) {
      throw new NonFiniteLossError(step, imagesSeen, loss, ctx.lastCheckpoint, 'loss');
    }
    let processed: readonly tf.Tensor[] = raw;
    let squares = rawSquares;
    // A finite Σ‖g_k‖² means every entry is finite and nan_to_num would change nothing:
    // the replacement only runs (and costs) when something is NaN or ±∞.
    if (!Number.isFinite(rawSquares)) {
      if (!o.replaceNonFinite) {
        throw new NonFiniteLossError(
          step,
          imagesSeen,
          Math.sqrt(rawSquares),
          ctx.lastCheckpoint,
          'gradient',
        );
      }
      processed = raw.map((g) => replaceNonFinite(g));
      owned.push(...processed);
      squares = lossAndSquares(value, processed)[1];
    }
    const gradNorm = Math.sqrt(squares);
    let final: readonly tf.Tensor[] = processed;
    if (o.gradClip !== null) {
      const clipped = clipGlobalNorm(processed, o.gradClip, gradNorm);
      if (clipped.clipped) owned.push(...clipped.grads);
      final = clipped.grads;
    }
    ctx.optimizer.update(ctx.adamState, weights, final, ctx.lr);
    const emaWeights = ctx.ema.trainableWeights;
    const beta = ctx.beta;
    tf.tidy(() => {
      emaWeights.forEach((e, i) => {
        const w = weights[i]!;
        // θ_ema ← θ + β·(θ_ema − θ): torch's θ.lerp(θ_ema, β), as the official loop.
        e.assign(tf.add(w, tf.mul(tf.sub(e, w), beta)));
      });
    });
    return { loss, gradNorm };
  } finally {
    for (const t of owned) t.dispose();
  }
}
