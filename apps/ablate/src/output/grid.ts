import { checkInteger, checkNumber, checkOrdered, ParameterError } from '@edmkit/core';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic.js';

/** Options of {@link imageGridPng} and {@link imageGridPngBytes}. */
export interface ImageGridOptions {
  /**
   * The images, one after another, each in [channels, height, width] order
   * (planar, like the data sets' `shape` and the paper's NCHW tensors).
   */
  readonly images: ArrayLike<number>;
  /** Number of images to draw (integer ≥ 1); `images` holds at least count · channels · height · width values. */
  readonly count: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Image height in pixels. */
  readonly height: number;
  /** 1 for greyscale, 3 for RGB (default 1). */
  readonly channels?: 1 | 3;
  /** Images per row (default ⌈√count⌉). */
  readonly cols?: number;
  /** Values mapped to black and white; others are clamped (default [-1, 1], the data range in the paper). */
  readonly range?: readonly [number, number];
  /** Integer upscaling factor, nearest neighbour (default 1). */
  readonly scale?: number;
}

/** Gutter colour: white, so dark images stay apart. */
const GUTTER = 255;

/**
 * Writes a grid of greyscale or RGB images as a PNG, atomically: images fill
 * rows left to right, with a 1-pixel white gutter between tiles (not scaled).
 * Values are mapped linearly from `range` to 0…255 and clamped; NaN draws
 * as the low end of the range.
 *
 * @param file - the PNG to write
 * @param options - see {@link ImageGridOptions}
 * @example
 * await imageGridPng('samples.png', { images: x, count: 64, width: 28, height: 28, scale: 2 });
 */
export async function imageGridPng(file: string, options: ImageGridOptions): Promise<void> {
  await writeFileAtomic(file, imageGridPngBytes(options));
}

/**
 * The PNG bytes {@link imageGridPng} writes; 8-bit greyscale or RGB, no alpha.
 *
 * @param options - see {@link ImageGridOptions}
 */
export function imageGridPngBytes(options: ImageGridOptions): Uint8Array {
  const { images } = options;
  const count = checkInteger('count', options.count, 1);
  const w = checkInteger('width', options.width, 1);
  const h = checkInteger('height', options.height, 1);
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new ParameterError('channels', '1 or 3', channels);
  const cols = Math.min(
    checkInteger('cols', options.cols ?? Math.ceil(Math.sqrt(count)), 1),
    count,
  );
  const scale = checkInteger('scale', options.scale ?? 1, 1);
  const [lo, hi] = options.range ?? [-1, 1];
  checkNumber('range[0]', lo);
  checkNumber('range[1]', hi);
  checkOrdered('range[0]', lo, 'range[1]', hi);
  const plane = w * h;
  const needed = count * channels * plane;
  if (images.length < needed) {
    throw new ParameterError(
      'images',
      `at least count · channels · height · width = ${needed} values`,
      images,
    );
  }

  const rows = Math.ceil(count / cols);
  const tileW = w * scale;
  const tileH = h * scale;
  const png = new PNG({ width: cols * tileW + cols - 1, height: rows * tileH + rows - 1 });
  png.data.fill(GUTTER);

  const toByte = (v: number): number => {
    const t = (v - lo) / (hi - lo);
    return t >= 1 ? 255 : t > 0 ? Math.round(t * 255) : 0; // NaN fails both tests: 0
  };
  for (let k = 0; k < count; k++) {
    const left = (k % cols) * (tileW + 1);
    const top = Math.floor(k / cols) * (tileH + 1);
    const base = k * channels * plane;
    for (let y = 0; y < tileH; y++) {
      const src = Math.floor(y / scale) * w;
      let dst = ((top + y) * png.width + left) * 4;
      for (let x = 0; x < tileW; x++, dst += 4) {
        const i = base + src + Math.floor(x / scale);
        const r = toByte(images[i] ?? NaN);
        const g = channels === 3 ? toByte(images[i + plane] ?? NaN) : r;
        const b = channels === 3 ? toByte(images[i + 2 * plane] ?? NaN) : r;
        png.data[dst] = r;
        png.data[dst + 1] = g;
        png.data[dst + 2] = b;
      }
    }
  }
  // colorType 0 = greyscale, 2 = RGB; pngjs converts from its RGBA buffer.
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}
