import { arrayOps, checkInteger, checkOneOf, createRng, sampleRngs, type Rng } from '@edmkit/core';
import { empiricalImages, gaussianMixture, standardMixture, type DataSet } from '@edmkit/data';
import { frechetDistance, mmd, slicedWasserstein } from '@edmkit/metrics';
import { precondition, type Preconditioner } from '@edmkit/precond';
import {
  edm,
  overrideSampler,
  resolveSampler,
  runSampler,
  table2,
  trainingPreset,
  type Table2Baseline,
  type Table2Row,
  type TrainingConfig,
  type TrainingPreset,
} from '@edmkit/presets';
import { datasetSource, samplerSource, train, type DataSource } from '@edmkit/train';
import {
  networkByName,
  rawNetwork,
  tensorFromArray,
  tensorToArray,
  tfjsOps,
  type Network,
} from '@edmkit/unet';
import { avgPool2x2 } from '@edmkit/data';
import { loadMnist } from '@edmkit/data/mnist';

/** The objects a training configuration names (paper Table 1, training rows): the library's resolver. */

/** Low-dimensional data sets of the quick training ablation. */
export const quickDatasetNames = ['ring', 'gmm'] as const;
export type QuickDatasetName = (typeof quickDatasetNames)[number];

/**
 * The quick mode's data: `ring`, 8 isotropic Gaussians (std 0.05) evenly spaced on a
 * circle of radius 0.7 in 2-D (σ_data ≈ 0.5), or `gmm`, the 16-d standard mixture of the
 * sampler ablation. Both have exact samples and an exact ideal denoiser.
 */
export function quickDataset(name: string, seed: number): DataSet {
  const key = checkOneOf('data', name, quickDatasetNames);
  if (key === 'gmm') return standardMixture({ seed });
  const k = 8;
  const means = Array.from({ length: k }, (_, i) => [
    0.7 * Math.cos((2 * Math.PI * i) / k),
    0.7 * Math.sin((2 * Math.PI * i) / k),
  ]);
  return gaussianMixture({
    weights: Array<number>(k).fill(1),
    means,
    stds: Array<number>(k).fill(0.05),
    dim: 2,
  });
}

/** Options of {@link runTrainingAblation}. */
export interface TrainingAblationOptions {
  readonly baselines: readonly Table2Baseline[];
  /**
   * `quick`: MLP denoisers on the low-dimensional `data` (minutes). `full`: the small U-Nets
   * of each baseline's architecture on `mnistImages` MNIST digits at 28×28 (hours).
   */
  readonly mode: 'quick' | 'full';
  readonly data: QuickDatasetName;
  /** Full mode: MNIST images in the training set. */
  readonly mnistImages: number;
  /** Training budget of every configuration, in images. */
  readonly totalImages: number;
  /** Samples drawn from each trained model (and from the data) for the distances. */
  readonly samples: number;
  /** Sampling steps of the EDM sampler (Heun, NFE 2N − 1). */
  readonly steps: number;
  /** MLP hidden width and depth. */
  readonly hidden: number;
  readonly layers: number;
  readonly seed: number;
  /** Worker threads of each training run (see `train()`); default: one per core. */
  readonly workers?: number;
  readonly onProgress?: (event: {
    label: string;
    imagesSeen: number;
    totalImages: number;
    loss: number;
  }) => void;
}

/** One row of the training ablation's results. */
export interface TrainingAblationRow {
  readonly baseline: Table2Baseline;
  readonly id: Table2Row['id'];
  readonly label: string;
  readonly notReproducible?: string;
  readonly config?: TrainingConfig;
  /** Hyperparameters as run (ramp-up and EMA lengths scaled to the budget). */
  readonly run?: {
    batch: number;
    lr: number;
    lrRampupImages: number;
    emaHalfLifeImages: number;
    emaRampupRatio: number;
    steps: number;
  };
  /** Sliced 2-Wasserstein distance of the model's samples to data samples. */
  readonly slicedW2?: number;
  /** MMD² (RBF kernel, one bandwidth for all rows) of the model's samples to data samples. */
  readonly mmd?: number;
  /** Full mode: Fréchet distance on 2×2-average-pooled pixels (14×14) to the training images. */
  readonly frechet?: number;
  /** Full mode: the model's samples (for a grid). */
  readonly samples?: Float64Array;
  /** Mean training objective over the last 10 % of steps. */
  readonly finalLoss?: number;
  /** The training objective, averaged over 100 equal windows of steps (for the loss curve). */
  readonly lossCurve?: readonly (readonly [number, number])[];
  readonly seconds?: number;
  /** Set when this row's run is the identical configuration of an earlier row, reused. */
  readonly sameAs?: string;
}

/** The whole training ablation's result. */
export interface TrainingAblationResult {
  readonly rows: readonly TrainingAblationRow[];
  /** Distances of samples drawn with the exact ideal denoiser and the same sampler: the floor. */
  readonly ideal: Distances;
  /** Distances between two independent sets of data samples: the noise level of the metric. */
  readonly dataVsData: Distances;
  readonly dim: number;
  readonly sigmaData: number;
  /** Full mode: image side, for sample grids. */
  readonly imageSize?: number;
}

/** The distances a row is scored by. */
export interface Distances {
  readonly slicedW2: number;
  readonly mmd: number;
  readonly frechet?: number;
}

/** The data a mode trains on, its exact samples and ideal denoiser. */
function prepare(options: TrainingAblationOptions): {
  data: DataSet;
  source: DataSource;
  shape: number[];
  imageSize?: number;
} {
  if (options.mode === 'quick') {
    const data = quickDataset(options.data, options.seed);
    return {
      data,
      source: samplerSource({ shape: [data.dim], sample: (rngs) => data.sample(rngs) }),
      shape: [data.dim],
    };
  }
  const mnist = loadMnist({ count: options.mnistImages, size: 28, seed: options.seed });
  // The empirical distribution of the training images: exact samples and ideal denoiser.
  const data = empiricalImages({ images: mnist.images, count: mnist.count, dim: mnist.dim });
  return {
    data,
    source: datasetSource({ data: mnist.images, shape: [28, 28, 1] }),
    shape: [28, 28, 1],
    imageSize: 28,
  };
}

/**
 * The library's recipe of a Table 2 row for this mode's data: an MLP on the quick mode's
 * vectors, the small U-Net of the row's architecture on the full mode's images.
 */
function presetOf(
  mode: TrainingAblationOptions['mode'],
  baseline: Table2Baseline,
  id: Table2Row['id'],
  shape: readonly number[],
): TrainingPreset {
  const [side = 0, , channels = 0] = shape;
  return mode === 'quick'
    ? trainingPreset({ baseline, config: id, dim: side })
    : trainingPreset({ baseline, config: id, resolution: side, channels, size: 'small' });
}

/** The network of a recipe: the MLP (hidden width and depth of the options) or the small U-Net. */
function makeNetwork(options: TrainingAblationOptions, preset: TrainingPreset): Network {
  const net = preset.network;
  const seed = options.seed;
  if (net.name === 'mlp')
    return networkByName('mlp', {
      ...net.options,
      hidden: options.hidden,
      layers: options.layers,
      seed,
    });
  return networkByName(net.name, { ...net.options, seed });
}

/** Largest batch of the full mode: U-Net activations and gradients must fit the wasm heap. */
export const fullModeMaxBatch = 16;

/**
 * The training ablation: each reproducible row of Table 2 (per baseline) trains
 * a network (quick: a small MLP on low-dimensional data; full: the small U-Net of
 * the row's architecture on MNIST digits) for the same budget, then
 * samples it with the EDM sampler (Heun, EDM steps, on the configuration's own
 * network range) and scores the samples by their distance to data samples.
 */
export async function runTrainingAblation(
  options: TrainingAblationOptions,
): Promise<TrainingAblationResult> {
  const totalImages = checkInteger('totalImages', options.totalImages, 1);
  const samples = checkInteger('samples', options.samples, 2);
  const { data, source, shape, imageSize } = prepare(options);
  const { dim, sigmaData } = data;
  const dataSamples = data.sample(sampleRngs(options.seed + 1, samples));
  const otherDataSamples = data.sample(sampleRngs(options.seed + 2, samples));
  const latents = new Float64Array(samples * dim);
  sampleRngs(options.seed + 3, samples).forEach((rng: Rng, b) =>
    rng.fillNormal(latents, b * dim, dim),
  );
  // One RBF bandwidth for every row (the median heuristic on data vs data), so MMDs compare.
  const { bandwidth } = mmd(otherDataSamples, dataSamples, dim);
  const pooled = (x: Float64Array) => avgPool2x2(x, x.length / dim, 28);
  const pooledData = imageSize === undefined ? undefined : pooled(dataSamples);
  const distances = (x: Float64Array): Distances => ({
    slicedW2: slicedWasserstein(x, dataSamples, dim, {
      projections: 128,
      rng: createRng(options.seed + 4),
    }),
    mmd: mmd(x, dataSamples, dim, { bandwidth }).mmd2,
    ...(pooledData === undefined ? {} : { frechet: frechetDistance(pooled(x), pooledData, 196) }),
  });

  // The floor: the same EDM sampler with the exact ideal denoiser.
  const edmSampler = resolveSampler(edm);
  const ideal = (
    await runSampler(edmSampler, {
      ops: arrayOps,
      denoiser: data.denoiser,
      latents,
      n: options.steps,
    })
  ).x;

  const rows: TrainingAblationRow[] = [];
  // Rows whose configuration is the same but for its label and architecture name (the MLP
  // stands in for every architecture here), e.g. E of the VP and VE baselines, train once.
  const done = new Map<string, TrainingAblationRow>();
  for (const baseline of options.baselines) {
    for (const row of table2(baseline, options.mode)) {
      if (!row.config) {
        rows.push({
          baseline,
          id: row.id,
          label: row.label,
          notReproducible: row.notReproducible ?? '',
        });
        continue;
      }
      const key = JSON.stringify({
        ...row.config,
        label: '',
        architecture: options.mode === 'quick' ? 'mlp' : row.config.architecture,
      });
      const same = done.get(key);
      const result = same
        ? {
            ...same,
            baseline,
            id: row.id,
            label: row.label,
            config: row.config,
            sameAs: `${same.baseline.toUpperCase()} ${same.id}`,
          }
        : await trainAndScore(baseline, row, row.config);
      done.set(key, result);
      rows.push(result);
    }
  }
  return {
    rows,
    ideal: distances(ideal),
    dataVsData: distances(otherDataSamples),
    dim,
    sigmaData,
    ...(imageSize === undefined ? {} : { imageSize }),
  };

  async function trainAndScore(
    baseline: Table2Baseline,
    row: Table2Row,
    config: TrainingConfig,
  ): Promise<TrainingAblationRow> {
    const started = performance.now();
    const preset = presetOf(options.mode, baseline, row.id, shape);
    const { precond, distribution, weighting } = preset;
    const hp = preset.hyperparameters;
    // The paper trained for hp.totalImages (200 Mimg); ramp-up and EMA lengths scale with the budget.
    const scale = totalImages / hp.totalImages;
    const run = {
      // Full mode caps the batch for memory (U-Net activations on 2 cores / 24 GiB).
      batch: options.mode === 'full' ? Math.min(hp.batch, fullModeMaxBatch) : hp.batch,
      lr: hp.lr,
      lrRampupImages: Math.max(1, Math.round(hp.lrRampupImages * scale)),
      emaHalfLifeImages: Math.max(1, Math.round(hp.emaHalfLifeImages * scale)),
      emaRampupRatio: hp.emaRampupRatio,
      steps: 0,
    };
    run.steps = Math.ceil(totalImages / run.batch);
    const network = makeNetwork(options, preset);
    const label = `${baseline.toUpperCase()} ${row.label}`;
    const result = await train({
      network,
      precond,
      distribution,
      weighting,
      data: source,
      totalImages,
      batchSize: run.batch,
      seed: options.seed,
      lr: run.lr,
      lrRampupImages: run.lrRampupImages,
      emaHalfLifeImages: run.emaHalfLifeImages,
      emaRampupRatio: run.emaRampupRatio > 0 ? run.emaRampupRatio : null,
      progress: false,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      onStep: ({ imagesSeen, loss }) =>
        options.onProgress?.({ label, imagesSeen, totalImages, loss }),
    });
    try {
      const x = await sampleNetwork(
        result.ema,
        precond,
        config.precond,
        latents,
        shape,
        options.steps,
      );
      const history = result.lossHistory;
      const tail = history.subarray(Math.floor(history.length * 0.9));
      const windows = Math.min(100, history.length);
      const lossCurve = Array.from({ length: windows }, (_, w) => {
        const lo = Math.floor((w * history.length) / windows);
        const hi = Math.floor(((w + 1) * history.length) / windows);
        const part = history.subarray(lo, hi);
        return [hi * run.batch, part.reduce((a, b) => a + b, 0) / part.length] as const;
      });
      return {
        baseline,
        id: row.id,
        label: row.label,
        config,
        run,
        ...distances(x),
        ...(imageSize === undefined ? {} : { samples: x }),
        finalLoss: tail.reduce((a, b) => a + b, 0) / Math.max(tail.length, 1),
        lossCurve,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      result.ema.dispose();
      network.dispose();
    }
  }
}

/** Samples a trained network with the EDM sampler on its own network's σ range (numerics guide: “Noise range defaults and clamping”). */
async function sampleNetwork(
  network: Network,
  precond: Preconditioner,
  precondName: TrainingConfig['precond'],
  latents: Float64Array,
  shape: readonly number[],
  steps: number,
): Promise<Float64Array> {
  const batch = latents.length / shape.reduce((a, b) => a * b, 1);
  const denoiser = precondition(rawNetwork(network), precond, tfjsOps);
  const sampler = resolveSampler(overrideSampler(edm, { network: precondName }));
  const z = tensorFromArray(latents, [batch, ...shape]);
  try {
    const { x } = await runSampler(sampler, { ops: tfjsOps, denoiser, latents: z, n: steps });
    const out = await tensorToArray(x);
    x.dispose();
    return out;
  } finally {
    z.dispose();
  }
}
