import type { TrainingConfig, TrainingHyperparameters } from './training-config.js';

/**
 * CIFAR-10 hyperparameters of the baseline (Table 2, config A): Song et al.'s
 * published score-SDE training setup for DDPM++/NCSN++ cont.
 *
 * Paper: Table 2, config A ("Baseline"); the numbers are Song et al.'s CIFAR-10 setup.
 */
export const baselineHyperparameters: TrainingHyperparameters = Object.freeze({
  lr: 2e-4, // Song et al.: Adam, learning rate 2·10⁻⁴
  batch: 128, // Song et al.: batch 128
  lrRampupImages: 640_000, // Song et al.: 5000 warm-up steps × 128 images
  emaHalfLifeImages: 887_000, // Song et al.: EMA rate 0.9999 per step of 128: 128·ln ½ / ln 0.9999 ≈ 0.887 Mimg
  emaRampupRatio: 0, // no EMA ramp-up
  dropout: 0.1, // Song et al.: dropout 0.1
  augment: 0, // no augmentation
});

/**
 * EDM's CIFAR-10 hyperparameters (Table 2, configs B–F).
 *
 * Paper: Table 2, config B ("Adjust hyperparameters"); SPEC §5 (train.py defaults).
 */
export const edmHyperparameters: TrainingHyperparameters = Object.freeze({
  lr: 1e-3, // SPEC §5: learning rate 10⁻³
  batch: 512, // SPEC §5: batch 512
  lrRampupImages: 10_000_000, // SPEC §5: linear warm-up over 10 Mimg
  emaHalfLifeImages: 500_000, // SPEC §5: EMA half-life 0.5 Mimg
  emaRampupRatio: 0.05, // SPEC §5: half-life capped at 0.05 × images seen
  dropout: 0.13, // SPEC §5: dropout 0.13
  augment: 0, // augmentation comes with config F (SPEC §5: p = 0.12)
});

/** VP training (Song et al., DDPM++ cont.). Paper: Table 1, VP column, training rows. */
export const vpTraining: TrainingConfig = Object.freeze({
  label: 'VP',
  precond: 'vp', // c_skip 1, c_out −σ, c_in 1/√(σ²+1), c_noise (M−1)σ⁻¹(σ) (SPEC §2.1)
  noise: 'vp', // σ = σ(t), t ~ U(ε_t, 1), ε_t = 10⁻⁵ (SPEC §2.1)
  weighting: 'inverse-square', // λ = 1/σ² (SPEC §2.1)
  architecture: 'ddpmpp', // Table 1, VP: DDPM++
  hyperparameters: baselineHyperparameters,
});

/** VE training (Song et al., NCSN++ cont.). Paper: Table 1, VE column, training rows. */
export const veTraining: TrainingConfig = Object.freeze({
  label: 'VE',
  precond: 've', // c_skip 1, c_out σ, c_in 1, c_noise ln(σ/2) (SPEC §2.2)
  noise: 've', // ln σ ~ U(ln 0.02, ln 100) (SPEC §2.2)
  weighting: 'inverse-square', // λ = 1/σ² (SPEC §2.2)
  architecture: 'ncsnpp', // Table 1, VE: NCSN++
  hyperparameters: baselineHyperparameters,
});

/**
 * iDDPM training (Nichol & Dhariwal). The official EDM code has no iDDPM loss
 * (SPEC §2.3): this is the paper's Table 1 description without the L_vlb term.
 */
export const iddpmTraining: TrainingConfig = Object.freeze({
  label: 'iDDPM',
  precond: 'iddpm', // c_skip 1, c_out −σ, c_in 1/√(σ²+1), c_noise M−1−j (SPEC §2.3)
  noise: 'iddpm', // σ = u_j, j ~ U{0, …, M−1} (SPEC §2.3)
  weighting: 'inverse-square', // λ = 1/σ² (+ L_vlb, not reproduced; SPEC §2.3)
  architecture: 'adm', // Table 1, iDDPM: ADM
  hyperparameters: baselineHyperparameters,
});

/** EDM training. Paper: Table 1, EDM column, training rows; SPEC §2.4, §5. */
export const edmTraining: TrainingConfig = Object.freeze({
  label: 'EDM',
  precond: 'edm', // c_skip σ_d²/(σ²+σ_d²), c_out σσ_d/√(σ²+σ_d²), c_in 1/√(σ²+σ_d²), c_noise ¼ ln σ
  noise: 'edm', // ln σ ~ N(P_mean, P_std²) (SPEC §2.4)
  weighting: 'edm', // λ = (σ² + σ_d²)/(σσ_d)² (SPEC §2.4)
  architecture: 'ddpmpp', // "any"; the CIFAR-10 EDM models use DDPM++ (SPEC §6)
  sigmaData: 0.5, // SPEC §2.4
  pMean: -1.2, // SPEC §2.4
  pStd: 1.2, // SPEC §2.4
  hyperparameters: edmHyperparameters,
});

/** The training presets by name. */
export const trainingPresets = Object.freeze({
  vp: vpTraining,
  ve: veTraining,
  iddpm: iddpmTraining,
  edm: edmTraining,
});
export type TrainingPresetName = keyof typeof trainingPresets;
