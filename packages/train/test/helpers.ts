import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@edmkit/core';
import { edmWeighting, logNormal } from '@edmkit/losses';
import { edmPrecond } from '@edmkit/precond';
import { mlp, type Network } from '@edmkit/unet';
import { samplerSource, type TrainOptions } from '@edmkit/train';

/** A small MLP denoiser for 2-d data (≈ 0.4 k parameters). */
export function tinyNetwork(seed = 1, hidden = 16): Network {
  return mlp({ dim: 2, hidden, layers: 2, embeddingDim: 8, seed });
}

/** Two Gaussian blobs at (±0.5, 0), std 0.1, one sample per stream. */
export function blobs(rngs: readonly Rng[]): Float64Array {
  const out = new Float64Array(rngs.length * 2);
  rngs.forEach((r, b) => {
    out[2 * b] = (r.uniform() < 0.5 ? -0.5 : 0.5) + 0.1 * r.normal();
    out[2 * b + 1] = 0.1 * r.normal();
  });
  return out;
}

/** The training options shared by the tests (EDM configuration, tiny budget). */
export function baseOptions(network: Network, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    network,
    precond: edmPrecond(),
    distribution: logNormal(),
    weighting: edmWeighting(),
    data: samplerSource({ shape: [2], sample: blobs }),
    totalImages: 128,
    batchSize: 16,
    seed: 11,
    lr: 1e-2,
    lrRampupImages: 64,
    emaHalfLifeImages: 100,
    progress: false,
    workers: 1,
    ...extra,
  };
}

/** Copies of every weight (trainable or not) of a network. */
export function weightValues(network: Network): Float32Array[] {
  return network.model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

/** Bitwise equality of two lists of float32 arrays (NaN-safe, distinguishes ±0). */
export function sameBits(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) return false;
    const xb = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
    return xb.every((v, k) => v === yb[k]);
  });
}

/** A fresh temporary directory. */
export function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(tmpdir(), 'edmkit-train-test-'));
}

/** Uses the deterministic single-threaded backend every test compares bits on. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
}
