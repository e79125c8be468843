import { ParameterError } from '@edmkit/core';

/**
 * Checks optional labels for a label input of width `dim` (0 = the network has none):
 * one vector of `dim` finite values used for every sample, or a whole number of vectors
 * (one per sample, sample after sample). Returns them as float32, or null when absent.
 */
export function checkLabels(name: string, labels: unknown, dim: number): Float32Array | null {
  if (labels === undefined) return null;
  if (dim === 0) {
    throw new ParameterError(
      name,
      `undefined for a network without this input (config dimension 0)`,
      labels,
    );
  }
  const value = labels as ArrayLike<number> | null;
  const length = value?.length;
  if (
    typeof length !== 'number' ||
    length === 0 ||
    length % dim !== 0 ||
    typeof value === 'string'
  ) {
    throw new ParameterError(
      name,
      `an array of ${dim} values (all samples) or batch × ${dim} values`,
      labels,
    );
  }
  const out = Float32Array.from(value as ArrayLike<number>);
  const bad = Array.prototype.findIndex.call(
    value,
    (v: unknown) => typeof v !== 'number' || !Number.isFinite(v),
  );
  if (bad >= 0)
    throw new ParameterError(
      `${name}[${bad}]`,
      'a finite number',
      (value as ArrayLike<number>)[bad],
    );
  return out;
}

/** `labels` for a batch of `batch` samples: the one vector repeated, or the per-sample ones. */
export function labelsFor(
  name: string,
  labels: Float32Array,
  dim: number,
  batch: number,
): Float32Array {
  if (labels.length === batch * dim) return labels;
  if (labels.length !== dim) {
    throw new ParameterError(
      name,
      `${dim} or batch × ${dim} = ${batch * dim} values`,
      labels.length,
    );
  }
  const out = new Float32Array(batch * dim);
  for (let b = 0; b < batch; b++) out.set(labels, b * dim);
  return out;
}
