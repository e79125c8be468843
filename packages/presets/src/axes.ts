/** Names of the variants of each sampling axis of the paper's Table 1. */
export const scheduleNames = ['vp', 've', 'linear'] as const;
/** σ(t) variant: VP √(e^{½β_d t² + β_min t} − 1), VE √t, linear t (EDM). */
export type ScheduleName = (typeof scheduleNames)[number];

export const scalingNames = ['vp', 'none'] as const;
/** s(t) variant: VP 1/√(e^{½β_d t² + β_min t}), none 1 (VE, EDM). */
export type ScalingName = (typeof scalingNames)[number];

export const discretizationNames = [
  'vp',
  've',
  'iddpm',
  'edm',
  'exponential',
  'polyexponential',
] as const;
/** Time-step variant: the four of Table 1 plus k-diffusion's exponential and polyexponential. */
export type DiscretizationName = (typeof discretizationNames)[number];

export const solverNames = ['euler', 'heun', 'midpoint', 'second-order'] as const;
/** ODE solver: Euler, or the 2nd-order α method (Heun α = 1, midpoint α = ½, any α ∈ (0, 1]). */
export type SolverName = (typeof solverNames)[number];

export const networkNames = ['vp', 've', 'iddpm', 'edm'] as const;
/** The network whose preconditioning fixes the supported σ range and σ rounding. */
export type NetworkName = (typeof networkNames)[number];

/** The axes a sampler configuration can override. */
export const samplerAxes = [
  'label',
  'network',
  'solver',
  'alpha',
  'discretization',
  'rho',
  'schedule',
  'scaling',
  'sigmaMin',
  'sigmaMax',
  'epsilonS',
  'churn',
] as const;
export type SamplerAxis = (typeof samplerAxes)[number];
