import { saveNetwork } from '@edmkit/unet';
import { writeCheckpoint } from './checkpoint.js';
import type { ResolvedOptions } from './options.js';
import type { RunState } from './resume.js';

/** When and what the training loop checkpoints. */
export interface Checkpointing {
  /** The last checkpoint written or resumed from, if any. */
  readonly last: string | undefined;
  /** Whether the step that ended at `imagesSeen` crossed a multiple of `checkpointEvery`. */
  due(imagesSeen: number): boolean;
  /**
   * Writes a checkpoint of the run as it stands — atomically, then pruning to the newest
   * `keepCheckpoints` (`writeCheckpoint`) — unless there is no run directory or this
   * position is already on disk.
   */
  save(): Promise<void>;
}

/**
 * The checkpointing of a run: every `checkpointEvery` images (and at the end) into the run
 * directory, keeping the newest `keepCheckpoints`.
 *
 * @param o - the resolved options
 * @param run - the run; `save` writes its state at the time of the call
 * @param config - the run's configuration, stored in every checkpoint
 */
export function checkpointing(
  o: ResolvedOptions,
  run: RunState,
  config: Record<string, unknown>,
): Checkpointing {
  const { network, batchSize, checkpointEvery: every } = o;
  const weightShapes = network.trainableWeights.map((w) => [...w.shape]);
  let last = run.resumedFrom;
  let savedImages = run.savedImages;
  return {
    get last() {
      return last;
    },
    due: (imagesSeen) =>
      every !== undefined &&
      Math.floor(imagesSeen / every) > Math.floor((imagesSeen - batchSize) / every),
    async save() {
      const { runDir, step, imagesSeen, adamState, ema } = run;
      if (runDir === undefined || savedImages === imagesSeen) return;
      last = await writeCheckpoint(
        runDir,
        {
          state: { step, imagesSeen, adamStep: adamState.step, weightShapes, config },
          lossHistory: Float64Array.from(run.lossHistory),
          adamM: adamState.m.map((m) => Float32Array.from(m.dataSync() as Float32Array)),
          adamV: adamState.v.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
          saveNetwork: (dir) => saveNetwork(network, dir),
          saveEma: (dir) => saveNetwork(ema, dir),
        },
        o.keepCheckpoints,
      );
      savedImages = imagesSeen;
    },
  };
}
