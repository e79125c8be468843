import { checkOneOf, ParameterError } from '@edmkit/core';
import type { Architecture, Network, NetworkConfig } from '../types.js';
import { configDiff } from './config.js';
import {
  dhariwalUNetConfig,
  dhariwalUNetFromConfig,
  dhariwalUNetOptionsOf,
  dhariwalUNetParamCount,
  type DhariwalUNetConfig,
} from './dhariwal-unet.js';
import { mlpConfig, mlpFromConfig, mlpOptionsOf, mlpParamCount, type MlpConfig } from './mlp.js';
import type { BuildOptions } from './network.js';
import {
  songUNetConfig,
  songUNetFromConfig,
  songUNetOptionsOf,
  songUNetParamCount,
  type SongUNetConfig,
} from './song-unet.js';

/** A config of any of edmkit's networks. */
export type AnyNetworkConfig = SongUNetConfig | DhariwalUNetConfig | MlpConfig;

const ARCHITECTURES: readonly Architecture[] = ['ddpmpp', 'ncsnpp', 'adm', 'mlp'];

/**
 * Validates a network config (e.g. one read from a file) and returns it in canonical
 * form. Throws a {@link ParameterError} naming the first invalid or inconsistent field
 * (an unknown field, a value out of range, an `architecture` that does not match the
 * other fields).
 *
 * @example
 * checkNetworkConfig(JSON.parse(JSON.stringify(ddpmppConfig()))); // equal to ddpmppConfig()
 * @see https://arxiv.org/abs/2206.00364
 */
export function checkNetworkConfig(config: unknown): AnyNetworkConfig {
  if (config == null || typeof config !== 'object')
    throw new ParameterError('config', 'a network config object', config);
  const c = config as NetworkConfig;
  const architecture = checkOneOf('config.architecture', c.architecture, ARCHITECTURES);
  if (!Array.isArray(c.inputShape))
    throw new ParameterError('config.inputShape', 'an array of integers', c.inputShape);
  let canonical: AnyNetworkConfig;
  switch (architecture) {
    case 'ddpmpp':
    case 'ncsnpp':
      if (c.inputShape.length !== 3 || c.inputShape[0] !== c.inputShape[1]) {
        throw new ParameterError(
          'config.inputShape',
          '[resolution, resolution, channels]',
          c.inputShape,
        );
      }
      canonical = songUNetConfig(songUNetOptionsOf(c as SongUNetConfig));
      break;
    case 'adm':
      if (c.inputShape.length !== 3 || c.inputShape[0] !== c.inputShape[1]) {
        throw new ParameterError(
          'config.inputShape',
          '[resolution, resolution, channels]',
          c.inputShape,
        );
      }
      canonical = dhariwalUNetConfig(dhariwalUNetOptionsOf(c as DhariwalUNetConfig));
      break;
    case 'mlp':
      if (c.inputShape.length !== 1)
        throw new ParameterError('config.inputShape', '[dim]', c.inputShape);
      canonical = mlpConfig(mlpOptionsOf(c as MlpConfig));
      break;
  }
  const diff = configDiff(canonical, c);
  if (diff.length > 0) {
    const d = diff[0]!;
    throw new ParameterError(
      `config.${d.key}`,
      `${JSON.stringify(d.expected)} (consistent with the other fields)`,
      d.actual,
    );
  }
  return canonical;
}

/**
 * Builds the network of any config, with fresh weights from `options.seed`.
 *
 * @example
 * const net = buildNetwork(ddpmppSmallConfig(), { seed: 3 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function buildNetwork(config: NetworkConfig, options: BuildOptions = {}): Network {
  return buildFrom(checkNetworkConfig(config), options, false);
}

/** Builds `config` (already checked), with zero weights when `zeros` (about to be loaded). */
export function buildFrom(
  config: AnyNetworkConfig,
  options: BuildOptions,
  zeros: boolean,
): Network {
  switch (config.architecture) {
    case 'ddpmpp':
    case 'ncsnpp':
      return songUNetFromConfig(config, options, zeros);
    case 'adm':
      return dhariwalUNetFromConfig(config, options, zeros);
    case 'mlp':
      return mlpFromConfig(config, options, zeros);
  }
}

/**
 * The number of trainable parameters of the network of `config`, summed from its layers
 * without allocating any weight (equals `network.countParams()` of the built network).
 * Non-trainable buffers (NCSN++'s Fourier frequencies) are not counted, as in the official
 * code's summary.
 *
 * @example
 * countParamsOf(ddpmppConfig());          // 55 733 891  (CIFAR-10, unconditional, augmentDim 9)
 * countParamsOf(ncsnppConfig());          // 56 397 827
 * countParamsOf(admConfig());             // 279 625 923
 * countParamsOf(admImageNet64Config());   // 295 899 267
 * @see https://arxiv.org/abs/2206.00364
 */
export function countParamsOf(config: NetworkConfig): number {
  const c = checkNetworkConfig(config);
  switch (c.architecture) {
    case 'ddpmpp':
    case 'ncsnpp':
      return songUNetParamCount(c);
    case 'adm':
      return dhariwalUNetParamCount(c);
    case 'mlp':
      return mlpParamCount(c);
  }
}
