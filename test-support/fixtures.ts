import { readFileSync } from 'node:fs';

/**
 * Reference fixtures produced by the official EDM code, shared by the tests of
 * several packages. They live inside the repository, in
 * `test-support/fixtures/edm-reference/`, so a clone anywhere reads them.
 */
export function readFixture<T>(name: 'precond.json' | 'discretization.json'): T {
  return readReference<T>(`edm-reference/${name}`);
}

/** The reference runs of other libraries' samplers (see `test-support/fixtures/README.md`). */
export type ReferenceFile =
  | `edm-reference/${'precond' | 'discretization'}.json`
  | 'kdiffusion/vectors.json'
  | 'diffusers/vectors.json';

/** Reads one reference file of `test-support/fixtures/`. */
export function readReference<T>(file: ReferenceFile): T {
  const url = new URL(`./fixtures/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export type NetName = 'vp' | 've' | 'iddpm' | 'edm';

interface Coefficients {
  c_skip: number[];
  c_out: number[];
  c_in: number[];
  c_noise: number[];
}

/** One preconditioner of precond.json. */
export interface PrecondEntry extends Coefficients {
  sigma: number[];
  sigma_min: number;
  sigma_max: number | 'Infinity';
  round_sigma: number[];
  round_sigma_index?: number[];
  linear_check: { x: number[]; F_params: { w: number; v: number; b: number }; D: number[] };
  spec_f64_max_rel_err: Record<keyof Coefficients, number>;
  spec_f64: Coefficients;
  c_noise_f64_official_method?: number[];
}

/** The VP schedule values of precond.json (`vp_schedule`). */
export interface VpScheduleFixture {
  t: number[];
  sigma_f32: number[];
  sigma_f64: number[];
  sigma_spec_f64: number[];
  sigma_query: number[];
  sigma_inv_f32: number[];
  sigma_inv_f64: number[];
  sigma_inv_spec_f64: number[];
}

/** precond.json. */
export interface PrecondFixture {
  description: string;
  sigma_grid: number[];
  preconds: Record<NetName, PrecondEntry>;
  vp_schedule: VpScheduleFixture;
  iddpm_u: { description: string; u_f32: number[]; max_rel_diff_vs_f64: number };
}

/** One captured run of the official ablation sampler (discretization.json, `ablation`). */
export interface AblationEntry {
  discretization: 'vp' | 've' | 'iddpm' | 'edm';
  schedule: 'vp' | 've' | 'linear';
  scaling: 'vp' | 'none';
  net: NetName;
  num_steps: number;
  sigma_min: number;
  sigma_max: number;
  vp_beta_d: number;
  vp_beta_min: number;
  sigma_steps: number[];
  t_steps: number[];
  net_sigmas_euler: number[];
  u_filtered_len?: number;
  index_in_u_filtered?: number[];
  j0?: number;
}

/** One captured run of the official EDM sampler (discretization.json, `edm_sampler`). */
export interface EdmSamplerEntry {
  net: NetName;
  num_steps: number;
  sigma_min: number;
  sigma_max: number;
  t_steps: number[];
}

/** discretization.json. */
export interface DiscretizationFixture {
  description: string;
  ablation: AblationEntry[];
  edm_sampler: EdmSamplerEntry[];
  iddpm_u_sampler: { description: string; u: number[]; max_rel_diff_vs_f64: number };
  iddpm_index_rounding_note: { description: string; cases_N_le_300: [number, number, number][] };
}

/** Relative error |a − b|/|b| (absolute where b = 0; NaN counts as Infinity). */
export function relErr(a: number, b: number): number {
  const err = b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
  return Number.isNaN(err) ? Infinity : err;
}

/** Largest relative error over two equally long lists. */
export function maxRelErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, relErr(actual[i]!, expected[i]!));
  return worst;
}
