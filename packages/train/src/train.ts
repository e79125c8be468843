import { registerTrainingKernels, type Network } from '@edmkit/unet';
import { adam } from './adam.js';
import { checkpointing } from './checkpointing.js';
import { runSteps } from './loop.js';
import { resolveOptions, runConfig, type TrainOptions } from './options.js';
import { disposeRun, startRun } from './resume.js';
import { startGradientPool } from './step.js';

export type { TrainOptions } from './options.js';

/** What {@link train} returns. */
export interface TrainResult {
  /** The trained network (the one passed in). */
  readonly network: Network;
  /** A network holding the EMA of the weights, the one to sample from. The caller disposes it. */
  readonly ema: Network;
  /** Steps taken, counting those before any resume. */
  readonly step: number;
  /** Images seen, counting those before any resume. */
  readonly imagesSeen: number;
  /** Training objective of every step, counting those before any resume. */
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
 * Paper: Eq. 2/8 and Appendix F. Each step, for a minibatch y of `batchSize` images:
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
 * With `augment` (an `augmentPipeline()`), each minibatch is augmented before the noise
 * and the augmentation labels go to the network (paper Appendix F, non-leaky augmentation).
 *
 * Differences from the official code: float32 throughout (no fp16 / loss scaling), no
 * class labels, bilinear resampling in the augmentation, data visited in per-epoch
 * shuffled order.
 *
 * Runs on the current tfjs backend (pick one with `selectBackend` of `@edmkit/unet`, or
 * `tf.setBackend`). Before the first step it calls `registerTrainingKernels()` (of
 * `@edmkit/unet`, re-exported here), which fixes and speeds up the conv-gradient kernels of
 * the cpu and wasm backends in tfjs's global kernel registry — idempotent, and the only
 * global change `train` makes; `registerKernels: false` leaves the registry alone.
 * Importing this package changes nothing.
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
  if (o.registerKernels) registerTrainingKernels();
  const config = runConfig(o);
  const optimizer = adam(o.adam);
  const run = await startRun(o, optimizer, config);
  const checkpoints = checkpointing(o, run, config);
  let stopped: boolean;
  try {
    const pool = await startGradientPool(o);
    try {
      stopped = await runSteps(o, run, optimizer, pool, checkpoints);
    } finally {
      await pool?.close();
    }
  } catch (error) {
    disposeRun(run, optimizer);
    throw error;
  }
  optimizer.dispose(run.adamState);
  return {
    network: o.network,
    ema: run.ema,
    step: run.step,
    imagesSeen: run.imagesSeen,
    lossHistory: Float64Array.from(run.lossHistory),
    checkpoint: checkpoints.last,
    stopped,
  };
}
