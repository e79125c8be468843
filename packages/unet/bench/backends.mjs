// Speed of the tfjs backends side by side, in one run: the convolution gradient kernels
// (tfjs 4.22's own vs edmkit's), then images/s of one training step (forward + backward)
// and NFE/s of the forward pass of a small conv net and of the small U-Nets.
// Run: pnpm --filter @edmkit/unet bench [cpu] [wasm] [tensorflow] [--quick]
//   (builds, then runs on dist/; default backends: cpu wasm, plus tensorflow when
//   @tensorflow/tfjs-node is installed; --quick: the small conv net only)
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import * as unet from '../dist/index.js';
import { tinyNet } from './tiny-net.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const asked = args.filter((a) => !a.startsWith('--'));

// tfjs's own kernels, captured before edmkit registers its replacements.
await import('@tensorflow/tfjs-backend-wasm');
const original = {
  cpuFilter: tf.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc,
  wasmInput: tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc,
};

const backends = [];
for (const name of asked.length > 0 ? asked : ['cpu', 'wasm', 'tensorflow']) {
  try {
    const info = await unet.selectBackend({ prefer: name, env: undefined });
    backends.push({ name, summary: info.summary });
  } catch (error) {
    if (asked.length > 0) throw error;
  }
}
await tf.setBackend('cpu');

/** Mean milliseconds per call of `fn` (one untimed warm-up unless a call takes > 5 s; at least `minMs` in all). */
function time(fn, { minMs = 1500, maxReps = 20 } = {}) {
  let t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  if (first > 5000) return first;
  let reps = 0;
  t0 = performance.now();
  while (reps < maxReps && (reps < 2 || performance.now() - t0 < minMs)) {
    fn();
    reps++;
  }
  return (performance.now() - t0) / reps;
}

/** Runs a kernel function directly and returns its values (for a replaced, original kernel). */
function runKernelFunc(kernelFunc, inputs, attrs) {
  const out = tf
    .engine()
    .makeTensorFromTensorInfo(kernelFunc({ inputs, backend: tf.backend(), attrs }));
  out.dataSync();
  out.dispose();
}

const cpuCount = os.cpus().length;
console.log(
  `# @edmkit/unet backends — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cpuCount} cores, Node ${process.version}, tfjs ${tf.version_core}`,
);
for (const b of backends) console.log(`- ${b.name}: ${b.summary}`);

// --- 1. The convolution gradient kernels on one layer ---------------------------------
{
  const [n, h, w, c] = [8, 28, 28, 32];
  const x = tf.randomNormal([n, h, w, c]);
  const filter = tf.randomNormal([3, 3, c, c]);
  const dy = tf.randomNormal([n, h, w, c]);
  const gflop = (2 * n * h * w * c * c * 9) / 1e9;
  const filterAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, c, c] };
  const inputAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, w, c] };
  const rows = [];
  const row = async (kernel, backend, impl, fn) => {
    if (!backends.some((b) => b.name === backend)) return;
    await tf.setBackend(backend);
    const ms = time(fn);
    rows.push(
      `| ${kernel} | ${backend} | ${impl} | ${ms.toFixed(1)} | ${(gflop / (ms / 1000)).toFixed(2)} |`,
    );
  };
  // (Blocks, not expressions: tf.tidy walks a returned typed array element by element.)
  const conv = () =>
    tf.tidy(() => {
      tf.conv2d(x, filter, 1, 'same').dataSync();
    });
  const backFilter = () =>
    tf.tidy(() => {
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, filterAttrs).dataSync();
    });
  const backInput = () =>
    tf.tidy(() => {
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, inputAttrs).dataSync();
    });
  await row('Conv2D (forward)', 'cpu', 'tfjs', conv);
  await row('Conv2D (forward)', 'wasm', 'tfjs (XNNPACK)', conv);
  await row('Conv2D (forward)', 'tensorflow', 'TensorFlow', conv);
  await row('Conv2DBackpropFilter', 'cpu', 'tfjs 4.22', () =>
    runKernelFunc(original.cpuFilter, { x, dy }, filterAttrs),
  );
  await row('Conv2DBackpropFilter', 'cpu', 'edmkit (JS outer products)', backFilter);
  await row('Conv2DBackpropFilter', 'wasm', 'edmkit (im2col + BatchMatMul)', backFilter);
  await row('Conv2DBackpropFilter', 'tensorflow', 'TensorFlow', backFilter);
  await row('Conv2DBackpropInput', 'cpu', 'tfjs 4.22', backInput);
  await row('Conv2DBackpropInput', 'wasm', 'tfjs 4.22 (direct loop)', () =>
    runKernelFunc(original.wasmInput, { dy, filter }, inputAttrs),
  );
  await row('Conv2DBackpropInput', 'wasm', 'edmkit (rotated-filter Conv2D)', backInput);
  await row('Conv2DBackpropInput', 'tensorflow', 'TensorFlow', backInput);
  console.log(
    `\n## Convolution kernels: ${n}×${h}×${w}×${c} → ${c}, 3×3, stride 1, same (${gflop.toFixed(2)} GFLOP)\n`,
  );
  console.log('| kernel | backend | implementation | ms | GFLOP/s |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  tf.dispose([x, filter, dy]);
  await tf.setBackend('cpu');
}

// --- 2. Networks: training step and forward pass ---------------------------------------
const networks = [
  { name: 'small conv net (16 ch, 32×32×3)', make: () => tinyNet(16, 3, 1), batch: 8 },
];
if (!quick) {
  for (const name of ['ddpmppSmall', 'ncsnppSmall', 'admSmall']) {
    if (typeof unet[name] === 'function')
      networks.push({ name: `${name} (28×28×1)`, make: () => unet[name](), batch: 8 });
  }
}

console.log(
  '\n## Networks: one training step (forward + backward, MSE loss) and one forward call (an NFE)\n',
);
console.log(
  `| network | params | batch | backend | step ms | train images/s | forward ms | NFE/s | forward images/s |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const { name, make, batch } of networks) {
  for (const { name: backend } of backends) {
    await tf.setBackend(backend);
    const net = make();
    const shape = net.inputShape ?? net.config.inputShape;
    const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 1);
    const cNoise = tf.randomNormal([batch], 0, 1, 'float32', 2);
    const weights = [...net.trainableWeights];
    const loss = () =>
      tf.mean(tf.square(tf.sub(net.apply(x, cNoise, { training: true, seed: 1 }), x)));
    const step = time(() =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, weights);
        value.dataSync();
        tf.dispose(grads);
      }),
    );
    const forward = time(() =>
      tf.tidy(() => {
        net.apply(x, cNoise).dataSync();
      }),
    );
    console.log(
      `| ${name} | ${net.countParams()} | ${batch} | ${backend} | ${step.toFixed(0)} | ${((batch * 1000) / step).toFixed(2)} | ${forward.toFixed(0)} | ${(1000 / forward).toFixed(2)} | ${((batch * 1000) / forward).toFixed(1)} |`,
    );
    net.dispose();
    tf.dispose([x, cNoise]);
  }
}
