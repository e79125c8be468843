import { checkOneOf } from '@edmkit/core';
import type { TrainingConfig } from './training-config.js';
import { edmHyperparameters, vpTraining, veTraining } from './training.js';

/** The row ids of the paper's Table 2, A–F. */
export const table2Ids = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Table2Id = (typeof table2Ids)[number];

/** One row of the paper's Table 2: a training configuration, or why it cannot be run here. */
export interface Table2Row {
  /** A–F, as in the paper. */
  readonly id: Table2Id;
  /** The paper's row label. */
  readonly label: string;
  /** The configuration, an override of the previous row; absent where not reproducible. */
  readonly config?: TrainingConfig;
  /** Why the row cannot be reproduced at this scale (kept in the table, not dropped). */
  readonly notReproducible?: string;
}

/** The Table 2 baselines: VP (DDPM++) and VE (NCSN++). */
export const table2Baselines = ['vp', 've'] as const;
export type Table2Baseline = (typeof table2Baselines)[number];

/** The configuration of every Table 2 row of one baseline (rows of the same baseline share objects). */
const configsByBaseline = new Map<Table2Baseline, Readonly<Record<Table2Id, TrainingConfig>>>();

/**
 * The training configuration of each row of the paper's Table 2, A–F, for one baseline,
 * as successive overrides: A the original VP or VE training; B + adjusted hyperparameters;
 * C + redistributed capacity (a change of the network only, so its training configuration
 * is B's); D + EDM preconditioning; E + EDM loss (log-normal p_train(σ) and
 * λ(σ) = 1/c_out(σ)²); F + non-leaky augmentation (probability 0.12).
 *
 * Paper: Table 2 (numerics guide: “Training hyperparameters”).
 * @example
 * table2Configs('vp').F.hyperparameters.augment; // 0.12
 */
export function table2Configs(
  baseline: Table2Baseline,
): Readonly<Record<Table2Id, TrainingConfig>> {
  const key = checkOneOf('baseline', baseline, table2Baselines);
  const cached = configsByBaseline.get(key);
  if (cached) return cached;
  const base = { vp: vpTraining, ve: veTraining }[key];
  const name = base.label;
  const a: TrainingConfig = { ...base, label: `A: ${name} baseline` };
  const b: TrainingConfig = {
    ...a,
    label: 'B: + adjusted hyperparameters',
    hyperparameters: edmHyperparameters,
  };
  // C moves U-Net capacity between resolutions: the network changes, the training does not.
  const c: TrainingConfig = { ...b, label: 'C: + redistributed capacity' };
  const d: TrainingConfig = {
    ...b,
    label: 'D: + EDM preconditioning',
    precond: 'edm',
    sigmaData: 0.5,
  };
  const e: TrainingConfig = {
    ...d,
    label: 'E: + EDM loss function',
    noise: 'edm', // ln σ ~ N(P_mean, P_std²)
    weighting: 'edm', // λ(σ) = 1/c_out(σ)²
    pMean: -1.2,
    pStd: 1.2,
  };
  const f: TrainingConfig = {
    ...e,
    label: 'F: + non-leaky augmentation',
    // Table 7, "Augment probability": 12 %
    hyperparameters: Object.freeze({ ...edmHyperparameters, augment: 0.12 }),
  };
  const configs = Object.freeze({
    A: Object.freeze(a),
    B: Object.freeze(b),
    C: Object.freeze(c),
    D: Object.freeze(d),
    E: Object.freeze(e),
    F: Object.freeze(f),
  });
  configsByBaseline.set(key, configs);
  return configs;
}

/**
 * The paper's training ablation (Table 2) as this project trains it: the configurations
 * of {@link table2Configs}, with the rows that depend on the image U-Net (C: capacity per
 * resolution) or on the augmentation pipeline (F) kept, marked with the reason, when
 * `scale` is `'quick'` (MLP denoisers on low-dimensional data); C and F also stay marked
 * at `'full'` scale (the small U-Nets have no 4×4 level; the ablation does not augment).
 *
 * Paper: Table 2 (numerics guide: “Training hyperparameters”).
 * @example
 * table2('vp', 'quick').map((r) => r.id + (r.config ? '' : ' (n/a)'));
 */
export function table2(baseline: Table2Baseline, scale: 'quick' | 'full'): Table2Row[] {
  const configs = table2Configs(baseline);
  checkOneOf('scale', scale, ['quick', 'full'] as const);
  const { A: a, B: b, D: d, E: e } = configs;
  const rows: Table2Row[] = [
    { id: 'A', label: a.label, config: a },
    { id: 'B', label: b.label, config: b },
    scale === 'quick'
      ? {
          id: 'C',
          label: configs.C.label,
          notReproducible:
            'moves U-Net capacity between resolutions; the quick mode trains resolution-free MLPs',
        }
      : {
          id: 'C',
          label: configs.C.label,
          notReproducible: 'the small U-Nets trained here have no 4×4 level to take capacity from',
        },
    { id: 'D', label: d.label, config: d },
    { id: 'E', label: e.label, config: e },
    {
      id: 'F',
      label: configs.F.label,
      notReproducible:
        'needs the geometric augmentation pipeline with augmentation labels, not implemented here',
    },
  ];
  return rows;
}
