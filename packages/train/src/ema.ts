import { checkInteger, checkNumber, ParameterError } from '@edmkit/core';

/** Options of {@link emaHalfLife}. */
export interface EmaHalfLifeOptions {
  /** Half-life of the average in images (default 5·10⁵ = 0.5 M images, the official CIFAR-10 setting). */
  readonly halfLifeImages?: number;
  /**
   * Ramp-up ratio: the half-life is capped at `rampupRatio` × images seen so far
   * (default 0.05, as the official code); `null` disables the ramp-up.
   */
  readonly rampupRatio?: number | null;
}

/** An EMA schedule returned by {@link emaHalfLife}. */
export interface EmaHalfLife {
  readonly name: 'ema-half-life';
  readonly halfLifeImages: number;
  readonly rampupRatio: number | null;
  /** The effective half-life in images after `imagesSeen` images (with the ramp-up cap). */
  halfLife(imagesSeen: number): number;
  /** The decay β of the EMA update of the step taken after `imagesSeen` images of `batchSize`. */
  beta(imagesSeen: number, batchSize: number): number;
}

/**
 * Exponential moving average of the weights with a half-life measured in images,
 * and the paper's ramp-up that keeps the average short early in training.
 *
 * Paper: Appendix F, training hyperparameters ("EMA half-life"); numerics guide: “EMA half-life”; official `training_loop.py`:
 * h(n) = min(halfLifeImages, rampupRatio · n), β = 0.5^(batch / max(h, 10⁻⁸)),
 * θ_ema ← β·θ_ema + (1 − β)·θ, with n the images seen *before* the step — so the
 * first update (n = 0, β = 0) copies the network.
 *
 * @param options.halfLifeImages - half-life in images ≥ 0 (default 5·10⁵)
 * @param options.rampupRatio - ratio > 0, or null for none (default 0.05)
 * @example
 * const ema = emaHalfLife({ halfLifeImages: 5e5, rampupRatio: 0.05 });
 * ema.beta(1e6, 512); // 0.5^(512/50000) ≈ 0.99293
 * @see https://arxiv.org/abs/2206.00364
 */
export function emaHalfLife(options: EmaHalfLifeOptions = {}): EmaHalfLife {
  const halfLifeImages = checkNumber('halfLifeImages', options.halfLifeImages ?? 5e5, { min: 0 });
  const ratio = options.rampupRatio === undefined ? 0.05 : options.rampupRatio;
  if (ratio !== null && (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio))) {
    throw new ParameterError('rampupRatio', 'a finite number > 0 or null', ratio);
  }
  const rampupRatio: number | null = ratio;
  const halfLife = (imagesSeen: number): number => {
    checkNumber('imagesSeen', imagesSeen, { min: 0 });
    return rampupRatio === null
      ? halfLifeImages
      : Math.min(halfLifeImages, imagesSeen * rampupRatio);
  };
  return Object.freeze({
    name: 'ema-half-life' as const,
    halfLifeImages,
    rampupRatio,
    halfLife,
    beta(imagesSeen: number, batchSize: number): number {
      checkInteger('batchSize', batchSize, 1);
      return 0.5 ** (batchSize / Math.max(halfLife(imagesSeen), 1e-8));
    },
  });
}
