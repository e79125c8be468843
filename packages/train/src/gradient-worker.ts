/**
 * The worker thread of data-parallel training ({@link GradientPool}): it holds a copy of
 * the network and, for each job, loads the weights it is sent and computes the loss and
 * gradient of its slice of the batch — the same tfjs computation as the single-thread step,
 * on the slice's σ, noise and coefficients drawn by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { denoisingLoss } from '@edmkit/losses';
import { preconditionBatch, type Preconditioner } from '@edmkit/precond';
import {
  buildNetwork,
  registerTrainingKernels,
  selectBackend,
  tfjsOps,
  type NetworkConfig,
} from '@edmkit/unet';
import type { GradientJob, GradientReply, WorkerInit } from './gradient-protocol.js';
import { reduceLoss } from './gradients.js';

const init = workerData as WorkerInit;
const port = parentPort!;

/** A lookup "preconditioner" (and weighting) over the coefficients the main thread computed. */
function table(sigma: Float64Array, values: Record<string, Float64Array>) {
  const index = new Map<number, number>();
  sigma.forEach((s, b) => index.set(s, b));
  const at = (name: string) => (s: number) => values[name]![index.get(s)!]!;
  return {
    precond: {
      name: 'table',
      sigmaMin: 0,
      sigmaMax: Infinity,
      cSkip: at('cSkip'),
      cOut: at('cOut'),
      cIn: at('cIn'),
      cNoise: at('cNoise'),
      roundSigma: (s: number) => s,
    } satisfies Preconditioner,
    weighting: { name: 'table', weight: at('weight') },
  };
}

async function main(): Promise<void> {
  await selectBackend({ prefer: init.backend, env: undefined, log: () => {} });
  registerTrainingKernels();
  const network = buildNetwork(init.config as NetworkConfig);
  const weights = network.trainableWeights;
  port.on('message', (job: GradientJob) => {
    try {
      weights.forEach((w, i) => {
        // assign() shares the new tensor's data: dispose it, or every step's weights stay alive.
        const value = tf.tensor(job.weights[i]!, w.shape, 'float32');
        w.assign(value);
        value.dispose();
      });
      const { precond, weighting } = table(job.sigma, job.coefficients);
      const F = (xIn: tf.Tensor, cNoise: Float64Array): tf.Tensor =>
        network.apply(xIn, tf.tensor1d(Float32Array.from(cNoise), 'float32'), {
          training: true,
          seed: job.dropoutSeed,
          ...(job.augmentLabels && {
            augmentLabels: tf.tensor2d(
              job.augmentLabels,
              [job.shape[0]!, job.augmentLabels.length / job.shape[0]!],
              'float32',
            ),
          }),
        });
      const D = preconditionBatch(F, precond, tfjsOps);
      const { value, grads } = tf.variableGrads(() => {
        const y = tf.tensor(job.y, [...job.shape], 'float32');
        const noise = tf.tensor(job.noise, [...job.shape], 'float32');
        const result = denoisingLoss({
          ops: tfjsOps,
          denoiser: D,
          y,
          sigma: job.sigma,
          noise,
          weighting,
        });
        if (result instanceof Promise) throw new Error('the network must be synchronous');
        return reduceLoss(result.loss, job.batchSize);
      }, weights as tf.Variable[]);
      const out = weights.map((w) => {
        const g = grads[w.name];
        return g === undefined ? new Float32Array(w.size) : (g.dataSync() as Float32Array).slice();
      });
      const reply: GradientReply = { loss: value.dataSync()[0]!, grads: out };
      tf.dispose([value, ...Object.values(grads)]);
      port.postMessage(
        reply,
        out.map((g) => g.buffer),
      );
    } catch (error) {
      const reply: GradientReply = {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      port.postMessage(reply);
    }
  });
  port.postMessage({ ready: true });
}

main().catch((error: unknown) => {
  port.postMessage({
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
});
