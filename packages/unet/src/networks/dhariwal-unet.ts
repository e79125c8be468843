import * as tf from '@tensorflow/tfjs';
import { checkInteger, ParameterError } from '@edmkit/core';
import { Conv2d } from '../layers/conv2d.js';
import type { WeightSource } from '../layers/edm-layer.js';
import { GroupNorm, groupCount } from '../layers/group-norm.js';
import { initSpec } from '../layers/init.js';
import { MappingNetwork } from '../layers/mapping.js';
import { attentionHeads, UNetBlock } from '../layers/unet-block.js';
import type { Network, NetworkConfig } from '../types.js';
import {
  checkIntegerList,
  checkKnownKeys,
  checkProbability,
  checkResolution,
  modelInputs,
} from './config.js';
import { weightSource, wrapModel, type BuildOptions } from './network.js';

/** Config of a Dhariwal U-Net (ADM): everything that fixes its architecture. */
export interface DhariwalUNetConfig extends NetworkConfig {
  readonly architecture: 'adm';
  readonly inputShape: readonly [number, number, number];
  /** Base channels (also the width of the c_noise embedding). */
  readonly modelChannels: number;
  /** Channel multiplier per resolution level. */
  readonly channelMult: readonly number[];
  /** Embedding width = modelChannels × channelMultEmb. */
  readonly channelMultEmb: number;
  /** Residual blocks per resolution (the decoder has one more). */
  readonly numBlocks: number;
  /** Resolutions with self-attention (the bottleneck's first block always has it). */
  readonly attnResolutions: readonly number[];
  /** Channels per attention head. */
  readonly channelsPerHead: number;
  /** Dropout probability in the residual blocks. */
  readonly dropout: number;
  /** Probability of dropping a sample's class label in training. */
  readonly labelDropout: number;
}

/** Options of {@link dhariwalUNet}; defaults are train.py's CIFAR-10 `--arch=adm` settings. */
export interface DhariwalUNetOptions extends BuildOptions {
  /** Image side (square; default 32). */
  readonly resolution?: number;
  /** Image channels (default 3). */
  readonly inChannels?: number;
  /** Output channels (default inChannels; 2× for iDDPM's learned variance). */
  readonly outChannels?: number;
  /** Class-label dimension (default 0). */
  readonly labelDim?: number;
  /** Augmentation-label dimension (default 9, as train.py sets with augmentation on). */
  readonly augmentDim?: number;
  /** Base channels (default 192, as train.py `--arch=adm` and the official class set). */
  readonly modelChannels?: number;
  /** Channel multipliers (default [1, 2, 3, 4], as train.py `--arch=adm` and the class set). */
  readonly channelMult?: readonly number[];
  /** Embedding multiplier (default 4). */
  readonly channelMultEmb?: number;
  /** Blocks per resolution (default 3). */
  readonly numBlocks?: number;
  /** Attention resolutions (default [32, 16, 8]). */
  readonly attnResolutions?: readonly number[];
  /** Channels per attention head (default 64). */
  readonly channelsPerHead?: number;
  /**
   * Dropout (default 0.13: train.py's `--dropout` default, which it passes to every
   * architecture; the official class default and EDM's ImageNet-64 run use 0.10).
   */
  readonly dropout?: number;
  /** Label dropout (default 0). */
  readonly labelDropout?: number;
}

const DHARIWAL_KEYS = [
  'seed',
  'resolution',
  'inChannels',
  'outChannels',
  'labelDim',
  'augmentDim',
  'modelChannels',
  'channelMult',
  'channelMultEmb',
  'numBlocks',
  'attnResolutions',
  'channelsPerHead',
  'dropout',
  'labelDropout',
] as const;

/**
 * The validated config of a Dhariwal U-Net (see {@link dhariwalUNet}), without building it.
 *
 * @example
 * countParamsOf(dhariwalUNetConfig()); // 279 625 923 (32×32×3, unconditional, augmentDim 9)
 * @see https://arxiv.org/abs/2206.00364
 */
export function dhariwalUNetConfig(options: DhariwalUNetOptions = {}): DhariwalUNetConfig {
  checkKnownKeys('options', options, DHARIWAL_KEYS);
  const resolution = checkInteger('resolution', options.resolution ?? 32, 1);
  const inChannels = checkInteger('inChannels', options.inChannels ?? 3, 1);
  const modelChannels = checkInteger('modelChannels', options.modelChannels ?? 192, 1);
  if (modelChannels % 2 !== 0 || modelChannels < 2) {
    throw new ParameterError(
      'modelChannels',
      'an even integer >= 2 (it is the width of the c_noise embedding)',
      modelChannels,
    );
  }
  const channelMult = checkIntegerList('channelMult', options.channelMult ?? [1, 2, 3, 4], 1);
  checkResolution(resolution, channelMult.length);
  const config: DhariwalUNetConfig = Object.freeze({
    architecture: 'adm' as const,
    inputShape: Object.freeze([resolution, resolution, inChannels] as const),
    outChannels: checkInteger('outChannels', options.outChannels ?? inChannels, 1),
    labelDim: checkInteger('labelDim', options.labelDim ?? 0, 0),
    augmentDim: checkInteger('augmentDim', options.augmentDim ?? 9, 0),
    modelChannels,
    channelMult,
    channelMultEmb: checkInteger('channelMultEmb', options.channelMultEmb ?? 4, 1),
    numBlocks: checkInteger('numBlocks', options.numBlocks ?? 3, 1),
    attnResolutions: checkIntegerList(
      'attnResolutions',
      options.attnResolutions ?? [32, 16, 8],
      1,
      true,
    ),
    channelsPerHead: checkInteger('channelsPerHead', options.channelsPerHead ?? 64, 1),
    dropout: checkProbability('dropout', options.dropout ?? 0.13),
    labelDropout: checkProbability('labelDropout', options.labelDropout ?? 0),
  });
  // Walking the architecture checks every GroupNorm width and attention head count.
  dhariwalUNetParamCount(config);
  return config;
}

/** The options that reproduce `config` through {@link dhariwalUNetConfig}. */
export function dhariwalUNetOptionsOf(config: DhariwalUNetConfig): DhariwalUNetOptions {
  const { architecture: _a, inputShape, ...rest } = config;
  return { ...rest, resolution: inputShape[0], inChannels: inputShape[2] };
}

/** Parameters of a Dhariwal U-Net, summed from its layers without allocating weights. */
export function dhariwalUNetParamCount(config: DhariwalUNetConfig): number {
  const { modelChannels: mc, channelMult, numBlocks, attnResolutions, channelsPerHead } = config;
  const [res, , inChannels] = config.inputShape;
  const embChannels = mc * config.channelMultEmb;
  const block = (
    inC: number,
    outC: number,
    flags: { up?: boolean; down?: boolean; attention?: boolean } = {},
  ): number => {
    groupCount(inC);
    groupCount(outC);
    if (flags.attention === true) attentionHeads(outC, null, channelsPerHead);
    return UNetBlock.paramCount({
      inChannels: inC,
      outChannels: outC,
      embChannels,
      adaptiveScale: true,
      resampleProj: false,
      ...flags,
    });
  };
  let n = MappingNetwork.paramCount({
    kind: 'dhariwal',
    noiseChannels: mc,
    embChannels,
    labelDim: config.labelDim,
    augmentDim: config.augmentDim,
  });
  let cout = inChannels;
  const skips: number[] = [];
  channelMult.forEach((mult, level) => {
    const r = res >> level;
    if (level === 0) {
      n += Conv2d.paramCount(cout, mc * mult, 3);
      cout = mc * mult;
    } else {
      n += block(cout, cout, { down: true });
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
      n += block(cout + skips.pop()!, mc * mult, { attention: attnResolutions.includes(r) });
      cout = mc * mult;
    }
  }
  groupCount(cout);
  return n + GroupNorm.paramCount(cout) + Conv2d.paramCount(cout, config.outChannels, 3);
}

/** Builds the tfjs model of a Dhariwal U-Net config. */
export function buildDhariwalUNet(config: DhariwalUNetConfig, rng: WeightSource): tf.LayersModel {
  const { modelChannels: mc, channelMult, numBlocks, attnResolutions } = config;
  const res = config.inputShape[0];
  // Appendix F.2: Kaiming-uniform ×√⅓ for weights and biases (PyTorch's default), zero before residual sums.
  const init = initSpec('kaimingUniform', Math.sqrt(1 / 3), Math.sqrt(1 / 3));
  const initZero = initSpec('kaimingUniform', 0, 0);
  const blockArgs = {
    channelsPerHead: config.channelsPerHead,
    dropout: config.dropout,
    skipScale: 1,
    epsilon: 1e-5,
    resampleFilter: [1, 1],
    resampleProj: false,
    adaptiveScale: true,
    init,
    initZero,
    rng,
  };
  const inputs = modelInputs(config);
  const emb = new MappingNetwork({
    name: 'map',
    kind: 'dhariwal',
    noiseChannels: mc,
    embChannels: mc * config.channelMultEmb,
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
  let cout = config.inputShape[2];
  const skips: tf.SymbolicTensor[] = [];
  channelMult.forEach((mult, level) => {
    const r = res >> level;
    const tag = `${r}x${r}`;
    if (level === 0) {
      cout = mc * mult;
      x = new Conv2d({ name: `enc.${tag}_conv`, filters: cout, kernel: 3, init, rng }).apply(
        x,
      ) as tf.SymbolicTensor;
    } else {
      x = block(`enc.${tag}_down`, x, cout, { down: true });
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
      x = block(`dec.${tag}_block${i}`, x, cout, { attention: attnResolutions.includes(r) });
    }
  }
  let out = new GroupNorm({ name: 'out_norm', epsilon: 1e-5, rng }).apply(x) as tf.SymbolicTensor;
  out = tf.layers
    .activation({ name: 'out_silu', activation: 'swish' })
    .apply(out) as tf.SymbolicTensor;
  out = new Conv2d({
    name: 'out_conv',
    filters: config.outChannels,
    kernel: 3,
    init: initZero,
    rng,
  }).apply(out) as tf.SymbolicTensor;
  return tf.model({ inputs: inputs.list, outputs: out, name: config.architecture });
}

/** Builds a {@link Network} from a Dhariwal U-Net config. */
export function dhariwalUNetFromConfig(
  config: DhariwalUNetConfig,
  options: BuildOptions = {},
  zeros = false,
): Network {
  const model = buildDhariwalUNet(config, weightSource(options, zeros));
  return wrapModel(config, model, config.dropout > 0 || config.labelDropout > 0);
}

/**
 * The Dhariwal U-Net ("ADM", Dhariwal & Nichol 2021): the raw network F of the iDDPM
 * configuration and of EDM's ImageNet-64 model. Defaults are what the official train.py
 * `--arch=adm` builds for CIFAR-10 32×32 with its default flags: 192 base channels,
 * multipliers [1, 2, 3, 4], embedding multiplier 4, 3 blocks per level, attention at 32,
 * 16 and 8, 64 channels per head, dropout 0.13, unconditional, augmentDim 9
 * (279 625 923 parameters; building it allocates 1.1 GB of float32 weights, and
 * {@link countParamsOf} counts it without building). {@link admImageNet64Config} has the
 * ImageNet-64 settings, {@link admSmall} a network for this machine.
 *
 * Paper: Table 1 row "Architecture of F_θ", Appendix F.2, Table 7. Structure (official
 * `DhariwalUNet`): mapping network (positional embedding [cos, sin] with
 * f_k = (1/10000)^(k/(C/2)) + augment labels → dense, SiLU, dense, + class labels (no bias),
 * SiLU); encoder and decoder as the Song U-Net's but with attention in every block of an
 * attention resolution, adaptive scale-and-shift embedding injection, skip scale 1,
 * GroupNorm ε 10⁻⁵, 64 channels per head, pure resampling (no projection) on skips whose
 * channels match. Kaiming-uniform ×√⅓ initialisation, zero-initialised layers before every
 * residual sum and at the output. For iDDPM set `outChannels` to 2× the image channels
 * (learned variance; only the first half is used).
 *
 * Where edmkit differs from the official code: when an attention resolution has fewer
 * channels than `channelsPerHead`, the official block silently has no attention; edmkit
 * throws a ParameterError.
 *
 * @param options - see {@link DhariwalUNetOptions}; `seed` seeds the initial weights
 * @example
 * const net = dhariwalUNet({ outChannels: 6 }); // iDDPM: 2× output channels
 * @see https://arxiv.org/abs/2206.00364
 */
export function dhariwalUNet(options: DhariwalUNetOptions = {}): Network {
  return dhariwalUNetFromConfig(dhariwalUNetConfig(options), options);
}

/**
 * ADM at the CIFAR-10 settings of train.py `--arch=adm` (= {@link dhariwalUNet}'s defaults:
 * 192 base channels, [1, 2, 3, 4]): 279 625 923 parameters unconditional with augmentDim 9,
 * 279 633 603 class-conditional (10 classes). Building it allocates 1.1 GB of float32
 * weights; {@link countParamsOf} with {@link admConfig} counts it without building.
 *
 * @example
 * const net = adm({ modelChannels: 128, channelMult: [1, 2, 2, 2] }); // 57 556 483 parameters
 * @see https://arxiv.org/abs/2206.00364
 */
export function adm(options: DhariwalUNetOptions = {}): Network {
  return dhariwalUNet(options);
}

/**
 * The config of {@link adm} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function admConfig(options: DhariwalUNetOptions = {}): DhariwalUNetConfig {
  return dhariwalUNetConfig(options);
}

/**
 * The config of EDM's class-conditional ImageNet-64 ADM (the official class defaults):
 * 64×64×3, 192 base channels, [1, 2, 3, 4], 3 blocks, attention at 32, 16, 8,
 * 1000 classes, no augmentation, dropout 0.10. 295 899 267 parameters (295 904 454 with
 * `outChannels: 6`, the pre-trained iDDPM model's learned variance). Building it allocates
 * 1.2 GB of weights; {@link countParamsOf} counts it without building.
 *
 * @example
 * countParamsOf(admImageNet64Config()); // 295 899 267
 * @see https://arxiv.org/abs/2206.00364
 */
export function admImageNet64Config(options: DhariwalUNetOptions = {}): DhariwalUNetConfig {
  return dhariwalUNetConfig({
    resolution: 64,
    modelChannels: 192,
    channelMult: [1, 2, 3, 4],
    numBlocks: 3,
    attnResolutions: [32, 16, 8],
    labelDim: 1000,
    augmentDim: 0,
    dropout: 0.1,
    ...options,
  });
}

/** Small ADM settings: 28×28×1, 32 base channels, levels 28/14/7, one block, attention at 14 and 7 (64 channels, one head). */
const SMALL = {
  resolution: 28,
  inChannels: 1,
  augmentDim: 0,
  modelChannels: 32,
  channelMult: [1, 2, 2],
  numBlocks: 1,
  attnResolutions: [14, 7],
} as const;

/**
 * A small ADM for this machine (28×28×1 MNIST-sized, 32 base channels, one block per
 * level, attention at 14×14 and 7×7). Any option can be overridden.
 *
 * @example
 * const net = admSmall({ outChannels: 2 }); // iDDPM-style 2× output
 * @see https://arxiv.org/abs/2206.00364
 */
export function admSmall(options: DhariwalUNetOptions = {}): Network {
  return dhariwalUNet({ ...SMALL, ...options });
}

/**
 * The config of {@link admSmall} with these options.
 *
 * @see https://arxiv.org/abs/2206.00364
 */
export function admSmallConfig(options: DhariwalUNetOptions = {}): DhariwalUNetConfig {
  return dhariwalUNetConfig({ ...SMALL, ...options });
}
