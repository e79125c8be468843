// Why "VP + EDM σ(t) & s(t)" has a larger error than "VP + Heun & EDM t_i" on the Gaussian
// mixture (default sizes, seed 0). Both run Heun on the same noise levels from the same start;
// only σ(t), s(t) differ. Prints (1) the error before and after the final step to σ = 0, (2) per
// σ band at NFE 35: how far the exact trajectories bend away from the chord in each solver's own
// (t, s(t)·x̂) coordinates, Euler's local error (= the error of Heun's predictor x′), and Heun's
// local error from the exact point split into the trapezoid rule's error (exact slopes at both
// ends) and the predictor's share h/2·(f(x′) − f(x_{i+1})).
//
// Run: tsc -b apps/ablate && nice -n 10 node apps/ablate/bench/sampler-vp-schedule.mjs
import { arrayOps } from '@edmkit/core';
import { samplerAblation } from '@edmkit/presets';
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

const { data, dim, latents } = mixtureSetup();
const [, vp, edm] = samplerAblation('vp').map(resolveSampler);
const names = ['VP σ(t), s(t)', 'σ(t) = t, s(t) = 1'];

console.log('(1) Error at σ_min (before the last step) and after it, against the exact flow:\n');
console.log(
  '| NFE | same levels | VP at σ_min | EDM at σ_min | VP final | EDM final | last step alone, VP | last step alone, EDM |',
);
console.log('|---:|:--|---:|---:|---:|---:|---:|---:|');
for (const nfe of [17, 35, 71, 143, 287, 511]) {
  const n = vp.stepsForNfe(nfe);
  const lv = levels(vp, n);
  const same = levels(edm, n).every((v, i) => Math.abs(v - lv[i]) <= 1e-12 * v);
  const x0 = arrayOps.combine([[lv[0], latents]]);
  const atMin = await flow(data, x0, lv[0], lv[n - 1]);
  const atZero = await flow(data, atMin, lv[n - 1], 0);
  const row = [];
  for (const sampler of [vp, edm]) {
    const before = await solve(sampler, data, x0, lv.slice(0, -1));
    const after = await solve(sampler, data, before, [lv[n - 1], 0]);
    const lastAlone = await solve(sampler, data, atMin, [lv[n - 1], 0]);
    row.push([
      medianRms(before, atMin, dim),
      medianRms(after, atZero, dim),
      medianRms(lastAlone, atZero, dim),
    ]);
  }
  console.log(
    `| ${nfe} | ${same} | ${fmt(row[0][0])} | ${fmt(row[1][0])} | ${fmt(row[0][1])} | ${fmt(row[1][1])} | ${fmt(row[0][2])} | ${fmt(row[1][2])} |`,
  );
}

console.log('\n(2) NFE 35, per σ band, summed over its steps (median RMS per step, x̂ units):\n');
const n = vp.stepsForNfe(35);
const lv = levels(vp, n);
const path = await exactPath(data, latents, lv);
// σ_0 = 80 up to rounding of the σ → t → σ round trip: the first band is open above.
const bands = [
  [20, 80],
  [2, 20],
  [0.2, 2],
  [0.002, 0.2],
];
const sums = [vp, edm].map(() =>
  bands.map(() => ({ chord: 0, euler: 0, heun: 0, trapezoid: 0, predictor: 0 })),
);
for (let i = 0; i < n - 1; i++) {
  const b = bands.findIndex(([lo]) => lv[i] > lo);
  for (const [k, sampler] of [vp, edm].entries()) {
    const parts = await stepParts(sampler, data, path[i], path[i + 1], lv[i], lv[i + 1]);
    // Chord: the straight line between the exact end points in the solver's (t, s(t)·x̂), at mid-t.
    const { sigma, sigmaInv } = sampler.schedule;
    const { s } = sampler.scaling;
    const [tI, tN] = [sigmaInv(lv[i]), sigmaInv(lv[i + 1])];
    const tM = (tI + tN) / 2;
    const mid = await flow(data, path[i], lv[i], sigma(tM));
    const chord = arrayOps.combine([
      [s(tI) / 2 / s(tM), path[i]],
      [s(tN) / 2 / s(tM), path[i + 1]],
    ]);
    const sum = sums[k][b];
    sum.chord += medianRms(mid, chord, dim);
    sum.euler += parts.euler;
    sum.heun += parts.heun;
    sum.trapezoid += parts.trapezoid;
    sum.predictor += parts.predictor;
  }
}
console.log(
  '| σ band | parameterisation | chord deviation | Euler local error (= predictor error) | Heun local error | trapezoid part | predictor part | predictor part / predictor error |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
bands.forEach(([lo, hi], b) => {
  for (const k of [0, 1]) {
    const v = sums[k][b];
    console.log(
      `| (${lo}, ${hi}] | ${names[k]} | ${fmt(v.chord)} | ${fmt(v.euler)} | ${fmt(v.heun)} | ${fmt(v.trapezoid)} | ${fmt(v.predictor)} | ${fmt(v.predictor / v.euler)} |`,
    );
  }
});
