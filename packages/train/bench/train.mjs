// Training throughput (images/s) and checkpoint cost of @edmkit/train on this machine.
// Run: pnpm --filter @edmkit/train bench   (builds, then runs on dist/)
// Backends: cpu and wasm (set EDMKIT_BENCH_BACKENDS=cpu to skip wasm).
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { edmWeighting, logNormal } from '@edmkit/losses';
import { edmPrecond } from '@edmkit/precond';
import { ddpmppSmall, mlp, selectBackend } from '@edmkit/unet';
import { readCheckpoint, samplerSource, train } from '../dist/index.js';

const backends = (process.env.EDMKIT_BENCH_BACKENDS ?? 'cpu,wasm').split(',');

function blobs(dim) {
  return (rngs) => {
    const out = new Float64Array(rngs.length * dim);
    rngs.forEach((r, b) => {
      const s = r.uniform() < 0.5 ? -0.5 : 0.5;
      for (let i = 0; i < dim; i++) out[b * dim + i] = s + 0.1 * r.normal();
    });
    return out;
  };
}

/** Trains `steps` steps after `warmup`, returns steady-state images/s and ms/step. */
async function throughput(makeNetwork, shape, batchSize, steps, warmup = 2) {
  const network = makeNetwork();
  const dim = shape.reduce((a, b) => a * b, 1);
  const times = [];
  let last = performance.now();
  const { ema } = await train({
    network,
    precond: edmPrecond(),
    distribution: logNormal(),
    weighting: edmWeighting(),
    data: samplerSource({ shape, sample: blobs(dim) }),
    totalImages: (steps + warmup) * batchSize,
    batchSize,
    progress: false,
    onStep: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  const steady = times.slice(warmup);
  const ms = steady.reduce((a, b) => a + b, 0) / steady.length;
  const params = network.countParams();
  ema.dispose();
  network.dispose();
  return { params, msPerStep: ms, imagesPerSecond: (1000 * batchSize) / ms };
}

/** Time to write one checkpoint and to resume from it, for a network. */
async function checkpointCost(makeNetwork, shape, batchSize) {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'edmkit-train-bench-'));
  const dim = shape.reduce((a, b) => a * b, 1);
  const options = (network, extra) => ({
    network,
    precond: edmPrecond(),
    distribution: logNormal(),
    weighting: edmWeighting(),
    data: samplerSource({ shape, sample: blobs(dim) }),
    totalImages: batchSize,
    batchSize,
    progress: false,
    ...extra,
  });
  try {
    const network = makeNetwork();
    let stepEnd = 0;
    const t0 = performance.now();
    const r = await train(
      options(network, { checkpointDir: dir, onStep: () => void (stepEnd = performance.now()) }),
    );
    const writeMs = performance.now() - stepEnd;
    const ck = await readCheckpoint(r.checkpoint);
    let bytes = 0;
    for (const [, f] of Object.entries(
      JSON.parse(await fs.readFile(path.join(ck.dir, 'manifest.json'), 'utf8')).files,
    ))
      bytes += f.bytes;
    r.ema.dispose();
    const t1 = performance.now();
    const again = await train(options(network, { resume: dir }));
    const resumeMs = performance.now() - t1;
    again.ema.dispose();
    network.dispose();
    void t0;
    return { writeMs, resumeMs, megabytes: bytes / 2 ** 20 };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const configs = [
  {
    label: 'mlp d=2 (default, 3×256)',
    make: () => mlp({ dim: 2, seed: 1 }),
    shape: [2],
    batch: 256,
    steps: 20,
  },
  {
    label: 'mlp d=784 (3×256)',
    make: () => mlp({ dim: 784, seed: 1 }),
    shape: [784],
    batch: 64,
    steps: 10,
  },
  {
    label: 'ddpmppSmall 28×28×1',
    make: () => ddpmppSmall({ seed: 1 }),
    shape: [28, 28, 1],
    batch: 8,
    steps: 3,
    warmup: 1,
  },
];

console.log('| backend | network | params | batch | ms/step | images/s |');
console.log('|---|---|---|---|---|---|');
for (const backend of backends) {
  try {
    await selectBackend({ prefer: backend, env: undefined });
  } catch (error) {
    console.log(`| ${backend} | unavailable: ${error.message} | | | | |`);
    continue;
  }
  for (const c of configs) {
    const r = await throughput(c.make, c.shape, c.batch, c.steps, c.warmup);
    console.log(
      `| ${tf.getBackend()} | ${c.label} | ${r.params} | ${c.batch} | ${r.msPerStep.toFixed(1)} | ${r.imagesPerSecond.toFixed(1)} |`,
    );
  }
}

await selectBackend({ prefer: backends[0], env: undefined });
console.log('');
console.log('| network | checkpoint size (MiB) | write (ms) | resume (ms) |');
console.log('|---|---|---|---|');
for (const c of configs) {
  const r = await checkpointCost(c.make, c.shape, Math.min(c.batch, 8));
  console.log(
    `| ${c.label} | ${r.megabytes.toFixed(2)} | ${r.writeMs.toFixed(0)} | ${r.resumeMs.toFixed(0)} |`,
  );
}
