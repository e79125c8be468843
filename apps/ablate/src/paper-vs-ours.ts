import { edm, iddpmOriginal, samplerAblation, veOriginal, vpOriginal } from '@edmkit/presets';
import { formatNumber } from './output/index.js';
import type { AblationCell, DatasetAblation } from './sampler-ablation.js';

// The "Paper vs ours" section of the sampler report: where the exact-denoiser results differ
// from the paper's Fig. 2, what the run measured (computed here from its cells), the cause, and
// the measurement that isolates it (quoted from the scripts in apps/ablate/bench, run on the
// default mixture: 256 samples, 16-d, 4 components, seed 0).

const [, vpHeun, vpEdm] = samplerAblation('vp');
const [, veHeun, veEdm] = samplerAblation('ve');
const labels = {
  vpHeun: vpHeun!.label,
  vpEdm: vpEdm!.label,
  vpOriginal: vpOriginal.label,
  iddpmOriginal: iddpmOriginal.label,
  veOriginal: veOriginal.label,
  veHeun: veHeun!.label,
  veEdm: veEdm!.label,
  edm: edm.label,
};

const bench = (script: string) => `\`nice -n 10 node apps/ablate/bench/${script}\``;

/** The cell of `label` answering NFE target `target`, if the run has it. */
function cellAt(result: DatasetAblation, label: string, target: number): AblationCell | undefined {
  return result.cells.find((c) => c.config === label && c.target === target);
}

/** NFE targets at which every one of `labels` has a cell, ascending. */
function commonTargets(result: DatasetAblation, ...names: string[]): number[] {
  const targets = [...new Set(result.cells.map((c) => c.target))].sort((a, b) => a - b);
  return targets.filter((t) => names.every((l) => cellAt(result, l, t) !== undefined));
}

const distanceLabel = { frechet: 'FD', slicedW2: 'SW₂' } as const;

const times = (a: number, b: number) => `${formatNumber(a / b, 2)}×`;

/** (i): the NFE at which "VP + EDM σ(t) & s(t)" has the larger error, and by how much. */
export function vpScheduleFinding(result: DatasetAblation): string | undefined {
  const targets = commonTargets(result, labels.vpHeun, labels.vpEdm);
  if (targets.length === 0) return undefined;
  const worse = targets
    .map((t) => ({
      heun: cellAt(result, labels.vpHeun, t)!,
      edm: cellAt(result, labels.vpEdm, t)!,
    }))
    .filter(({ heun, edm }) => edm.error > heun.error);
  if (worse.length === 0)
    return `${result.dataset.key}: not larger at any NFE of the run (${targets.join(', ')}).`;
  const ratios = worse.map(({ heun, edm }) => edm.error / heun.error);
  const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)].map((r) => formatNumber(r, 2));
  return (
    `${result.dataset.key}: larger at ${worse.length} of ${targets.length} NFE ` +
    `(${worse.map((w) => w.edm.nfe).join(', ')}), ${lo === hi ? lo : `${lo}–${hi}`}× the error of ` +
    `"${labels.vpHeun}".`
  );
}

/** (ii): EDM against the VP and iDDPM original samplers at the smallest NFE of the run. */
export function lowNfeFinding(result: DatasetAblation): string | undefined {
  const [target] = commonTargets(result, labels.edm, labels.vpOriginal, labels.iddpmOriginal);
  if (target === undefined) return undefined;
  const e = cellAt(result, labels.edm, target)!;
  const vp = cellAt(result, labels.vpOriginal, target)!;
  const dd = cellAt(result, labels.iddpmOriginal, target)!;
  return (
    `${result.dataset.key}, NFE ${target}: EDM ${formatNumber(e.error)}, ${times(e.error, vp.error)} that of ` +
    `${labels.vpOriginal} (${formatNumber(vp.error)}) and ${times(e.error, dd.error)} that of ` +
    `${labels.iddpmOriginal} (${formatNumber(dd.error)}); ${distanceLabel[result.dataset.distance]} ` +
    `${formatNumber(e.distance)} against ${formatNumber(vp.distance)} and ${formatNumber(dd.distance)}.`
  );
}

/** (iii): "VE + Heun & EDM t_i" at the smallest NFE, and the first NFE where it beats the original. */
export function veHeunFinding(result: DatasetAblation): string | undefined {
  const targets = commonTargets(result, labels.veHeun, labels.veOriginal, labels.veEdm);
  const [target] = targets;
  if (target === undefined) return undefined;
  const h = cellAt(result, labels.veHeun, target)!;
  const o = cellAt(result, labels.veOriginal, target)!;
  const s = cellAt(result, labels.veEdm, target)!;
  const below = targets.find(
    (t) => cellAt(result, labels.veHeun, t)!.error < cellAt(result, labels.veOriginal, t)!.error,
  );
  return (
    `${result.dataset.key}, NFE ${target}: ${formatNumber(h.error)} (${labels.veOriginal} ` +
    `${formatNumber(o.error)}; the same levels with σ(t) = t, s(t) = 1, "${labels.veEdm}": ` +
    `${formatNumber(s.error)}); ` +
    (below === undefined
      ? `not below ${labels.veOriginal} at any NFE of the run.`
      : `below ${labels.veOriginal} from NFE ${below} on.`)
  );
}

function findings(
  results: readonly DatasetAblation[],
  find: (r: DatasetAblation) => string | undefined,
): string[] {
  return results
    .filter((r) => !r.dataset.empirical)
    .map(find)
    .filter((s): s is string => s !== undefined);
}

/**
 * The "Paper vs ours" section: for each known difference between the run and the paper's Fig. 2,
 * what the paper shows, what this run measures, the cause and the evidence. A difference whose
 * configurations the run lacks is left out; the section is empty without a smooth data set.
 */
export function paperVsOurs(results: readonly DatasetAblation[]): string[] {
  const i = findings(results, vpScheduleFinding);
  const ii = findings(results, lowNfeFinding);
  const iii = findings(results, veHeunFinding);
  if (i.length + ii.length + iii.length === 0) return [];
  const md = [
    '## Paper vs ours',
    '',
    'The paper measured FID of trained networks; here the denoiser is exact and the error is taken',
    'against the exact flow from the same start, so the ranking of samplers can differ. Three',
    'differences, each with a measurement that isolates its cause. "Ours" is this run; the evidence',
    'is printed by the scripts named (default mixture, seed 0; `tsc -b apps/ablate` first). Harness',
    `check (${bench('sampler-harness-check.mjs')}): every configuration starts at z·σ(t_0) and is`,
    'scored against the exact flow from that very point; recomputing each cell at NFE 9 and 35 with',
    'an independent reference (rtol 1e-10, solved through the configuration’s own levels) agrees to',
    '1.2e-7 relative, and the reference error at rtol 1e-8 is 1.6e-9, far below the errors above.',
  ];
  if (i.length > 0) {
    md.push(
      '',
      `### (i) "${labels.vpEdm}" against "${labels.vpHeun}"`,
      '',
      '- Paper (Fig. 2a, §3): switching VP to σ(t) = t, s(t) = 1 lowers FID further, argued from',
      '  trajectories that are closer to straight lines (Fig. 3).',
      `- Ours: ${i.join(' ')}`,
      '- Cause: how much Heun’s corrector depends on its Euler predictor x′. Both rows run Heun on',
      '  the same σ levels from the same start; only the coordinates differ. In VP’s, x = x̂/√(1 + σ²),',
      '  the slope’s dependence on x is ∂f/∂x = (σ′/σ)(1/(1 + σ²) − ∂D/∂x̂), and both terms in the',
      '  bracket are O(1/σ²) once σ is well above 1 and the data scale; with σ(t) = t, s(t) = 1 it is',
      '  (1 − ∂D/∂x̂)/σ, a bracket ≈ 1. So in VP’s coordinates the predictor’s error hardly reaches',
      '  the result, while with σ(t) = t it enters with weight ≈ (σ_i/σ_{i+1} − 1)/2. Not straightness',
      '  (the σ(t) = t trajectories are the straighter ones) and not the last step to σ = 0 (≈ 1e-5',
      '  in both).',
      `- Evidence (${bench('sampler-vp-schedule.mjs')}), NFE 35, steps with σ ∈ (2, 20]: Euler`,
      '  predictor error 0.151 (VP) and 0.0642 (σ(t) = t), of which 2.5 % and 24 % reach Heun’s',
      '  result (0.0038 and 0.0154; for σ ∈ (20, 80] 0.04 % and 22 %); Heun local error 0.0163 and',
      '  0.0336; trapezoid rule with exact slopes 0.0145 and 0.0185; deviation of the exact',
      '  trajectory from the chord 0.0502 and 0.0196. Error before the last step 0.0049 and 0.0144,',
      '  the last step alone 2.2e-5 and 1.1e-5.',
    );
  }
  if (ii.length > 0) {
    md.push(
      '',
      `### (ii) The original samplers against EDM at the lowest NFE`,
      '',
      '- Paper (Fig. 2): the original samplers (Euler) are the worst at low NFE; Heun with the EDM',
      '  t_i reaches their FID with several times fewer NFE.',
      `- Ours: ${ii.join(' ')}`,
      '- Cause: the solver at this budget, not the time steps, σ(t), s(t) or σ_min. NFE 9 gives',
      '  Euler 9 steps and Heun 5, whose steps span σ ratios of 4.6 to 85. Where the exact',
      '  denoiser’s output moves across such a step, Heun’s second slope, taken at σ_{i+1}, is',
      '  weighted over the whole step, and one Heun step errs more than one Euler step over the same',
      '  interval, even with exact slopes at both ends.',
      `- Evidence (${bench('sampler-low-nfe.mjs')}), NFE 9: Euler on the EDM t_i 0.0820 (Heun`,
      '  0.731); Heun on the originals’ own t_i, σ(t), s(t) 0.174 (VP, Euler 0.0367) and 0.536',
      '  (iDDPM, Euler 0.0641). EDM’s steps 80 → 17.5 → 2.52 → 0.170 from the exact point: D moves',
      '  by 0.0324, 0.247, 0.333; Heun errs 0.0452, 0.552, 0.945 against Euler’s 0.0126, 0.113,',
      '  0.274 (3.4–4.9×), the trapezoid rule with exact slopes alone 0.0230, 0.300, 0.297. The last',
      '  step to σ = 0 alone: ≤ 1.1e-4 for every configuration. At NFE 35 Heun is ahead (0.0144',
      '  against Euler on the EDM t_i 0.0189).',
    );
  }
  if (iii.length > 0) {
    md.push(
      '',
      `### (iii) "${labels.veHeun}" at the lowest NFE`,
      '',
      '- Paper (Fig. 2b): Heun with the EDM t_i improves on the original VE sampler.',
      `- Ours: ${iii.join(' ')}`,
      '- Cause: Heun in VE’s time t = σ², where a σ ratio q is a step ratio r = q². Where the denoiser',
      '  output is nearly constant (σ above the data), x̂ − D grows like √t, and one Heun step from',
      '  t_i to t_i/r multiplies it by f(r) = 3/4 + 3/(8r) − r/8 instead of r^(−1/2): negative beyond',
      '  r = 6.46, larger than 1 in size beyond r = 14.2 (q = 3.77). With σ(t) = t the same step',
      '  multiplies it by exactly 1/q. The 5 levels of NFE 9 on VE’s range [0.02, 80] have r = 14.4,',
      '  27.1, 75.6 and 541.',
      `- Evidence (${bench('sampler-ve-heun.mjs')}): after the first step, 80 → 21.1 (r = 14.4,`,
      '  f = −1.03 against 0.263), error 103, as σ_0·|f − r^(−1/2)|·RMS(z) = 103 predicts; 209 and',
      '  1310 after the next two; on the same levels with σ(t) = t 0.026, 0.25 and 0.98. At NFE 17',
      '  the first step errs 9.59 (predicted 9.58); |f| ≤ 1 at every step from NFE 23 on.',
    );
  }
  return md;
}
