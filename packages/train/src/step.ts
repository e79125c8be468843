import * as tf from '@tensorflow/tfjs';
import { arrayOps, ParameterError, type Rng } from '@edmkit/core';
import { denoisingLoss, draw } from '@edmkit/losses';
import { preconditionBatch } from '@edmkit/precond';
import { tfjsOps, type Network } from '@edmkit/unet';
import type { Adam, AdamState } from './adam.js';
import { augmentStreams } from './augment/streams.js';
import { sizeOf } from './data-source.js';
import { NonFiniteLossError } from './errors.js';
import { GradientPool } from './gradient-pool.js';
import type { GradientJob } from './gradient-protocol.js';
import { clipGlobalNorm, reduceLoss, replaceNonFinite } from './gradients.js';
import type { ResolvedOptions } from './options.js';
import { derivedSeed, sampleStreams } from './streams.js';

/**
 * The worker threads of a run, or undefined to compute in this thread: `workers` of them,
 * at most the batch size, on the wasm and cpu backends only (a native backend runs its own
 * threads).
 */
export async function startGradientPool(o: ResolvedOptions): Promise<GradientPool | undefined> {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return undefined;
  const count = Math.min(o.workers, o.batchSize);
  return count > 1 ? GradientPool.start(count, { config: o.network.config, backend }) : undefined;
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

/** What one step needs: the run's options and position, the step's learning rate and EMA β. */
export interface StepContext {
  readonly o: ResolvedOptions;
  readonly step: number;
  readonly imagesSeen: number;
  readonly lr: number;
  readonly beta: number;
  readonly adamState: AdamState;
  readonly optimizer: Adam;
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
  rngs: readonly Rng[],
  dropoutSeed: number,
  labels: Float32Array | undefined,
): Promise<{ value: tf.Scalar; raw: tf.Tensor[] }> {
  const { o } = ctx;
  const { batchSize, precond } = o;
  const weights = o.network.trainableWeights;
  const per = sizeOf(o.data.shape);
  const labelDim = o.network.config.augmentDim;
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
      ...(labels && { augmentLabels: labels.slice(from * labelDim, to * labelDim) }),
    });
  }
  const { loss, grads } = await pool.run(jobs);
  return {
    value: tf.scalar(loss, 'float32'),
    raw: weights.map((w, i) => tf.tensor(grads[i]!, w.shape, 'float32')),
  };
}

/** One training step: loss and gradient, checks, Adam, EMA. Leaves no tensor behind. */
export async function trainingStep(ctx: StepContext): Promise<{ loss: number; gradNorm: number }> {
  const { o, step, imagesSeen } = ctx;
  const { batchSize, seed } = o;
  let y = o.data.batch(seed, imagesSeen, batchSize);
  const shape = [batchSize, ...o.data.shape];
  if (y.length !== sizeOf(shape))
    throw new ParameterError('data.batch()', `${sizeOf(shape)} numbers`, y.length);
  // Augmentation of the clean batch, before the noise; labels only for a network that takes them.
  let labels: Float32Array | undefined;
  if (o.augment !== undefined) {
    const augmented = o.augment.applyArray(y, shape, augmentStreams(seed, imagesSeen, batchSize));
    y = augmented.images;
    if (o.network.config.augmentDim > 0) labels = augmented.labels;
  }
  const rngs = sampleStreams(seed, imagesSeen, batchSize, 'loss');
  const dropoutSeed = derivedSeed(seed, step, 'dropout');
  const { value, raw } =
    ctx.pool !== undefined
      ? await pooledGradients(ctx, ctx.pool, y, rngs, dropoutSeed, labels)
      : localGradients(ctx, y, shape, rngs, dropoutSeed, labels);
  return applyStep(ctx, value, raw);
}

/** The loss and gradient of a step, computed in this thread. */
function localGradients(
  ctx: StepContext,
  y: Float32Array,
  shape: number[],
  rngs: readonly Rng[],
  dropoutSeed: number,
  labels: Float32Array | undefined,
): { value: tf.Scalar; raw: tf.Tensor[] } {
  const { o } = ctx;
  const { network, batchSize } = o;
  const weights = network.trainableWeights;
  const F = (xIn: tf.Tensor, cNoise: Float64Array): tf.Tensor =>
    network.apply(xIn, tf.tensor1d(Float32Array.from(cNoise), 'float32'), {
      training: true,
      seed: dropoutSeed,
      ...(labels && {
        augmentLabels: tf.tensor2d(labels, [batchSize, network.config.augmentDim], 'float32'),
      }),
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
