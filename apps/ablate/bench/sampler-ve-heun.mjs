// Why "VE + Heun & EDM t_i" diverges at NFE 9 on the Gaussian mixture (default sizes, seed 0).
// (1) Closed form: where the denoiser output is constant (σ well above the data), x̂ − D grows
// like σ = √t, and one Heun step in t from t_i to t_{i+1} = t_i/r multiplies it by
// f(r) = 3/4 + 3/(8r) − r/8 instead of r^(−1/2); with σ(t) = t, s(t) = 1 the same step is exact.
// (2) The ablation's run, step by step: the error against the exact flow after each step, in VE's
// t = σ² and, on the same levels, in σ(t) = t. (3) The smallest NFE whose steps keep |f(r)| ≤ 1.
//
// Run: tsc -b apps/ablate && nice -n 10 node apps/ablate/bench/sampler-ve-heun.mjs
import { rmsError, summarize } from '@edmkit/metrics';
import { samplerAblation } from '@edmkit/presets';
import {
  exactPath,
  fmt,
  levels,
  medianRms,
  mixtureSetup,
  resolveSampler,
  solve,
} from './exact-flow.mjs';

const f = (r) => 3 / 4 + 3 / (8 * r) - r / 8;
console.log(
  '(1) Heun step in t = σ² on x̂ − D ∝ σ: growth factor f(r), r = t_i/t_{i+1} = (σ_i/σ_{i+1})²\n',
);
console.log('| σ_i/σ_{i+1} | r | f(r) | exact r^(−1/2) |');
console.log('|---:|---:|---:|---:|');
for (const q of [1.5, 2, Math.sqrt(3 + Math.sqrt(12)), 3, Math.sqrt(7 + Math.sqrt(52)), 5, 10]) {
  const r = q * q;
  console.log(
    `| ${fmt(q)} | ${fmt(r)} | ${fmt(Math.abs(f(r)) < 1e-12 ? 0 : f(r))} | ${fmt(1 / Math.sqrt(r))} |`,
  );
}
console.log(
  `f(r) < 0 for r > 3 + √12 = ${fmt(3 + Math.sqrt(12))}; |f(r)| > 1 for r > 7 + √52 = ${fmt(7 + Math.sqrt(52))} (σ ratio ${fmt(Math.sqrt(7 + Math.sqrt(52)))})`,
);

const { data, dim, latents } = mixtureSetup();
const [, veHeun, veEdm] = samplerAblation('ve').map(resolveSampler);
const zRms = summarize(rmsError(latents, new Float64Array(latents.length), dim)).median;
for (const nfe of [9, 17]) {
  const n = veHeun.stepsForNfe(nfe);
  const lv = levels(veHeun, n);
  const path = await exactPath(data, latents, lv);
  console.log(`\n(2) NFE ${nfe}: error after each step (same levels, same start)\n`);
  console.log(
    '| step | r | f(r) | r^(−1/2) | VE + Heun & EDM t_i (t = σ²) | same steps in σ(t) = t |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  let [a, b] = [path[0], path[0]];
  for (let i = 0; i < n; i++) {
    a = await solve(veHeun, data, a, [lv[i], lv[i + 1]]);
    b = await solve(veEdm, data, b, [lv[i], lv[i + 1]]);
    const r = lv[i + 1] > 0 ? (lv[i] / lv[i + 1]) ** 2 : Infinity;
    const cols =
      lv[i + 1] > 0 ? [fmt(r), fmt(f(r)), fmt(1 / Math.sqrt(r))] : ['∞ (Euler)', '—', '—'];
    console.log(
      `| ${fmt(lv[i])} → ${fmt(lv[i + 1])} | ${cols.join(' | ')} | ${fmt(medianRms(a, path[i + 1], dim))} | ${fmt(medianRms(b, path[i + 1], dim))} |`,
    );
  }
  const r0 = (lv[0] / lv[1]) ** 2;
  console.log(
    `first step predicted from f: σ_0·|f(r) − r^(−1/2)|·RMS(z) = ${fmt(lv[0] * Math.abs(f(r0) - 1 / Math.sqrt(r0)) * zRms)}`,
  );
}

console.log('\n(3) Largest step ratio r of VE + Heun & EDM t_i by NFE:\n');
console.log('| NFE | steps | largest r | f at it |');
console.log('|---:|---:|---:|---:|');
for (const nfe of [9, 11, 13, 15, 17, 19, 21, 23, 25, 35]) {
  const n = veHeun.stepsForNfe(nfe);
  const lv = levels(veHeun, n);
  const r = Math.max(...lv.slice(0, -2).map((v, i) => (v / lv[i + 1]) ** 2));
  console.log(`| ${nfe} | ${n} | ${fmt(r)} | ${fmt(f(r))} |`);
}
