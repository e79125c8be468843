import { checkInteger, ParameterError } from '@edmkit/core';

/**
 * Sums an unreduced per-element loss over the elements of each sample: the "sum over
 * pixels" half of the official objective (sum over all elements, divided by the batch size;
 * numerics guide: “Loss reduction”).
 *
 * Paper: Eq. 2 and 8 take the expectation of ‖D − y‖²₂, a sum over the elements of one image;
 * the official training loop sums the per-element tensor and divides by the batch size.
 *
 * The mean of the result over samples is the training objective of one minibatch.
 *
 * @param loss - the per-element loss, samples one after the other ([batch, …] flattened)
 * @param batch - number of samples, a divisor of `loss.length`
 * @returns one sum per sample
 * @example
 * lossPerSample(new Float64Array([1, 2, 3, 4]), 2); // [3, 7]
 * @see https://arxiv.org/abs/2206.00364
 */
export function lossPerSample(loss: Float64Array, batch: number): Float64Array {
  if (!(loss instanceof Float64Array)) throw new ParameterError('loss', 'a Float64Array', loss);
  checkInteger('batch', batch, 1);
  if (loss.length % batch !== 0) {
    throw new ParameterError('batch', `a divisor of the loss length ${loss.length}`, batch);
  }
  const per = loss.length / batch;
  const out = new Float64Array(batch);
  // Stryker disable next-line EqualityOperator: one more sample writes past the end of `out`, which a typed array ignores
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = b * per; i < (b + 1) * per; i++) sum += loss[i]!;
    out[b] = sum;
  }
  return out;
}
