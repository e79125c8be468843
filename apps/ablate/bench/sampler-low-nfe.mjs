// Why the original samplers (Euler) beat the EDM sampler (Heun) at NFE 9 on the Gaussian mixture
// (default sizes, seed 0). Prints (1) the error and Fréchet distance at NFE 9, 17, 35 of each
// original, of Heun on the original's time steps and σ(t), s(t), and of Euler on EDM's; (2) at
// NFE 9, per step of the EDM sampler from the exact point: how much the denoiser output D changes
// along the exact flow, Euler's and Heun's local error, and Heun's split into the trapezoid rule's
// error (exact slopes) and the predictor's share; (3) the error of each configuration's last step
// to σ = 0 alone (from the exact x̂(σ_min)).
//
// Run: tsc -b apps/ablate && nice -n 10 node apps/ablate/bench/sampler-low-nfe.mjs
import { arrayOps, sampleRngs } from '@edmkit/core';
import { frechetDistance } from '@edmkit/metrics';
import { edm, iddpmOriginal, overrideSampler, vpOriginal } from '@edmkit/presets';
import {
  exactPath,
  flow,
  fmt,
  levels,
  medianRms,
  mixtureSetup,
  resolveSampler,
  solve,
  stepParts,
} from './exact-flow.mjs';

const { data, dim, latents, samples } = mixtureSetup();
const dataSamples = data.sample(sampleRngs(1, samples));
const configs = [
  ['EDM (Heun, EDM t_i, σ(t) = t)', edm],
  ['Euler, EDM t_i, σ(t) = t', overrideSampler(edm, { solver: 'euler' })],
  ['VP original (Euler)', vpOriginal],
  ['Heun, VP t_i, VP σ(t), s(t)', overrideSampler(vpOriginal, { solver: 'heun' })],
  ['iDDPM+DDIM original (Euler)', iddpmOriginal],
  ['Heun, iDDPM t_i, σ(t) = t', overrideSampler(iddpmOriginal, { solver: 'heun' })],
].map(([label, config]) => [label, resolveSampler(config)]);

const references = new Map();
const reference = async (sigma0) => {
  const key = sigma0.toPrecision(12);
  if (!references.has(key))
    references.set(key, await flow(data, arrayOps.combine([[sigma0, latents]]), sigma0, 0));
  return references.get(key);
};

console.log('(1) Median per-sample error against the exact flow, and Fréchet distance to data:\n');
console.log('| NFE | configuration | steps | largest σ_i/σ_{i+1} (σ_{i+1} > 0) | error | FD |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const nfe of [9, 17, 35]) {
  for (const [label, sampler] of configs) {
    const n = sampler.stepsForNfe(nfe);
    const lv = levels(sampler, n);
    const ratio = Math.max(...lv.slice(0, -2).map((v, i) => v / lv[i + 1]));
    const x = await solve(sampler, data, arrayOps.combine([[lv[0], latents]]), lv);
    const error = medianRms(x, await reference(lv[0]), dim);
    const fd = frechetDistance(x, dataSamples, dim);
    console.log(`| ${nfe} | ${label} | ${n} | ${fmt(ratio)} | ${fmt(error)} | ${fmt(fd)} |`);
  }
}

console.log('\n(2) NFE 9, the EDM sampler (5 steps), each step from the exact point:\n');
const heunEdm = configs[0][1];
const n = heunEdm.stepsForNfe(9);
const lv = levels(heunEdm, n);
const path = await exactPath(data, latents, lv);
console.log(
  '| step | σ_i/σ_{i+1} | change of D along the exact flow | Euler local error | Heun local error | trapezoid part | predictor part |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (let i = 0; i < n - 1; i++) {
  const p = await stepParts(heunEdm, data, path[i], path[i + 1], lv[i], lv[i + 1]);
  const change = medianRms(
    await data.denoiser(path[i], lv[i]),
    await data.denoiser(path[i + 1], lv[i + 1]),
    dim,
  );
  console.log(
    `| ${fmt(lv[i])} → ${fmt(lv[i + 1])} | ${fmt(lv[i] / lv[i + 1])} | ${fmt(change)} | ${fmt(p.euler)} | ${fmt(p.heun)} | ${fmt(p.trapezoid)} | ${fmt(p.predictor)} |`,
  );
}

console.log('\n(3) NFE 9: the last step to σ = 0 alone, from the exact x̂(σ_min):\n');
console.log('| configuration | σ_min | error of the last step |');
console.log('|---|---:|---:|');
for (const [label, sampler] of configs) {
  const levelsAt9 = levels(sampler, sampler.stepsForNfe(9));
  const sigmaMin = levelsAt9.at(-2);
  const x0 = arrayOps.combine([[levelsAt9[0], latents]]);
  const atMin = await flow(data, x0, levelsAt9[0], sigmaMin);
  const atZero = await flow(data, atMin, sigmaMin, 0);
  const last = await solve(sampler, data, atMin, [sigmaMin, 0]);
  console.log(`| ${label} | ${fmt(sigmaMin)} | ${fmt(medianRms(last, atZero, dim))} |`);
}
