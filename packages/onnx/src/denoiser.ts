import { arrayOpsFor, ParameterError, type BatchDenoiser, type Denoiser } from '@edmkit/core';
import { precondition, preconditionBatch, type Preconditioner } from '@edmkit/precond';
import { onnxNetwork, type OnnxNetworkOptions } from './onnx-network.js';
import { denoisedChannels } from './output-channels.js';

/** Options of {@link onnxDenoiser} and {@link onnxBatchDenoiser}. */
export interface OnnxDenoiserOptions extends OnnxNetworkOptions {
  /** The preconditioning the network was trained with (e.g. `edmPrecond()`). */
  readonly precond: Preconditioner;
}

function checkPrecond(precond: unknown): Preconditioner {
  const p = precond as Partial<Preconditioner> | null;
  const fns = ['cSkip', 'cOut', 'cIn', 'cNoise'] as const;
  if (p == null || typeof p !== 'object' || fns.some((f) => typeof p[f] !== 'function')) {
    throw new ParameterError(
      'precond',
      'a Preconditioner (cSkip, cOut, cIn, cNoise), e.g. edmPrecond()',
      precond,
    );
  }
  return p as Preconditioner;
}

function parts(options: OnnxDenoiserOptions) {
  const F = onnxNetwork(options);
  const precond = checkPrecond(options.precond);
  const keep = denoisedChannels(options.config);
  const ops = arrayOpsFor(options.config.inputShape.reduce((a, b) => a * b, 1));
  return { F, precond, keep, ops };
}

/**
 * An edmkit denoiser D(x; σ) from an exported network run by ONNX Runtime (paper Eq. 7):
 *
 *     D(x; σ) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x; c_noise(σ))
 *
 * over flat float64 arrays of whole samples, batch first, channels last (`arrayOps`
 * layout), for the samplers of `@edmkit/solvers`. F runs in float32 in the session; the
 * preconditioning is `@edmkit/precond`'s `precondition`. With outChannels = 2C (iDDPM's
 * learned variance) the first C channels are used. Asynchronous (returns a promise).
 *
 * @param options - session, ort (module or Tensor), config, precond, class labels
 * @example
 * const session = await ort.InferenceSession.create(exportOnnx(network));
 * const D = onnxDenoiser({ session, ort, config: network.config, precond: edmPrecond() });
 * const { x } = await heun().sample({ ops: arrayOps, denoiser: D, x: latents, sigmas });
 * @see https://arxiv.org/abs/2206.00364
 */
export function onnxDenoiser(options: OnnxDenoiserOptions): Denoiser<Float64Array> {
  const { F, precond, keep, ops } = parts(options);
  return precondition(
    async (xIn: Float64Array, cNoise: number) => keep(await F(xIn, cNoise)),
    precond,
    ops,
  );
}

/**
 * As {@link onnxDenoiser}, with one noise level per sample (σ[b] for sample b), as training
 * losses and per-sample samplers need it: `@edmkit/precond`'s `preconditionBatch` around
 * the session.
 *
 * @param options - session, ort (module or Tensor), config, precond, class labels
 * @example
 * const Db = onnxBatchDenoiser({ session, ort, config: network.config, precond: edmPrecond() });
 * const denoised = await Db(x, new Float64Array([0.5, 2.5]));
 * @see https://arxiv.org/abs/2206.00364
 */
export function onnxBatchDenoiser(options: OnnxDenoiserOptions): BatchDenoiser<Float64Array> {
  const { F, precond, keep, ops } = parts(options);
  return preconditionBatch(
    async (xIn: Float64Array, cNoise: Float64Array) => keep(await F(xIn, cNoise)),
    precond,
    ops,
  );
}
