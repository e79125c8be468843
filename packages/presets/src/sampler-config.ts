import type { Churn } from '@edmkit/solvers';
import type {
  DiscretizationName,
  NetworkName,
  ScalingName,
  ScheduleName,
  SolverName,
} from './axes.js';

/**
 * A sampler configuration as plain data: one choice per sampling row of the
 * paper's Table 1, plus the network whose σ range and rounding the sampler must
 * respect. Resolve it to objects with {@link resolveSampler}; derive an ablation
 * with {@link overrideSampler} or a spread.
 */
export interface SamplerConfig {
  /** Short human-readable label for tables and plots. */
  readonly label: string;
  /** Network (preconditioning) whose σ_min/σ_max clamp the range and whose round_sigma applies. */
  readonly network: NetworkName;
  /** ODE solver. */
  readonly solver: SolverName;
  /** α of the `second-order` solver, in (0, 1]. */
  readonly alpha?: number;
  /** Time-step discretization. */
  readonly discretization: DiscretizationName;
  /** ρ of the `edm` / `polyexponential` discretization. */
  readonly rho?: number;
  /** σ(t). */
  readonly schedule: ScheduleName;
  /** s(t). */
  readonly scaling: ScalingName;
  /** Requested σ_min (default: per discretization; numerics guide: “Noise range defaults”). */
  readonly sigmaMin?: number;
  /** Requested σ_max (default: per discretization; numerics guide: “Noise range defaults”). */
  readonly sigmaMax?: number;
  /** ε_s of the VP discretization (default 10⁻³). */
  readonly epsilonS?: number;
  /** Stochastic churn (default none). */
  readonly churn?: Partial<Churn>;
}
