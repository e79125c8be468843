// Lists the tfjs kernels one training step (forward + backward) of each network dispatches,
// and which of them the wasm backend lacks before and after registerTrainingKernels().
// Run: pnpm --filter @edmkit/unet kernels   (builds, then runs on dist/)
import * as tf from '@tensorflow/tfjs';
import * as unet from '../dist/index.js';
import { tinyNet } from './tiny-net.mjs';

await import('@tensorflow/tfjs-backend-wasm'); // registers tfjs's own wasm kernels
const wasmBefore = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
const registered = unet.registerTrainingKernels();
await unet.selectBackend({ prefer: 'wasm' }); // the steps run on wasm (fast; cpu would take minutes)

const networks = [
  { name: 'small conv net', make: () => tinyNet(8) },
  ...['ddpmppSmall', 'ncsnppSmall', 'admSmall']
    .filter((name) => typeof unet[name] === 'function')
    .map((name) => ({ name, make: () => unet[name]() })),
];

const perNetwork = [];
for (const { name, make } of networks) {
  const net = make();
  const [h, w, ch] = net.inputShape ?? net.config.inputShape;
  const x = tf.randomNormal([2, h, w, ch]);
  const cNoise = tf.tensor1d([0.3, -1.2]);
  const loss = () =>
    tf.mean(tf.square(tf.sub(net.apply(x, cNoise, { training: true, seed: 1 }), x)));
  const names = await unet.dispatchedKernels(
    () => tf.variableGrads(loss, [...net.trainableWeights]).grads,
  );
  perNetwork.push({ name, names });
  net.dispose();
  tf.dispose([x, cNoise]);
}

const before = perNetwork.map(({ names }) => names.filter((name) => !wasmBefore.has(name)));
const after = perNetwork.map(({ names }) => unet.missingKernels(names, 'wasm'));

console.log(
  '| network | kernels of one training step | missing on wasm (tfjs 4.22) | missing after registerTrainingKernels() |',
);
console.log('|---|---|---|---|');
perNetwork.forEach(({ name, names }, i) =>
  console.log(
    `| ${name} | ${names.join(' ')} | ${before[i].join(' ') || '—'} | ${after[i].join(' ') || '—'} |`,
  ),
);
console.log('\n| backend | kernel | action | reason |');
console.log('|---|---|---|---|');
for (const r of registered)
  console.log(`| ${r.backendName} | ${r.kernelName} | ${r.action} | ${r.reason} |`);
