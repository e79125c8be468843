import * as tf from '@tensorflow/tfjs';
import { createRng, ParameterError, type Rng } from '@edmkit/core';

/** Constructor arguments every tfjs layer accepts (name, trainable, dtype…). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
/** Keyword arguments tfjs passes to `Layer.call` (`training`, and edmkit's dropout `seed`). */
export type Kwargs = Parameters<tf.layers.Layer['call']>[1];
/** A tfjs weight (variable with a name and a trainable flag). */
export type LayerVariable = tf.LayerVariable;
type Initializer = ReturnType<typeof tf.initializers.zeros>;

/**
 * Where the initial weight values come from: a random stream (consumed in build
 * order), or `'zeros'` when the weights are about to be overwritten (loading).
 */
export type WeightSource = Rng | 'zeros';

/** Arguments shared by every edmkit layer. */
export interface EdmLayerArgs extends LayerArgs {
  /** Source of the initial weights (default: a stream seeded 0). Not serialized. */
  readonly rng?: WeightSource;
}

/**
 * Base class of the edmkit layers: a tfjs layer that may own child layers.
 *
 * A composite builds its children inside its own `build` and exposes their weights
 * as its own (`trainableWeights`, `nonTrainableWeights`, hence `weights`,
 * `countParams`, `getWeights`/`setWeights` and `dispose`), the way tfjs-layers'
 * wrappers do. A child's weights are named `<parent>/<child>/<weight>`, so every
 * weight of a network has a unique, stable name (`originalName`) across processes:
 * that name is the key of the saved weights.
 */
export abstract class EdmLayer extends tf.layers.Layer {
  /** Source of the initial weights. */
  protected readonly weightSource: WeightSource;
  /** Prefix of this layer's weight names below the tfjs name scope ('' for top-level layers). */
  private scopePrefix = '';
  /** Unique path of this layer in its network (`<top-level name>/<child>/…`). */
  private pathOverride: string | null = null;
  private readonly childLayers: EdmLayer[] = [];

  constructor(args: EdmLayerArgs = {}) {
    const { rng, ...layerArgs } = args;
    super(layerArgs);
    this.weightSource = rng ?? createRng(0);
  }

  /** The layer's unique path in its network: its name, prefixed by its parents'. */
  get path(): string {
    return this.pathOverride ?? this.name;
  }

  /** Registers `child` as owned by this layer; call from the constructor. */
  protected adopt<L extends EdmLayer>(child: L): L {
    this.childLayers.push(child);
    return child;
  }

  /** Builds an adopted child for `inputShape` under this layer's weight scope. */
  protected buildChild(child: EdmLayer, inputShape: tf.Shape | tf.Shape[]): void {
    child.scopePrefix = `${this.scopePrefix}${child.name}/`;
    child.pathOverride = `${this.path}/${child.name}`;
    child.build(inputShape);
    child.built = true;
  }

  /**
   * Adds a float32 weight whose initial values are `init(size)` (a fresh array of
   * `size` values drawn from this layer's weight source), or zeros when the source
   * is `'zeros'` or `init` is null.
   */
  protected addParam(
    name: string,
    shape: number[],
    init: ((size: number, rng: Rng) => Float32Array) | null,
    trainable = true,
  ): LayerVariable {
    const source = this.weightSource;
    const initializer = {
      apply: (s: tf.Shape): tf.Tensor => {
        const dims = s.map((d) => d ?? 1);
        const size = dims.reduce((a, b) => a * b, 1);
        if (source === 'zeros' || init === null) return tf.zeros(dims);
        return tf.tensor(init(size, source), dims, 'float32');
      },
    } as unknown as Initializer;
    return this.addWeight(
      `${this.scopePrefix}${name}`,
      shape,
      'float32',
      initializer,
      undefined,
      trainable,
    );
  }

  override get trainableWeights(): LayerVariable[] {
    if (!this.trainable) return [];
    return [
      ...super.trainableWeights,
      ...(this.childLayers ?? []).flatMap((c) => c.trainableWeights),
    ];
  }

  override set trainableWeights(weights: LayerVariable[]) {
    super.trainableWeights = weights;
  }

  override get nonTrainableWeights(): LayerVariable[] {
    const children = this.childLayers ?? [];
    const own = super.nonTrainableWeights;
    if (!this.trainable) return [...own, ...children.flatMap((c) => c.weights)];
    return [...own, ...children.flatMap((c) => c.nonTrainableWeights)];
  }

  override set nonTrainableWeights(weights: LayerVariable[]) {
    super.nonTrainableWeights = weights;
  }
}

/** The shape of one input of a layer that takes a single tensor. */
export function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  if (Array.isArray(inputShape[0])) return inputShape[0];
  return inputShape as tf.Shape;
}

/** The shapes of the inputs of a layer that takes a list of tensors. */
export function shapeList(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
  if (Array.isArray(inputShape[0]) || inputShape.length === 0) return inputShape as tf.Shape[];
  return [inputShape as tf.Shape];
}

/** The single tensor a layer was called with. */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** A known (non-null) dimension of a symbolic shape, or an error naming the layer. */
export function knownDim(shape: tf.Shape, axis: number, layer: string): number {
  const d = shape[axis < 0 ? shape.length + axis : axis];
  if (d == null)
    throw new ParameterError(`${layer} input shape`, `known along axis ${axis}`, shape);
  return d;
}

/** The dropout seed from the call's kwargs (undefined if absent). */
export function seedOf(kwargs: Kwargs): number | undefined {
  const seed: unknown = kwargs?.['seed'];
  return typeof seed === 'number' ? seed : undefined;
}

/** Whether the call is in training mode. */
export function isTraining(kwargs: Kwargs): boolean {
  return kwargs?.['training'] === true;
}

/** SiLU (swish) activation x·sigmoid(x), used throughout both U-Nets. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}
