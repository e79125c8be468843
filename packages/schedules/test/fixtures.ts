import { readFileSync } from 'node:fs';

/**
 * Reads a reference fixture produced by the official EDM code. The fixtures live in
 * `<repo>/../shared/fixtures/edm-reference/` (a sibling of the repository clone).
 */
export function readFixture<T>(name: 'precond.json' | 'discretization.json'): T {
  const url = new URL(`../../../../shared/fixtures/edm-reference/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

/** One captured run of the official ablation sampler (discretization.json, `ablation`). */
export interface AblationEntry {
  discretization: 'vp' | 've' | 'iddpm' | 'edm';
  schedule: 'vp' | 've' | 'linear';
  scaling: 'vp' | 'none';
  net: 'vp' | 've' | 'iddpm' | 'edm';
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
  net: 'vp' | 've' | 'iddpm' | 'edm';
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

/** The part of precond.json the schedules tests read. */
export interface PrecondFixtureSchedules {
  vp_schedule: VpScheduleFixture;
  iddpm_u: { description: string; u_f32: number[]; max_rel_diff_vs_f64: number };
}

/** Largest relative error max_i |a_i − b_i| / |b_i| (absolute where b_i = 0). */
export function maxRelErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const err = b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}
