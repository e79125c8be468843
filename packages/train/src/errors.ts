import { EdmkitError } from '@edmkit/core';

/**
 * The training loss became NaN or ±∞ (or, with non-finite gradient replacement
 * off, the gradient did). The run stops before the step's update is applied, no
 * checkpoint is written, and the last good checkpoint on disk is left untouched, so
 * `train({ ..., resume })` from it (with, say, a lower learning rate) continues
 * from before the divergence.
 */
export class NonFiniteLossError extends EdmkitError {
  override readonly name: string = 'NonFiniteLossError';
  /** Index of the step whose loss was not finite (0-based; the step was not applied). */
  readonly step: number;
  /** Images seen before that step. */
  readonly imagesSeen: number;
  /** The offending value (NaN, Infinity or −Infinity). */
  readonly loss: number;
  /** What was not finite: the loss, or the gradient's global norm. */
  readonly quantity: 'loss' | 'gradient';
  /** Directory of the last good checkpoint, when there is one. */
  readonly lastCheckpoint: string | undefined;

  constructor(
    step: number,
    imagesSeen: number,
    loss: number,
    lastCheckpoint: string | undefined,
    quantity: 'loss' | 'gradient' = 'loss',
  ) {
    super(
      `training ${quantity === 'loss' ? 'loss' : 'gradient norm'} is ${loss} at step ${step} (${imagesSeen} images seen); the step was not applied` +
        (lastCheckpoint === undefined ? '' : `; last good checkpoint: ${lastCheckpoint}`),
    );
    this.step = step;
    this.imagesSeen = imagesSeen;
    this.loss = loss;
    this.quantity = quantity;
    this.lastCheckpoint = lastCheckpoint;
  }
}

/**
 * A checkpoint cannot be used: missing, incomplete or corrupted files, or saved by a
 * run whose network or settings differ from the one resuming it. The message names
 * the path and what is wrong.
 */
export class CheckpointError extends EdmkitError {
  override readonly name: string = 'CheckpointError';
  /** The checkpoint (or run) directory. */
  readonly path: string;
  /** What is wrong, e.g. `'missing'`, `'corrupt'`, `'mismatch'`. */
  readonly reason: 'missing' | 'corrupt' | 'mismatch';

  constructor(path: string, reason: 'missing' | 'corrupt' | 'mismatch', detail: string) {
    super(`checkpoint ${path}: ${detail}`);
    this.path = path;
    this.reason = reason;
  }
}
