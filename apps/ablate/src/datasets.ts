import { checkOneOf } from '@edmkit/core';
import { gaussianMixture, standardMixture, type DataSet } from '@edmkit/data';
import { loadMnist, mnistDataset } from '@edmkit/data/mnist';

/** Data sets the ablation can run on. */
export const datasetNames = ['gmm', 'mnist', 'mnist-kde'] as const;
export type DatasetName = (typeof datasetNames)[number];

/** Pixel noise of the `mnist-kde` data set (images in [−1, 1]). */
export const mnistKdeStd = 0.1;

/** Sizes of the data sets and sample batches. */
export interface DatasetSizes {
  /** Samples drawn from the Gaussian mixture. */
  readonly gmmSamples: number;
  /** Dimension of the Gaussian mixture. */
  readonly gmmDim: number;
  /** Components of the Gaussian mixture. */
  readonly gmmComponents: number;
  /** Samples drawn from the empirical MNIST distribution. */
  readonly mnistSamples: number;
  /** Number of MNIST images in the empirical distribution. */
  readonly mnistImages: number;
  /** Side of the MNIST images (28, or 14 after 2×2 average pooling). */
  readonly mnistSize: 28 | 14;
}

/** What the report needs to know of a data set (everything but the data itself). */
export type DatasetInfo = Omit<PreparedDataset, 'data'>;

/** A data set prepared for the ablation, with its description for the report. */
export interface PreparedDataset {
  readonly key: DatasetName;
  readonly title: string;
  readonly data: DataSet;
  readonly samples: number;
  readonly description: Record<string, unknown>;
  /** Image shape for sample grids, if the data are images. */
  readonly image?: { readonly width: number; readonly height: number };
  /**
   * Which per-sample error statistic the tables report. An empirical distribution's
   * flow ends exactly on a training image, so a sampler that picks the reference's
   * image is exact (error ~1e-16) and one that picks another is far off: the mean,
   * which counts those misses, is the informative statistic there.
   */
  readonly statistic: 'median' | 'mean';
  /** Distribution distance of the tables: Fréchet for low dimension, sliced W₂ for images. */
  readonly distance: 'frechet' | 'slicedW2';
  /** True when samples end on training images (empirical distribution): misses are counted. */
  readonly empirical: boolean;
}

/** Builds data set `name` with the given sizes; `seed` fixes the mixture and the image subset. */
export function prepareDataset(name: string, sizes: DatasetSizes, seed: number): PreparedDataset {
  const key = checkOneOf('data', name, datasetNames);
  if (key === 'gmm') {
    const data = standardMixture({ seed, dim: sizes.gmmDim, components: sizes.gmmComponents });
    return {
      key,
      title: `Gaussian mixture (${sizes.gmmDim}-d, ${sizes.gmmComponents} components)`,
      data,
      samples: sizes.gmmSamples,
      description: {
        kind: 'standardMixture',
        seed,
        dim: sizes.gmmDim,
        components: sizes.gmmComponents,
        sigmaData: data.sigmaData,
      },
      statistic: 'median',
      distance: 'frechet',
      empirical: false,
    };
  }
  if (key === 'mnist-kde') {
    // The same digits, each blurred by isotropic Gaussian noise of std 0.1: a mixture with one
    // component per image, whose flow does not collapse onto single images as σ → 0.
    const mnist = loadMnist({ count: sizes.mnistImages, size: sizes.mnistSize, seed });
    const data = gaussianMixture({
      weights: Array<number>(mnist.count).fill(1),
      means: mnist.images,
      stds: Array<number>(mnist.count).fill(mnistKdeStd),
      dim: mnist.dim,
    });
    return {
      key,
      title: `MNIST digits blurred by N(0, ${mnistKdeStd}²) (${sizes.mnistImages} images, ${sizes.mnistSize}×${sizes.mnistSize})`,
      data,
      samples: sizes.mnistSamples,
      description: {
        kind: 'mnistKde',
        seed,
        images: sizes.mnistImages,
        size: sizes.mnistSize,
        std: mnistKdeStd,
        dim: data.dim,
        sigmaData: data.sigmaData,
      },
      image: { width: sizes.mnistSize, height: sizes.mnistSize },
      statistic: 'median',
      distance: 'slicedW2',
      empirical: false,
    };
  }
  const data = mnistDataset({ count: sizes.mnistImages, size: sizes.mnistSize, seed });
  return {
    key,
    title: `MNIST empirical distribution (${sizes.mnistImages} images, ${sizes.mnistSize}×${sizes.mnistSize})`,
    data,
    samples: sizes.mnistSamples,
    description: {
      kind: 'mnistDataset',
      seed,
      images: sizes.mnistImages,
      size: sizes.mnistSize,
      dim: data.dim,
      sigmaData: data.sigmaData,
    },
    image: { width: sizes.mnistSize, height: sizes.mnistSize },
    statistic: 'mean',
    distance: 'slicedW2',
    empirical: true,
  };
}
