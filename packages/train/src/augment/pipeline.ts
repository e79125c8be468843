import * as tf from '@tensorflow/tfjs';
import { checkNumber, ParameterError, type Rng } from '@edmkit/core';
import {
  compose,
  IDENTITY_MAP,
  isIdentity,
  resampleBilinear,
  rotation,
  scaling,
  translation,
  type AffineMap,
} from './geometry.js';

/**
 * Options of {@link augmentPipeline}. Each transform has a probability multiplier m: it
 * is applied to an image with probability min(1, m·p), independently of the others and
 * of the other images; m = 0 disables it (and drops its labels). The defaults are the
 * official CIFAR-10 setup of the paper (p = 0.12; x-flip, y-flip, isotropic scaling,
 * rotation, anisotropic scaling and fractional translation; 9 labels).
 */
export interface AugmentOptions {
  /** Overall augmentation probability p in [0, 1] (default 0.12; 0: identity). */
  readonly p?: number;
  /**
   * x-flip multiplier (default 10⁸: with any p > 0 every image is eligible, and a fair coin
   * then decides, so half the images are mirrored left–right).
   */
  readonly xflip?: number;
  /** y-flip multiplier (default 1): an eligible image is mirrored top–bottom on a fair coin. */
  readonly yflip?: number;
  /** Integer translation multiplier (default 0: off). */
  readonly translateInt?: number;
  /** Largest integer shift, as a fraction of the image width / height, in (0, 1] (default 0.125). */
  readonly translateIntMax?: number;
  /** Isotropic scaling multiplier (default 1). */
  readonly scale?: number;
  /** Standard deviation of log₂ of the isotropic scale factor, ≥ 0 (default 0.2). */
  readonly scaleStd?: number;
  /** Rotation multiplier (default 1). */
  readonly rotate?: number;
  /** Largest rotation as a fraction of a half turn, in [0, 1] (default 1: any angle). */
  readonly rotateMax?: number;
  /** Anisotropic scaling multiplier (default 1). */
  readonly aniso?: number;
  /** Standard deviation of log₂ of the anisotropic stretch, ≥ 0 (default 0.2). */
  readonly anisoStd?: number;
  /** Probability that the stretch axis is turned by a uniform angle, in [0, 1] (default 0.5). */
  readonly anisoRotateProb?: number;
  /** Fractional translation multiplier (default 1). */
  readonly translateFrac?: number;
  /** Standard deviation of the shift, as a fraction of the image width / height, ≥ 0 (default 0.125). */
  readonly translateFracStd?: number;
}

/** The options of a pipeline with every default filled in (JSON; a checkpoint records them). */
export type AugmentConfig = { readonly [K in keyof AugmentOptions]-?: number };

/**
 * The transform drawn for one image: every field is 0 (the identity) for a transform that
 * was not applied. Geometry in pixel units, x to the right and y down, about the image
 * centre; the output pixel at centred position q shows the input at
 * F·(S⁻¹·R(rotate)·A⁻¹·(q − t_frac) − t_int) (see {@link AugmentPipeline.sourceMap}).
 */
export interface AugmentDraw {
  /** 1: mirrored left–right (F negates x). */
  readonly xflip: 0 | 1;
  /** 1: mirrored top–bottom (F negates y). */
  readonly yflip: 0 | 1;
  /** Integer shift t_int of the content in pixels (x right). */
  readonly translateIntX: number;
  /** Integer shift of the content in pixels (y down). */
  readonly translateIntY: number;
  /** w ~ N(0, 1): the content is magnified by s = 2^(w·scaleStd) (S = s·I). */
  readonly scale: number;
  /**
   * Angle θ in radians, uniform in [−π·rotateMax, π·rotateMax): the output shows the input
   * at R(θ)·q, R(θ) = [cos θ, −sin θ; sin θ, cos θ] — as displayed (rows down) a positive θ
   * turns the content counter-clockwise.
   */
  readonly rotate: number;
  /**
   * w ~ N(0, 1): the content is stretched by s = 2^(w·anisoStd) along the unit vector
   * (cos r, −sin r) and shrunk by 1/s across it (A⁻¹ = R(−r)·diag(1/s, s)·R(r)).
   */
  readonly aniso: number;
  /** The angle r of the stretch axis: uniform in [−π, π) with probability anisoRotateProb, else 0. */
  readonly anisoAngle: number;
  /** w ~ N(0, 1): the content moves right by w·width·translateFracStd pixels (t_frac). */
  readonly translateFracX: number;
  /** w ~ N(0, 1): the content moves down by w·height·translateFracStd pixels. */
  readonly translateFracY: number;
}

/** The draw of an image left alone (what every image gets at p = 0). */
export const IDENTITY_DRAW: AugmentDraw = Object.freeze({
  xflip: 0,
  yflip: 0,
  translateIntX: 0,
  translateIntY: 0,
  scale: 0,
  rotate: 0,
  aniso: 0,
  anisoAngle: 0,
  translateFracX: 0,
  translateFracY: 0,
});

/** Names of the label entries, in order; a pipeline keeps those of its enabled transforms. */
export const AUGMENT_LABEL_NAMES = Object.freeze([
  'xflip',
  'yflip',
  'translateIntX',
  'translateIntY',
  'scale',
  'rotateCos',
  'rotateSin',
  'anisoCos',
  'anisoSin',
  'translateFracX',
  'translateFracY',
] as const);

/** One of {@link AUGMENT_LABEL_NAMES}. */
export type AugmentLabelName = (typeof AUGMENT_LABEL_NAMES)[number];

/** Augmented images and their labels. */
export interface AugmentedArrays {
  /** The images, same shape and layout as the input. */
  readonly images: Float32Array;
  /** [batch, labelDim] row-major. */
  readonly labels: Float32Array;
}

/** A geometric augmentation pipeline built by {@link augmentPipeline}. */
export interface AugmentPipeline {
  readonly name: 'augmentPipeline';
  /** The options, defaults filled in. */
  readonly config: AugmentConfig;
  /** Number of label entries per image (9 for the default, official CIFAR-10 setup). */
  readonly labelDim: number;
  /** What each label entry is, in order (length `labelDim`). */
  readonly labelNames: readonly AugmentLabelName[];
  /**
   * Augments a batch: image k draws its transform from `rngs[k]` (advancing that stream
   * only), so it does not depend on the batch it is in. At p = 0 the images come back
   * bit for bit and the labels are zeros. The inputs are not disposed.
   *
   * @param images - [batch, height, width, channels], float32
   * @param rngs - one stream per image
   */
  apply(images: tf.Tensor4D, rngs: readonly Rng[]): { images: tf.Tensor4D; labels: tf.Tensor2D };
  /** {@link AugmentPipeline.apply} on arrays: `images` holds `shape` = [batch, H, W, C] row-major. */
  applyArray(
    images: ArrayLike<number>,
    shape: readonly number[],
    rngs: readonly Rng[],
  ): AugmentedArrays;
  /** Draws the transform of one image of `height` × `width` pixels from `rng`. */
  draw(rng: Rng, height: number, width: number): AugmentDraw;
  /** The label vector of a draw (length `labelDim`; zeros for {@link IDENTITY_DRAW}). */
  labels(draw: AugmentDraw, height: number, width: number): Float32Array;
  /** The affine map of a draw: output pixel (centred) → input position (centred). */
  sourceMap(draw: AugmentDraw, height: number, width: number): AffineMap;
  /** Applies given draws (one per image) to a batch: the deterministic half of `applyArray`. */
  transform(
    images: ArrayLike<number>,
    shape: readonly number[],
    draws: readonly AugmentDraw[],
  ): AugmentedArrays;
}

const DEFAULTS: AugmentConfig = Object.freeze({
  p: 0.12,
  xflip: 1e8,
  yflip: 1,
  translateInt: 0,
  translateIntMax: 0.125,
  scale: 1,
  scaleStd: 0.2,
  rotate: 1,
  rotateMax: 1,
  aniso: 1,
  anisoStd: 0.2,
  anisoRotateProb: 0.5,
  translateFrac: 1,
  translateFracStd: 0.125,
});

const MULTIPLIERS = [
  'xflip',
  'yflip',
  'translateInt',
  'scale',
  'rotate',
  'aniso',
  'translateFrac',
] as const;

function resolve(options: AugmentOptions): AugmentConfig {
  if (options == null || typeof options !== 'object')
    throw new ParameterError('options', 'an object of augmentation options', options);
  const known = Object.keys(DEFAULTS);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ParameterError(
        `options.${key}`,
        `one of the known options (${known.join(', ')})`,
        (options as Record<string, unknown>)[key],
      );
    }
  }
  const o = { ...DEFAULTS, ...options } as Record<keyof AugmentConfig, unknown>;
  const unit = { min: 0, max: 1 };
  const nonNegative = { min: 0 };
  const out: Record<string, number> = {
    p: checkNumber('p', o.p, unit),
    translateIntMax: checkNumber('translateIntMax', o.translateIntMax, {
      min: 0,
      minInclusive: false,
      max: 1,
    }),
    scaleStd: checkNumber('scaleStd', o.scaleStd, nonNegative),
    rotateMax: checkNumber('rotateMax', o.rotateMax, unit),
    anisoStd: checkNumber('anisoStd', o.anisoStd, nonNegative),
    anisoRotateProb: checkNumber('anisoRotateProb', o.anisoRotateProb, unit),
    translateFracStd: checkNumber('translateFracStd', o.translateFracStd, nonNegative),
  };
  for (const m of MULTIPLIERS) out[m] = checkNumber(m, o[m], nonNegative);
  return Object.freeze(out as AugmentConfig);
}

/** Whether a draw of the transform with multiplier m·p applies: u < m·p (never at p = 0). */
function gate(rng: Rng, multiplier: number, p: number): boolean {
  return rng.uniform() < multiplier * p;
}

/** Normalises −0 to 0 (so labels of untouched images are +0). */
function plus(v: number): number {
  return v === 0 ? 0 : v;
}

function checkShape(shape: readonly number[], length: number): [number, number, number, number] {
  const ok =
    Array.isArray(shape) && shape.length === 4 && shape.every((d) => Number.isInteger(d) && d >= 1);
  if (!ok) throw new ParameterError('shape', 'a [batch, height, width, channels] shape', shape);
  const [n, h, w, c] = shape as [number, number, number, number];
  if (length !== n * h * w * c)
    throw new ParameterError(
      'images',
      `${n * h * w * c} numbers (shape [${shape.join(', ')}])`,
      length,
    );
  return [n, h, w, c];
}

/** Array.isArray without narrowing (which would turn a readonly array's items into any). */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

function isRng(r: unknown): r is Rng {
  return (
    r != null && typeof (r as Rng).uniform === 'function' && typeof (r as Rng).normal === 'function'
  );
}

/**
 * EDM's non-leaky geometric augmentation (paper Appendix F, "augmentation regularization";
 * p = 0.12 for CIFAR-10): each image gets, each with its own probability, an x-flip, a
 * y-flip, an integer translation, an isotropic scaling, a rotation, an anisotropic scaling
 * and a fractional translation, composed into one affine map about the image centre and
 * applied by one resampling; the parameters are returned as the image's augmentation
 * labels, which the network receives as conditioning (its `augmentLabels`, augmentDim =
 * `labelDim`), so it learns the augmented distributions apart from the clean one. At
 * sampling time the labels are zeros: "no transform".
 *
 * Labels (only the enabled transforms, in this order; all zero for an untouched image):
 * xflip ∈ {0, 1}; yflip ∈ {0, 1}; translateIntX/Y = shift / (size·translateIntMax);
 * scale = w (log₂ of the factor / scaleStd); rotateCos = cos θ − 1, rotateSin = sin θ;
 * anisoCos = w·cos r, anisoSin = w·sin r; translateFracX/Y = w (shift / (size·translateFracStd)).
 * The default (official CIFAR-10) setup has 9: [xflip, yflip, scale, cos θ − 1, sin θ,
 * w·cos r, w·sin r, tx, ty].
 *
 * Resampling: reflect padding (the image mirrored about its edge pixels) and bilinear
 * interpolation, in float64. Exact for the identity, flips, 90° turns and integer shifts;
 * never leaves the range of the input values (no ringing); a fractional shift or a
 * minification blurs or aliases slightly, but only augmented images are resampled and
 * the network sees them with their labels. (The official code instead upsamples 2× with a
 * wavelet filter around a bilinear lookup, which is sharper.)
 *
 * @param options - probabilities and ranges; see {@link AugmentOptions}
 * @throws {ParameterError} naming the option when one is outside its range
 * @example
 * const augment = augmentPipeline({ p: 0.12 }); // the CIFAR-10 setup, 9 labels
 * const { images, labels } = augment.apply(batch, sampleRngs(seed, batchSize, first));
 * @see https://arxiv.org/abs/2206.00364
 */
export function augmentPipeline(options: AugmentOptions = {}): AugmentPipeline {
  const config = resolve(options);
  const { p } = config;
  const enabled = (m: (typeof MULTIPLIERS)[number]): boolean => config[m] > 0;
  const labelNames = AUGMENT_LABEL_NAMES.filter((name) => {
    if (name === 'xflip' || name === 'yflip' || name === 'scale') return enabled(name);
    if (name.startsWith('translateInt')) return enabled('translateInt');
    if (name.startsWith('rotate')) return enabled('rotate');
    if (name.startsWith('aniso')) return enabled('aniso');
    return enabled('translateFrac');
  });
  const labelDim = labelNames.length;

  const draw = (rng: Rng, height: number, width: number): AugmentDraw => {
    // Every enabled transform draws the same numbers whether it applies or not.
    let xflip: 0 | 1 = 0;
    let yflip: 0 | 1 = 0;
    let translateIntX = 0;
    let translateIntY = 0;
    let scale = 0;
    let rotate = 0;
    let aniso = 0;
    let anisoAngle = 0;
    let translateFracX = 0;
    let translateFracY = 0;
    if (enabled('xflip')) {
      const on = gate(rng, config.xflip, p);
      const heads = rng.uniform() < 0.5;
      if (on && heads) xflip = 1;
    }
    if (enabled('yflip')) {
      const on = gate(rng, config.yflip, p);
      const heads = rng.uniform() < 0.5;
      if (on && heads) yflip = 1;
    }
    if (enabled('translateInt')) {
      const on = gate(rng, config.translateInt, p);
      const u = 2 * rng.uniform() - 1;
      const v = 2 * rng.uniform() - 1;
      if (on) {
        translateIntX = plus(Math.round(u * width * config.translateIntMax));
        translateIntY = plus(Math.round(v * height * config.translateIntMax));
      }
    }
    if (enabled('scale')) {
      const on = gate(rng, config.scale, p);
      const w = rng.normal();
      if (on) scale = w;
    }
    if (enabled('rotate')) {
      const on = gate(rng, config.rotate, p);
      const theta = (2 * rng.uniform() - 1) * Math.PI * config.rotateMax;
      if (on) rotate = plus(theta);
    }
    if (enabled('aniso')) {
      const on = gate(rng, config.aniso, p);
      const w = rng.normal();
      const r = (2 * rng.uniform() - 1) * Math.PI;
      const turned = rng.uniform() < config.anisoRotateProb;
      if (on) {
        aniso = w;
        anisoAngle = turned ? plus(r) : 0;
      }
    }
    if (enabled('translateFrac')) {
      const on = gate(rng, config.translateFrac, p);
      const wx = rng.normal();
      const wy = rng.normal();
      if (on) {
        translateFracX = wx;
        translateFracY = wy;
      }
    }
    return {
      xflip,
      yflip,
      translateIntX,
      translateIntY,
      scale,
      rotate,
      aniso,
      anisoAngle,
      translateFracX,
      translateFracY,
    };
  };

  const labelsInto = (
    d: AugmentDraw,
    height: number,
    width: number,
    out: Float32Array,
    at: number,
  ): void => {
    let i = at;
    if (enabled('xflip')) out[i++] = d.xflip;
    if (enabled('yflip')) out[i++] = d.yflip;
    if (enabled('translateInt')) {
      out[i++] = plus(d.translateIntX / (width * config.translateIntMax));
      out[i++] = plus(d.translateIntY / (height * config.translateIntMax));
    }
    if (enabled('scale')) out[i++] = d.scale;
    if (enabled('rotate')) {
      out[i++] = plus(Math.cos(d.rotate) - 1);
      out[i++] = plus(Math.sin(d.rotate));
    }
    if (enabled('aniso')) {
      out[i++] = plus(d.aniso * Math.cos(d.anisoAngle));
      out[i++] = plus(d.aniso * Math.sin(d.anisoAngle));
    }
    if (enabled('translateFrac')) {
      out[i++] = d.translateFracX;
      out[i++] = d.translateFracY;
    }
  };

  const sourceMap = (d: AugmentDraw, height: number, width: number): AffineMap => {
    // Built from the input side: F, then the integer shift, S⁻¹, R(θ), A⁻¹, the fractional
    // shift; transforms not applied contribute nothing (no rounding of cos² + sin²).
    let m = IDENTITY_MAP;
    if (d.xflip === 1 || d.yflip === 1)
      m = compose(m, scaling(d.xflip === 1 ? -1 : 1, d.yflip === 1 ? -1 : 1));
    if (d.translateIntX !== 0 || d.translateIntY !== 0)
      m = compose(m, translation(-d.translateIntX, -d.translateIntY));
    if (d.scale !== 0) {
      const s = 2 ** (d.scale * config.scaleStd);
      m = compose(m, scaling(1 / s, 1 / s));
    }
    if (d.rotate !== 0) m = compose(m, rotation(d.rotate));
    if (d.aniso !== 0) {
      const s = 2 ** (d.aniso * config.anisoStd);
      const stretch = scaling(1 / s, s);
      m =
        d.anisoAngle === 0
          ? compose(m, stretch)
          : compose(m, compose(rotation(-d.anisoAngle), compose(stretch, rotation(d.anisoAngle))));
    }
    if (d.translateFracX !== 0 || d.translateFracY !== 0) {
      m = compose(
        m,
        translation(
          -d.translateFracX * width * config.translateFracStd,
          -d.translateFracY * height * config.translateFracStd,
        ),
      );
    }
    return m;
  };

  const transform = (
    images: ArrayLike<number>,
    shape: readonly number[],
    draws: readonly AugmentDraw[],
  ): AugmentedArrays => {
    const [n, h, w, c] = checkShape(shape, images?.length);
    if (!isList(draws) || draws.length !== n)
      throw new ParameterError('draws', `an array of ${n} draws (one per image)`, draws?.length);
    const per = h * w * c;
    const out = new Float32Array(n * per);
    const labels = new Float32Array(n * labelDim);
    const src = images instanceof Float32Array ? images : Float32Array.from(images);
    for (let k = 0; k < n; k++) {
      const d = draws[k]!;
      labelsInto(d, h, w, labels, k * labelDim);
      const map = sourceMap(d, h, w);
      const image = src.subarray(k * per, (k + 1) * per);
      if (isIdentity(map)) out.set(image, k * per);
      else resampleBilinear(image, out.subarray(k * per, (k + 1) * per), h, w, c, map);
    }
    return { images: out, labels };
  };

  const applyArray = (
    images: ArrayLike<number>,
    shape: readonly number[],
    rngs: readonly Rng[],
  ): AugmentedArrays => {
    const [n, h, w] = checkShape(shape, images?.length);
    if (!isList(rngs) || rngs.length !== n || !rngs.every(isRng))
      throw new ParameterError(
        'rngs',
        `an array of ${n} Rng streams (one per image)`,
        rngs?.length,
      );
    return transform(
      images,
      shape,
      rngs.map((r) => draw(r, h, w)),
    );
  };

  const apply = (
    images: tf.Tensor4D,
    rngs: readonly Rng[],
  ): { images: tf.Tensor4D; labels: tf.Tensor2D } => {
    if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.dtype !== 'float32') {
      throw new ParameterError(
        'images',
        'a float32 tf.Tensor4D [batch, height, width, channels]',
        images instanceof tf.Tensor ? images.shape : images,
      );
    }
    const shape = images.shape;
    const result = applyArray(images.dataSync(), shape, rngs);
    return {
      images: tf.tensor4d(result.images, shape, 'float32'),
      labels: tf.tensor2d(result.labels, [shape[0], labelDim], 'float32'),
    };
  };

  return Object.freeze({
    name: 'augmentPipeline' as const,
    config,
    labelDim,
    labelNames: Object.freeze(labelNames),
    apply,
    applyArray,
    draw,
    labels: (d: AugmentDraw, height: number, width: number): Float32Array => {
      const out = new Float32Array(labelDim);
      labelsInto(d, height, width, out, 0);
      return out;
    },
    sourceMap,
    transform,
  });
}
