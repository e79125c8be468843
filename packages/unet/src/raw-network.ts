import * as tf from '@tensorflow/tfjs';
import { ParameterError } from '@edmkit/core';
import type { ApplyOptions, Network } from './types.js';

/**
 * A network as the raw function F(c_in·x; c_noise) of a sampler, with one c_noise
 * for the whole batch: what `precondition(F, precond, tfjsOps)` of `@edmkit/precond`
 * turns into a denoiser D(x; σ) for the samplers of `@edmkit/solvers`.
 *
 * Paper: Eq. 7, D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ)).
 * @param network - the trained network (e.g. the EMA network of `train`)
 * @param options - class / augmentation labels passed to every call (inference mode)
 * @example
 * const D = precondition(rawNetwork(ema), edmPrecond(), tfjsOps);
 * const { x } = await sample({ ops: tfjsOps, denoiser: D, latents, tSteps });
 * @see https://arxiv.org/abs/2206.00364
 */
export function rawNetwork(
  network: Network,
  options: Omit<ApplyOptions, 'training' | 'seed'> = {},
): (xIn: tf.Tensor, cNoise: number) => tf.Tensor {
  if (network == null || typeof network.apply !== 'function')
    throw new ParameterError('network', 'a Network', network);
  return (xIn, cNoise) => {
    if (!Number.isFinite(cNoise)) throw new ParameterError('cNoise', 'a finite number', cNoise);
    return tf.tidy(() =>
      network.apply(xIn, tf.fill<tf.Rank.R1>([xIn.shape[0] ?? 1], cNoise), options),
    );
  };
}
