/**
 * The geometry of the augmentation pipeline: 2-d affine maps in pixel units about the image
 * centre, and the resampling of an image through one of them.
 *
 * Conventions: pixel (x, y) is column x, row y of an [H, W, C] image (rows go down); its
 * centre is at (x, y) and the image centre at c = ((W − 1) / 2, (H − 1) / 2). A map sends
 * an output pixel to the position in the input image it shows.
 */

/**
 * An affine map of centred pixel coordinates: the output pixel at q = p − c shows the
 * input at c + (a·qx + b·qy + e, c·qx + d·qy + f) — rows [a b e; c d f].
 */
export interface AffineMap {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

/** The identity map. */
export const IDENTITY_MAP: AffineMap = Object.freeze({ a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 });

/** Whether `m` is exactly the identity (no resampling needed). */
export function isIdentity(m: AffineMap): boolean {
  return m.a === 1 && m.b === 0 && m.c === 0 && m.d === 1 && m.e === 0 && m.f === 0;
}

/** The map `m ∘ n`: first `n`, then `m` (the matrix product m·n). */
export function compose(m: AffineMap, n: AffineMap): AffineMap {
  return {
    a: m.a * n.a + m.b * n.c,
    b: m.a * n.b + m.b * n.d,
    c: m.c * n.a + m.d * n.c,
    d: m.c * n.b + m.d * n.d,
    e: m.a * n.e + m.b * n.f + m.e,
    f: m.c * n.e + m.d * n.f + m.f,
  };
}

/** q ↦ (sx·qx, sy·qy). */
export function scaling(sx: number, sy: number): AffineMap {
  return { a: sx, b: 0, c: 0, d: sy, e: 0, f: 0 };
}

/** q ↦ R(θ)·q with R(θ) = [cos θ, −sin θ; sin θ, cos θ]. */
export function rotation(theta: number): AffineMap {
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  return { a: cos, b: -sin, c: sin, d: cos, e: 0, f: 0 };
}

/** q ↦ q + (tx, ty). */
export function translation(tx: number, ty: number): AffineMap {
  return { a: 1, b: 0, c: 0, d: 1, e: tx, f: ty };
}

/**
 * Index `i` of an axis of `n` pixels mirrored into [0, n − 1] about the edge pixels'
 * centres, without repeating them (…, 2, 1, [0, 1, …, n − 1], n − 2, n − 3, …): the
 * "reflect" padding rule, periodic with period 2n − 2.
 */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * Resamples one image through `map`: output pixel p takes the bilinear interpolation of
 * the input at the position `map` sends it to, the input extended beyond its borders by
 * {@link reflectIndex} (reflect padding). Positions are computed in float64; a position on
 * a pixel centre reads that pixel exactly (so flips, 90° turns and integer shifts move
 * values without changing them).
 *
 * @param src - the image, [height, width, channels] row-major (NHWC without the batch)
 * @param out - receives the result, same layout; `out` and `src` must not overlap
 */
export function resampleBilinear(
  src: ArrayLike<number>,
  out: Float32Array,
  height: number,
  width: number,
  channels: number,
  map: AffineMap,
): void {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    const qy = y - cy;
    for (let x = 0; x < width; x++) {
      const qx = x - cx;
      const sx = cx + map.a * qx + map.b * qy + map.e;
      const sy = cy + map.c * qx + map.d * qy + map.f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      // Taps with weight 0 are skipped: exact reads on pixel centres, whatever the neighbours.
      const c0 = reflectIndex(x0, width);
      const c1 = fx > 0 ? reflectIndex(x0 + 1, width) : c0;
      const r0 = reflectIndex(y0, height) * width;
      const r1 = fy > 0 ? reflectIndex(y0 + 1, height) * width : r0;
      const i00 = (r0 + c0) * channels;
      const i01 = (r0 + c1) * channels;
      const i10 = (r1 + c0) * channels;
      const i11 = (r1 + c1) * channels;
      const o = (y * width + x) * channels;
      for (let k = 0; k < channels; k++) {
        let top = src[i00 + k]!;
        if (fx > 0) top = (1 - fx) * top + fx * src[i01 + k]!;
        let value = top;
        if (fy > 0) {
          let bottom = src[i10 + k]!;
          if (fx > 0) bottom = (1 - fx) * bottom + fx * src[i11 + k]!;
          value = (1 - fy) * top + fy * bottom;
        }
        out[o + k] = value;
      }
    }
  }
}
