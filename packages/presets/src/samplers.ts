import type { SamplerConfig } from './sampler-config.js';

/**
 * "VP original": the sampler of Song et al.'s DDPM++ cont. (VP) models.
 *
 * Paper: Table 1, column "VP"; Fig. 2a, "Original sampler" (numerics guide: “Figure 2
 * configurations”).
 */
export const vpOriginal: SamplerConfig = Object.freeze({
  label: 'VP original',
  // VP network, σ ∈ [σ_VP(ε_t = 1e-5), σ_VP(1)] (numerics guide: “VP preconditioning”)
  network: 'vp',
  solver: 'euler', // Table 1, VP "ODE solver: Euler"
  discretization: 'vp', // uniform t from 1 to ε_s = 1e-3 (numerics guide: “VP time steps”)
  // σ(t) = √(e^{½β_d t² + β_min t} − 1), β_d = 19.9, β_min = 0.1, refitted to the range
  // (numerics guide: “Refitted VP constants”)
  schedule: 'vp',
  scaling: 'vp', // s(t) = 1/√(1 + σ(t)²)
});

/**
 * "VE original": the sampler of Song et al.'s NCSN++ cont. (VE) models.
 *
 * Paper: Table 1, column "VE"; Fig. 2b (numerics guide: “Figure 2 configurations”).
 */
export const veOriginal: SamplerConfig = Object.freeze({
  label: 'VE original',
  network: 've', // VE network, σ ∈ [0.02, 100] (numerics guide: “VE preconditioning”)
  solver: 'euler', // Table 1, VE "ODE solver: Euler"
  // σ geometric from σ_max = 100 to σ_min = 0.02 (numerics guide: “VE time steps”)
  discretization: 've',
  schedule: 've', // σ(t) = √t
  scaling: 'none', // s(t) = 1
});

/**
 * "iDDPM + DDIM original": DDIM's deterministic sampler on the improved-DDPM (ADM) model.
 *
 * Paper: Table 1, column "iDDPM+DDIM"; Fig. 2c (numerics guide: “Figure 2 configurations”).
 */
export const iddpmOriginal: SamplerConfig = Object.freeze({
  label: 'iDDPM+DDIM original',
  network: 'iddpm', // ADM network, σ snapped to the u table (numerics guide: “Sigma rounding”)
  solver: 'euler', // DDIM is exactly Euler on this ODE (Table 1, iDDPM+DDIM)
  // u_j at rounded positions, defaults σ ∈ [0.002, 81] (numerics guide: “iDDPM time steps”)
  discretization: 'iddpm',
  schedule: 'linear', // σ(t) = t
  scaling: 'none', // s(t) = 1
});

/**
 * The EDM sampler: Heun, EDM time steps with ρ = 7, σ(t) = t, s(t) = 1, deterministic.
 *
 * Paper: Table 1, column "EDM (ours)"; Algorithm 2 with S_churn = 0.
 */
export const edm: SamplerConfig = Object.freeze({
  label: 'EDM',
  // EDM preconditioning, σ ∈ [0, ∞), identity rounding (numerics guide: “EDM preconditioning”)
  network: 'edm',
  solver: 'heun', // Table 1, EDM "ODE solver: 2nd order Heun"
  discretization: 'edm', // (σ_max^{1/ρ} + i/(N−1)(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ
  rho: 7, // Table 1, EDM ρ = 7
  schedule: 'linear', // σ(t) = t
  scaling: 'none', // s(t) = 1
  sigmaMin: 0.002, // Table 1, EDM column
  sigmaMax: 80, // Table 1, EDM column
});

/** The sampler presets by name. */
export const samplerPresets = Object.freeze({
  vp: vpOriginal,
  ve: veOriginal,
  iddpm: iddpmOriginal,
  edm,
});
/** Name of a sampler preset. */
export type SamplerPresetName = keyof typeof samplerPresets;
