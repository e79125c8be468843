/*
 * Log-log line charts (FID or error against NFE, like Fig. 2 of the EDM paper).
 *
 * Libraries, chosen over hand-written SVG and PNG code:
 * - vega 6 (BSD-3-Clause) lays out the chart and renders it to SVG headless
 *   (`View#toSVG()`). We write the Vega spec directly rather than through
 *   vega-lite: vega-lite 6.5 declares node >= 22 (we support 20), and the raw
 *   spec gives exact control of decade ticks and of the legend symbols.
 * - @resvg/resvg-js (MPL-2.0) turns the SVG into PNG; its native binary comes
 *   as an npm optional dependency, no download step.
 * - dejavu-fonts-ttf ships the font given to resvg explicitly, and
 *   opentype.js reads its advance widths for Vega's layout (see fonts.ts).
 * Cost on a 2-core machine, warm: ~60 ms per chart to SVG, ~75 ms to a PNG
 * (~150 ms at scale 2); the first chart in a process adds ~0.2 s to parse the fonts.
 */
import * as vega from 'vega';
import type { Spec } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { checkNumber, ParameterError } from '@edmkit/core';
import { writeFileAtomic } from './atomic.js';
import { FONT_FAMILY, fontFiles, measureVegaText } from './fonts.js';

/** One curve of a {@link LogLogPlotSpec}. */
export interface PlotSeries {
  /** Legend label. */
  readonly label: string;
  /** (x, y) points; drawn in order of x. Points with x or y not finite and > 0 are skipped. */
  readonly points: readonly (readonly [number, number])[];
  /** Dashed line (default solid). */
  readonly dashed?: boolean;
  /** Any CSS colour (default: the next of the Tableau 10 colours). */
  readonly color?: string;
}

/** A straight guide line y ∝ x^slope, e.g. slope −1 and −2 for first- and second-order solvers. */
export interface ReferenceSlope {
  /** Exponent of the power law. */
  readonly slope: number;
  /** Legend label. */
  readonly label: string;
  /** A point the line goes through (default: the valid point of largest x of the first series). */
  readonly through?: readonly [number, number];
}

/** What {@link logLogPlotSvg} and {@link logLogPlotPng} draw. */
export interface LogLogPlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  /** Image width in pixels, legend included (default 640). */
  readonly width?: number;
  /** Image height in pixels, title included (default 420). */
  readonly height?: number;
  readonly referenceSlopes?: readonly ReferenceSlope[];
}

/** A log-log chart as a Vega spec, with what was left out of it. */
export interface LogLogPlotVega {
  /** The Vega spec; render it with `new View(parse(vega), { renderer: 'none' }).toSVG()`. */
  readonly vega: Spec;
  /** One line per skipped point set, renamed label or undrawable reference line. */
  readonly warnings: readonly string[];
}

/** Options of {@link logLogPlotPng}. */
export interface PngOptions {
  /** Pixel density: 2 gives a 2·width × 2·height PNG of the same chart (default 1). */
  readonly scale?: number;
}

const FONT = `${FONT_FAMILY}, Helvetica, Arial, sans-serif`;
const TABLEAU10 = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'triangleDown', 'cross'] as const;
const DASH = [6, 4];
const REFERENCE_COLOR = '#7f7f7f';
const REFERENCE_DASHES = [
  [2, 3],
  [8, 3, 2, 3],
  [1, 2],
  [10, 4],
] as const;
/** Legend symbol: a line from −LINE to +LINE in Vega's symbol units, marker in the middle. */
const LINE = 3;
const MARKER_SIZE = 45;
const LEGEND_SYMBOL_SIZE = 64;

/**
 * A log-log chart as SVG text: one line with markers per series, a legend, and
 * log axes with decade ticks (labelled 0.01, 1, 100 …, or 10⁻⁵, 10⁻⁴ … on an
 * axis reaching beyond 0.01 … 10⁴), minor ticks at 2…9 × 10ᵏ, and optional
 * dashed reference slopes. Points that are not finite and positive are skipped
 * and counted in the series' legend label. The axes span whole decades.
 *
 * @param spec - see {@link LogLogPlotSpec}
 * @example
 * const svg = await logLogPlotSvg({
 *   title: 'Deterministic sampling', xLabel: 'NFE', yLabel: 'FID',
 *   series: [{ label: 'Euler', points: [[8, 40], [16, 12], [32, 4]] }],
 *   referenceSlopes: [{ slope: -1, label: 'NFE⁻¹' }],
 * });
 * @see https://arxiv.org/abs/2206.00364 (Fig. 2)
 */
export async function logLogPlotSvg(spec: LogLogPlotSpec): Promise<string> {
  return renderSvg(logLogPlotVega(spec).vega);
}

/**
 * Writes the chart of {@link logLogPlotSvg} as a PNG, atomically, with the
 * DejaVu Sans font shipped in npm (no system fonts needed).
 *
 * @param file - the PNG to write
 * @param spec - see {@link LogLogPlotSpec}
 * @param options.scale - pixel density (default 1)
 * @returns the warnings: skipped points, renamed labels, undrawable reference lines
 */
export async function logLogPlotPng(
  file: string,
  spec: LogLogPlotSpec,
  options: PngOptions = {},
): Promise<{ readonly warnings: readonly string[] }> {
  const { vega: chart, warnings } = logLogPlotVega(spec);
  await writeFileAtomic(file, svgToPng(await renderSvg(chart), options));
  return { warnings };
}

/**
 * Rasterises SVG text to PNG bytes with resvg, using only the bundled DejaVu
 * Sans fonts, on a white background.
 *
 * @param svg - SVG text
 * @param options.scale - pixel density (default 1)
 */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const scale = checkNumber('scale', options.scale ?? 1, { min: 0, minInclusive: false, max: 16 });
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/**
 * The Vega spec behind {@link logLogPlotSvg}, with the list of what was
 * skipped. Pure: renders nothing.
 *
 * @param spec - see {@link LogLogPlotSpec}
 */
export function logLogPlotVega(spec: LogLogPlotSpec): LogLogPlotVega {
  const width = checkNumber('width', spec.width ?? 640, { min: 100 });
  const height = checkNumber('height', spec.height ?? 420, { min: 100 });
  const warnings: string[] = [];
  const seen = new Set<string>();
  const unique = (label: string): string => {
    let name = label;
    for (let k = 2; seen.has(name); k++) name = `${label} #${k}`;
    if (name !== label)
      warnings.push(`label "${label}" is used twice; the second is shown as "${name}"`);
    seen.add(name);
    return name;
  };

  const series = spec.series.map((s, i) => {
    const points = s.points
      .filter(([x, y]) => isPositive(x) && isPositive(y))
      .map(([x, y]) => ({ x, y }))
      .sort((a, b) => a.x - b.x);
    const skipped = s.points.length - points.length;
    let label = s.label;
    if (skipped > 0) {
      const what =
        points.length === 0
          ? 'no valid points'
          : `${skipped} ${skipped === 1 ? 'point' : 'points'} skipped`;
      label = `${label} (${what})`;
      warnings.push(
        `series "${s.label}": ${skipped} of ${s.points.length} points are not finite and positive, skipped`,
      );
    }
    const color = s.color ?? TABLEAU10[i % TABLEAU10.length] ?? 'black';
    // A series identical to an earlier one would hide under it: say so in its label.
    const twin = spec.series
      .slice(0, i)
      .find(
        (t) =>
          t.points.length === s.points.length &&
          t.points.length > 0 &&
          t.points.every((p, k) => p[0] === s.points[k]![0] && p[1] === s.points[k]![1]),
      );
    if (twin !== undefined) label = `${label} (= ${twin.label}, dashed)`;
    return {
      label: unique(label),
      points,
      color,
      dash: s.dashed === true || twin !== undefined ? DASH : [],
      marker: MARKERS[i % MARKERS.length] ?? 'circle',
    };
  });

  const all = series.flatMap((s) => s.points);
  // x fitted to the data (a little margin in log space); y on whole decades.
  const xDomain = fittedDomain(all.map((p) => p.x));
  const yDomain = decadeDomain(all.map((p) => p.y));

  const anchor = series[0]?.points.at(-1);
  const references = (spec.referenceSlopes ?? []).flatMap((r, j) => {
    const slope = checkNumber(`referenceSlopes[${j}].slope`, r.slope);
    const through = r.through ?? (anchor ? ([anchor.x, anchor.y] as const) : undefined);
    if (through === undefined || !isPositive(through[0]) || !isPositive(through[1])) {
      warnings.push(`reference slope "${r.label}": no positive point to draw it through, left out`);
      return [];
    }
    const [x0, y0] = through;
    const at = (x: number): { x: number; y: number } => ({ x, y: y0 * (x / x0) ** slope });
    const points = [at(xDomain[0]), at(xDomain[1])];
    if (!points.every((p) => isPositive(p.y))) {
      warnings.push(`reference slope "${r.label}": overflows across the x axis, left out`);
      return [];
    }
    return [
      {
        label: unique(r.label),
        points,
        dash: [...(REFERENCE_DASHES[j % REFERENCE_DASHES.length] ?? [2, 3])],
      },
    ];
  });

  const labels = [...series.map((s) => s.label), ...references.map((r) => r.label)];
  const chart = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width,
    height,
    padding: 8,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    title: { text: spec.title, font: FONT, fontSize: 15, fontWeight: 'bold', offset: 10 },
    data: [
      ...series.map((s, i) => ({ name: `series${i}`, values: s.points })),
      ...references.map((r, j) => ({ name: `reference${j}`, values: r.points })),
    ],
    scales: [
      { name: 'x', type: 'log', domain: xDomain, range: 'width', nice: false, zero: false },
      { name: 'y', type: 'log', domain: yDomain, range: 'height', nice: false, zero: false },
      {
        name: 'color',
        type: 'ordinal',
        domain: labels,
        range: [...series.map((s) => s.color), ...references.map(() => REFERENCE_COLOR)],
      },
      {
        name: 'dash',
        type: 'ordinal',
        domain: labels,
        range: [...series.map((s) => s.dash), ...references.map((r) => r.dash)],
      },
      {
        name: 'legendSymbol',
        type: 'ordinal',
        domain: labels,
        range: [
          ...series.map((s) => legendPath(s.marker)),
          ...references.map(() => `M${-LINE},0H${LINE}`),
        ],
      },
    ],
    axes: [
      ...logAxes('x', 'bottom', xDomain, spec.xLabel),
      ...logAxes('y', 'left', yDomain, spec.yLabel),
    ],
    legends:
      labels.length === 0
        ? []
        : [
            {
              stroke: 'color',
              strokeDash: 'dash',
              shape: 'legendSymbol',
              orient: 'right',
              offset: 12,
              padding: 4,
              symbolSize: LEGEND_SYMBOL_SIZE,
              symbolStrokeWidth: 1.6,
              symbolFillColor: 'transparent',
              labelFont: FONT,
              labelFontSize: 12,
              labelLimit: 1000,
              labelOffset: ((LINE - 1) * Math.sqrt(LEGEND_SYMBOL_SIZE)) / 2 + 6,
              rowPadding: 4,
              encode: { symbols: { update: { fill: { scale: 'color', field: 'value' } } } },
            },
          ],
    marks: [
      ...references.map((r, j) => ({
        type: 'line',
        from: { data: `reference${j}` },
        clip: true,
        encode: {
          enter: {
            x: { scale: 'x', field: 'x' },
            y: { scale: 'y', field: 'y' },
            stroke: { value: REFERENCE_COLOR },
            strokeWidth: { value: 1.2 },
            strokeDash: { value: r.dash },
          },
        },
      })),
      ...series.flatMap((s, i) => [
        {
          type: 'line',
          from: { data: `series${i}` },
          clip: true,
          encode: {
            enter: {
              x: { scale: 'x', field: 'x' },
              y: { scale: 'y', field: 'y' },
              stroke: { value: s.color },
              strokeWidth: { value: 1.8 },
              strokeDash: { value: s.dash },
            },
          },
        },
        {
          type: 'symbol',
          from: { data: `series${i}` },
          clip: true,
          encode: {
            enter: {
              x: { scale: 'x', field: 'x' },
              y: { scale: 'y', field: 'y' },
              shape: { value: markerPath(s.marker, 1) },
              size: { value: MARKER_SIZE },
              fill: { value: s.color },
              stroke: { value: 'white' },
              strokeWidth: { value: 0.6 },
            },
          },
        },
      ]),
    ],
  };
  return { vega: chart as Spec, warnings };
}

/** Vega's text metrics: exported at run time, missing from its typings. */
const { textMetrics } = vega as unknown as {
  textMetrics: { width: unknown; estimateWidth: unknown };
};

async function renderSvg(spec: Spec): Promise<string> {
  measureVegaText(textMetrics);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function isPositive(v: number): boolean {
  return Number.isFinite(v) && v > 0;
}

/** [10^a, 10^b]: the whole decades around the values, at least one decade; [1, 10] when empty. */
function fittedDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [1, 10];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = Math.max(1.1, (hi / lo) ** 0.04);
  return [lo / margin, hi * margin];
}

function decadeDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [1, 10];
  // The slack keeps exact powers of ten on their own decade despite log10 rounding.
  const a = Math.floor(Math.log10(Math.min(...values)) + 1e-9);
  let b = Math.ceil(Math.log10(Math.max(...values)) - 1e-9);
  if (b <= a) b = a + 1;
  return [pow10(a), pow10(b)];
}

/** 10^k as the double nearest to it (`10 ** -3` is 0.0010000000000000002). */
function pow10(k: number): number {
  return Number(`1e${k}`);
}

/** Major (labelled, with grid) and minor (2…9 × 10ᵏ) tick axes of a log scale. */
function logAxes(
  scale: 'x' | 'y',
  orient: 'bottom' | 'left',
  domain: [number, number],
  title: string,
): object[] {
  const a = Math.floor(Math.log10(domain[0]) + 1e-9);
  const b = Math.ceil(Math.log10(domain[1]) - 1e-9);
  const inside = (v: number) => v >= domain[0] * (1 - 1e-12) && v <= domain[1] * (1 + 1e-12);
  // Up to about two decades, 2 and 5 are labelled too, or the axis would show one or two numbers.
  const dense = Math.log10(domain[1] / domain[0]) <= 2.2;
  const major: number[] = [];
  const minor: number[] = [];
  for (let k = a; k <= b; k++) {
    for (let m = 1; m <= 9; m++) {
      const v = Number(`${m}e${k}`);
      if (!inside(v)) continue;
      (m === 1 || (dense && (m === 2 || m === 5)) ? major : minor).push(v);
    }
  }
  major.sort((p, q) => p - q);
  // One style per axis: plain digits while every decade is in 0.01 … 10000, powers of ten otherwise.
  const powers = a < -2 || b > 4;
  const text = major.map((v) => tickLabel(v, powers));
  const labelOf = `${JSON.stringify(text)}[indexof(${JSON.stringify(major)}, datum.value)]`;
  return [
    {
      scale,
      orient,
      values: minor,
      labels: false,
      ticks: true,
      tickSize: 3,
      grid: true,
      gridColor: '#eeeeee',
      domain: false,
      zindex: 0,
    },
    {
      scale,
      orient,
      values: major,
      title,
      grid: true,
      gridColor: '#d0d0d0',
      zindex: 0,
      labelFont: FONT,
      labelFontSize: 11,
      titleFont: FONT,
      titleFontSize: 13,
      titleFontWeight: 'normal',
      encode: { labels: { update: { text: { signal: labelOf } } } },
    },
  ];
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** A tick value in plain digits (0.05, 100), or as m·10ᵏ when `powers`. */
function tickLabel(v: number, powers: boolean): string {
  if (!powers) return String(v);
  const [mantissa = '1', exponent = '0'] = v.toExponential().split('e');
  const k = Number(exponent);
  const power = `10${[...String(k)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
  return mantissa === '1' ? power : `${mantissa}·${power}`;
}

/** A marker as an SVG path centred on 0 with half-size r, in Vega's symbol units. */
function markerPath(marker: (typeof MARKERS)[number], r: number): string {
  const n = (v: number): string => String(Math.round(v * 1000) / 1000);
  switch (marker) {
    case 'circle':
      return `M${n(r)},0A${n(r)},${n(r)} 0 1,1 ${n(-r)},0A${n(r)},${n(r)} 0 1,1 ${n(r)},0Z`;
    case 'square': {
      const s = r * 0.9;
      return `M${n(-s)},${n(-s)}H${n(s)}V${n(s)}H${n(-s)}Z`;
    }
    case 'triangle':
      return `M0,${n(-r * 1.1)}L${n(r * 1.1)},${n(r * 0.8)}H${n(-r * 1.1)}Z`;
    case 'triangleDown':
      return `M0,${n(r * 1.1)}L${n(r * 1.1)},${n(-r * 0.8)}H${n(-r * 1.1)}Z`;
    case 'diamond':
      return `M0,${n(-r * 1.2)}L${n(r)},0L0,${n(r * 1.2)}L${n(-r)},0Z`;
    case 'cross': {
      const t = r * 0.35;
      return `M${n(-t)},${n(-r)}H${n(t)}V${n(-t)}H${n(r)}V${n(t)}H${n(t)}V${n(r)}H${n(-t)}V${n(t)}H${n(-r)}V${n(-t)}H${n(-t)}Z`;
    }
    default:
      throw new ParameterError('marker', MARKERS.join(', '), marker);
  }
}

/** Legend sample: a line through a marker, so the legend shows both like the chart. */
function legendPath(marker: (typeof MARKERS)[number]): string {
  return `M${-LINE},0H${LINE}${markerPath(marker, Math.sqrt(MARKER_SIZE / LEGEND_SYMBOL_SIZE))}`;
}
