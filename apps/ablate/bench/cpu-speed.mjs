// CPU speed of edmkit against PyTorch on the same network (ddpmppSmall, 28×28×1):
// training images/s (edmkit's train(): preconditioning, EDM loss, Adam, EMA) and EDM-Heun
// sampling images/s (35 NFE), per backend and training worker count, and the same figures for the PyTorch model in
// bench/reference/ when Debian's python3-torch is importable. The two sides alternate, and the
// ratios compare the best figure of each side measured in this run.
//
// Run: pnpm bench     (BENCH_SECONDS per measurement, default 20; BENCH_ROUNDS, default 2;
//                      BENCH_TRAIN_BATCH, default 8; BENCH_SAMPLE_BATCH, default 64)
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { arrayOps, sampleRngs } from '@edmkit/core';
import { exportOnnx, onnxDenoiser } from '@edmkit/onnx';
import { edmWeighting, logNormal } from '@edmkit/losses';
import { edmPrecond, precondition } from '@edmkit/precond';
import { heun } from '@edmkit/solvers';
import { samplerSource, train } from '@edmkit/train';
import { ddpmppSmall, rawNetwork, selectBackend, tfjsOps } from '@edmkit/unet';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const trainBatch = Number(process.env.BENCH_TRAIN_BATCH ?? 8);
const sampleBatch = Number(process.env.BENCH_SAMPLE_BATCH ?? 64);
const nfe = 35;
const workerCounts = [...new Set([1, availableParallelism()])];
const python = '/usr/bin/python3';
const torchScript = join(root, 'bench', 'reference', 'torch_bench.py');

const log = (s) => process.stderr.write(`${s}\n`);

/** Training images/s of edmkit's train() on ddpmppSmall, timed after two warm-up steps. */
async function edmkitTrain(batch, workers) {
  const network = ddpmppSmall({ seed: 1 });
  const per = 28 * 28;
  const times = [];
  const steps = Math.max(4, Math.ceil((seconds * 20) / batch)); // generous; stopped by time
  const started = performance.now();
  try {
    await train({
      network,
      precond: edmPrecond(),
      distribution: logNormal(),
      weighting: edmWeighting(),
      data: samplerSource({
        shape: [28, 28, 1],
        sample: (rngs) => {
          const out = new Float64Array(rngs.length * per);
          rngs.forEach((rng, b) => rng.fillNormal(out, b * per, per));
          return out;
        },
      }),
      totalImages: steps * batch,
      batchSize: batch,
      lr: 1e-4,
      progress: false,
      workers,
      onStep: () => {
        times.push(performance.now());
        if (times.length > 3 && performance.now() - times[2] > seconds * 1000)
          throw new StopBench();
      },
    });
  } catch (error) {
    if (!(error instanceof StopBench)) throw error;
  } finally {
    network.dispose();
  }
  const timed = times.length - 3;
  const elapsed = (times.at(-1) - times[2]) / 1000;
  log(
    `  edmkit train (${workers} worker(s)): ${timed} steps in ${elapsed.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s with warm-up)`,
  );
  return { imagesPerS: (timed * batch) / elapsed };
}

class StopBench extends Error {}

/** EDM-Heun sampling images/s: forward images/s of the preconditioned network at the batch, over 35 NFE. */
async function edmkitSample(batch) {
  const network = ddpmppSmall({ seed: 1 });
  const denoiser = precondition(rawNetwork(network), edmPrecond(), tfjsOps);
  const x = tfjsOps.randnLike(tf.zeros([batch, 28, 28, 1]), sampleRngs(3, batch));
  const x0 = tfjsOps.combine([[80, x]]);
  const sigmas = [80, 20, 5, 1, 0.2, 0]; // 5 steps: 9 NFE of Heun
  const solver = heun();
  try {
    await solver
      .sample({ ops: tfjsOps, denoiser, x: x0, sigmas })
      .then(({ x: out }) => out.dispose()); // warm-up
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      const { x: out, nfe: used } = await solver.sample({ ops: tfjsOps, denoiser, x: x0, sigmas });
      out.dataSync();
      out.dispose();
      calls += used;
    }
    const elapsed = (performance.now() - t0) / 1000;
    const forward = (calls * batch) / elapsed;
    log(`  edmkit sample: ${calls} evaluations of batch ${batch} in ${elapsed.toFixed(1)} s`);
    return { imagesPerS: forward / nfe, forwardImagesPerS: forward };
  } finally {
    tf.dispose([x, x0]);
    network.dispose();
  }
}

/** EDM-Heun sampling images/s through ONNX Runtime (onnxruntime-node, CPU) on float64 arrays. */
async function onnxSample(batch, threads) {
  const ort = await import('onnxruntime-node');
  const network = ddpmppSmall({ seed: 1 });
  const bytes = exportOnnx(network);
  const config = network.config;
  network.dispose();
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const denoiser = onnxDenoiser({ session, ort, config, precond: edmPrecond() });
  const per = 28 * 28;
  const z = arrayOps.randnLike(new Float64Array(batch * per), sampleRngs(3, batch));
  const x0 = z.map((v) => 80 * v);
  const sigmas = [80, 20, 5, 1, 0.2, 0];
  const solver = heun();
  await solver.sample({ ops: arrayOps, denoiser, x: x0, sigmas }); // warm-up
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const { nfe: used } = await solver.sample({ ops: arrayOps, denoiser, x: x0, sigmas });
    calls += used;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const forward = (calls * batch) / elapsed;
  log(
    `  onnx sample (${threads} thread(s)): ${calls} evaluations of batch ${batch} in ${elapsed.toFixed(1)} s`,
  );
  await session.release?.();
  return { imagesPerS: forward / nfe, forwardImagesPerS: forward };
}

function torchAvailable() {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function torchRun(mode, batch, threads) {
  const out = execFileSync(
    python,
    [
      torchScript,
      '--mode',
      mode,
      '--batch',
      String(batch),
      '--threads',
      String(threads),
      '--seconds',
      String(seconds),
      '--nfe',
      String(nfe),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** One edmkit measurement in a fresh process: its figure and the process's peak resident memory. */
function edmkitRun(task, backend, batch, workers) {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--measure', task, backend, String(batch), String(workers)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

const measure = process.argv.indexOf('--measure');
if (measure > 0) {
  const [task, backend, batch, workers] = process.argv.slice(measure + 1);
  if (backend !== 'onnxruntime')
    await selectBackend({ prefer: backend, env: undefined, log: () => {} });
  const result =
    task === 'train'
      ? await edmkitTrain(Number(batch), Number(workers))
      : task === 'onnx'
        ? await onnxSample(Number(batch), Number(workers))
        : await edmkitSample(Number(batch));
  process.stdout.write(
    `${JSON.stringify({ ...result, peakMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
  process.exit(0);
}

const rows = [];
const best = { edmkit: { train: 0, sample: 0 }, torch: { train: 0, sample: 0 } };
const torchVersion = torchAvailable();
const backends = [];
for (const prefer of ['wasm']) {
  try {
    const selected = await selectBackend({ prefer, env: undefined });
    backends.push(selected.tfjsBackend);
    log(`backend: ${selected.summary}`);
  } catch (error) {
    log(`(${prefer} unavailable: ${error.message})`);
  }
}
const params = (() => {
  const n = ddpmppSmall({ seed: 1 });
  const c = n.countParams();
  n.dispose();
  return c;
})();

let peakMb = 0;
for (let round = 1; round <= rounds; round++) {
  log(`round ${round} of ${rounds}`);
  for (const backend of backends) {
    for (const workers of workerCounts) {
      const t = edmkitRun('train', backend, trainBatch, workers);
      peakMb = Math.max(peakMb, t.peakMb);
      rows.push([
        'edmkit',
        `${backend}, ${workers} worker(s)`,
        'train',
        trainBatch,
        t.imagesPerS,
        t.peakMb,
      ]);
      best.edmkit.train = Math.max(best.edmkit.train, t.imagesPerS);
    }
    const s = edmkitRun('sample', backend, sampleBatch, 1);
    peakMb = Math.max(peakMb, s.peakMb);
    rows.push(['edmkit', backend, 'sample', sampleBatch, s.imagesPerS, s.peakMb]);
    best.edmkit.sample = Math.max(best.edmkit.sample, s.imagesPerS);
  }
  for (const threads of [...new Set([1, availableParallelism()])]) {
    const s = edmkitRun('onnx', 'onnxruntime', sampleBatch, threads);
    peakMb = Math.max(peakMb, s.peakMb);
    rows.push([
      'edmkit',
      `onnxruntime-node, ${threads} thread(s)`,
      'sample',
      sampleBatch,
      s.imagesPerS,
      s.peakMb,
    ]);
    best.edmkit.sample = Math.max(best.edmkit.sample, s.imagesPerS);
  }
  if (torchVersion) {
    for (const threads of [1, 2]) {
      const t = torchRun('train', trainBatch, threads);
      if (t.params !== params)
        throw new Error(`PyTorch model has ${t.params} parameters, edmkit ${params}`);
      rows.push([
        'pytorch',
        `${threads} thread(s)`,
        'train',
        trainBatch,
        t.images_per_s,
        undefined,
      ]);
      best.torch.train = Math.max(best.torch.train, t.images_per_s);
      const s = torchRun('sample', sampleBatch, threads);
      rows.push([
        'pytorch',
        `${threads} thread(s)`,
        'sample',
        sampleBatch,
        s.images_per_s,
        undefined,
      ]);
      best.torch.sample = Math.max(best.torch.sample, s.images_per_s);
    }
  }
}

console.log(`ddpmppSmall: ${params.toLocaleString('en-US')} parameters (edmkit)`);
console.log(
  `sampling: EDM Heun, ${nfe} NFE; ${seconds} s per measurement, ${rounds} rounds, sides alternating\n`,
);
console.log('| side | backend | task | batch | images/s | peak RSS |');
console.log('|---|---|---|---:|---:|---:|');
for (const [side, backend, task, batch, ips, mb] of rows)
  console.log(
    `| ${side} | ${backend} | ${task} | ${batch} | ${ips.toFixed(2)} | ${mb === undefined ? '—' : `${mb.toFixed(0)} MB`} |`,
  );
console.log(
  `\npeak resident memory of an edmkit measurement (workers included): ${peakMb.toFixed(0)} MB`,
);
if (!torchVersion) {
  console.log(
    `\nPyTorch: not importable by ${python} (apt-get install python3-torch); PyTorch side skipped`,
  );
} else {
  console.log(`\nPyTorch ${torchVersion} on ${python}`);
  console.log(`ratio train ddpmppSmall: ${(best.edmkit.train / best.torch.train).toFixed(3)}`);
  console.log(`ratio sample ddpmppSmall: ${(best.edmkit.sample / best.torch.sample).toFixed(3)}`);
}
