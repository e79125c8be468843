import { checkInteger, ParameterError } from '@edmkit/core';

/**
 * 2×2 average pooling of single-channel square images, batched: each output
 * pixel is the mean of a 2×2 block (the last row / column is dropped when the
 * side is odd). Pure maths, runs in a browser.
 *
 * @param images - `count` images of `size × size` pixels, flattened
 * @param count - number of images
 * @param size - side of the input images (≥ 2); outputs are ⌊size/2⌋ × ⌊size/2⌋
 * @example
 * const small = avgPool2x2(mnist28, 1000, 28); // 1000 images of 14×14
 * @see https://arxiv.org/abs/2206.00364
 */
export function avgPool2x2(images: Float64Array, count: number, size: number): Float64Array {
  checkInteger('count', count, 1);
  checkInteger('size', size, 2);
  if (!(images instanceof Float64Array) || images.length !== count * size * size) {
    throw new ParameterError(
      'images',
      `a Float64Array of count·size² = ${count * size * size} values`,
      images,
    );
  }
  const half = Math.floor(size / 2);
  const out = new Float64Array(count * half * half);
  for (let n = 0; n < count; n++) {
    const src = n * size * size;
    const dst = n * half * half;
    for (let r = 0; r < half; r++) {
      const top = src + 2 * r * size;
      const bottom = top + size;
      for (let c = 0; c < half; c++) {
        const j = 2 * c;
        out[dst + r * half + c] =
          0.25 *
          (images[top + j]! + images[top + j + 1]! + images[bottom + j]! + images[bottom + j + 1]!);
      }
    }
  }
  return out;
}
