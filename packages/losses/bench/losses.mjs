// Figures for @edmkit/losses: sampling statistics of p_train(σ) at large n, the effective
// F-space weight λ(σ)·c_out(σ)² of each weighting × preconditioner, agreement of the
// F-space and D-space losses over random draws, and the cost of one loss evaluation.
// Run: pnpm --filter @edmkit/losses bench   (builds, then runs on dist/)
import { arrayOps, createRng, sampleRngs } from '@edmkit/core';
import { edmPrecond, iddpmPrecond, preconditionBatch, vePrecond, vpPrecond } from '@edmkit/precond';
import { iddpmUTable, vpSchedule } from '@edmkit/schedules';
import {
  denoisingLoss,
  denoisingLossF,
  edmWeighting,
  iddpmNoise,
  inverseSquare,
  logNormal,
  softMinSnr,
  veNoise,
  vpNoise,
} from '../dist/index.js';

const fmt = (v, d = 4) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(d);

// --- 1. p_train(σ) against its closed form --------------------------------------------
function erf(x) {
  if (x < 0) return -erf(-x);
  if (x <= 3) {
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      sum += term / (2 * k + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const Phi = (z) => 0.5 * (1 + erf(z / Math.SQRT2));
function ks(values, cdf) {
  const s = Float64Array.from(values).sort();
  let d = 0;
  s.forEach((v, i) => {
    const f = cdf(v);
    d = Math.max(d, (i + 1) / s.length - f, f - i / s.length);
  });
  return d;
}
const n = 1_000_000;
const vp = vpSchedule();
const lnU = [Math.log(0.02), Math.log(100)];
const rows = [
  [
    'vpNoise',
    vpNoise(),
    (s) => vp.sigmaInv(s),
    't = σ⁻¹(σ)',
    (1 + 1e-5) / 2,
    (1 - 1e-5) / Math.sqrt(12),
    (t) => (t - 1e-5) / (1 - 1e-5),
  ],
  [
    'veNoise',
    veNoise(),
    Math.log,
    'ln σ',
    (lnU[0] + lnU[1]) / 2,
    (lnU[1] - lnU[0]) / Math.sqrt(12),
    (v) => (v - lnU[0]) / (lnU[1] - lnU[0]),
  ],
  ['logNormal', logNormal(), Math.log, 'ln σ', -1.2, 1.2, (v) => Phi((v + 1.2) / 1.2)],
  ['iddpmNoise', iddpmNoise(), (s) => s, 'σ', null, null, null],
];
console.log(`## p_train(σ): ${n.toLocaleString('en')} draws each (one stream)\n`);
console.log(
  '| distribution | statistic of | mean (closed form) | std (closed form) | KS distance (1% critical 1.63/√n = ' +
    fmt(1.63 / Math.sqrt(n)) +
    ') | draws/s |',
);
console.log('|---|---|---|---|---|---|');
for (const [label, p, map, of, mean0, std0, cdf] of rows) {
  const rng = createRng(1);
  const rngs = new Array(n).fill(rng);
  const t0 = performance.now();
  const sigma = p.sample(rngs);
  const rate = n / ((performance.now() - t0) / 1000);
  const v = sigma.map(map);
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let q = 0;
  for (const x of v) q += (x - m) ** 2;
  const sd = Math.sqrt(q / n);
  if (cdf === null) {
    // iDDPM: index uniformity instead
    const table = new Map();
    const u = iddpmUTable();
    u.forEach((val, j) => table.set(val, j));
    const j = Array.from(sigma, (s) => table.get(s));
    const jitter = createRng(2);
    const outside = j.filter((x) => x === undefined || x > 999).length;
    const jm = j.reduce((a, c) => a + c, 0) / n;
    console.log(
      `| ${label} | j (σ = u_j) | ${fmt(jm, 2)} (499.5) | — | ${fmt(
        ks(
          j.map((x) => x + jitter.uniform()),
          (x) => x / 1000,
        ),
      )} (j + U[0,1) vs U[0,1000)); off-table draws: ${outside} | ${fmt(rate / 1e6, 2)}·10⁶ |`,
    );
    continue;
  }
  console.log(
    `| ${label} | ${of} | ${fmt(m)} (${fmt(mean0)}) | ${fmt(sd)} (${fmt(std0)}) | ${fmt(ks(v, cdf))} | ${fmt(rate / 1e6, 2)}·10⁶ |`,
  );
}

// --- 2. effective F-space weight λ(σ)·c_out(σ)² --------------------------------------
const grid = [0.002, 0.02, 0.1, 0.5, 1, 5, 20, 80];
const combos = [
  ['VP + 1/σ²', vpPrecond(), inverseSquare()],
  ['VE + 1/σ²', vePrecond(), inverseSquare()],
  ['iDDPM + 1/σ²', iddpmPrecond(), inverseSquare()],
  ['EDM + EDM λ', edmPrecond(), edmWeighting()],
  ['EDM + soft-min-SNR (γ = σ_d⁻² = 4)', edmPrecond(), softMinSnr()],
  ['EDM + soft-min-SNR (γ = 5)', edmPrecond(), softMinSnr({ gamma: 5 })],
  ['EDM + 1/σ²', edmPrecond(), inverseSquare()],
];
console.log('\n## Effective weight of F’s squared error, λ(σ)·c_out(σ)²\n');
console.log(`| preconditioner + λ | ${grid.map((s) => `σ=${s}`).join(' | ')} |`);
console.log(`|---|${grid.map(() => '---').join('|')}|`);
for (const [label, p, w] of combos) {
  console.log(`| ${label} | ${grid.map((s) => fmt(w.weight(s) * p.cOut(s) ** 2)).join(' | ')} |`);
}

// --- 3. F-space vs D-space over random draws ------------------------------------------
const batch = 64;
const per = 3 * 32 * 32;
const y = createRng(7)
  .fillNormal(new Float64Array(batch * per))
  .map((v) => 0.5 * v);
const F = (xIn, cNoise) => {
  const out = new Float64Array(xIn.length);
  for (let i = 0; i < xIn.length; i++) out[i] = 0.3 * xIn[i] - 0.01 * cNoise[(i / per) | 0] + 0.05;
  return out;
};
const setups = [
  ['VP', vpPrecond(), vpNoise(), inverseSquare()],
  ['VE', vePrecond(), veNoise(), inverseSquare()],
  ['iDDPM', iddpmPrecond(), iddpmNoise(), inverseSquare()],
  ['EDM', edmPrecond(), logNormal(), edmWeighting()],
];
console.log(
  `\n## denoisingLossF vs denoisingLoss (arrayOps, float64), batch ${batch} × ${per}, 10 seeds\n`,
);
console.log(
  '| preconditioner | max relative difference per element (loss > 10⁻⁶·mean) | median σ drawn | ms per D-space loss | ms per F-space loss |',
);
console.log('|---|---|---|---|---|');
for (const [label, precond, distribution, weighting] of setups) {
  let worst = 0;
  let tD = Infinity;
  let tF = Infinity;
  const sigmas = [];
  for (let seed = 0; seed < 10; seed++) {
    const common = { ops: arrayOps, y, distribution, weighting };
    let t = performance.now();
    const d = denoisingLoss({
      ...common,
      denoiser: preconditionBatch(F, precond, arrayOps),
      rngs: sampleRngs(seed, batch),
    });
    tD = Math.min(tD, performance.now() - t);
    t = performance.now();
    const f = denoisingLossF({ ...common, F, precond, rngs: sampleRngs(seed, batch) });
    tF = Math.min(tF, performance.now() - t);
    let mean = 0;
    for (const l of d.loss) mean += l;
    mean /= d.loss.length;
    d.loss.forEach((l, i) => {
      if (l > 1e-6 * mean) worst = Math.max(worst, Math.abs(f.loss[i] - l) / l);
    });
    sigmas.push(...d.sigma);
  }
  sigmas.sort((a, b) => a - b);
  console.log(
    `| ${label} | ${fmt(worst)} | ${fmt(sigmas[sigmas.length >> 1])} | ${tD.toFixed(2)} | ${tF.toFixed(2)} |`,
  );
}
