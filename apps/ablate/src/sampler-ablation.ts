import { arrayOps, checkInteger, createRng, sampleRngs } from '@edmkit/core';
import {
  frechetDistance,
  referenceSolve,
  rmsError,
  slicedWasserstein,
  summarize,
} from '@edmkit/metrics';
import {
  edm,
  resolveSampler,
  runSampler,
  samplerAblation,
  type ResolvedSampler,
  type SamplerConfig,
  type SamplerFamily,
} from '@edmkit/presets';
import type { DatasetInfo, PreparedDataset } from './datasets.js';

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
  /**
   * Run only the configurations of this shard ({@link assignShards}: balanced by estimated
   * cost, configurations that share a reference solve kept together). Every cell is a pure
   * function of its configuration and seed, so shards run anywhere and merge with
   * {@link mergeShards}.
   */
  readonly shard?: { readonly index: number; readonly count: number };
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
  /** The error the tables report: the data set's statistic (median or mean) of the per-sample RMS error. */
  readonly error: number;
  /** Per-sample RMS error against the reference ODE solution: median, mean, 90th percentile, max. */
  readonly rms: {
    readonly median: number;
    readonly mean: number;
    readonly p90: number;
    readonly max: number;
  };
  /** The data set's distribution distance (see `PreparedDataset.distance`) of the samples to as many data samples. */
  readonly distance: number;
  /** Empirical data: fraction of samples that end on another training image than the reference. */
  readonly missed: number | undefined;
  readonly seconds: number;
}

/** The reference solve of one starting level. */
export interface ReferenceInfo {
  readonly dataset: string;
  readonly sigmaStart: number;
  readonly nfe: number;
  readonly rtol: number;
  /** Distribution distance of the reference solution itself: the floor of any sampler. */
  readonly distance: number;
  readonly seconds: number;
}

/** Everything one data set's ablation produced. */
export interface DatasetAblation {
  readonly dataset: DatasetInfo;
  readonly configs: readonly ResolvedConfigInfo[];
  readonly cells: readonly AblationCell[];
  readonly references: readonly ReferenceInfo[];
  /** Samples of the last configuration at its largest NFE, and the reference's, for sample grids. */
  readonly exampleSamples:
    | { readonly config: string; readonly x: Float64Array; readonly reference: Float64Array }
    | undefined;
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
  for (const family of options.families)
    for (const config of samplerAblation(family)) out.push({ family, config });
  if (options.includeEdm) out.push({ family: 'edm', config: edm });
  return out;
}

/**
 * The step count of `sampler` for each target NFE (ascending targets; a target
 * whose step count repeats an earlier one's is dropped).
 */
/** Estimated cost of one near-exact reference solve, in denoiser evaluations of a sampler. */
const REFERENCE_COST = 1000;

/**
 * Which shard runs each configuration: configurations that start from the same σ share one
 * reference solve, so they form a group; groups go, largest estimated cost first (their
 * samplers' NFE over the step counts plus one reference solve), to the least loaded shard.
 * A pure function of the configurations, the NFE list and the shard count, so every shard
 * computes the same assignment.
 *
 * @returns the shard index (0-based) of every configuration, in `configs` order
 */
export function assignShards(
  configs: readonly { readonly config: SamplerConfig }[],
  nfe: readonly number[],
  count: number,
): number[] {
  const groups = new Map<number, { members: number[]; cost: number }>();
  configs.forEach(({ config }, i) => {
    const sampler = resolveSampler(config);
    const key = Number(sampler.range.sigmaMax.toPrecision(12));
    const cost = stepCounts(sampler, nfe).reduce((sum, { n }) => sum + sampler.nfe(n), 0);
    const group = groups.get(key) ?? { members: [], cost: REFERENCE_COST };
    group.members.push(i);
    group.cost += cost;
    groups.set(key, group);
  });
  const load = new Array<number>(count).fill(0);
  const owner = new Array<number>(configs.length).fill(0);
  const ordered = [...groups.values()].sort(
    (a, b) => b.cost - a.cost || a.members[0]! - b.members[0]!,
  );
  for (const group of ordered) {
    let target = 0;
    for (let k = 1; k < count; k++) if (load[k]! < load[target]!) target = k;
    load[target]! += group.cost;
    for (const i of group.members) owner[i] = target;
  }
  return owner;
}

export function stepCounts(
  sampler: ResolvedSampler,
  nfe: readonly number[],
): { target: number; n: number }[] {
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
  const distance = (x: Float64Array) =>
    dataset.distance === 'frechet'
      ? frechetDistance(x, dataSamples, dim)
      : slicedWasserstein(x, dataSamples, dim, {
          projections: 128,
          rng: createRng(options.seed + 2),
        });
  // The training image a sample ends on: D(x; 0) is the nearest one.
  const missed = (x: Float64Array, ref: Float64Array) => {
    if (!dataset.empirical) return undefined;
    const miss = rmsError(data.denoiser(x, 0), data.denoiser(ref, 0), dim);
    return miss.reduce((n, e) => n + (e > 0 ? 1 : 0), 0) / samples;
  };

  const references = new Map<number, { x: Float64Array; info: ReferenceInfo }>();
  // Starting levels that differ only by the σ → t → σ round trip (an ulp or two) share one
  // reference, solved from the level rounded to 12 digits (so that it does not depend on
  // which configuration, or shard, asked first); the effect on the error is ~1e-16 relative.
  const reference = async (sigmaStart: number) => {
    const key = Number(sigmaStart.toPrecision(12));
    const hit = references.get(key);
    if (hit) return hit;
    const started = performance.now();
    const x0 = arrayOps.combine([[key, latents]]);
    const solved = await referenceSolve({
      denoiser: data.denoiser,
      x0,
      sigmaMax: key,
      dim,
      rtol: options.referenceRtol,
    });
    const info: ReferenceInfo = {
      dataset: dataset.key,
      sigmaStart: key,
      nfe: solved.nfe,
      rtol: options.referenceRtol,
      distance: distance(solved.x),
      seconds: (performance.now() - started) / 1000,
    };
    const entry = { x: solved.x, info };
    references.set(key, entry);
    return entry;
  };

  const configs: ResolvedConfigInfo[] = [];
  const cells: AblationCell[] = [];
  let example: DatasetAblation['exampleSamples'];
  const all = ablationConfigs(options);
  const owner = options.shard ? assignShards(all, options.nfe, options.shard.count) : undefined;
  const mine = options.shard ? all.filter((_, i) => owner![i] === options.shard!.index) : all;
  for (const { family, config } of mine) {
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
      const ref = await reference(sampler.schedule.sigma(tSteps[0]!));
      const started = performance.now();
      let reported = 0;
      const { x, nfe } = await runSampler(sampler, {
        ops: arrayOps,
        denoiser: data.denoiser,
        latents,
        n,
        onStep: ({ nfe: done }) => {
          options.onProgress?.({
            dataset: dataset.key,
            config: config.label,
            nfe: sampler.nfe(n),
            done: done - reported,
          });
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
        error: rms[dataset.statistic],
        rms: { median: rms.median, mean: rms.mean, p90: rms.p90, max: rms.max },
        distance: distance(x),
        missed: missed(x, ref.x),
        seconds: (performance.now() - started) / 1000,
      });
      // The last configuration's largest run (EDM when included) is kept for sample grids.
      example = { config: config.label, x, reference: ref.x };
    }
  }
  const { data: _data, ...info } = dataset;
  return {
    dataset: info,
    configs,
    cells,
    references: [...references.values()].map((r) => r.info),
    exampleSamples: example,
  };
}

/**
 * Merges the results of shards (each a list of per-data-set results) into one
 * result per data set, configurations back in ablation order; the sample grid is
 * taken from the configuration that comes last.
 */
export function mergeShards(
  shards: readonly (readonly DatasetAblation[])[],
  order: readonly string[],
): DatasetAblation[] {
  const byKey = new Map<string, DatasetAblation[]>();
  for (const shard of shards)
    for (const r of shard) byKey.set(r.dataset.key, [...(byKey.get(r.dataset.key) ?? []), r]);
  const rank = (label: string) => {
    const i = order.indexOf(label);
    return i < 0 ? order.length : i;
  };
  return [...byKey.values()].map((parts) => {
    const configs = parts
      .flatMap((p) => p.configs)
      .sort((a, b) => rank(a.config.label) - rank(b.config.label));
    const labels = configs.map((c) => c.config.label);
    if (new Set(labels).size !== labels.length)
      throw new Error(`duplicate configurations in the shards of ${parts[0]!.dataset.key}`);
    const references = new Map<number, ReferenceInfo>();
    for (const p of parts)
      for (const r of p.references) references.set(Number(r.sigmaStart.toPrecision(12)), r);
    const withExample = parts
      .filter((p) => p.exampleSamples)
      .sort((a, b) => rank(b.exampleSamples!.config) - rank(a.exampleSamples!.config));
    return {
      dataset: parts[0]!.dataset,
      configs,
      cells: parts
        .flatMap((p) => p.cells)
        .sort((a, b) => rank(a.config) - rank(b.config) || a.nfe - b.nfe),
      references: [...references.values()],
      exampleSamples: withExample[0]?.exampleSamples,
    };
  });
}

/** Errors below this are rounding: the sampler reproduced the reference exactly. */
export const roundingLevel = 1e-12;

/**
 * Empirical order of convergence p of a configuration: the least-squares slope
 * of −ln(error) against ln(NFE) over its cells with NFE in [lo, hi]. p = 1 when the
 * error halves as NFE doubles, p = 2 when it quarters. The default window
 * [30, 150] sits between the pre-asymptotic start and the error floor of the final
 * Euler step to σ = 0. Undefined with fewer than two cells in the window whose error is
 * above rounding level (1e-12).
 */
export function observedOrder(
  cells: readonly AblationCell[],
  lo = 30,
  hi = 150,
): number | undefined {
  const pts = cells.filter((c) => c.nfe >= lo && c.nfe <= hi && c.error > roundingLevel);
  if (pts.length < 2) return undefined;
  const xs = pts.map((c) => Math.log(c.nfe));
  const ys = pts.map((c) => -Math.log(c.error));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, k) => {
    sxy += (x - mx) * (ys[k]! - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

/**
 * NFE a configuration needs to reach error `target`, by log-log
 * interpolation between its cells; undefined when out of the measured range.
 */
export function nfeToReach(cells: readonly AblationCell[], target: number): number | undefined {
  // Errors at rounding level (an empirical flow ending exactly on the reference's image) count as reached.
  target = Math.max(target, roundingLevel);
  for (let k = 0; k < cells.length; k++) {
    const b = cells[k]!;
    if (b.error <= target) {
      // No interpolation towards an exact result: the first exact cell is the answer.
      if (k === 0 || b.error <= roundingLevel) return b.nfe;
      const a = cells[k - 1]!;
      const f = Math.log(a.error / target) / Math.log(a.error / b.error);
      return Math.exp(Math.log(a.nfe) + f * Math.log(b.nfe / a.nfe));
    }
  }
  return undefined;
}
