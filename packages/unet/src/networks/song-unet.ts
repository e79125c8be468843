import * as tf from '@tensorflow/tfjs';
import { checkInteger, checkOneOf, ParameterError } from '@edmkit/core';
import { Conv2d } from '../layers/conv2d.js';
import type { WeightSource } from '../layers/edm-layer.js';
import { GroupNorm, groupCount } from '../layers/group-norm.js';
import { initSpec } from '../layers/init.js';
import { MappingNetwork, type EmbeddingType } from '../layers/mapping.js';
import { normalizeFilter } from '../layers/resample.js';
import { ScaledAdd } from '../layers/scaled-add.js';
import { UNetBlock } from '../layers/unet-block.js';
import type { Network, NetworkConfig } from '../types.js';
import {
  checkIntegerList,
  checkKnownKeys,
  checkProbability,
  checkResolution,
  modelInputs,
} from './config.js';
import { weightSource, wrapModel, type BuildOptions } from './network.js';

/** Encoder of the Song U-Net: plain, or with NCSN++'s residual skip path. */
export type EncoderType = 'standard' | 'residual';

/**
 * Config of a Song U-Net (DDPM++ / NCSN++): everything that fixes its architecture.
 * `architecture` names the family: 'ncsnpp' with the Fourier embedding, else 'ddpmpp'.
 */
export interface SongUNetConfig extends NetworkConfig {
  readonly architecture: 'ddpmpp' | 'ncsnpp';
  readonly inputShape: readonly [number, number, number];
  /** Base channels. */
  readonly modelChannels: number;
  /** Channel multiplier per resolution level (one level per entry; each but the first halves the resolution). */
  readonly channelMult: readonly number[];
  /** Embedding width = modelChannels × channelMultEmb. */
  readonly channelMultEmb: number;
  /** c_noise embedding width = modelChannels × channelMultNoise. */
  readonly channelMultNoise: number;
  /** Residual blocks per resolution (the decoder has one more). */
  readonly numBlocks: number;
  /** Resolutions with self-attention (the bottleneck's first block always has it). */
  readonly attnResolutions: readonly number[];
  /** Dropout probability in the residual blocks. */
  readonly dropout: number;
  /** Probability of dropping a sample's class label in training. */
  readonly labelDropout: number;
  readonly embeddingType: EmbeddingType;
  readonly encoderType: EncoderType;
  /** 1-D taps of the resampling filter. */
  readonly resampleFilter: readonly number[];
}

/** Options of {@link songUNet}; every field has the paper's CIFAR-10 default. */
export interface SongUNetOptions extends BuildOptions {
  /** Image side (square images; default 32). */
  readonly resolution?: number;
  /** Image channels (default 3). */
  readonly inChannels?: number;
  /** Output channels (default inChannels). */
  readonly outChannels?: number;
  /** Class-label dimension (default 0: unconditional; 10 for conditional CIFAR-10). */
  readonly labelDim?: number;
  /** Augmentation-label dimension (default 9, as train.py sets with augmentation on). */
  readonly augmentDim?: number;
  /** Base channels (default 128). */
  readonly modelChannels?: number;
  /** Channel multipliers (default [2, 2, 2]: 256 channels at 32, 16, 8). */
  readonly channelMult?: readonly number[];
  /** Embedding multiplier (default 4: 512). */
  readonly channelMultEmb?: number;
  /** Noise-embedding multiplier (default 1 with the positional embedding, 2 with Fourier). */
  readonly channelMultNoise?: number;
  /** Blocks per resolution (default 4). */
  readonly numBlocks?: number;
  /** Attention resolutions (default [16]). */
  readonly attnResolutions?: readonly number[];
  /** Dropout (default 0.13, train.py's CIFAR-10 value; the class default is 0.10). */
  readonly dropout?: number;
  /** Label dropout (default 0). */
  readonly labelDropout?: number;
  /** c_noise embedding (default 'positional'). */
  readonly embeddingType?: EmbeddingType;
  /** Encoder (default 'standard'). */
  readonly encoderType?: EncoderType;
  /** Resampling filter taps (default [1, 1]). */
  readonly resampleFilter?: readonly number[];
}

const SONG_KEYS = [
  'seed',
  'resolution',
  'inChannels',
  'outChannels',
  'labelDim',
  'augmentDim',
  'modelChannels',
  'channelMult',
  'channelMultEmb',
  'channelMultNoise',
  'numBlocks',
  'attnResolutions',
  'dropout',
  'labelDropout',
  'embeddingType',
  'encoderType',
  'resampleFilter',
] as const;

/**
 * The validated config of a Song U-Net (see {@link songUNet}), without building it.
 *
 * @example
 * songUNetConfig().channelMult; // [2, 2, 2]
 * countParamsOf(songUNetConfig()); // 55 733 891
 * @see https://arxiv.org/abs/2206.00364
 */
export function songUNetConfig(options: SongUNetOptions = {}): SongUNetConfig {
  checkKnownKeys('options', options, SONG_KEYS);
  const resolution = checkInteger('resolution', options.resolution ?? 32, 1);
  const inChannels = checkInteger('inChannels', options.inChannels ?? 3, 1);
  const outChannels = checkInteger('outChannels', options.outChannels ?? inChannels, 1);
  const labelDim = checkInteger('labelDim', options.labelDim ?? 0, 0);
  const augmentDim = checkInteger('augmentDim', options.augmentDim ?? 9, 0);
  const modelChannels = checkInteger('modelChannels', options.modelChannels ?? 128, 1);
  const channelMult = checkIntegerList('channelMult', options.channelMult ?? [2, 2, 2], 1);
  const channelMultEmb = checkInteger('channelMultEmb', options.channelMultEmb ?? 4, 1);
  const embeddingType = checkOneOf('embeddingType', options.embeddingType ?? 'positional', [
    'positional',
    'fourier',
  ] as const);
  const channelMultNoise = checkInteger(
    'channelMultNoise',
    options.channelMultNoise ?? (embeddingType === 'fourier' ? 2 : 1),
    1,
  );
  const numBlocks = checkInteger('numBlocks', options.numBlocks ?? 4, 1);
  const attnResolutions = checkIntegerList(
    'attnResolutions',
    options.attnResolutions ?? [16],
    1,
    true,
  );
  const dropout = checkProbability('dropout', options.dropout ?? 0.13);
  const labelDropout = checkProbability('labelDropout', options.labelDropout ?? 0);
  const encoderType = checkOneOf('encoderType', options.encoderType ?? 'standard', [
    'standard',
    'residual',
  ] as const);
  const resampleFilter = Object.freeze([...(options.resampleFilter ?? [1, 1])]);
  normalizeFilter(resampleFilter);
  checkResolution(resolution, channelMult.length);
  const noiseChannels = modelChannels * channelMultNoise;
  if (noiseChannels % 2 !== 0 || noiseChannels < 4) {
    throw new ParameterError(
      'channelMultNoise',
      'a value making modelChannels × channelMultNoise even and >= 4',
      channelMultNoise,
    );
  }
  const config: SongUNetConfig = Object.freeze({
    architecture: embeddingType === 'fourier' ? ('ncsnpp' as const) : ('ddpmpp' as const),
    inputShape: Object.freeze([resolution, resolution, inChannels] as const),
    outChannels,
    labelDim,
    augmentDim,
    modelChannels,
    channelMult,
    channelMultEmb,
    channelMultNoise,
    numBlocks,
    attnResolutions,
    dropout,
    labelDropout,
    embeddingType,
    encoderType,
    resampleFilter,
  });
  // Walking the architecture checks every GroupNorm width (official rule: min(32, ⌊C/4⌋) groups).
  songUNetParamCount(config);
  return config;
}

/** The options that reproduce `config` through {@link songUNetConfig}. */
export function songUNetOptionsOf(config: SongUNetConfig): SongUNetOptions {
  const { architecture: _a, inputShape, ...rest } = config;
  return { ...rest, resolution: inputShape[0], inChannels: inputShape[2] };
}

/** Parameters of a Song U-Net, summed from its layers without allocating weights. */
export function songUNetParamCount(config: SongUNetConfig): number {
  const {
    modelChannels: mc,
    channelMult,
    numBlocks,
    attnResolutions,
    labelDim,
    augmentDim,
  } = config;
  const [res, , inChannels] = config.inputShape;
  const embChannels = mc * config.channelMultEmb;
  const block = (
    inC: number,
    outC: number,
    flags: { up?: boolean; down?: boolean; attention?: boolean } = {},
  ): number => {
    groupCount(inC);
    groupCount(outC);
    return UNetBlock.paramCount({
      inChannels: inC,
      outChannels: outC,
      embChannels,
      adaptiveScale: false,
      resampleProj: true,
      ...flags,
    });
  };
  let n = MappingNetwork.paramCount({
    kind: 'song',
    noiseChannels: mc * config.channelMultNoise,
    embChannels,
    labelDim,
    augmentDim,
  });
  let cout = inChannels;
  let caux = inChannels;
  const skips: number[] = [];
  channelMult.forEach((mult, level) => {
    const r = res >> level;
    if (level === 0) {
      n += Conv2d.paramCount(cout, mc, 3);
      cout = mc;
    } else {
      n += block(cout, cout, { down: true });
      if (config.encoderType === 'residual') {
        n += Conv2d.paramCount(caux, cout, 3);
        caux = cout;
      }
    }
    skips.push(cout);
    for (let i = 0; i < numBlocks; i++) {
      n += block(cout, mc * mult, { attention: attnResolutions.includes(r) });
      cout = mc * mult;
      skips.push(cout);
    }
  });
  for (let level = channelMult.length - 1; level >= 0; level--) {
    const r = res >> level;
    const mult = channelMult[level]!;
    if (level === channelMult.length - 1)
      n += block(cout, cout, { attention: true }) + block(cout, cout);
    else n += block(cout, cout, { up: true });
    for (let i = 0; i <= numBlocks; i++) {
      n += block(cout + skips.pop()!, mc * mult, {
        attention: i === numBlocks && attnResolutions.includes(r),
      });
      cout = mc * mult;
    }
  }
  return n + GroupNorm.paramCount(cout) + Conv2d.paramCount(cout, config.outChannels, 3);
}

/** Builds the tfjs model of a Song U-Net config. */
export function buildSongUNet(config: SongUNetConfig, rng: WeightSource): tf.LayersModel {
  const { modelChannels: mc, channelMult, numBlocks, attnResolutions, resampleFilter } = config;
  const res = config.inputShape[0];
  const embChannels = mc * config.channelMultEmb;
  // Appendix F.2: Xavier-uniform everywhere, ×1e−5 before residual sums and at the output, √0.2 for qkv.
  const init = initSpec('xavierUniform');
  const initZero = initSpec('xavierUniform', 1e-5);
  const initAttn = initSpec('xavierUniform', Math.sqrt(0.2));
  const blockArgs = {
    numHeads: 1,
    dropout: config.dropout,
    skipScale: Math.SQRT1_2,
    epsilon: 1e-6,
    resampleFilter,
    resampleProj: true,
    adaptiveScale: false,
    init,
    initZero,
    initAttn,
    rng,
  };
  const inputs = modelInputs(config);
  const emb = new MappingNetwork({
    name: 'map',
    kind: 'song',
    noiseChannels: mc * config.channelMultNoise,
    embChannels,
    embeddingType: config.embeddingType,
    labelDim: config.labelDim,
    augmentDim: config.augmentDim,
    labelDropout: config.labelDropout,
    init,
    rng,
  }).apply(inputs.conditioning) as tf.SymbolicTensor;
  const block = (
    name: string,
    x: tf.SymbolicTensor,
    outChannels: number,
    flags: Partial<{ up: boolean; down: boolean; attention: boolean }> = {},
  ): tf.SymbolicTensor =>
    new UNetBlock({ name, outChannels, ...flags, ...blockArgs }).apply([
      x,
      emb,
    ]) as tf.SymbolicTensor;

  // Encoder.
  let x = inputs.x;
  let aux = inputs.x;
  let cout = config.inputShape[2];
  const skips: tf.SymbolicTensor[] = [];
  channelMult.forEach((mult, level) => {
    const r = res >> level;
    const tag = `${r}x${r}`;
    if (level === 0) {
      cout = mc;
      x = new Conv2d({ name: `enc.${tag}_conv`, filters: cout, kernel: 3, init, rng }).apply(
        x,
      ) as tf.SymbolicTensor;
    } else {
      x = block(`enc.${tag}_down`, x, cout, { down: true });
      if (config.encoderType === 'residual') {
        const skip = new Conv2d({
          name: `enc.${tag}_aux_residual`,
          filters: cout,
          kernel: 3,
          down: true,
          resampleFilter,
          fusedResample: true,
          init,
          rng,
        }).apply(aux) as tf.SymbolicTensor;
        x = new ScaledAdd({ name: `enc.${tag}_aux_sum`, scale: Math.SQRT1_2 }).apply([
          x,
          skip,
        ]) as tf.SymbolicTensor;
        aux = x;
      }
    }
    skips.push(x);
    for (let i = 0; i < numBlocks; i++) {
      cout = mc * mult;
      x = block(`enc.${tag}_block${i}`, x, cout, { attention: attnResolutions.includes(r) });
      skips.push(x);
    }
  });

  // Decoder.
  for (let level = channelMult.length - 1; level >= 0; level--) {
    const r = res >> level;
    const tag = `${r}x${r}`;
    if (level === channelMult.length - 1) {
      x = block(`dec.${tag}_in0`, x, cout, { attention: true });
      x = block(`dec.${tag}_in1`, x, cout);
    } else {
      x = block(`dec.${tag}_up`, x, cout, { up: true });
    }
    for (let i = 0; i <= numBlocks; i++) {
      x = tf.layers
        .concatenate({ name: `dec.${tag}_cat${i}`, axis: -1 })
        .apply([x, skips.pop()!]) as tf.SymbolicTensor;
      cout = mc * channelMult[level]!;
      x = block(`dec.${tag}_block${i}`, x, cout, {
        attention: i === numBlocks && attnResolutions.includes(r),
      });
    }
  }
  const tag = `${res}x${res}`;
  let out = new GroupNorm({ name: `dec.${tag}_aux_norm`, epsilon: 1e-6, rng }).apply(
    x,
  ) as tf.SymbolicTensor;
  out = tf.layers
    .activation({ name: `dec.${tag}_aux_silu`, activation: 'swish' })
    .apply(out) as tf.SymbolicTensor;
  out = new Conv2d({
    name: `dec.${tag}_aux_conv`,
    filters: config.outChannels,
    kernel: 3,
    init: initZero,
    rng,
  }).apply(out) as tf.SymbolicTensor;
  return tf.model({ inputs: inputs.list, outputs: out, name: config.architecture });
}

/** Builds a {@link Network} from a Song U-Net config. */
export function songUNetFromConfig(
  config: SongUNetConfig,
  options: BuildOptions = {},
  zeros = false,
): Network {
  const model = buildSongUNet(config, weightSource(options, zeros));
  return wrapModel(config, model, config.dropout > 0 || config.labelDropout > 0);
}

/**
 * The Song U-Net of Song et al. (2021), "DDPM++" / "NCSN++" in the paper: the raw network
 * F of the VP and VE configurations and of the EDM CIFAR-10 models. Defaults are the
 * CIFAR-10 32×32 DDPM++ settings of the official train.py (numerics guide: “Network architectures”).
 *
 * Paper: Table 1 row "Architecture of F_θ", Appendix F.2, Table 7. Structure (official
 * `SongUNet`): mapping network (c_noise embedding + labels → 2 dense layers, SiLU);
 * encoder: 3×3 conv, then per level a downsampling block and `numBlocks` blocks
 * (+ NCSN++'s residual skip path: aux ← (x + conv3×3↓(aux))/√2); decoder: two bottleneck
 * blocks (the first with attention), then per level `numBlocks + 1` blocks on the
 * concatenated skips, an upsampling block between levels; output GroupNorm, SiLU, 3×3 conv.
 * Blocks: additive embedding, skip scale 1/√2, GroupNorm ε 10⁻⁶, one attention head,
 * learned 1×1 projections on resampling skips. 55 733 891 parameters with the defaults.
 *
 * @param options - see {@link SongUNetOptions}; `seed` seeds the initial weights
 * @example
 * const net = songUNet({ resolution: 28, inChannels: 1, modelChannels: 32, channelMult: [1, 2, 2],
 *   numBlocks: 1, attnResolutions: [14] });
 * const y = net.apply(tf.randomNormal([4, 28, 28, 1]), tf.zeros([4]));
 * @see https://arxiv.org/abs/2206.00364
 */
export function songUNet(options: SongUNetOptions = {}): Network {
  return songUNetFromConfig(songUNetConfig(options), options);
}

/** DDPM++ settings (VP; EDM CIFAR-10 "ddpmpp"): positional embedding, standard encoder, [1, 1] filter. */
const DDPMPP = {
  embeddingType: 'positional',
  encoderType: 'standard',
  resampleFilter: [1, 1],
  channelMultNoise: 1,
} as const;
/** NCSN++ settings (VE): Fourier embedding (2× noise channels), residual encoder, [1, 3, 3, 1] filter. */
const NCSNPP = {
  embeddingType: 'fourier',
  encoderType: 'residual',
  resampleFilter: [1, 3, 3, 1],
  channelMultNoise: 2,
} as const;
/**
 * A small Song U-Net for this 2-core machine: 28×28×1 (MNIST), 32 base channels,
 * levels 28/14/7 with 32/64/64 channels, one block per level, attention at 14×14.
 */
const SMALL = {
  resolution: 28,
  inChannels: 1,
  augmentDim: 0,
  modelChannels: 32,
  channelMult: [1, 2, 2],
  numBlocks: 1,
  attnResolutions: [14],
} as const;

/**
 * DDPM++ (paper Table 1, VP column; the EDM CIFAR-10 models): {@link songUNet} with the
 * positional c_noise embedding, standard encoder and [1, 1] resampling filter.
 * 55 733 891 parameters at the CIFAR-10 defaults (unconditional, augmentDim 9).
 *
 * @example
 * const net = ddpmpp({ labelDim: 10 }); // class-conditional CIFAR-10 (55 735 299 parameters)
 * @see https://arxiv.org/abs/2206.00364
 */
export function ddpmpp(options: SongUNetOptions = {}): Network {
  return songUNet(ddpmppOptions(options));
}

/**
 * The config of {@link ddpmpp} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function ddpmppConfig(options: SongUNetOptions = {}): SongUNetConfig {
  return songUNetConfig(ddpmppOptions(options));
}

function ddpmppOptions(options: SongUNetOptions): SongUNetOptions {
  return { ...DDPMPP, ...options };
}

/**
 * NCSN++ (paper Table 1, VE column): {@link songUNet} with random Fourier features of
 * c_noise (256 channels), NCSN++'s residual encoder skip path and the [1, 3, 3, 1] filter.
 * 56 397 827 parameters at the CIFAR-10 defaults (plus 128 fixed Fourier frequencies).
 *
 * @example
 * const net = ncsnpp({ seed: 1 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function ncsnpp(options: SongUNetOptions = {}): Network {
  return songUNet(ncsnppOptions(options));
}

/**
 * The config of {@link ncsnpp} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function ncsnppConfig(options: SongUNetOptions = {}): SongUNetConfig {
  return songUNetConfig(ncsnppOptions(options));
}

function ncsnppOptions(options: SongUNetOptions): SongUNetOptions {
  return { ...NCSNPP, ...options };
}

/**
 * A small DDPM++ for this machine (28×28×1, 32 base channels, 1 block per level,
 * attention at 14×14; 1,259,393 parameters). Any option can be overridden.
 *
 * @example
 * const net = ddpmppSmall({ resolution: 32, inChannels: 3 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function ddpmppSmall(options: SongUNetOptions = {}): Network {
  return songUNet(ddpmppSmallOptions(options));
}

/**
 * The config of {@link ddpmppSmall} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function ddpmppSmallConfig(options: SongUNetOptions = {}): SongUNetConfig {
  return songUNetConfig(ddpmppSmallOptions(options));
}

function ddpmppSmallOptions(options: SongUNetOptions): SongUNetOptions {
  return { ...DDPMPP, ...SMALL, ...options };
}

/**
 * A small NCSN++ for this machine (as {@link ddpmppSmall} with NCSN++'s embedding,
 * encoder and filter).
 *
 * @example
 * const net = ncsnppSmall();
 * @see https://arxiv.org/abs/2206.00364
 */
export function ncsnppSmall(options: SongUNetOptions = {}): Network {
  return songUNet(ncsnppSmallOptions(options));
}

/**
 * The config of {@link ncsnppSmall} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function ncsnppSmallConfig(options: SongUNetOptions = {}): SongUNetConfig {
  return songUNetConfig(ncsnppSmallOptions(options));
}

function ncsnppSmallOptions(options: SongUNetOptions): SongUNetOptions {
  return { ...NCSNPP, ...SMALL, ...options };
}
