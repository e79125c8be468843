// Time of each convolution gradient kernel against its forward counterpart on the wasm
// backend, for the convolution shapes of ddpmppSmall (batch 8): first with tfjs-backend-wasm's
// own kernels, then with the kernels registerTrainingKernels() installs (XNNPACK-based
// Conv2DBackpropInput, im2col + matmul Conv2DBackpropFilter), in the same process.
// Run: pnpm --filter @edmkit/unet bench:grad-kernels   (builds, then runs on dist/)
import * as tf from '@tensorflow/tfjs';
import * as unet from '../dist/index.js';

await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm');
await tf.ready();

const reps = Number(process.env.BENCH_REPS ?? 5);
const batch = Number(process.env.BENCH_BATCH ?? 8);
const shapes = [
  { label: '3×3, 28×28, 32→32', hw: 28, cin: 32, cout: 32, k: 3 },
  { label: '3×3, 14×14, 64→64', hw: 14, cin: 64, cout: 64, k: 3 },
  { label: '3×3, 7×7, 64→64', hw: 7, cin: 64, cout: 64, k: 3 },
  { label: '1×1, 14×14, 32→64', hw: 14, cin: 32, cout: 64, k: 1 },
  { label: '3×3, 28×28, 1→32 (input conv)', hw: 28, cin: 1, cout: 32, k: 3 },
];

/** Minimum wall time (ms) of `fn` over `reps` runs after one warm-up, results read back. */
function best(fn) {
  const run = () => {
    const t = fn();
    t.dataSync();
    t.dispose();
  };
  run();
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function measure() {
  const rows = [];
  for (const s of shapes) {
    const x = tf.randomNormal([batch, s.hw, s.hw, s.cin], 0, 1, 'float32', 1);
    const w = tf.randomNormal([s.k, s.k, s.cin, s.cout], 0, 0.1, 'float32', 2);
    const dy = tf.randomNormal([batch, s.hw, s.hw, s.cout], 0, 1, 'float32', 3);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const time = (fn) => {
      try {
        return best(fn);
      } catch (error) {
        return `— (${String(error.message).slice(0, 40)})`;
      }
    };
    const forward = time(() => tf.conv2d(x, w, 1, 'same'));
    const input = time(() =>
      tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }),
    );
    const filter = time(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }),
    );
    rows.push({ label: s.label, forward, input, filter });
    tf.dispose([x, w, dy]);
  }
  return rows;
}

const fmt = (v) => (typeof v === 'number' ? `${v.toFixed(2)} ms` : v);
const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}×` : '—';

const before = measure();
const registered = unet
  .registerTrainingKernels()
  .filter((r) => r.action !== 'present' && r.action !== 'skipped');
const after = measure();

console.log(`wasm backend, batch ${batch}, minimum of ${reps} runs after a warm-up`);
console.log(
  `edmkit kernels: ${registered.map((r) => `${r.kernelName}/${r.backendName} (${r.action})`).join(', ') || 'none'}\n`,
);
console.log(
  '| convolution | forward | dx: tfjs | dx: edmkit | dx / forward | dW: tfjs | dW: edmkit | dW / forward |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (let i = 0; i < shapes.length; i++) {
  const b = before[i];
  const a = after[i];
  console.log(
    `| ${a.label} | ${fmt(a.forward)} | ${fmt(b.input)} | ${fmt(a.input)} | ${ratio(a.input, a.forward)} | ${fmt(b.filter)} | ${fmt(a.filter)} | ${ratio(a.filter, a.forward)} |`,
  );
}
