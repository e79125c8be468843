import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import { buildNetwork, loadNetwork, type Network } from '@edmkit/unet';
import type { Adam, AdamState } from './adam.js';
import { readCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
import { firstDifference, jsonClone } from './config.js';
import { CheckpointError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { listCheckpoints, removeStaleTemporaries, resolveCheckpoint } from './run-dir.js';

/** Where a run stands: its position, loss history, EMA and Adam state. The loop moves it on. */
export interface RunState {
  /** Steps taken, counting those before any resume. */
  step: number;
  /** Images seen, counting those before any resume. */
  imagesSeen: number;
  /** Training objective of every step taken. */
  readonly lossHistory: number[];
  /** The EMA of the weights (owned by the run until it is returned). */
  readonly ema: Network;
  /** Adam's moments and step count. */
  readonly adamState: AdamState;
  /** Where checkpoints go; undefined: nowhere. */
  readonly runDir: string | undefined;
  /** The checkpoint the run was resumed from, if any. */
  readonly resumedFrom: string | undefined;
  /**
   * Images seen at the checkpoint of `runDir` that holds this very state (the one resumed
   * from, when it lies in `runDir`), else −1: no checkpoint is written twice.
   */
  readonly savedImages: number;
}

/**
 * Starts a run: fresh (the EMA a copy of the network, Adam's moments zero) or, with
 * `resume`, restored from a checkpoint — network and EMA weights, Adam state, position and
 * loss history — after checking that it was written by the same configuration. Refuses a
 * checkpoint directory that holds another run's checkpoints (they would be pruned), and
 * clears what interrupted writes left there. Leaves nothing allocated when it throws.
 *
 * @param o - the resolved options
 * @param optimizer - the Adam of the run (allocates the moments)
 * @param config - the run's configuration, as `runConfig` gives it
 */
export async function startRun(
  o: ResolvedOptions,
  optimizer: Adam,
  config: Record<string, unknown>,
): Promise<RunState> {
  const { network } = o;
  const weightShapes = network.trainableWeights.map((w) => [...w.shape]);
  let ema: Network | undefined;
  let adamState: AdamState | undefined;
  try {
    let run: RunState;
    if (o.resume !== undefined) {
      const checkpoint = await readCheckpoint(await resolveCheckpoint(o.resume));
      checkCompatible(checkpoint, config, weightShapes);
      await restoreWeights(network, checkpoint.networkDir, checkpoint.dir);
      ema = await loadNetwork(checkpoint.emaDir);
      checkSameWeights(ema, weightShapes, checkpoint.dir);
      adamState = optimizer.init(network.trainableWeights);
      restoreAdam(adamState, checkpoint);
      const ownRunDir = path.dirname(checkpoint.dir);
      const runDir = o.checkpointDir ?? ownRunDir;
      const sameDir = path.resolve(ownRunDir) === path.resolve(runDir);
      // Continuing into another directory: never prune checkpoints of some other run there.
      if (!sameDir && (await listCheckpoints(runDir)).length > 0) {
        throw new ParameterError(
          'checkpointDir',
          `a directory without checkpoints, or the run directory of the checkpoint resumed (${ownRunDir})`,
          runDir,
        );
      }
      run = {
        step: checkpoint.state.step,
        imagesSeen: checkpoint.state.imagesSeen,
        lossHistory: Array.from(checkpoint.lossHistory),
        ema,
        adamState,
        runDir,
        resumedFrom: checkpoint.dir,
        savedImages: sameDir ? checkpoint.state.imagesSeen : -1,
      };
    } else {
      const runDir = o.checkpointDir;
      if (runDir !== undefined && (await listCheckpoints(runDir)).length > 0) {
        throw new ParameterError(
          'checkpointDir',
          'a directory without checkpoints (pass resume to continue the run it holds)',
          runDir,
        );
      }
      ema = cloneNetwork(network);
      checkSameWeights(ema, weightShapes, 'the EMA copy');
      adamState = optimizer.init(network.trainableWeights);
      run = {
        step: 0,
        imagesSeen: 0,
        lossHistory: [],
        ema,
        adamState,
        runDir,
        resumedFrom: undefined,
        savedImages: -1,
      };
    }
    if (run.runDir !== undefined) await removeStaleTemporaries(run.runDir);
    return run;
  } catch (error) {
    if (adamState !== undefined) optimizer.dispose(adamState);
    ema?.dispose();
    throw error;
  }
}

/** Releases what a run holds (on failure: the caller gets no EMA). */
export function disposeRun(run: RunState, optimizer: Adam): void {
  optimizer.dispose(run.adamState);
  run.ema.dispose();
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
