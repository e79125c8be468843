export { tfjsOps } from './tfjs-ops.js';
export { selectBackend } from './backend/select-backend.js';
export type {
  SelectBackendOptions,
  SelectedBackend,
  SkippedBackend,
} from './backend/select-backend.js';
export { backendNames } from './backend/backend-names.js';
export type { BackendKind, BackendName } from './backend/backend-names.js';
export { BackendUnavailableError } from './backend/backend-unavailable-error.js';
export { dispatchedKernels, missingKernels, registerTrainingKernels } from './kernels/register.js';
export type { KernelRegistration } from './kernels/register.js';
export type { ApplyOptions, Architecture, Network, NetworkConfig } from './types.js';
export { EdmLayer } from './layers/edm-layer.js';
export type { EdmLayerArgs, WeightSource } from './layers/edm-layer.js';
export { initSpec, initValues } from './layers/init.js';
export type { InitMode, InitSpec } from './layers/init.js';
export { GroupNorm, groupCount } from './layers/group-norm.js';
export type { GroupNormArgs } from './layers/group-norm.js';
export { Linear } from './layers/linear.js';
export type { LinearArgs } from './layers/linear.js';
export { Conv2d } from './layers/conv2d.js';
export type { Conv2dArgs } from './layers/conv2d.js';
export { downSize, filterPad, firDown, firUp, normalizeFilter, upSize } from './layers/resample.js';
export { PositionalEmbedding, positionalFrequencies } from './layers/positional-embedding.js';
export type { EmbeddingOrder, PositionalEmbeddingArgs } from './layers/positional-embedding.js';
export { FourierEmbedding } from './layers/fourier-embedding.js';
export type { FourierEmbeddingArgs } from './layers/fourier-embedding.js';
export { SelfAttention } from './layers/self-attention.js';
export type { SelfAttentionArgs } from './layers/self-attention.js';
export { attentionHeads, UNetBlock } from './layers/unet-block.js';
export type { UNetBlockArgs, UNetBlockShape } from './layers/unet-block.js';
export { MappingNetwork } from './layers/mapping.js';
export type { EmbeddingType, MappingKind, MappingNetworkArgs } from './layers/mapping.js';
export { ScaledAdd } from './layers/scaled-add.js';
export type { ScaledAddArgs } from './layers/scaled-add.js';
export { seededDropout, seededKeepMask } from './layers/dropout.js';
export {
  ddpmpp,
  ddpmppConfig,
  ddpmppSmall,
  ddpmppSmallConfig,
  ncsnpp,
  ncsnppConfig,
  ncsnppSmall,
  ncsnppSmallConfig,
  songUNet,
  songUNetConfig,
} from './networks/song-unet.js';
export type { EncoderType, SongUNetConfig, SongUNetOptions } from './networks/song-unet.js';
export {
  adm,
  admConfig,
  admImageNet64Config,
  admSmall,
  admSmallConfig,
  dhariwalUNet,
  dhariwalUNetConfig,
} from './networks/dhariwal-unet.js';
export type { DhariwalUNetConfig, DhariwalUNetOptions } from './networks/dhariwal-unet.js';
export { mlp, mlpConfig } from './networks/mlp.js';
export type { MlpConfig, MlpOptions } from './networks/mlp.js';
export type { BuildOptions } from './networks/network.js';
export { buildNetwork, checkNetworkConfig, countParamsOf } from './networks/build.js';
export type { AnyNetworkConfig } from './networks/build.js';
export { networkBuilderNames, networkByName, networkConfigByName } from './networks/by-name.js';
export type { NetworkBuilderName, NetworkOptionsByName } from './networks/by-name.js';
export { configDiff } from './networks/config.js';
export type { ConfigDifference } from './networks/config.js';
export { loadNetwork, MODEL_JSON, saveNetwork, WEIGHTS_BIN } from './networks/save.js';
export type { LoadNetworkOptions, SavedModelJson } from './networks/save.js';
export { ConfigMismatchError, NetworkFileError } from './networks/errors.js';
export type { NetworkFileProblem } from './networks/errors.js';
export { rawNetwork } from './raw-network.js';
export { tensorFromArray, tensorToArray } from './convert.js';
