// Shared by the sampler-ablation measurement scripts: the Gaussian mixture and latents of
// `edmkit ablate sampler` (default sizes, seed 0), the exact flow between two noise levels,
// and one step of a configuration's solver in its own σ(t), s(t).
import { arrayOps, sampleRngs } from '@edmkit/core';
import { referenceSolve, rmsError, summarize } from '@edmkit/metrics';
import { resolveSampler } from '@edmkit/presets';
import { prepareDataset } from '../dist/datasets.js';
import { samplerDefaults } from '../dist/sampler-command.js';

/** The ablation's mixture (default sizes) and its latents z, exactly as the ablation draws them. */
export function mixtureSetup(seed = 0) {
  const dataset = prepareDataset('gmm', samplerDefaults.sizes, seed);
  const { dim } = dataset.data;
  const latents = new Float64Array(dataset.samples * dim);
  sampleRngs(seed, dataset.samples).forEach((rng, b) => rng.fillNormal(latents, b * dim, dim));
  return { dataset, data: dataset.data, dim, latents, samples: dataset.samples };
}

/** x̂(σ_to) on the exact flow through x̂(σ_from) = x (σ_to = 0: the data end). */
export async function flow(data, x, sigmaFrom, sigmaTo, rtol = 1e-10) {
  const solved = await referenceSolve({
    denoiser: data.denoiser,
    x0: x,
    sigmaMax: sigmaFrom,
    ...(sigmaTo > 0 ? { sigmaMin: sigmaTo } : {}),
    dim: data.dim,
    rtol,
    atol: rtol,
  });
  return solved.x;
}

/** Exact x̂ at every level of `sigmas` (decreasing, the first one the start z·σ_0). */
export async function exactPath(data, latents, sigmas, rtol = 1e-10) {
  const path = [arrayOps.combine([[sigmas[0], latents]])];
  for (let i = 1; i < sigmas.length; i++)
    path.push(await flow(data, path[i - 1], sigmas[i - 1], sigmas[i], rtol));
  return path;
}

/** One pass of a resolved sampler's solver over `sigmas` (x̂ in, x̂ out; no σ = 0 needed). */
export async function solve(sampler, data, x, sigmas) {
  const { x: out } = await sampler.solver.sample({
    ops: arrayOps,
    denoiser: data.denoiser,
    x,
    sigmas,
  });
  return out;
}

/** Median over samples of the per-sample RMS distance. */
export function medianRms(a, b, dim) {
  return summarize(rmsError(a, b, dim)).median;
}

/** The σ levels a configuration visits for `n` steps (σ(t_i), ending in 0). */
export function levels(sampler, n) {
  return Array.from(sampler.tSteps(n), (t) => (t === 0 ? 0 : sampler.schedule.sigma(t)));
}

export { resolveSampler };

/** Numbers as the report prints them. */
export const fmt = (v) =>
  !Number.isFinite(v)
    ? String(v)
    : v === 0
      ? '0'
      : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4
        ? v.toPrecision(3)
        : v.toExponential(2);

/** dx/dt in a configuration's scaled coordinates x = s(t)·x̂ (paper Eq. 4), from x̂. */
export async function slope(sampler, data, xhat, t) {
  const { sigma, sigmaDeriv } = sampler.schedule;
  const { s, sDeriv } = sampler.scaling;
  const sg = sigma(t);
  const d = await data.denoiser(xhat, sg);
  const a = (sigmaDeriv(t) / sg + sDeriv(t) / s(t)) * s(t);
  const b = (-sigmaDeriv(t) * s(t)) / sg;
  return arrayOps.combine([
    [a, xhat],
    [b, d],
  ]);
}

/**
 * One step σ_i → σ_{i+1} from the exact x̂_i, split the way Heun's error splits: Euler's
 * error, Heun's error, the trapezoid rule's error with exact slopes at both ends (what is
 * left when the predictor is exact), and the predictor's share, h/2·(f(x′) − f(x_{i+1})).
 * Median RMS over samples, in x̂ units.
 */
export async function stepParts(sampler, data, xI, xN, sigmaI, sigmaN) {
  const { dim } = data;
  const tI = sampler.schedule.sigmaInv(sigmaI);
  const tN = sampler.schedule.sigmaInv(sigmaN);
  const sI = sampler.scaling.s(tI);
  const sN = sampler.scaling.s(tN);
  const h = tN - tI;
  const fI = await slope(sampler, data, xI, tI);
  const pred = arrayOps.combine([
    [sI, xI],
    [h, fI],
  ]); // Euler, scaled
  const predHat = arrayOps.combine([[1 / sN, pred]]);
  const fPred = await slope(sampler, data, predHat, tN);
  const fExact = await slope(sampler, data, xN, tN);
  const heun = arrayOps.combine([
    [sI / sN, xI],
    [h / 2 / sN, fI],
    [h / 2 / sN, fPred],
  ]);
  const trap = arrayOps.combine([
    [sI / sN, xI],
    [h / 2 / sN, fI],
    [h / 2 / sN, fExact],
  ]);
  return {
    euler: medianRms(predHat, xN, dim),
    heun: medianRms(heun, xN, dim),
    trapezoid: medianRms(trap, xN, dim),
    predictor: medianRms(heun, trap, dim),
  };
}
