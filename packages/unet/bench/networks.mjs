// Figures for @edmkit/unet's networks: the exact parameter counts of the paper's
// configurations (analytic, and built for CIFAR-10), and the time of a forward pass and
// of one training step (forward + backward + Adam) of the small presets on cpu and wasm.
// Run: pnpm --filter @edmkit/unet bench:networks   (builds, then runs on dist/)
import * as tf from '@tensorflow/tfjs';
import * as unet from '../dist/index.js';

const batch = Number(process.env.BENCH_BATCH ?? 8); // wasm; the cpu backend runs batch 2 once (it is ~20× slower)
const reps = Number(process.env.BENCH_REPS ?? 3);
const fmt = (n) => n.toLocaleString('en-US');

await tf.setBackend('cpu');

console.log('## Parameter counts (trainable; analytic countParamsOf, built network where noted)\n');
console.log('| configuration | countParamsOf | built countParams() | build time (cpu) |');
console.log('|---|---|---|---|');
const configs = [
  ['DDPM++ CIFAR-10 uncond., augmentDim 9', unet.ddpmppConfig(), unet.ddpmpp],
  ['NCSN++ CIFAR-10 uncond., augmentDim 9', unet.ncsnppConfig(), unet.ncsnpp],
  // train.py's ADM (192 channels, [1, 2, 3, 4]) is 1.1 GB of float32 weights: counted only.
  ['ADM CIFAR-10 uncond., augmentDim 9 (train.py)', unet.admConfig(), null],
  [
    'ADM 128 ch., [1, 2, 2, 2], augmentDim 9',
    unet.admConfig({ modelChannels: 128, channelMult: [1, 2, 2, 2] }),
    () => unet.adm({ modelChannels: 128, channelMult: [1, 2, 2, 2] }),
  ],
  ['DDPM++ CIFAR-10 cond. (10 classes)', unet.ddpmppConfig({ labelDim: 10 }), null],
  ['NCSN++ CIFAR-10 cond.', unet.ncsnppConfig({ labelDim: 10 }), null],
  ['ADM CIFAR-10 cond.', unet.admConfig({ labelDim: 10 }), null],
  ['ADM ImageNet-64 cond. (EDM, 3 out)', unet.admImageNet64Config(), null],
  ['ADM ImageNet-64 cond. (iDDPM, 6 out)', unet.admImageNet64Config({ outChannels: 6 }), null],
  ['ddpmppSmall (28×28×1)', unet.ddpmppSmallConfig(), unet.ddpmppSmall],
  ['ncsnppSmall (28×28×1)', unet.ncsnppSmallConfig(), unet.ncsnppSmall],
  ['admSmall (28×28×1)', unet.admSmallConfig(), unet.admSmall],
  ['mlp dim 2', unet.mlpConfig({ dim: 2 }), () => unet.mlp({ dim: 2 })],
];
for (const [label, config, make] of configs) {
  let built = '—';
  let time = '—';
  if (make) {
    const t = performance.now();
    const net = make();
    time = `${((performance.now() - t) / 1000).toFixed(2)} s`;
    built = fmt(net.countParams());
    net.dispose();
  }
  console.log(`| ${label} | ${fmt(unet.countParamsOf(config))} | ${built} | ${time} |`);
}

function inputs(config, n) {
  const x = tf.randomNormal([n, ...config.inputShape], 0, 1, 'float32', 1);
  const cNoise = tf.randomNormal([n], 0, 1, 'float32', 2);
  const target = tf.randomNormal(
    [n, config.inputShape[0], config.inputShape[1], config.outChannels],
    0,
    1,
    'float32',
    3,
  );
  return { x, cNoise, target };
}

/** Values of a tensor computed in a tidy scope (read outside it). */
function values(fn) {
  const t = tf.tidy(fn);
  const v = t.dataSync();
  t.dispose();
  return v;
}

function best(fn, repeats) {
  fn(); // warm-up
  let min = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const names = ['ddpmppSmall', 'ncsnppSmall', 'admSmall'];

function timings(backend, n, repeats) {
  for (const name of names) {
    const net = unet[name]({ seed: 1 });
    const { x, cNoise, target } = inputs(net.config, n);
    const optimizer = tf.train.adam(1e-4);
    const forward = best(() => values(() => net.apply(x, cNoise)), repeats);
    const step = best(
      () =>
        values(() =>
          optimizer.minimize(
            () =>
              tf.mean(tf.square(tf.sub(net.apply(x, cNoise, { training: true, seed: 1 }), target))),
            true,
            [...net.trainableWeights],
          ),
        ),
      repeats,
    );
    console.log(
      `| ${name} | ${backend} | ${n} | ${(forward / 1000).toFixed(3)} s | ${(step / 1000).toFixed(3)} s | ${((n / step) * 1000).toFixed(1)} |`,
    );
    optimizer.dispose();
    net.dispose();
    tf.dispose([x, cNoise, target]);
  }
}

const wasm = await unet.selectBackend({ prefer: 'wasm', env: undefined }).then(
  (selected) => selected.summary,
  (error) => {
    console.log(`\n(wasm unavailable: ${error.message})`);
    return null;
  },
);
console.log(`\n## Small presets (28×28×1): time per call, minimum of ${reps} after a warm-up\n`);
console.log(
  '| network | backend | batch | forward | training step (fwd + bwd + Adam) | images/s trained |',
);
console.log('|---|---|---|---|---|---|');
if (wasm) timings('wasm', batch, reps);
await tf.setBackend('cpu');
timings('cpu', 2, 1);
if (wasm) console.log(`\nwasm: ${wasm}`);

if (wasm) {
  console.log(
    '\n## wasm vs cpu: the same network and inputs (zero-initialised layers randomised), relative max |difference|\n',
  );
  for (const name of names) {
    await tf.setBackend('wasm');
    const net = unet[name]({ seed: 1 });
    for (const w of net.model.weights) {
      if (/conv1|proj|out_conv|aux_conv|map_augment/.test(w.originalName))
        w.write(tf.randomNormal(w.shape, 0, 0.1, 'float32', 7));
    }
    const { x, cNoise, target } = inputs(net.config, 2);
    const out = {};
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      out[backend] = values(() => net.apply(x, cNoise));
    }
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < out.cpu.length; i++) {
      diff = Math.max(diff, Math.abs(out.cpu[i] - out.wasm[i]));
      scale = Math.max(scale, Math.abs(out.cpu[i]));
    }
    console.log(
      `- ${name}: ${(diff / scale).toExponential(2)} (output scale ${scale.toExponential(2)})`,
    );
    net.dispose();
    tf.dispose([x, cNoise, target]);
  }
}
