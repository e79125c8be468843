import { checkInteger, checkOneOf, checkPositive, ParameterError } from '@edmkit/core';
import {
  edmWeighting,
  iddpmNoise,
  inverseSquare,
  logNormal,
  softMinSnr,
  veNoise,
  vpNoise,
  type LossWeighting,
  type NoiseDistribution,
} from '@edmkit/losses';
import {
  edmPrecond,
  iddpmPrecond,
  vePrecond,
  vpPrecond,
  type Preconditioner,
} from '@edmkit/precond';
import {
  table2Baselines,
  table2Configs,
  table2Ids,
  type Table2Baseline,
  type Table2Id,
} from './table2.js';
import {
  architectureNames,
  noiseDistributionNames,
  precondNames,
  weightingNames,
  type TrainingConfig,
  type TrainingHyperparameters,
} from './training-config.js';
import { trainingPresets, type TrainingPresetName } from './training.js';

/**
 * Names of the networks a training preset can ask for: the paper's U-Nets, their small
 * variants for a CPU, and the MLP for vector data (`networkByName` of `@edmkit/unet` builds
 * each of them).
 */
export const trainingNetworkNames = [
  'ddpmpp',
  'ncsnpp',
  'adm',
  'ddpmppSmall',
  'ncsnppSmall',
  'admSmall',
  'mlp',
] as const;
export type TrainingNetworkName = (typeof trainingNetworkNames)[number];

/** A training configuration turned into the objects of `@edmkit/precond` and `@edmkit/losses`. */
export interface ResolvedTraining {
  readonly config: TrainingConfig;
  /** c_skip, c_out, c_in, c_noise (paper Table 1, "Network and preconditioning"). */
  readonly precond: Preconditioner;
  /** p_train(σ) (paper Table 1, "Noise distribution"). */
  readonly distribution: NoiseDistribution;
  /** λ(σ) (paper Table 1, "Loss weighting"). */
  readonly weighting: LossWeighting;
}

/**
 * The preconditioner, p_train(σ) and λ(σ) a training configuration names, each with its
 * default constants: VP (β_d 19.9, β_min 0.1, ε_t 10⁻⁵), VE (σ in [0.02, 100]), iDDPM
 * (M = 1000), EDM (the configuration's σ_data, P_mean, P_std). `sigmaData` stands in
 * where the configuration has none (EDM preconditioning and weighting, soft-min-SNR).
 * Unknown names throw an `UnknownNameError`.
 *
 * Paper: Table 1, training rows (numerics guide: “Preconditioning”, “Training”).
 * @example
 * const { precond, distribution, weighting } = resolveTraining(edmTraining);
 * weighting.weight(1) * precond.cOut(1) ** 2; // 1
 */
export function resolveTraining(config: TrainingConfig, sigmaData = 0.5): ResolvedTraining {
  if (config == null || typeof config !== 'object')
    throw new ParameterError('config', 'a TrainingConfig object', config);
  const precondName = checkOneOf('precond', config.precond, precondNames);
  const noiseName = checkOneOf('noise', config.noise, noiseDistributionNames);
  const weightingName = checkOneOf('weighting', config.weighting, weightingNames);
  checkOneOf('architecture', config.architecture, architectureNames);
  const sd = checkPositive('sigmaData', config.sigmaData ?? sigmaData);
  const precond: Preconditioner =
    precondName === 'vp'
      ? vpPrecond()
      : precondName === 've'
        ? vePrecond()
        : precondName === 'iddpm'
          ? iddpmPrecond()
          : edmPrecond({ sigmaData: sd });
  const distribution: NoiseDistribution =
    noiseName === 'vp'
      ? vpNoise()
      : noiseName === 've'
        ? veNoise()
        : noiseName === 'iddpm'
          ? iddpmNoise()
          : logNormal({ pMean: config.pMean ?? -1.2, pStd: config.pStd ?? 1.2 });
  const weighting: LossWeighting =
    weightingName === 'inverse-square'
      ? inverseSquare()
      : weightingName === 'edm'
        ? edmWeighting({ sigmaData: sd })
        : softMinSnr({ sigmaData: sd });
  return Object.freeze({ config, precond, distribution, weighting });
}

/**
 * Non-leaky augmentation settings as data, in the option names of `augmentPipeline` of
 * `@edmkit/train`: the probability p and one multiplier per transform (0: off).
 */
export interface AugmentSettings {
  /** Overall augmentation probability. */
  readonly p: number;
  readonly xflip: number;
  readonly yflip: number;
  readonly translateInt: number;
  readonly scale: number;
  readonly rotate: number;
  readonly aniso: number;
  readonly translateFrac: number;
}

/**
 * Config F's augmentation, the official CIFAR-10 setup: p = 0.12; x-flip (multiplier 10⁸:
 * every image is eligible, a fair coin flips it), y-flip, isotropic scaling, arbitrary
 * rotation, anisotropic scaling and fractional translation; no integer translation. The
 * network gets the 9 labels of the enabled transforms (`augmentDim` 9).
 *
 * Paper: Table 2 config F, Table 7 "Augment probability" 12 %; Appendix F.2 (numerics guide:
 * “Training hyperparameters”).
 */
export const nonLeakyAugment: AugmentSettings = Object.freeze({
  p: 0.12,
  xflip: 1e8,
  yflip: 1,
  translateInt: 0,
  scale: 1,
  rotate: 1,
  aniso: 1,
  translateFrac: 1,
});

/** Augmentation labels of {@link nonLeakyAugment}: x-flip, y-flip, scale, rotation (2), anisotropy (2), translation (2). */
const AUGMENT_DIM = 9;

/** The hyperparameters of a preset: Table 2 / Table 7's, with the recipe's other switches. */
export interface TrainingPresetHyperparameters extends TrainingHyperparameters {
  /** Training duration of the paper's CIFAR-10 runs, in images (200 M). */
  readonly totalImages: number;
  /** Global L2 norm the gradient is clipped to (Song et al.: 1), or null for none. */
  readonly gradClip: number | null;
  /**
   * Dataset x-flips (Song et al.'s random horizontal flips of the training images).
   * `@edmkit/train` does not flip: mirror the images yourself (or add mirrored copies).
   */
  readonly xflip: boolean;
}

/** Options of a U-Net builder a preset sets (names of `@edmkit/unet`'s factory options). */
export interface UNetPresetOptions {
  readonly resolution: number;
  readonly inChannels: number;
  readonly labelDim: number;
  /** 9 with augmentation (config F), else 0. */
  readonly augmentDim: number;
  /** Channel multiplier per resolution level (config C: [2, 2, 2] instead of [1, 2, 2, 2]). */
  readonly channelMult: readonly number[];
  /** Small variants: the levels at half (and, ADM, quarter) resolution; else the family's default. */
  readonly attnResolutions?: readonly number[];
  readonly dropout: number;
}

/** Options of the MLP a preset sets for vector data. */
export interface MlpPresetOptions {
  readonly dim: number;
  readonly labelDim: number;
}

/** The network of a preset, by name, with the options that differ per configuration. */
export type PresetNetwork =
  | {
      readonly name: Exclude<TrainingNetworkName, 'mlp'>;
      readonly options: UNetPresetOptions;
    }
  | { readonly name: 'mlp'; readonly options: MlpPresetOptions };

/** The options of `train()` of `@edmkit/train` a preset fixes (spread them into the call). */
export interface PresetTrainOptions {
  readonly precond: Preconditioner;
  readonly distribution: NoiseDistribution;
  readonly weighting: LossWeighting;
  readonly batchSize: number;
  readonly lr: number;
  readonly lrRampupImages: number;
  readonly emaHalfLifeImages: number;
  /** null: no EMA ramp-up. */
  readonly emaRampupRatio: number | null;
  readonly gradClip: number | null;
}

/** A training recipe resolved to data and loss objects: what `trainingPreset` returns. */
export interface TrainingPreset {
  /** e.g. `'VP F'`, `'EDM'`. */
  readonly name: string;
  /** The Table 2 baseline, or null for a named preset. */
  readonly baseline: Table2Baseline | null;
  /** The Table 2 row, or null for a named preset. */
  readonly id: Table2Id | null;
  /** The named preset (`trainingPresets`), or null for a Table 2 row. */
  readonly preset: TrainingPresetName | null;
  /** The names of the configuration (Table 1 training rows) and its hyperparameters. */
  readonly config: TrainingConfig;
  readonly precond: Preconditioner;
  readonly distribution: NoiseDistribution;
  readonly weighting: LossWeighting;
  readonly hyperparameters: TrainingPresetHyperparameters;
  /** Non-leaky augmentation (config F), or null for none. */
  readonly augment: AugmentSettings | null;
  readonly network: PresetNetwork;
  /** precond, distribution, weighting and the optimisation hyperparameters, as `train()` names them. */
  readonly trainOptions: PresetTrainOptions;
  /** Where the preset differs from the paper's row at this data shape and size. */
  readonly notes: readonly string[];
}

/** Options of {@link trainingPreset}. */
export type TrainingPresetOptions = TrainingPresetSource & TrainingPresetData;

/** Which recipe: a Table 2 row (baseline + config) or a named preset. */
export type TrainingPresetSource =
  | {
      /** Table 2 baseline: 'vp' (DDPM++) or 've' (NCSN++). */
      readonly baseline: Table2Baseline;
      /** Table 2 row, 'A' … 'F'. */
      readonly config: Table2Id;
      readonly preset?: undefined;
    }
  | {
      /** A named preset of `trainingPresets`: 'vp', 've', 'iddpm' or 'edm'. */
      readonly preset: TrainingPresetName;
      readonly baseline?: undefined;
      readonly config?: undefined;
    };

/** The data the network is built for. */
export interface TrainingPresetData {
  /** Image side (square images; default 32). */
  readonly resolution?: number;
  /** Image channels (default 3). */
  readonly channels?: number;
  /** Vector data of this size instead of images: the network is the MLP. */
  readonly dim?: number;
  /** Class-label dimension (default 0: unconditional). */
  readonly labelDim?: number;
  /** 'paper': the paper's U-Nets (default); 'small': their small variants, for a CPU. */
  readonly size?: 'paper' | 'small';
}

const OPTION_KEYS = [
  'baseline',
  'config',
  'preset',
  'resolution',
  'channels',
  'dim',
  'labelDim',
  'size',
] as const;
const SIZES = ['paper', 'small'] as const;

/** Song et al.'s recipe (config A and the vp, ve, iddpm presets). */
const BASELINE_RECIPE = Object.freeze({
  totalImages: 200_000_000, // Table 7, "Duration": 200 Mimg
  gradClip: 1, // Song et al.: gradient clipping at norm 1
  xflip: true, // Song et al.: random horizontal flips
});
/** EDM's recipe (configs B–F and the edm preset). */
const EDM_RECIPE = Object.freeze({
  totalImages: 200_000_000, // Table 7, "Duration": 200 Mimg
  gradClip: null, // no gradient clipping
  xflip: false, // dataset x-flips off (config F flips inside the augmentation)
});

/**
 * A training recipe of the paper as frozen data: any row of Table 2 (`baseline` 'vp' or
 * 've', `config` 'A' … 'F') or a named preset of Table 1 (`preset` 'vp', 've', 'iddpm',
 * 'edm'), with its preconditioner, p_train(σ) and λ(σ) (objects of `@edmkit/precond` and
 * `@edmkit/losses`, whose fields are their constants), hyperparameters, augmentation
 * settings, and the network by name with the options of the row — for square images of
 * `resolution` × `resolution` × `channels` (default 32 × 32 × 3, CIFAR-10), or vector data
 * of size `dim` (an MLP).
 *
 * The networks are the CIFAR-10 ones: VP DDPM++, VE NCSN++ (EDM: DDPM++, iDDPM: ADM), with
 * channel multipliers [1, 2, 2, 2] in A and B and [2, 2, 2] from C on (C removes the 4×4
 * level and doubles the 32×32 one), dropout 0.10 in A and 0.13 from B on, and 9
 * augmentation labels in F. `size: 'small'` picks ddpmppSmall / ncsnppSmall / admSmall
 * (their capacity is the same in every row: see `notes`). Build the network with
 * `networkByName(preset.network.name, { ...preset.network.options, seed })` of
 * `@edmkit/unet`, the augmentation with `augmentPipeline(preset.augment)` of
 * `@edmkit/train`.
 *
 * Unknown names throw an `UnknownNameError`, other invalid options a `ParameterError`.
 *
 * Paper: Table 2, Table 7 (Appendix F.2; numerics guide: “Training hyperparameters”,
 * “Network architectures”).
 * @example
 * const f = trainingPreset({ baseline: 'vp', config: 'F', resolution: 32, channels: 3 });
 * f.distribution; // { name: 'log-normal', pMean: -1.2, pStd: 1.2, … }
 * f.network; // { name: 'ddpmpp', options: { channelMult: [2, 2, 2], augmentDim: 9, … } }
 * f.augment?.p; // 0.12
 * @see https://arxiv.org/abs/2206.00364
 */
export function trainingPreset(options: TrainingPresetOptions): TrainingPreset {
  if (options == null || typeof options !== 'object')
    throw new ParameterError(
      'options',
      'an object { baseline, config } or { preset }, with the data shape',
      options,
    );
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key))
      throw new ParameterError(
        `options.${key}`,
        `one of the known options (${OPTION_KEYS.join(', ')})`,
        (options as unknown as Record<string, unknown>)[key],
      );
  }
  const source = resolveSource(options);
  const labelDim = checkInteger('labelDim', options.labelDim ?? 0, 0);
  const { config } = source;
  const augment = config.hyperparameters.augment > 0 ? nonLeakyAugment : null;
  const notes: string[] = [];
  let network: PresetNetwork;
  if (options.dim !== undefined) {
    for (const key of ['resolution', 'channels', 'size'] as const) {
      if (options[key] !== undefined)
        throw new ParameterError(key, 'absent with dim (vector data)', options[key]);
    }
    if (augment !== null)
      throw new ParameterError(
        'config',
        'a configuration without augmentation (A–E): the augmentation transforms images',
        source.id,
      );
    network = {
      name: 'mlp',
      options: Object.freeze({ dim: checkInteger('dim', options.dim, 1), labelDim }),
    };
    if (source.id === 'C')
      notes.push('C moves U-Net capacity between resolutions; the MLP is the same as in B');
  } else {
    const resolution = checkInteger('resolution', options.resolution ?? 32, 1);
    const channels = checkInteger('channels', options.channels ?? 3, 1);
    const size = checkOneOf('size', options.size ?? 'paper', SIZES);
    network = unetOf(config, source.redistributed, size, {
      resolution,
      inChannels: channels,
      labelDim,
      augmentDim: augment === null ? 0 : AUGMENT_DIM,
      dropout: config.hyperparameters.dropout,
    });
    if (size === 'small' && source.id === 'C')
      notes.push('C: the small U-Nets have no 4×4 level to take capacity from; the network is B’s');
  }
  if (source.recipe.xflip)
    notes.push('dataset x-flips: @edmkit/train does not flip, mirror the images yourself');

  const { precond, distribution, weighting } = resolveTraining(config);
  const hyperparameters: TrainingPresetHyperparameters = Object.freeze({
    ...config.hyperparameters,
    ...source.recipe,
  });
  const trainOptions: PresetTrainOptions = Object.freeze({
    precond,
    distribution,
    weighting,
    batchSize: hyperparameters.batch,
    lr: hyperparameters.lr,
    lrRampupImages: hyperparameters.lrRampupImages,
    emaHalfLifeImages: hyperparameters.emaHalfLifeImages,
    emaRampupRatio: hyperparameters.emaRampupRatio > 0 ? hyperparameters.emaRampupRatio : null,
    gradClip: hyperparameters.gradClip,
  });
  return Object.freeze({
    name: source.name,
    baseline: source.baseline,
    id: source.id,
    preset: source.preset,
    config,
    precond,
    distribution,
    weighting,
    hyperparameters,
    augment,
    network: Object.freeze(network),
    trainOptions,
    notes: Object.freeze(notes),
  });
}

interface Source {
  readonly name: string;
  readonly baseline: Table2Baseline | null;
  readonly id: Table2Id | null;
  readonly preset: TrainingPresetName | null;
  readonly config: TrainingConfig;
  /** The 32×32 level doubled and the 4×4 level removed (config C on, and EDM). */
  readonly redistributed: boolean;
  readonly recipe: typeof BASELINE_RECIPE | typeof EDM_RECIPE;
}

function resolveSource(options: TrainingPresetOptions): Source {
  // Checked as untyped input: a caller without types may pass anything.
  const given = options as { baseline?: unknown; config?: unknown; preset?: unknown };
  if (given.preset !== undefined) {
    for (const key of ['baseline', 'config'] as const) {
      if (given[key] !== undefined) throw new ParameterError(key, 'absent with preset', given[key]);
    }
    const presetNames = Object.keys(trainingPresets) as TrainingPresetName[];
    const preset = checkOneOf('preset', given.preset, presetNames);
    const config = trainingPresets[preset];
    const edm = preset === 'edm';
    return {
      name: config.label,
      baseline: null,
      id: null,
      preset,
      config,
      redistributed: edm,
      recipe: edm ? EDM_RECIPE : BASELINE_RECIPE,
    };
  }
  if (given.baseline === undefined || given.config === undefined) {
    throw new ParameterError(
      given.baseline === undefined ? 'baseline' : 'config',
      "a Table 2 baseline ('vp', 've') and config ('A' … 'F'), or a preset",
      undefined,
    );
  }
  const baseline = checkOneOf('baseline', given.baseline, table2Baselines);
  const id = checkOneOf('config', given.config, table2Ids);
  return {
    name: `${baseline.toUpperCase()} ${id}`,
    baseline,
    id,
    preset: null,
    config: table2Configs(baseline)[id],
    redistributed: id !== 'A' && id !== 'B',
    recipe: id === 'A' ? BASELINE_RECIPE : EDM_RECIPE,
  };
}

/** The U-Net of a configuration's architecture at this size, with the row's options. */
function unetOf(
  config: TrainingConfig,
  redistributed: boolean,
  size: 'paper' | 'small',
  base: Omit<UNetPresetOptions, 'channelMult' | 'attnResolutions'>,
): PresetNetwork {
  const architecture = config.architecture;
  if (architecture === 'mlp')
    throw new ParameterError('dim', 'the vector size (the configuration trains an MLP)', undefined);
  const r = base.resolution;
  let name: Exclude<TrainingNetworkName, 'mlp'>;
  let channelMult: readonly number[];
  let attnResolutions: readonly number[] | undefined;
  if (size === 'small') {
    name =
      architecture === 'ddpmpp'
        ? 'ddpmppSmall'
        : architecture === 'ncsnpp'
          ? 'ncsnppSmall'
          : 'admSmall';
    channelMult = [1, 2, 2]; // the small variants' levels: r, r/2, r/4
    // Attention where the small variants have it at 28×28: half resolution (ADM: also quarter).
    attnResolutions = architecture === 'adm' ? [r / 2, r / 4] : [r / 2];
  } else {
    name = architecture;
    // Table 7, "Channels per resolution": 1-2-2-2 (Song et al.), 2-2-2 (config C on);
    // ADM: 1-2-3-4 (train.py --arch=adm).
    channelMult = architecture === 'adm' ? [1, 2, 3, 4] : redistributed ? [2, 2, 2] : [1, 2, 2, 2];
  }
  const factor = 2 ** (channelMult.length - 1);
  if (r % factor !== 0)
    throw new ParameterError(
      'resolution',
      `a multiple of ${factor} (${name} halves it ${channelMult.length - 1} times)`,
      r,
    );
  const options: UNetPresetOptions = {
    ...base,
    channelMult: Object.freeze([...channelMult]),
    ...(attnResolutions === undefined
      ? {}
      : { attnResolutions: Object.freeze([...attnResolutions]) }),
  };
  return { name, options: Object.freeze(options) };
}
