// Time per call of the ideal denoisers on a batch, at several noise levels.
// Run: pnpm --filter @edmkit/data bench   (builds, then runs on dist/)
import { arrayOps, sampleRngs } from '@edmkit/core';
import { standardMixture, empiricalImages } from '../dist/index.js';
import { loadMnist } from '../dist/mnist.js';

const sigmas = [80, 5, 1, 0.3, 0.05, 0.002];

// Minimum over repeated calls: the machine may be shared, the minimum is the cost.
function time(denoiser, x, sigma, minMs = 250) {
  denoiser(x, sigma); // warm-up
  let best = Infinity;
  const t0 = performance.now();
  do {
    const t = performance.now();
    denoiser(x, sigma);
    best = Math.min(best, performance.now() - t);
  } while (performance.now() - t0 < minMs);
  return best;
}

function latents(batch, dim, sigma) {
  const z = arrayOps.randnLike(new Float64Array(batch * dim), sampleRngs(1, batch));
  return z;
}

function row(label, data, batch) {
  const rngs = sampleRngs(2, batch);
  const y = data.sample(rngs);
  const cells = sigmas.map((sigma) => {
    // x̂ = y + σ n: a typical input at this level
    const n = latents(batch, data.dim);
    const x = new Float64Array(y.length);
    for (let i = 0; i < x.length; i++) x[i] = y[i] + sigma * n[i];
    return time(data.denoiser, x, sigma).toFixed(3);
  });
  console.log(`| ${label} | ${batch} | ${cells.join(' | ')} |`);
}

console.log(`| data | batch | ${sigmas.map((s) => `σ=${s} (ms)`).join(' | ')} |`);
console.log(`|---|---|${sigmas.map(() => '---').join('|')}|`);
row('standard mixture 16-d K=4', standardMixture({ seed: 0 }), 256);
for (const size of [28, 14]) {
  for (const count of [500, 1000, 2000]) {
    const m = loadMnist({ count, size });
    const data = empiricalImages({ images: m.images, count: m.count, dim: m.dim });
    row(`MNIST ${size}×${size} K=${count}`, data, 64);
  }
}
