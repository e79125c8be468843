/** Names of the variants of each training axis of the paper's Table 1. */
export const precondNames = ['vp', 've', 'iddpm', 'edm'] as const;
/** Preconditioning c_skip, c_out, c_in, c_noise (Table 1, "Network and preconditioning"). */
export type PrecondName = (typeof precondNames)[number];

export const noiseDistributionNames = ['vp', 've', 'iddpm', 'edm'] as const;
/** Training noise distribution p_train(σ) (Table 1, "Training"). */
export type NoiseDistributionName = (typeof noiseDistributionNames)[number];

export const weightingNames = ['inverse-square', 'edm', 'soft-min-snr'] as const;
/** Loss weighting λ(σ) (Table 1, "Training"). */
export type WeightingName = (typeof weightingNames)[number];

export const architectureNames = ['ddpmpp', 'ncsnpp', 'adm', 'mlp'] as const;
/** Architecture of the raw network F_θ (Table 1, "Network and preconditioning"). */
export type ArchitectureName = (typeof architectureNames)[number];

/** Optimisation hyperparameters (paper Table 7; numerics guide: “Training hyperparameters”). */
export interface TrainingHyperparameters {
  /** Learning rate of Adam. */
  readonly lr: number;
  /** Images per optimisation step. */
  readonly batch: number;
  /** Linear learning-rate warm-up, in images. */
  readonly lrRampupImages: number;
  /** EMA half-life, in images. */
  readonly emaHalfLifeImages: number;
  /** EMA half-life ramp-up ratio: the half-life is capped at ratio × images seen (0 = none). */
  readonly emaRampupRatio: number;
  /** Dropout probability of the network. */
  readonly dropout: number;
  /** Augmentation probability (0 = no augmentation). */
  readonly augment: number;
}

/**
 * A training configuration as plain data: one choice per training row of
 * Table 1, the network, and the optimisation hyperparameters.
 */
export interface TrainingConfig {
  /** Short label for tables and plots. */
  readonly label: string;
  readonly precond: PrecondName;
  readonly noise: NoiseDistributionName;
  readonly weighting: WeightingName;
  readonly architecture: ArchitectureName;
  /** σ_data of EDM preconditioning and weighting (default 0.5). */
  readonly sigmaData?: number;
  /** P_mean, P_std of EDM's log-normal p_train(σ) (defaults −1.2, 1.2). */
  readonly pMean?: number;
  readonly pStd?: number;
  readonly hyperparameters: TrainingHyperparameters;
}
