import { checkNumber, checkPositive } from '@edmkit/core';

/** Options of {@link lrRampup}. */
export interface LrRampupOptions {
  /** Base learning rate (default 10⁻³, the official CIFAR-10 setting). */
  readonly lr?: number;
  /** Images over which the rate ramps up linearly from 0 (default 10⁷ = 10 M images). */
  readonly rampupImages?: number;
}

/** A learning-rate schedule returned by {@link lrRampup}. */
export interface LrRampup {
  readonly name: 'lr-rampup';
  /** Base learning rate. */
  readonly lr: number;
  /** Length of the linear ramp in images. */
  readonly rampupImages: number;
  /** The learning rate of the step taken after `imagesSeen` images. */
  at(imagesSeen: number): number;
}

/**
 * Linear learning-rate warm-up: the rate grows linearly with the number of images
 * seen and stays at `lr` after `rampupImages`.
 *
 * Paper: Appendix F, training hyperparameters ("LR ramp-up"); numerics guide: “Learning rate ramp-up”; official `training_loop.py`:
 * lr(n) = lr · min(n / max(rampupImages, 10⁻⁸), 1), n = images seen *before* the
 * step. As in the official code the first step (n = 0) therefore has rate 0 even
 * with `rampupImages = 0` (Adam's moments still take in its gradient).
 *
 * @param options.lr - base rate > 0 (default 10⁻³)
 * @param options.rampupImages - ramp length in images ≥ 0 (default 10⁷)
 * @example
 * const lr = lrRampup({ lr: 1e-3, rampupImages: 1e4 });
 * lr.at(2500); // 2.5e-4
 * @see https://arxiv.org/abs/2206.00364
 */
export function lrRampup(options: LrRampupOptions = {}): LrRampup {
  const lr = checkPositive('lr', options.lr ?? 1e-3);
  const rampupImages = checkNumber('rampupImages', options.rampupImages ?? 10e6, { min: 0 });
  return Object.freeze({
    name: 'lr-rampup' as const,
    lr,
    rampupImages,
    at(imagesSeen: number): number {
      checkNumber('imagesSeen', imagesSeen, { min: 0 });
      return lr * Math.min(imagesSeen / Math.max(rampupImages, 1e-8), 1);
    },
  });
}
