/** Messages between the training loop and its gradient workers. Internal. */

/** What a worker is started with. */
export interface WorkerInit {
  /** The network's config (the worker builds its own copy). */
  readonly config: unknown;
  /** The tfjs backend of the main thread ('wasm' or 'cpu'). */
  readonly backend: 'wasm' | 'cpu';
}

/** One slice of a step's batch. */
export interface GradientJob {
  readonly weights: readonly Float32Array[];
  /** Clean data and noise ε of the slice, float32, `shape` = [slice, …]. */
  readonly y: Float32Array;
  readonly noise: Float32Array;
  readonly shape: readonly number[];
  readonly sigma: Float64Array;
  /** cSkip, cOut, cIn, cNoise and the loss weight λ of every sample of the slice. */
  readonly coefficients: Record<'cSkip' | 'cOut' | 'cIn' | 'cNoise' | 'weight', Float64Array>;
  /** The whole batch's size: the slice's loss is Σ/batchSize, so slices add up. */
  readonly batchSize: number;
  readonly dropoutSeed: number;
  /** Augmentation labels of the slice, [slice, augmentDim] row-major; absent: none. */
  readonly augmentLabels?: Float32Array;
}

/** A worker's answer: its slice's share of the loss and of the gradient, or an error. */
export type GradientReply =
  | { readonly loss: number; readonly grads: Float32Array[]; readonly error?: undefined }
  | { readonly error: string; readonly loss?: undefined; readonly grads?: undefined };
