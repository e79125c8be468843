// Checks the sampler ablation's scoring on the Gaussian mixture (default sizes, seed 0): every
// configuration starts at z·σ(t_0) and is scored against the exact flow from that same point.
// The errors of `runSamplerAblation` (reference: one adaptive solve at rtol 1e-8) are recomputed
// with an independent reference (rtol 1e-10, solved in pieces through the configuration's own
// levels), and the reference's own error is estimated (rtol 1e-8 against 1e-10).
//
// Run: tsc -b apps/ablate && nice -n 10 node apps/ablate/bench/sampler-harness-check.mjs
import { arrayOps } from '@edmkit/core';
import { runSamplerAblation } from '../dist/sampler-ablation.js';
import {
  exactPath,
  flow,
  fmt,
  levels,
  medianRms,
  mixtureSetup,
  resolveSampler,
  solve,
} from './exact-flow.mjs';

const { dataset, data, dim, latents } = mixtureSetup();
const nfe = [9, 35];
const result = await runSamplerAblation(dataset, {
  families: ['vp', 've', 'iddpm'],
  includeEdm: true,
  nfe,
  seed: 0,
  referenceRtol: 1e-8,
});

console.log(
  '| configuration | NFE | σ(t_0) of the sampler | reference start | error (ablation) | error (independent) | relative difference |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
let worst = 0;
for (const { config } of result.configs) {
  const sampler = resolveSampler(config);
  for (const cell of result.cells.filter((c) => c.config === config.label)) {
    const lv = levels(sampler, cell.n);
    const start = result.references.find((r) => Math.abs(r.sigmaStart - lv[0]) <= 1e-11 * lv[0]);
    const path = await exactPath(data, latents, lv);
    const x = await solve(sampler, data, path[0], lv);
    const independent = medianRms(x, path.at(-1), dim);
    const diff = Math.abs(independent - cell.error) / cell.error;
    worst = Math.max(worst, diff);
    console.log(
      `| ${config.label} | ${cell.nfe} | ${lv[0].toPrecision(12)} | ${start ? start.sigmaStart.toPrecision(12) : 'none'} | ${fmt(cell.error)} | ${fmt(independent)} | ${fmt(diff)} |`,
    );
  }
}
console.log(`\nlargest relative difference: ${fmt(worst)}`);

// The reference's own error: the same solve at rtol 1e-8 (the ablation's) and 1e-10.
const x0 = arrayOps.combine([[80, latents]]);
const loose = await flow(data, x0, 80, 0, 1e-8);
const tight = await flow(data, x0, 80, 0, 1e-10);
const smallest = Math.min(...result.cells.map((c) => c.error));
console.log(
  `reference error at rtol 1e-8 (median RMS against rtol 1e-10, from σ = 80): ${fmt(medianRms(loose, tight, dim))}; smallest sampler error in this check: ${fmt(smallest)}`,
);
