import { ParameterError } from '@edmkit/core';
import type { NetworkConfig } from '@edmkit/unet';

/**
 * The part of F's output a denoiser uses: all of it when outChannels equals the input's
 * channels, else the first C channels of every position (iDDPM's learned-variance
 * networks output 2C; the official preconditioning keeps `F_x[:, :C]`).
 */
export function denoisedChannels(config: NetworkConfig): (y: Float64Array) => Float64Array {
  const shape = config.inputShape;
  const channels = shape[shape.length - 1]!;
  const out = config.outChannels;
  if (out < channels) {
    throw new ParameterError(
      'config.outChannels',
      `at least the input's ${channels} channels`,
      out,
    );
  }
  if (out === channels) return (y) => y;
  return (y) => {
    const positions = y.length / out;
    const kept = new Float64Array(positions * channels);
    for (let p = 0; p < positions; p++)
      kept.set(y.subarray(p * out, p * out + channels), p * channels);
    return kept;
  };
}
