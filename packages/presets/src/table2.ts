import { checkOneOf } from '@edmkit/core';
import type { TrainingConfig } from './training-config.js';
import { edmHyperparameters, vpTraining, veTraining } from './training.js';

/** One row of the paper's Table 2: a training configuration, or why it cannot be run here. */
export interface Table2Row {
  /** A–F, as in the paper. */
  readonly id: 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
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

/**
 * The paper's training ablation (Table 2) as overrides of a baseline: A the
 * original VP or VE training; B + adjusted hyperparameters; C + redistributed
 * capacity; D + EDM preconditioning; E + EDM loss (log-normal p_train(σ) and
 * λ(σ) = 1/c_out(σ)²); F + non-leaky augmentation.
 *
 * Rows that depend on the image U-Net (C: capacity per resolution) or on the
 * augmentation pipeline (F) are kept, marked with the reason, when `scale` is
 * `'quick'` (MLP denoisers on low-dimensional data); F also stays marked at
 * `'full'` scale because the geometric augmentation pipeline is not implemented.
 *
 * Paper: Table 2 (numerics guide: “Training hyperparameters”).
 * @example
 * table2('vp', 'quick').map((r) => r.id + (r.config ? '' : ' (n/a)'));
 */
export function table2(baseline: Table2Baseline, scale: 'quick' | 'full'): Table2Row[] {
  const base = { vp: vpTraining, ve: veTraining }[
    checkOneOf('baseline', baseline, table2Baselines)
  ];
  checkOneOf('scale', scale, ['quick', 'full'] as const);
  const name = base.label;
  const a: TrainingConfig = { ...base, label: `A: ${name} baseline` };
  const b: TrainingConfig = {
    ...a,
    label: 'B: + adjusted hyperparameters',
    hyperparameters: edmHyperparameters,
  };
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
  const rows: Table2Row[] = [
    { id: 'A', label: a.label, config: a },
    { id: 'B', label: b.label, config: b },
    scale === 'quick'
      ? {
          id: 'C',
          label: 'C: + redistributed capacity',
          notReproducible:
            'moves U-Net capacity between resolutions; the quick mode trains resolution-free MLPs',
        }
      : {
          id: 'C',
          label: 'C: + redistributed capacity',
          notReproducible: 'the small U-Nets trained here have no 4×4 level to take capacity from',
        },
    { id: 'D', label: d.label, config: d },
    { id: 'E', label: e.label, config: e },
    {
      id: 'F',
      label: 'F: + non-leaky augmentation',
      notReproducible:
        'needs the geometric augmentation pipeline with augmentation labels, not implemented here',
    },
  ];
  return rows;
}
