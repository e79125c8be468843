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
 * Paper: Table 2, config B ("Adjust hyperparameters"); the official train.py defaults
 * (numerics guide: “Training hyperparameters”).
 */
export const edmHyperparameters: TrainingHyperparameters = Object.freeze({
  lr: 1e-3, // learning rate 10⁻³
  batch: 512, // batch 512
  lrRampupImages: 10_000_000, // linear warm-up over 10 Mimg
  emaHalfLifeImages: 500_000, // EMA half-life 0.5 Mimg
  emaRampupRatio: 0.05, // half-life capped at 0.05 × images seen
  dropout: 0.13, // dropout 0.13
  augment: 0, // augmentation comes with config F (p = 0.12)
});

/**
 * VP training (Song et al., DDPM++ cont.). Paper: Table 1, VP column, training rows
 * (numerics guide: “Preconditioning”, “Training”).
 */
export const vpTraining: TrainingConfig = Object.freeze({
  label: 'VP',
  precond: 'vp', // c_skip 1, c_out −σ, c_in 1/√(σ²+1), c_noise (M−1)σ⁻¹(σ)
  noise: 'vp', // σ = σ(t), t ~ U(ε_t, 1), ε_t = 10⁻⁵
  weighting: 'inverse-square', // λ = 1/σ²
  architecture: 'ddpmpp', // Table 1, VP: DDPM++
  hyperparameters: baselineHyperparameters,
});

/**
 * VE training (Song et al., NCSN++ cont.). Paper: Table 1, VE column, training rows
 * (numerics guide: “Preconditioning”, “Training”).
 */
export const veTraining: TrainingConfig = Object.freeze({
  label: 'VE',
  precond: 've', // c_skip 1, c_out σ, c_in 1, c_noise ln(σ/2)
  noise: 've', // ln σ ~ U(ln 0.02, ln 100)
  weighting: 'inverse-square', // λ = 1/σ²
  architecture: 'ncsnpp', // Table 1, VE: NCSN++
  hyperparameters: baselineHyperparameters,
});

/**
 * iDDPM training (Nichol & Dhariwal). The official EDM code has no iDDPM loss
 * (numerics guide: “Training noise distributions”): this is the paper's Table 1 description
 * without the L_vlb term.
 */
export const iddpmTraining: TrainingConfig = Object.freeze({
  label: 'iDDPM',
  precond: 'iddpm', // c_skip 1, c_out −σ, c_in 1/√(σ²+1), c_noise M−1−j
  noise: 'iddpm', // σ = u_j, j ~ U{0, …, M−1}
  weighting: 'inverse-square', // λ = 1/σ² (+ L_vlb, not reproduced)
  architecture: 'adm', // Table 1, iDDPM: ADM
  hyperparameters: baselineHyperparameters,
});

/** EDM training. Paper: Table 1, EDM column, training rows; numerics guide: “Training”. */
export const edmTraining: TrainingConfig = Object.freeze({
  label: 'EDM',
  precond: 'edm', // c_skip σ_d²/(σ²+σ_d²), c_out σσ_d/√(σ²+σ_d²), c_in 1/√(σ²+σ_d²), c_noise ¼ ln σ
  noise: 'edm', // ln σ ~ N(P_mean, P_std²)
  weighting: 'edm', // λ = (σ² + σ_d²)/(σσ_d)²
  // "any"; the CIFAR-10 EDM models use DDPM++ (numerics guide: “Network architectures”)
  architecture: 'ddpmpp',
  sigmaData: 0.5, // Table 1, EDM column
  pMean: -1.2, // Table 1, EDM column
  pStd: 1.2, // Table 1, EDM column
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
