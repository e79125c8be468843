import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveNetwork } from '@edmkit/unet';
import { train } from '@edmkit/train';
import { GradientPool } from '../src/gradient-pool.js';
import { baseOptions, tempDir, tinyNetwork, useCpu, weightValues } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'fixtures', 'train-child.mjs');
let dir: string;

beforeAll(async () => {
  await useCpu();
  dir = await tempDir();
  const network = tinyNetwork(8);
  await saveNetwork(network, path.join(dir, 'init'));
  network.dispose();
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(b[i]!)));
  return worst;
}

async function run(workers: number, extra = {}) {
  const network = tinyNetwork(3);
  const result = await train(baseOptions(network, { workers, totalImages: 160, ...extra }));
  const weights = weightValues(network);
  const ema = weightValues(result.ema);
  result.ema.dispose();
  network.dispose();
  return { loss: result.lossHistory, weights, ema };
}

describe('data-parallel training on worker threads', () => {
  it('gives the loss curve and weights of the one-thread run to float32 rounding, for 2 and 3 workers', async () => {
    const one = await run(1);
    for (const workers of [2, 3]) {
      const many = await run(workers);
      expect(many.loss).toHaveLength(10);
      expect(maxRel(many.loss, one.loss)).toBeLessThan(1e-5);
      many.weights.forEach((w, i) => expect(maxRel(w, one.weights[i]!)).toBeLessThan(1e-4));
      many.ema.forEach((w, i) => expect(maxRel(w, one.ema[i]!)).toBeLessThan(1e-4));
    }
    // A different seed changes the curve: the comparison above is not vacuous.
    const other = await run(2, { seed: 12 });
    expect(maxRel(other.loss, one.loss)).toBeGreaterThan(1e-3);
  }, 120_000);

  it('refuses a worker count that is not a positive integer', async () => {
    const network = tinyNetwork(3);
    for (const workers of [0, -1, 1.5, Number.NaN])
      await expect(train(baseOptions(network, { workers }))).rejects.toThrow(/workers must be/);
    network.dispose();
  });

  it('fails cleanly when a worker cannot start or a job fails, and stays failed', async () => {
    await expect(
      GradientPool.start(2, { config: { kind: 'no-such-network' }, backend: 'cpu' }),
    ).rejects.toThrow(/training worker failed/);
    const network = tinyNetwork(3);
    const pool = await GradientPool.start(2, { config: network.config, backend: 'cpu' });
    expect(pool.size).toBe(2);
    const bad = {
      weights: [new Float32Array(1)],
      y: new Float32Array(2),
      noise: new Float32Array(2),
      shape: [1, 2],
      sigma: Float64Array.of(1),
      coefficients: {
        cSkip: Float64Array.of(1),
        cOut: Float64Array.of(1),
        cIn: Float64Array.of(1),
        cNoise: Float64Array.of(0),
        weight: Float64Array.of(1),
      },
      batchSize: 1,
      dropoutSeed: 0,
    };
    await expect(pool.run([bad])).rejects.toThrow(/training worker failed/);
    await expect(pool.run([bad])).rejects.toThrow(/training worker failed/); // the pool stays failed
    await pool.close();
    network.dispose();
  }, 60_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`a ${signal} to a process training on workers ends it promptly, threads included`, async () => {
      const p = spawn(
        process.execPath,
        [child, path.join(dir, `run-${signal}`), path.join(dir, 'init'), 'fresh', '200', '2'],
        { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let sentAt = 0;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => p.on('close', (code, sig) => resolve({ code, signal: sig })),
      );
      p.stdout.setEncoding('utf8');
      p.stdout.on('data', (chunk: string) => {
        if (sentAt === 0 && chunk.includes('step 2')) {
          sentAt = performance.now();
          p.kill(signal);
        }
      });
      const result = await exited;
      expect(sentAt).toBeGreaterThan(0);
      expect(result.signal).toBe(signal);
      expect(performance.now() - sentAt).toBeLessThan(5000);
    }, 60_000);
  }
});
