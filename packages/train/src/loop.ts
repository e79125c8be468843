import type { Adam } from './adam.js';
import type { Checkpointing } from './checkpointing.js';
import { emaHalfLife } from './ema.js';
import type { GradientPool } from './gradient-pool.js';
import { lrRampup } from './lr-rampup.js';
import type { ResolvedOptions } from './options.js';
import { createProgress, type StepInfo } from './progress.js';
import type { RunState } from './resume.js';
import { trainingStep } from './step.js';

/**
 * The step loop: steps until `totalImages` images are seen or `signal` aborts, each with
 * the learning rate and EMA β of the images seen before it; after each, progress,
 * `onStep`, and a checkpoint when one is due; a last checkpoint at the end (also when
 * stopped). Moves `run` on.
 *
 * @returns whether the run stopped early on `signal`
 */
export async function runSteps(
  o: ResolvedOptions,
  run: RunState,
  optimizer: Adam,
  pool: GradientPool | undefined,
  checkpoints: Checkpointing,
): Promise<boolean> {
  const { batchSize } = o;
  const lrSchedule = lrRampup({ lr: o.lr, rampupImages: o.lrRampupImages });
  const emaSchedule = emaHalfLife({
    halfLifeImages: o.emaHalfLifeImages,
    rampupRatio: o.emaRampupRatio,
  });
  const progress = createProgress(o.progress, o.logEvery);
  const startedAt = performance.now();
  const imagesAtStart = run.imagesSeen;
  let stopped = false;
  try {
    while (run.imagesSeen < o.totalImages) {
      if (o.signal?.aborted === true) {
        stopped = true;
        break;
      }
      const lr = lrSchedule.at(run.imagesSeen);
      const { loss, gradNorm } = await trainingStep({
        o,
        step: run.step,
        imagesSeen: run.imagesSeen,
        lr,
        beta: emaSchedule.beta(run.imagesSeen, batchSize),
        adamState: run.adamState,
        optimizer,
        ema: run.ema,
        lastCheckpoint: checkpoints.last,
        pool,
      });
      run.step += 1;
      run.imagesSeen += batchSize;
      run.lossHistory.push(loss);
      const seconds = (performance.now() - startedAt) / 1000;
      const info: StepInfo = {
        step: run.step,
        imagesSeen: run.imagesSeen,
        totalImages: o.totalImages,
        loss,
        lr,
        gradNorm,
        imagesPerSecond: seconds > 0 ? (run.imagesSeen - imagesAtStart) / seconds : 0,
      };
      progress.update(info);
      if (o.onStep !== undefined) await o.onStep(info);
      if (checkpoints.due(run.imagesSeen)) await checkpoints.save();
    }
    await checkpoints.save();
  } finally {
    progress.stop();
  }
  return stopped;
}
