import { ParameterError } from '@edmkit/core';
import {
  Conv2d,
  FourierEmbedding,
  GroupNorm,
  Linear,
  MappingNetwork,
  PositionalEmbedding,
  ScaledAdd,
  UNetBlock,
} from '@edmkit/unet';
import { emitConv2d } from './conv2d.js';
import { emitFourierEmbedding, emitPositionalEmbedding } from './embedding.js';
import type { Emitter } from './emitter.js';
import { emitGroupNorm } from './group-norm.js';
import { emitLinear } from './linear.js';
import { emitMappingNetwork } from './mapping.js';
import { emitActivation, emitConcatenate, emitScaledAdd } from './merge.js';
import { emitUNetBlock } from './unet-block.js';

/** The emitter of every layer class a network is built from, by tfjs class name. */
const EMITTERS: ReadonlyMap<string, Emitter> = new Map([
  [Conv2d.className, emitConv2d],
  [GroupNorm.className, emitGroupNorm],
  [Linear.className, emitLinear],
  [PositionalEmbedding.className, emitPositionalEmbedding],
  [FourierEmbedding.className, emitFourierEmbedding],
  [MappingNetwork.className, emitMappingNetwork],
  [UNetBlock.className, emitUNetBlock],
  [ScaledAdd.className, emitScaledAdd],
  ['Concatenate', emitConcatenate],
  ['Activation', emitActivation],
]);

/** The class names {@link emitterFor} knows. */
export const SUPPORTED_LAYERS: readonly string[] = [...EMITTERS.keys()];

/** The emitter of a layer's class, or a ParameterError naming the layer and the supported classes. */
export function emitterFor(className: string, layerName: string): Emitter {
  const emitter = EMITTERS.get(className);
  if (emitter === undefined) {
    throw new ParameterError(
      'network',
      `a network of the layers ${SUPPORTED_LAYERS.join(', ')} (layer ${layerName})`,
      className,
    );
  }
  return emitter;
}
