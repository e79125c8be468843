import { join } from 'node:path';
import {
  formatNumber,
  imageGridPng,
  logLogPlotPng,
  markdownTable,
  writeFileAtomic,
  writeJsonAtomic,
} from './output/index.js';
import type { TrainingAblationResult } from './training-ablation.js';

/** Markdown table of the training ablation, in the layout of the paper's Table 2. */
export function trainingTable(result: TrainingAblationResult): string {
  const full = result.imageSize !== undefined;
  const rows = result.rows.map((r) => [
    r.baseline.toUpperCase(),
    r.label,
    r.notReproducible !== undefined ? '—' : formatNumber(r.slicedW2),
    r.notReproducible !== undefined ? '—' : formatNumber(r.mmd),
    ...(full ? [r.notReproducible !== undefined ? '—' : formatNumber(r.frechet)] : []),
    r.notReproducible !== undefined ? '—' : formatNumber(r.finalLoss),
    r.notReproducible !== undefined
      ? `not reproducible here: ${r.notReproducible}`
      : r.sameAs !== undefined
        ? `same configuration as ${r.sameAs}`
        : `${r.run!.steps} steps of ${r.run!.batch}, ${r.seconds!.toFixed(1)} s`,
  ]);
  const fd = (d: { frechet?: number }) => (full ? [formatNumber(d.frechet)] : []);
  rows.push([
    '—',
    'ideal denoiser (floor)',
    formatNumber(result.ideal.slicedW2),
    formatNumber(result.ideal.mmd),
    ...fd(result.ideal),
    '—',
    'exact D, same sampler',
  ]);
  rows.push([
    '—',
    'data vs data (metric noise)',
    formatNumber(result.dataVsData.slicedW2),
    formatNumber(result.dataVsData.mmd),
    ...fd(result.dataVsData),
    '—',
    'two independent sample sets',
  ]);
  const headers = [
    'baseline',
    'configuration',
    'SW₂ ↓',
    'MMD² ↓',
    ...(full ? ['FD (14×14) ↓'] : []),
    'final loss',
    'run',
  ];
  return markdownTable(headers, rows, {
    align: ['l', 'l', 'r', 'r', ...(full ? (['r'] as const) : []), 'r', 'l'],
  });
}

/** Writes the training ablation's markdown, JSON and loss-curve plot. */
export async function writeTrainingReport(
  outDir: string,
  result: TrainingAblationResult,
  meta: Record<string, unknown>,
): Promise<string[]> {
  const files: string[] = [];
  const curves = join(outDir, 'training-ablation-loss.png');
  await logLogPlotPng(curves, {
    title: `Training loss (${String(meta['mode'])} mode)`,
    xLabel: 'images seen',
    // The rows weight the loss by different λ(σ), so their objectives have different scales:
    // each curve is shown relative to its own first window.
    yLabel: 'training objective ÷ its first-window value',
    series: result.rows
      .filter((r) => r.lossCurve && r.lossCurve.length > 0)
      .map((r) => {
        const first = r.lossCurve![0]![1];
        return {
          label: `${r.baseline.toUpperCase()} ${r.id}`,
          points: r.lossCurve!.map(([x, y]) => [x, y / first] as const),
          dashed: r.baseline === 've',
        };
      }),
  });
  files.push(curves);
  const md = [
    `# Training ablation (EDM paper, Table 2), ${String(meta['mode'])} mode`,
    '',
    `Each configuration trains the same network (${networkProse(meta['network'])}) on ${String(meta['dataTitle'])}`,
    `for the same budget of ${String(meta['totalImages'])} images, then draws ${String(meta['samples'])} samples with the EDM sampler`,
    '(Heun, EDM time steps, on the configuration’s own network σ range). Scores are distances of those samples to',
    'as many data samples (lower is better): the sliced 2-Wasserstein distance and the MMD² with one RBF bandwidth.',
    'The ideal-denoiser row is the floor a perfect network reaches with this sampler; the data-vs-data row is the',
    'noise level of the metric itself. The learning-rate ramp-up and EMA half-life are scaled from the paper’s',
    '200 Mimg budget to this one; learning rates and batch sizes are the paper’s.',
    '',
    trainingTable(result),
    '',
    '![training loss](training-ablation-loss.png)',
    '',
    'The loss curves are each divided by their own first-window value: the rows weight the loss by different',
    'λ(σ) (1/σ², EDM’s, …), so the raw objectives are on different scales and only their shapes compare.',
    '',
  ];
  if (result.imageSize !== undefined) {
    const size = result.imageSize;
    for (const r of result.rows) {
      if (!r.samples || r.sameAs !== undefined) continue;
      const name = `training-samples-${r.baseline}-${r.id}.png`;
      const count = Math.min(32, r.samples.length / (size * size));
      await imageGridPng(join(outDir, name), {
        images: r.samples.subarray(0, count * size * size),
        count,
        width: size,
        height: size,
        cols: 8,
        scale: 2,
      });
      files.push(join(outDir, name));
      md.push(`${r.baseline.toUpperCase()} ${r.label}:`, '', `![samples](${name})`, '');
    }
  }
  const mdFile = join(outDir, 'training-ablation.md');
  await writeFileAtomic(mdFile, md.join('\n'));
  files.push(mdFile);
  const jsonFile = join(outDir, 'training-ablation.json');
  // Sample pixels go to the PNG grids, not the JSON.
  await writeJsonAtomic(jsonFile, {
    ...meta,
    ...result,
    rows: result.rows.map(({ samples: _samples, ...r }) => r),
  });
  files.push(jsonFile);
  return files;
}

/** The network of the training ablation in words, e.g. "an MLP with 3 hidden layers of 256 units". */
export function networkProse(network: unknown): string {
  const n = (network ?? {}) as {
    architecture?: string;
    hidden?: number;
    layers?: number;
    maxBatch?: number;
  };
  if (n.architecture === 'mlp')
    return `an MLP with ${n.layers} hidden layer${n.layers === 1 ? '' : 's'} of ${n.hidden} units`;
  if (typeof n.architecture === 'string') {
    const nets = n.architecture
      .split('(')[0]!
      .trim()
      .split(' / ')
      .map((a) => `\`${a}\``)
      .join(' or ');
    return `the small U-Net of each baseline's architecture, ${nets}${n.maxBatch !== undefined ? `, batches of at most ${n.maxBatch}` : ''}`;
  }
  return 'the network of the configuration';
}
