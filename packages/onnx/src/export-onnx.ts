import { checkInteger, ParameterError } from '@edmkit/core';
import type { Network } from '@edmkit/unet';
import { checkNetwork } from './check-network.js';
import { bindInputs } from './graph-inputs.js';
import { OnnxGraph, type Dim } from './graph/onnx-graph.js';
import { emitLayers } from './walk.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** A fixed batch size for every input and the output (default: a symbolic `batch` dimension). */
  readonly batchSize?: number;
  /** Name of the ONNX graph (default: the network's architecture). */
  readonly graphName?: string;
}

/** Metadata key of the network config (JSON) in an exported model. */
export const CONFIG_METADATA_KEY = 'edmkit.config';

function checkOptions(options: unknown): ExportOnnxOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new ParameterError(
      'options',
      'an object { batchSize?, graphName? } or undefined',
      options,
    );
  }
  const { batchSize, graphName } = options as Record<string, unknown>;
  if (batchSize !== undefined) checkInteger('batchSize', batchSize, 1);
  if (graphName !== undefined && (typeof graphName !== 'string' || graphName.length === 0)) {
    throw new ParameterError('graphName', 'a non-empty string', graphName);
  }
  return options;
}

/**
 * Exports an edmkit network — the raw network F(c_in·x; c_noise) of the paper (Eq. 7) —
 * as an ONNX model (ModelProto bytes, IR version 8, opset 17) for ONNX Runtime and other
 * runtimes. Weights are the network's current values, as float32 initializers.
 *
 * Graph inputs: `x` [batch, H, W, C] (channels last, as edmkit; [batch, dim] for the MLP),
 * `c_noise` [batch], and `class_labels` [batch, labelDim] / `augment_labels`
 * [batch, augmentDim] when the config has them (feed zeros for augmentation labels at
 * sampling time). Output: `y`, [batch, H, W, outChannels] (or [batch, outChannels]).
 * Inside, images are NCHW. The computation is the network's inference mode (no dropout).
 * The config is stored as JSON under the metadata key {@link CONFIG_METADATA_KEY}.
 *
 * Every architecture of `@edmkit/unet` exports (DDPM++, NCSN++, ADM, MLP); the graph is
 * read from the tfjs model, one emitter per edmkit layer class.
 *
 * @param network - an edmkit Network (e.g. `ddpmppSmall()`, a trained or loaded one)
 * @param options - see {@link ExportOnnxOptions}
 * @returns the serialised ONNX model, for `ort.InferenceSession.create(bytes)` or a `.onnx` file
 * @example
 * const bytes = exportOnnx(ddpmppSmall({ seed: 1 }));
 * const session = await ort.InferenceSession.create(bytes);
 * @see https://arxiv.org/abs/2206.00364
 */
export function exportOnnx(network: Network, options?: ExportOnnxOptions): Uint8Array {
  const { config, model } = checkNetwork(network);
  const { batchSize, graphName } = checkOptions(options);
  const batch: Dim = batchSize ?? 'batch';
  const graph = new OnnxGraph(graphName ?? String(config.architecture));
  const values = bindInputs(graph, model, config, batch);
  const out = emitLayers(graph, model, values);
  const image = config.inputShape.length === 3;
  const outShape = out.shape.slice(1);
  if (out.shape.length !== config.inputShape.length + 1 || outShape.at(-1) !== config.outChannels) {
    throw new ParameterError(
      'network.config.outChannels',
      `the channels of the model's output ${JSON.stringify(out.shape)}`,
      config.outChannels,
    );
  }
  const y = image
    ? graph.node('Transpose', [out.name], { perm: { ints: [0, 2, 3, 1] } }, 'y_nhwc')
    : out.name;
  graph.output('y', y, [batch, ...outShape.map((d) => d ?? 'unknown')]);
  return graph.encode({ [CONFIG_METADATA_KEY]: JSON.stringify(config) });
}
