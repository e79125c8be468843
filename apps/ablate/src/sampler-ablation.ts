import { arrayOps, checkInteger, createRng, sampleRngs } from '@edmkit/core';
import { frechetDistance, referenceSolve, rmsError, slicedWasserstein, summarize } from '@edmkit/metrics';
import {
  edm,
  resolveSampler,
  runSampler,
  samplerAblation,
  type ResolvedSampler,
  type SamplerConfig,
  type SamplerFamily,
} from '@edmkit/presets';
import type { PreparedDataset } from './datasets.js';

/** Options of {@link runSamplerAblation}. */
export interface SamplerAblationOptions {
  /** Families whose Fig. 2 chains are run. */
  readonly families: readonly SamplerFamily[];
  /** Also run the EDM preset (EDM network, σ ∈ [0.002, 80]). */
  readonly includeEdm: boolean;
  /** Target NFE values; each configuration uses the most steps whose NFE does not exceed a target. */
  readonly nfe: readonly number[];
  /** Seed of the latents (one stream per sample). */
  readonly seed: number;
  /** Relative tolerance of the reference ODE solve. */
  readonly referenceRtol: number;
  /** Called with the number of denoiser evaluations done, for progress display. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Progress of the ablation, in denoiser evaluations. */
export interface ProgressEvent {
  readonly dataset: string;
  readonly config: string;
  readonly nfe: number;
  /** Evaluations completed since the previous event. */
  readonly done: number;
}

/** One cell of the ablation: a configuration at one step count on one data set. */
export interface AblationCell {
  readonly dataset: string;
  readonly config: string;
  /** The NFE target this run answers (its NFE is the largest not above it). */
  readonly target: number;
  readonly n: number;
  readonly nfe: number;
  /** Per-sample RMS error against the reference ODE solution: median, mean, 90th percentile, max. */
  readonly rms: { readonly median: number; readonly mean: number; readonly p90: number; readonly max: number };
  /** Fréchet distance of the samples to an equally large set of data samples. */
  readonly frechet: number;
  /** Sliced 2-Wasserstein distance of the samples to the data samples. */
  readonly slicedW2: number;
  readonly seconds: number;
}

/** The reference solve of one starting level. */
export interface ReferenceInfo {
  readonly dataset: string;
  readonly sigmaStart: number;
  readonly nfe: number;
  readonly rtol: number;
  readonly frechet: number;
  readonly slicedW2: number;
  readonly seconds: number;
}

/** Everything one data set's ablation produced. */
export interface DatasetAblation {
  readonly dataset: PreparedDataset;
  readonly configs: readonly ResolvedConfigInfo[];
  readonly cells: readonly AblationCell[];
  readonly references: readonly ReferenceInfo[];
  /** Samples of the last configuration at its largest NFE, and the reference's, for sample grids. */
  readonly exampleSamples: { readonly config: string; readonly x: Float64Array; readonly reference: Float64Array } | undefined;
}

/** A configuration with what it resolved to, for the JSON report. */
export interface ResolvedConfigInfo {
  readonly config: SamplerConfig;
  readonly family: SamplerFamily | 'edm';
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  readonly vpBetas: { readonly betaD: number; readonly betaMin: number } | undefined;
  readonly solverOrder: 1 | 2;
}

/** The configurations of the sampler ablation, in order, with their family. */
export function ablationConfigs(options: Pick<SamplerAblationOptions, 'families' | 'includeEdm'>) {
  const out: { family: SamplerFamily | 'edm'; config: SamplerConfig }[] = [];
  for (const family of options.families) for (const config of samplerAblation(family)) out.push({ family, config });
  if (options.includeEdm) out.push({ family: 'edm', config: edm });
  return out;
}

/**
 * The step count of `sampler` for each target NFE (ascending targets; a target
 * whose step count repeats an earlier one's is dropped).
 */
export function stepCounts(sampler: ResolvedSampler, nfe: readonly number[]): { target: number; n: number }[] {
  const seen = new Set<number>();
  const out: { target: number; n: number }[] = [];
  for (const target of [...nfe].sort((a, b) => a - b)) {
    const n = sampler.stepsForNfe(checkInteger('nfe', target, 1));
    if (!seen.has(n)) out.push({ target, n });
    seen.add(n);
  }
  return out;
}

/**
 * Runs the sampler ablation on one data set: every configuration at every step
 * count, from the same latents, scored against the near-exact ODE solution
 * started from the same point.
 */
export async function runSamplerAblation(
  dataset: PreparedDataset,
  options: SamplerAblationOptions,
): Promise<DatasetAblation> {
  const { data, samples } = dataset;
  const { dim } = data;
  const latents = new Float64Array(samples * dim);
  sampleRngs(options.seed, samples).forEach((rng, b) => rng.fillNormal(latents, b * dim, dim));
  // Data samples to compare distributions against: streams disjoint from the latents'.
  const dataSamples = data.sample(sampleRngs(options.seed + 1, samples));
  const distances = (x: Float64Array) => ({
    frechet: frechetDistance(x, dataSamples, dim),
    slicedW2: slicedWasserstein(x, dataSamples, dim, { projections: 64, rng: createRng(options.seed + 2) }),
  });

  const references = new Map<number, { x: Float64Array; info: ReferenceInfo }>();
  const reference = (sigmaStart: number) => {
    const hit = references.get(sigmaStart);
    if (hit) return hit;
    const started = performance.now();
    const x0 = arrayOps.combine([[sigmaStart, latents]]);
    const solved = referenceSolve({ denoiser: data.denoiser, x0, sigmaMax: sigmaStart, dim, rtol: options.referenceRtol });
    const info: ReferenceInfo = {
      dataset: dataset.key,
      sigmaStart,
      nfe: solved.nfe,
      rtol: options.referenceRtol,
      ...distances(solved.x),
      seconds: (performance.now() - started) / 1000,
    };
    const entry = { x: solved.x, info };
    references.set(sigmaStart, entry);
    return entry;
  };

  const configs: ResolvedConfigInfo[] = [];
  const cells: AblationCell[] = [];
  let example: DatasetAblation['exampleSamples'];
  for (const { family, config } of ablationConfigs(options)) {
    const sampler = resolveSampler(config);
    configs.push({
      config,
      family,
      sigmaMin: sampler.range.sigmaMin,
      sigmaMax: sampler.range.sigmaMax,
      vpBetas: sampler.vpBetas,
      solverOrder: sampler.solver.order,
    });
    for (const { target, n } of stepCounts(sampler, options.nfe)) {
      const tSteps = sampler.tSteps(n);
      // x̂ at t_0 is z·σ(t_0): the reference starts from the very same point.
      const ref = reference(sampler.schedule.sigma(tSteps[0]!));
      const started = performance.now();
      let reported = 0;
      const { x, nfe } = await runSampler(sampler, {
        ops: arrayOps,
        denoiser: data.denoiser,
        latents,
        n,
        onStep: ({ nfe: done }) => {
          options.onProgress?.({ dataset: dataset.key, config: config.label, nfe: sampler.nfe(n), done: done - reported });
          reported = done;
        },
      });
      const rms = summarize(rmsError(x, ref.x, dim));
      cells.push({
        dataset: dataset.key,
        config: config.label,
        target,
        n,
        nfe,
        rms: { median: rms.median, mean: rms.mean, p90: rms.p90, max: rms.max },
        ...distances(x),
        seconds: (performance.now() - started) / 1000,
      });
      // The last configuration's largest run (EDM when included) is kept for sample grids.
      example = { config: config.label, x, reference: ref.x };
    }
  }
  return { dataset, configs, cells, references: [...references.values()].map((r) => r.info), exampleSamples: example };
}

/**
 * Empirical order of convergence between consecutive cells of one configuration:
 * p = ln(e₁/e₂) / ln(NFE₂/NFE₁) — 1 when the error halves as NFE doubles, 2 when it quarters.
 */
export function observedOrders(cells: readonly AblationCell[]): { nfe: number; order: number }[] {
  const out: { nfe: number; order: number }[] = [];
  for (let k = 1; k < cells.length; k++) {
    const a = cells[k - 1]!;
    const b = cells[k]!;
    out.push({ nfe: b.nfe, order: Math.log(a.rms.median / b.rms.median) / Math.log(b.nfe / a.nfe) });
  }
  return out;
}

/**
 * NFE a configuration needs to reach median error `target`, by log-log
 * interpolation between its cells; undefined when out of the measured range.
 */
export function nfeToReach(cells: readonly AblationCell[], target: number): number | undefined {
  for (let k = 0; k < cells.length; k++) {
    const b = cells[k]!;
    if (b.rms.median <= target) {
      if (k === 0) return b.nfe;
      const a = cells[k - 1]!;
      const f = Math.log(a.rms.median / target) / Math.log(a.rms.median / b.rms.median);
      return Math.exp(Math.log(a.nfe) + f * Math.log(b.nfe / a.nfe));
    }
  }
  return undefined;
}
