import { describe, expect, it } from 'vitest';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import {
  edmTraining,
  nonLeakyAugment,
  resolveTraining,
  table2,
  table2Configs,
  table2Ids,
  trainingNetworkNames,
  trainingPreset,
  vpTraining,
  type Table2Id,
  type TrainingConfig,
  type TrainingPreset,
} from '@edmkit/presets';

/** Song et al.'s CIFAR-10 optimisation (Table 2 config A; Table 7 baseline column). */
const songHyperparameters = {
  lr: 2e-4,
  batch: 128,
  lrRampupImages: 640_000,
  emaHalfLifeImages: 887_000,
  emaRampupRatio: 0,
  dropout: 0.1,
  augment: 0,
  totalImages: 200_000_000,
  gradClip: 1,
  xflip: true,
};
/** EDM's (configs B–E; F adds augment 0.12). */
const edmHyperparameters = {
  lr: 1e-3,
  batch: 512,
  lrRampupImages: 10_000_000,
  emaHalfLifeImages: 500_000,
  emaRampupRatio: 0.05,
  dropout: 0.13,
  augment: 0,
  totalImages: 200_000_000,
  gradClip: null,
  xflip: false,
};

/** What each row of Table 2 changes, per baseline. */
interface Expected {
  precond: string;
  noise: string;
  weighting: string;
  hyperparameters: typeof songHyperparameters | typeof edmHyperparameters;
  channelMult: number[];
  augment: boolean;
}

function expected(baseline: 'vp' | 've', id: Table2Id): Expected {
  const a: Expected = {
    precond: baseline,
    noise: baseline,
    weighting: 'inverse-square',
    hyperparameters: songHyperparameters,
    channelMult: [1, 2, 2, 2],
    augment: false,
  };
  const b = { ...a, hyperparameters: edmHyperparameters };
  const c = { ...b, channelMult: [2, 2, 2] };
  const d = { ...c, precond: 'edm' };
  const e = { ...d, noise: 'log-normal', weighting: 'edm' };
  const f = { ...e, augment: true };
  return { A: a, B: b, C: c, D: d, E: e, F: f }[id];
}

const labels: Record<Table2Id, string> = {
  A: '',
  B: 'B: + adjusted hyperparameters',
  C: 'C: + redistributed capacity',
  D: 'D: + EDM preconditioning',
  E: 'E: + EDM loss function',
  F: 'F: + non-leaky augmentation',
};

/** The constants the distribution, weighting and preconditioner objects carry. */
function checkObjects(p: TrainingPreset, x: Expected): void {
  expect(p.precond.name).toBe(x.precond);
  expect(p.distribution.name).toBe(x.noise);
  expect(p.weighting.name).toBe(x.weighting);
  const json = (o: unknown) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
  if (x.noise === 'vp') {
    // σ = σ(t), t ~ U(ε_t, 1): β_d 19.9, β_min 0.1, ε_t 10⁻⁵; σ(1) = √(e^10.05 − 1)
    expect(json(p.distribution)).toMatchObject({ betaD: 19.9, betaMin: 0.1, epsilonT: 1e-5 });
    expect((p.distribution as unknown as { sigmaMax: number }).sigmaMax).toBeCloseTo(
      Math.sqrt(Math.exp(10.05) - 1),
      9,
    );
  } else if (x.noise === 've') {
    // ln σ ~ U(ln 0.02, ln 100)
    expect(json(p.distribution)).toMatchObject({ sigmaMin: 0.02, sigmaMax: 100 });
  } else {
    // ln σ ~ N(−1.2, 1.2²)
    expect(json(p.distribution)).toEqual({ name: 'log-normal', pMean: -1.2, pStd: 1.2 });
  }
  for (const sigma of [0.01, 0.5, 3, 80]) {
    if (x.weighting === 'inverse-square') expect(p.weighting.weight(sigma)).toBe(1 / sigma ** 2);
    else expect(p.weighting.weight(sigma) * p.precond.cOut(sigma) ** 2).toBeCloseTo(1, 12);
  }
  if (x.precond === 'edm') {
    expect(json(p.precond)).toMatchObject({ name: 'edm', sigmaData: 0.5 });
    expect(p.precond.cSkip(0.5)).toBeCloseTo(0.5, 15); // σ_d²/(σ² + σ_d²) at σ = σ_d
    expect(p.precond.cNoise(Math.E ** 4)).toBeCloseTo(1, 12); // ¼ ln σ
  } else if (x.precond === 'vp') {
    expect(p.precond.cOut(2)).toBe(-2); // c_out = −σ
    expect(p.precond.cIn(2)).toBeCloseTo(1 / Math.sqrt(5), 15);
  } else {
    expect(p.precond.cOut(2)).toBe(2); // c_out = σ
    expect(p.precond.cNoise(4)).toBeCloseTo(Math.log(2), 15); // ln(σ/2)
  }
}

describe('trainingPreset: every row of Table 2', () => {
  for (const baseline of ['vp', 've'] as const) {
    for (const id of table2Ids) {
      it(`${baseline.toUpperCase()} ${id}`, () => {
        const x = expected(baseline, id);
        const p = trainingPreset({ baseline, config: id, resolution: 32, channels: 3 });
        expect([p.name, p.baseline, p.id, p.preset]).toEqual([
          `${baseline.toUpperCase()} ${id}`,
          baseline,
          id,
          null,
        ]);
        expect(p.config.label).toBe(
          id === 'A' ? `A: ${baseline.toUpperCase()} baseline` : labels[id],
        );
        expect([p.config.precond, p.config.noise, p.config.weighting]).toEqual([
          x.precond,
          x.noise === 'log-normal' ? 'edm' : x.noise,
          x.weighting,
        ]);
        checkObjects(p, x);
        expect(p.hyperparameters).toEqual({
          ...x.hyperparameters,
          augment: x.augment ? 0.12 : 0,
        });
        expect(p.augment).toEqual(
          x.augment
            ? {
                p: 0.12,
                xflip: 1e8,
                yflip: 1,
                translateInt: 0,
                scale: 1,
                rotate: 1,
                aniso: 1,
                translateFrac: 1,
              }
            : null,
        );
        expect(p.network).toEqual({
          name: baseline === 'vp' ? 'ddpmpp' : 'ncsnpp',
          options: {
            resolution: 32,
            inChannels: 3,
            labelDim: 0,
            augmentDim: x.augment ? 9 : 0,
            channelMult: x.channelMult,
            dropout: x.hyperparameters.dropout,
          },
        });
        const hp = x.hyperparameters;
        expect(p.trainOptions).toEqual({
          precond: p.precond,
          distribution: p.distribution,
          weighting: p.weighting,
          batchSize: hp.batch,
          lr: hp.lr,
          lrRampupImages: hp.lrRampupImages,
          emaHalfLifeImages: hp.emaHalfLifeImages,
          emaRampupRatio: hp.emaRampupRatio > 0 ? hp.emaRampupRatio : null,
          gradClip: hp.gradClip,
        });
        expect(p.notes).toEqual(
          id === 'A'
            ? ['dataset x-flips: @edmkit/train does not flip, mirror the images yourself']
            : [],
        );
      });
    }
  }

  it('is the configuration table2() trains, the same objects', () => {
    for (const baseline of ['vp', 've'] as const) {
      for (const scale of ['quick', 'full'] as const) {
        for (const row of table2(baseline, scale)) {
          const p = trainingPreset({ baseline, config: row.id });
          expect(p.config).toBe(table2Configs(baseline)[row.id]);
          if (row.config) expect(p.config).toBe(row.config);
          expect(row.label).toBe(p.config.label);
        }
      }
    }
  });

  it('is the same for both baselines from E on, but for the label and the architecture', () => {
    for (const id of ['E', 'F'] as const) {
      const vp = trainingPreset({ baseline: 'vp', config: id }).config;
      const ve = trainingPreset({ baseline: 've', config: id }).config;
      expect({ ...vp, label: '', architecture: '' }).toEqual({
        ...ve,
        label: '',
        architecture: '',
      });
    }
  });

  it('is frozen, deep down to the network options and augmentation', () => {
    const p = trainingPreset({ baseline: 've', config: 'F', labelDim: 10 });
    for (const part of [
      p,
      p.config,
      p.hyperparameters,
      p.network,
      p.network.options,
      p.trainOptions,
      p.augment,
      p.notes,
      p.distribution,
      p.weighting,
      p.precond,
    ])
      expect(Object.isFrozen(part)).toBe(true);
    if (p.network.name === 'mlp') throw new Error('expected a U-Net');
    expect(Object.isFrozen(p.network.options.channelMult)).toBe(true);
    expect(p.network.options.labelDim).toBe(10);
    expect(p.augment).toBe(nonLeakyAugment);
  });

  it('defaults to CIFAR-10: 32×32×3, unconditional, the paper-size network', () => {
    const p = trainingPreset({ baseline: 'vp', config: 'E' });
    expect(p.network).toEqual({
      name: 'ddpmpp',
      options: {
        resolution: 32,
        inChannels: 3,
        labelDim: 0,
        augmentDim: 0,
        channelMult: [2, 2, 2],
        dropout: 0.13,
      },
    });
  });
});

describe('trainingPreset: named presets', () => {
  it('edm: EDM preconditioning and loss, EDM hyperparameters, DDPM++ 2-2-2, no augmentation', () => {
    const p = trainingPreset({ preset: 'edm' });
    expect([p.name, p.baseline, p.id, p.preset]).toEqual(['EDM', null, null, 'edm']);
    expect(p.config).toBe(edmTraining);
    checkObjects(p, {
      precond: 'edm',
      noise: 'log-normal',
      weighting: 'edm',
      hyperparameters: edmHyperparameters,
      channelMult: [2, 2, 2],
      augment: false,
    });
    expect(p.hyperparameters).toEqual(edmHyperparameters);
    expect(p.augment).toBeNull();
    expect(p.network).toEqual({
      name: 'ddpmpp',
      options: {
        resolution: 32,
        inChannels: 3,
        labelDim: 0,
        augmentDim: 0,
        channelMult: [2, 2, 2],
        dropout: 0.13,
      },
    });
  });

  it('vp, ve: row A under its Table 1 label; iddpm: ADM 1-2-3-4', () => {
    const vp = trainingPreset({ preset: 'vp' });
    const a = trainingPreset({ baseline: 'vp', config: 'A' });
    expect(vp.config).toBe(vpTraining);
    // JSON: the loss objects are fresh instances with the same constants
    const strip = (p: TrainingPreset) =>
      JSON.stringify({ ...p, name: '', baseline: null, id: null, preset: null, config: null });
    expect(strip(vp)).toBe(strip(a));
    expect(trainingPreset({ preset: 've' }).network.name).toBe('ncsnpp');
    const iddpm = trainingPreset({ preset: 'iddpm', resolution: 64 });
    expect([iddpm.precond.name, iddpm.distribution.name, iddpm.weighting.name]).toEqual([
      'iddpm',
      'iddpm',
      'inverse-square',
    ]);
    expect(iddpm.network).toEqual({
      name: 'adm',
      options: {
        resolution: 64,
        inChannels: 3,
        labelDim: 0,
        augmentDim: 0,
        channelMult: [1, 2, 3, 4],
        dropout: 0.1,
      },
    });
  });
});

describe('trainingPreset: data shapes and network sizes', () => {
  it("size 'small': the small U-Nets, attention at half (ADM: and quarter) resolution", () => {
    const vp = trainingPreset({
      baseline: 'vp',
      config: 'D',
      resolution: 28,
      channels: 1,
      size: 'small',
    });
    expect(vp.network).toEqual({
      name: 'ddpmppSmall',
      options: {
        resolution: 28,
        inChannels: 1,
        labelDim: 0,
        augmentDim: 0,
        channelMult: [1, 2, 2],
        attnResolutions: [14],
        dropout: 0.13,
      },
    });
    const ve = trainingPreset({ baseline: 've', config: 'C', resolution: 32, size: 'small' });
    expect(ve.network.name).toBe('ncsnppSmall');
    expect(ve.network.options).toMatchObject({ channelMult: [1, 2, 2], attnResolutions: [16] });
    expect(ve.notes).toEqual([
      'C: the small U-Nets have no 4×4 level to take capacity from; the network is B’s',
    ]);
    const iddpm = trainingPreset({ preset: 'iddpm', resolution: 28, channels: 1, size: 'small' });
    expect(iddpm.network.name).toBe('admSmall');
    expect(iddpm.network.options).toMatchObject({ attnResolutions: [14, 7], dropout: 0.1 });
  });

  it('dim: the MLP for vector data', () => {
    const p = trainingPreset({ baseline: 've', config: 'E', dim: 2 });
    expect(p.network).toEqual({ name: 'mlp', options: { dim: 2, labelDim: 0 } });
    expect(trainingPreset({ baseline: 'vp', config: 'C', dim: 16, labelDim: 4 })).toMatchObject({
      network: { name: 'mlp', options: { dim: 16, labelDim: 4 } },
      notes: ['C moves U-Net capacity between resolutions; the MLP is the same as in B'],
    });
  });

  it('names only networks @edmkit/unet builds', () => {
    expect(trainingNetworkNames).toEqual([
      'ddpmpp',
      'ncsnpp',
      'adm',
      'ddpmppSmall',
      'ncsnppSmall',
      'admSmall',
      'mlp',
    ]);
  });
});

describe('trainingPreset: refused inputs', () => {
  it('unknown names', () => {
    const cases: [() => unknown, string][] = [
      [
        () => trainingPreset({ baseline: 'edm' as never, config: 'A' }),
        'unknown baseline "edm"; expected one of: vp, ve',
      ],
      [
        () => trainingPreset({ baseline: 'vp', config: 'G' as never }),
        'unknown config "G"; expected one of: A, B, C, D, E, F',
      ],
      [
        () => trainingPreset({ preset: 'ddim' as never }),
        'unknown preset "ddim"; expected one of: vp, ve, iddpm, edm',
      ],
      [
        () => trainingPreset({ baseline: 'vp', config: 'A', size: 'huge' as never }),
        'unknown size "huge"; expected one of: paper, small',
      ],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(UnknownNameError);
      expect(call).toThrow(message);
    }
  });

  it('invalid or inconsistent options', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /options/],
      ['vp', /options/],
      [{ baseline: 'vp' }, /config/],
      [{ config: 'F' }, /baseline/],
      [{ baseline: 'vp', config: 'A', preset: 'edm' }, /baseline.*absent with preset/],
      [{ baseline: 'vp', config: 'A', resolutoin: 32 }, /options\.resolutoin/],
      [{ baseline: 'vp', config: 'A', resolution: 28 }, /resolution.*multiple of 8/],
      [{ baseline: 'vp', config: 'C', resolution: 30 }, /resolution.*multiple of 4/],
      [{ baseline: 'vp', config: 'C', resolution: 0 }, /resolution/],
      [{ baseline: 'vp', config: 'C', channels: 1.5 }, /channels/],
      [{ baseline: 'vp', config: 'C', labelDim: -1 }, /labelDim/],
      [{ baseline: 'vp', config: 'C', dim: 0 }, /dim/],
      [{ baseline: 'vp', config: 'C', dim: 2, resolution: 32 }, /resolution.*absent with dim/],
      [{ baseline: 'vp', config: 'C', dim: 2, size: 'small' }, /size.*absent with dim/],
      [{ baseline: 'vp', config: 'F', dim: 2 }, /config.*without augmentation/],
    ];
    for (const [options, message] of cases) {
      const call = () => trainingPreset(options as never);
      expect(call).toThrow(ParameterError);
      expect(call).toThrow(message);
    }
    // resolutions the rows' networks accept
    expect(() => trainingPreset({ baseline: 'vp', config: 'C', resolution: 28 })).not.toThrow();
    expect(() => trainingPreset({ baseline: 'vp', config: 'A', resolution: 64 })).not.toThrow();
  });
});

describe('resolveTraining', () => {
  it('maps the names of a configuration to the loss objects, σ_data where it has none', () => {
    const soft: TrainingConfig = { ...vpTraining, weighting: 'soft-min-snr' };
    expect(JSON.parse(JSON.stringify(resolveTraining(soft, 0.25).weighting))).toEqual({
      name: 'soft-min-snr',
      sigmaData: 0.25,
      gamma: 16,
    });
    const edm = resolveTraining({ ...edmTraining, sigmaData: 0.7, pMean: -0.4, pStd: 1 }, 0.25);
    expect(
      [edm.precond, edm.weighting].map((o) => (o as { sigmaData?: number }).sigmaData),
    ).toEqual([0.7, 0.7]);
    expect(edm.distribution).toMatchObject({ pMean: -0.4, pStd: 1 });
    expect(
      resolveTraining({ ...edmTraining, sigmaData: undefined } as never).precond,
    ).toMatchObject({ sigmaData: 0.5 });
  });

  it('refuses unknown names', () => {
    expect(() => resolveTraining({ ...vpTraining, precond: 'ddim' as never })).toThrow(
      'unknown precond "ddim"; expected one of: vp, ve, iddpm, edm',
    );
    expect(() => resolveTraining({ ...vpTraining, noise: 'uniform' as never })).toThrow(
      UnknownNameError,
    );
    expect(() => resolveTraining({ ...vpTraining, weighting: 'snr' as never })).toThrow(
      UnknownNameError,
    );
    expect(() => resolveTraining({ ...vpTraining, architecture: 'dit' as never })).toThrow(
      UnknownNameError,
    );
    expect(() => resolveTraining(null as never)).toThrow(ParameterError);
    expect(() => resolveTraining(edmTraining, 0)).not.toThrow(); // σ_data of the config
    expect(() => resolveTraining(vpTraining, 0)).toThrow(ParameterError);
  });
});
