/** One row of the paper's Table 1: a design axis and each method's choice. */
export interface Table1Row {
  /** Section of the table: sampling, network and preconditioning, training, or parameters. */
  readonly section: 'Sampling' | 'Network and preconditioning' | 'Training' | 'Parameters';
  /** The design axis, as the paper names it. */
  readonly axis: string;
  /** Choice of VP (Song et al., DDPM++ cont.). */
  readonly vp: string;
  /** Choice of VE (Song et al., NCSN++ cont.). */
  readonly ve: string;
  /** Choice of iDDPM + DDIM (Nichol & Dhariwal; Song et al.). */
  readonly iddpm: string;
  /** Choice of EDM (Karras et al.). */
  readonly edm: string;
}

/**
 * The paper's Table 1 as data (numerics guide: “Table 1 at a glance”): every design axis
 * and the choice of
 * VP, VE, iDDPM+DDIM and EDM, with the official code's constants.
 *
 * Paper: Table 1.
 */
export const table1: readonly Table1Row[] = Object.freeze([
  {
    section: 'Sampling',
    axis: 'ODE solver',
    vp: 'Euler',
    ve: 'Euler',
    iddpm: 'Euler',
    edm: '2nd order Heun',
  },
  {
    section: 'Sampling',
    axis: 'Time steps t_{i<N}',
    vp: '1 + i/(N−1)·(ε_s − 1)',
    ve: 'σ_max²·(σ_min²/σ_max²)^{i/(N−1)}',
    iddpm:
      'u_{⌊j₀ + (M−1−j₀)/(N−1)·i + ½⌋}, u_{j−1} = √((u_j²+1)/max(ᾱ_{j−1}/ᾱ_j, C₁) − 1), u_M = 0',
    edm: '(σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ',
  },
  {
    section: 'Sampling',
    axis: 'Schedule σ(t)',
    vp: '√(e^{½β_d t² + β_min t} − 1)',
    ve: '√t',
    iddpm: 't',
    edm: 't',
  },
  {
    section: 'Sampling',
    axis: 'Scaling s(t)',
    vp: '1/√(e^{½β_d t² + β_min t})',
    ve: '1',
    iddpm: '1',
    edm: '1',
  },
  {
    section: 'Network and preconditioning',
    axis: 'Architecture of F_θ',
    vp: 'DDPM++',
    ve: 'NCSN++',
    iddpm: 'DDPM (ADM)',
    edm: '(any)',
  },
  {
    section: 'Network and preconditioning',
    axis: 'Skip scaling c_skip(σ)',
    vp: '1',
    ve: '1',
    iddpm: '1',
    edm: 'σ_data²/(σ² + σ_data²)',
  },
  {
    section: 'Network and preconditioning',
    axis: 'Output scaling c_out(σ)',
    vp: '−σ',
    ve: 'σ',
    iddpm: '−σ',
    edm: 'σ·σ_data/√(σ² + σ_data²)',
  },
  {
    section: 'Network and preconditioning',
    axis: 'Input scaling c_in(σ)',
    vp: '1/√(σ² + 1)',
    ve: '1',
    iddpm: '1/√(σ² + 1)',
    edm: '1/√(σ² + σ_data²)',
  },
  {
    section: 'Network and preconditioning',
    axis: 'Noise cond. c_noise(σ)',
    vp: '(M − 1)·σ⁻¹(σ)',
    ve: 'ln(½σ)',
    iddpm: 'M − 1 − argmin_j |u_j − σ|',
    edm: '¼ ln(σ)',
  },
  {
    section: 'Training',
    axis: 'Noise distribution',
    vp: 'σ = σ(t), t ~ U(ε_t, 1)',
    ve: 'ln(σ) ~ U(ln σ_min, ln σ_max)',
    iddpm: 'σ = u_j, j ~ U{0, …, M−1}',
    edm: 'ln(σ) ~ N(P_mean, P_std²)',
  },
  {
    section: 'Training',
    axis: 'Loss weighting λ(σ)',
    vp: '1/σ²',
    ve: '1/σ²',
    iddpm: '1/σ² (note: + L_vlb)',
    edm: '(σ² + σ_data²)/(σ·σ_data)²',
  },
  {
    section: 'Parameters',
    axis: 'Constants',
    vp: 'β_d = 19.9, β_min = 0.1, ε_s = 10⁻³, ε_t = 10⁻⁵, M = 1000',
    ve: 'σ_min = 0.02, σ_max = 100',
    iddpm: 'C₁ = 0.001, C₂ = 0.008, M = 1000, j₀ = 8',
    edm: 'σ_min = 0.002, σ_max = 80, σ_data = 0.5, ρ = 7, P_mean = −1.2, P_std = 1.2',
  },
] as Table1Row[]);

/**
 * Renders {@link table1} (or a subset of its sections) as a GitHub-flavoured markdown table.
 *
 * @example
 * console.log(table1Markdown({ sections: ['Sampling'] }));
 */
export function table1Markdown(
  options: { readonly sections?: readonly Table1Row['section'][] } = {},
): string {
  const rows = options.sections
    ? table1.filter((r) => options.sections!.includes(r.section))
    : table1;
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '| | VP | VE | iDDPM + DDIM | EDM |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${esc(r.axis)} | ${esc(r.vp)} | ${esc(r.ve)} | ${esc(r.iddpm)} | ${esc(r.edm)} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}
