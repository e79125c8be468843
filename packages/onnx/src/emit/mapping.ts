import { MappingNetwork } from '@edmkit/unet';
import { fourierFreqs, emitSinusoids, positionalFreqs } from './embedding.js';
import { layerAs, silu, type Emitter } from './emitter.js';
import { emitChildDense } from './linear.js';
import { weight } from './weights.js';

/** `PositionalEmbedding`'s default longest period, the one the mapping network uses. */
const MAX_POSITIONS = 10000;

/**
 * Emitter of edmkit's `MappingNetwork` (inputs c_noise [N, 1], class labels, augmentation
 * labels as configured), mirroring its `call` in inference mode (no label dropout):
 *
 *     song:     e = emb(c_noise) + W_label·(√labelDim·labels) + W_aug·aug;  silu(L1(silu(L0(e))))
 *     dhariwal: e = emb(c_noise) + W_aug·aug;  e = L1(silu(L0(e)));  silu(e + W_label·labels)
 */
export const emitMappingNetwork: Emitter = (graph, layer, inputs) => {
  const map = layerAs(layer, MappingNetwork);
  const song = map.kind === 'song';
  const name = map.name;
  const cNoise = inputs[0]!.name;
  let next = 1;
  const labels = map.labelDim > 0 ? inputs[next++]!.name : null;
  const augment = map.augmentDim > 0 ? inputs[next++]!.name : null;
  const freqs =
    map.embeddingType === 'fourier'
      ? fourierFreqs(weight(map, 'map_noise/freqs'))
      : positionalFreqs(map.noiseChannels, MAX_POSITIONS, song);
  let emb = emitSinusoids(graph, cNoise, freqs, song ? 'sinCos' : 'cosSin', `${name}/map_noise`);
  const add = (a: string, b: string, hint: string): string =>
    graph.node('Add', [a, b], {}, `${name}/${hint}`);
  if (song && labels !== null) {
    const scaled = graph.node(
      'Mul',
      [labels, graph.scalar(Math.sqrt(map.labelDim))],
      {},
      `${name}/label_scale`,
    );
    emb = add(emb, emitChildDense(graph, map, 'map_label', scaled), 'add_label');
  }
  if (augment !== null)
    emb = add(emb, emitChildDense(graph, map, 'map_augment', augment), 'add_augment');
  emb = silu(graph, emitChildDense(graph, map, 'map_layer0', emb), `${name}/silu0`);
  emb = emitChildDense(graph, map, 'map_layer1', emb);
  if (!song && labels !== null)
    emb = add(emb, emitChildDense(graph, map, 'map_label', labels), 'add_label');
  return silu(graph, emb, name);
};
