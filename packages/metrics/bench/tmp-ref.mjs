import { arrayOps, sampleRngs } from '@edmkit/core';
import { isotropicGaussian, standardMixture } from '@edmkit/data';
import { mnistDataset } from '@edmkit/data/mnist';
import { referenceSolve, rmsError, summarize } from '@edmkit/metrics';
const tols = process.argv.slice(2).map(Number);
const rtol = tols[0] ?? 1e-10, atol = tols[1] ?? 1e-10;
function z(B, d) { return arrayOps.randnLike(new Float64Array(B * d), sampleRngs(1, B)); }
{
  const g = isotropicGaussian({ dim: 16 });
  const x0 = arrayOps.combine([[80, z(256, 16)]]);
  const t0 = performance.now();
  const r = await referenceSolve({ denoiser: g.denoiser, x0, sigmaMax: 80, dim: 16, rtol, atol });
  const exact = g.flow(x0, 80, 0);
  let rel = 0; for (let i = 0; i < exact.length; i++) rel = Math.max(rel, Math.abs(r.x[i] - exact[i]) / Math.abs(exact[i]));
  console.log('gaussian', r.nfe, r.steps, r.rejected, (performance.now() - t0).toFixed(0), 'ms maxrel', rel);
}
{
  const m = standardMixture({ seed: 0 });
  const x0 = arrayOps.combine([[80, z(256, 16)]]);
  let t0 = performance.now();
  const r = await referenceSolve({ denoiser: m.denoiser, x0, sigmaMax: 80, dim: 16, rtol, atol });
  const ms = performance.now() - t0;
  const r2 = await referenceSolve({ denoiser: m.denoiser, x0, sigmaMax: 80, dim: 16, rtol: rtol / 100, atol: atol / 100 });
  const e = summarize(rmsError(r.x, r2.x, 16));
  console.log('mixture', r.nfe, r.steps, r.rejected, ms.toFixed(0), 'ms; tight nfe', r2.nfe, 'diff max', e.max, 'median', e.median);
}
{
  const data = mnistDataset({ count: 500, size: 14 });
  const x0 = arrayOps.combine([[80, z(64, 196)]]);
  let t0 = performance.now();
  const r = await referenceSolve({ denoiser: data.denoiser, x0, sigmaMax: 80, dim: 196, rtol, atol });
  const ms = performance.now() - t0;
  const r2 = await referenceSolve({ denoiser: data.denoiser, x0, sigmaMax: 80, dim: 196, rtol: rtol / 100, atol: atol / 100 });
  const e = summarize(rmsError(r.x, r2.x, 196));
  console.log('mnist14 K500', r.nfe, r.steps, r.rejected, ms.toFixed(0), 'ms; tight nfe', r2.nfe, 'diff max', e.max, 'median', e.median);
}
