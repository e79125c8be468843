import { describe, expect, it } from 'vitest';
import {
  table2Ids,
  trainingNetworkNames,
  trainingPreset,
  type TrainingPresetData,
} from '@edmkit/presets';
import { augmentPipeline, type AugmentOptions, type TrainOptions } from '@edmkit/train';
import { countParamsOf, networkBuilderNames, networkConfigByName } from '@edmkit/unet';

describe('the library presets feed @edmkit/unet and @edmkit/train', () => {
  it('name the networks networkByName builds', () => {
    expect([...trainingNetworkNames]).toEqual([...networkBuilderNames]);
  });

  it('give valid network options for every row, size and data shape', () => {
    for (const baseline of ['vp', 've'] as const) {
      for (const config of table2Ids) {
        const shapes: TrainingPresetData[] = [
          { resolution: 32, channels: 3 },
          { resolution: 64, channels: 3, labelDim: 10 },
          { resolution: 28, channels: 1, size: 'small' },
          ...(config === 'F' ? [] : [{ dim: 2 }]),
        ];
        for (const data of shapes) {
          const p = trainingPreset({ baseline, config, ...data });
          const net = networkConfigByName(p.network.name, p.network.options);
          expect(net.augmentDim).toBe(config === 'F' ? 9 : 0);
          expect(net.labelDim).toBe(data.labelDim ?? 0);
          if (net.architecture !== 'mlp') expect(net['dropout']).toBe(p.hyperparameters.dropout);
        }
      }
    }
  });

  it("config F is the paper's CIFAR-10 network: DDPM++ 55 733 891, NCSN++ 56 397 827 parameters", () => {
    const count = (baseline: 'vp' | 've', labelDim = 0) => {
      const p = trainingPreset({ baseline, config: 'F', labelDim });
      return countParamsOf(networkConfigByName(p.network.name, p.network.options));
    };
    expect(count('vp')).toBe(55_733_891);
    expect(count('ve')).toBe(56_397_827);
    expect(count('vp', 10)).toBe(55_735_299); // class-conditional
  });

  it("spread into train() and augmentPipeline(): F's 9 augmentation labels", () => {
    const p = trainingPreset({ baseline: 'vp', config: 'F' });
    const trainOptions: Partial<TrainOptions> = p.trainOptions;
    expect(trainOptions.batchSize).toBe(512);
    const settings: AugmentOptions = p.augment!;
    const pipeline = augmentPipeline(settings);
    expect(pipeline.labelDim).toBe(9);
    expect(pipeline.config).toMatchObject({ ...settings });
    if (p.network.name === 'mlp') throw new Error('expected a U-Net');
    expect(pipeline.labelDim).toBe(p.network.options.augmentDim);
  });
});
