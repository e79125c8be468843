// Wall time and NFE of referenceSolve on the ablation's data sets, and the cost of the distances.
// Run: pnpm --filter @edmkit/metrics bench   (builds, then runs on dist/)
import { arrayOps, createRng, sampleRngs } from '@edmkit/core';
import { standardMixture } from '@edmkit/data';
import { mnistDataset } from '@edmkit/data/mnist';
import { frechetDistance, mmd, referenceSolve, slicedWasserstein } from '../dist/index.js';

const only = process.argv[2]; // optional filter: 'reference' or 'distances'

async function reference(label, data, batch, rtol) {
  const z = arrayOps.randnLike(new Float64Array(batch * data.dim), sampleRngs(1, batch));
  const x0 = arrayOps.combine([[80, z]]);
  const t0 = performance.now();
  const ref = await referenceSolve({
    denoiser: data.denoiser,
    x0,
    sigmaMax: 80,
    dim: data.dim,
    rtol,
    atol: rtol,
  });
  const ms = performance.now() - t0;
  console.log(
    `| ${label} | ${batch} | ${rtol} | ${ref.nfe} | ${ref.steps}/${ref.rejected} | ${ref.sigmaEnd.toExponential(1)} | ${(ms / 1000).toFixed(2)} | ${(ms / ref.nfe).toFixed(2)} |`,
  );
}

if (only !== 'distances') {
  console.log(
    '| data | batch | rtol = atol | NFE | steps/rejected | σ_end | wall (s) | ms / NFE |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const mixture = standardMixture({ seed: 0 });
  for (const rtol of [1e-8, 1e-9]) await reference('standard mixture 16-d', mixture, 256, rtol);
  for (const [size, count] of [
    [14, 500],
    [14, 1000],
    [28, 500],
  ]) {
    const data = mnistDataset({ count, size });
    for (const rtol of [1e-8, 1e-9])
      await reference(`MNIST ${size}×${size} K=${count}`, data, 64, rtol);
  }
}

if (only !== 'reference') {
  console.log('\n| distance | d | N per set | time (ms) |');
  console.log('|---|---|---|---|');
  for (const [dim, count] of [
    [16, 256],
    [196, 256],
    [196, 1000],
    [784, 256],
  ]) {
    const rng = createRng(dim);
    const a = new Float64Array(count * dim).map(() => rng.normal());
    const b = new Float64Array(count * dim).map(() => rng.normal());
    let t0 = performance.now();
    frechetDistance(a, b, dim);
    console.log(`| frechetDistance | ${dim} | ${count} | ${(performance.now() - t0).toFixed(0)} |`);
    t0 = performance.now();
    slicedWasserstein(a, b, dim, { projections: 128, rng: createRng(0) });
    console.log(
      `| slicedWasserstein (128 projections) | ${dim} | ${count} | ${(performance.now() - t0).toFixed(0)} |`,
    );
    t0 = performance.now();
    mmd(a, b, dim);
    console.log(
      `| mmd (median bandwidth) | ${dim} | ${count} | ${(performance.now() - t0).toFixed(0)} |`,
    );
  }
}
