import { checkOneOf, ParameterError } from '@edmkit/core';
import type { Network } from '../types.js';
import type { AnyNetworkConfig } from './build.js';
import {
  adm,
  admConfig,
  admSmall,
  admSmallConfig,
  type DhariwalUNetOptions,
} from './dhariwal-unet.js';
import { mlp, mlpConfig, type MlpOptions } from './mlp.js';
import {
  ddpmpp,
  ddpmppConfig,
  ddpmppSmall,
  ddpmppSmallConfig,
  ncsnpp,
  ncsnppConfig,
  ncsnppSmall,
  ncsnppSmallConfig,
  type SongUNetOptions,
} from './song-unet.js';

/** The options of each network factory, by the factory's name. */
export interface NetworkOptionsByName {
  readonly ddpmpp: SongUNetOptions;
  readonly ncsnpp: SongUNetOptions;
  readonly adm: DhariwalUNetOptions;
  readonly ddpmppSmall: SongUNetOptions;
  readonly ncsnppSmall: SongUNetOptions;
  readonly admSmall: DhariwalUNetOptions;
  readonly mlp: MlpOptions;
}

/** A network factory's name: a key of {@link NetworkOptionsByName}. */
export type NetworkBuilderName = keyof NetworkOptionsByName;

/**
 * The names {@link networkByName} builds: the paper's U-Nets (DDPM++, NCSN++, ADM), their
 * small variants, and the MLP for vector data.
 */
export const networkBuilderNames: readonly NetworkBuilderName[] = Object.freeze([
  'ddpmpp',
  'ncsnpp',
  'adm',
  'ddpmppSmall',
  'ncsnppSmall',
  'admSmall',
  'mlp',
]);

type Factory = (options: never) => Network;
type ConfigFactory = (options: never) => AnyNetworkConfig;

const FACTORIES: Readonly<Record<NetworkBuilderName, readonly [Factory, ConfigFactory]>> = {
  ddpmpp: [ddpmpp, ddpmppConfig],
  ncsnpp: [ncsnpp, ncsnppConfig],
  adm: [adm, admConfig],
  ddpmppSmall: [ddpmppSmall, ddpmppSmallConfig],
  ncsnppSmall: [ncsnppSmall, ncsnppSmallConfig],
  admSmall: [admSmall, admSmallConfig],
  mlp: [mlp, mlpConfig],
};

function factoriesOf(name: unknown): readonly [Factory, ConfigFactory] {
  return FACTORIES[checkOneOf('network', name, networkBuilderNames)];
}

function checkOptions(name: NetworkBuilderName, options: unknown): object {
  if (options === undefined && name !== 'mlp') return {};
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ParameterError(
      'options',
      name === 'mlp' ? 'an object with dim' : `an options object of ${name}`,
      options,
    );
  return options;
}

/**
 * Builds a network by its factory's name: `networkByName('ddpmpp', options)` is
 * `ddpmpp(options)`, and so on for 'ncsnpp', 'adm', 'ddpmppSmall', 'ncsnppSmall',
 * 'admSmall' and 'mlp' (which needs `{ dim }`). Fresh weights from `options.seed`. An
 * unknown name throws an `UnknownNameError`; the factory validates the options.
 *
 * @example
 * const f = trainingPreset({ baseline: 'vp', config: 'F' }); // @edmkit/presets
 * const net = networkByName(f.network.name, { ...f.network.options, seed: 0 });
 * @see https://arxiv.org/abs/2206.00364
 */
export function networkByName(name: 'mlp', options: MlpOptions): Network;
export function networkByName<N extends Exclude<NetworkBuilderName, 'mlp'>>(
  name: N,
  options?: NetworkOptionsByName[N],
): Network;
export function networkByName<N extends NetworkBuilderName>(
  name: N,
  options: NetworkOptionsByName[N],
): Network;
export function networkByName(name: NetworkBuilderName, options?: object): Network {
  const [factory] = factoriesOf(name);
  return factory(checkOptions(name, options) as never);
}

/**
 * The validated config {@link networkByName} would build, without building it (e.g. for
 * `countParamsOf`, or to compare with a saved network's).
 *
 * @example
 * countParamsOf(networkConfigByName('ddpmpp', { channelMult: [1, 2, 2, 2], augmentDim: 0 }));
 * @see https://arxiv.org/abs/2206.00364
 */
export function networkConfigByName(name: 'mlp', options: MlpOptions): AnyNetworkConfig;
export function networkConfigByName<N extends Exclude<NetworkBuilderName, 'mlp'>>(
  name: N,
  options?: NetworkOptionsByName[N],
): AnyNetworkConfig;
export function networkConfigByName<N extends NetworkBuilderName>(
  name: N,
  options: NetworkOptionsByName[N],
): AnyNetworkConfig;
export function networkConfigByName(name: NetworkBuilderName, options?: object): AnyNetworkConfig {
  const [, config] = factoriesOf(name);
  return config(checkOptions(name, options) as never);
}
