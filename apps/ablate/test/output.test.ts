import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParameterError } from '@edmkit/core';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatNumber,
  imageGridPng,
  imageGridPngBytes,
  logLogPlotPng,
  logLogPlotSvg,
  logLogPlotVega,
  markdownTable,
  strictJson,
  svgToPng,
  writeFileAtomic,
  writeJsonAtomic,
  type LogLogPlotSpec,
} from '../src/output/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edmkit-output-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Pixel (x, y) of a decoded PNG as [r, g, b]. */
function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]].map(Number);
}

describe('writeFileAtomic', () => {
  it('creates parent directories and leaves only the target', async () => {
    const file = join(dir, 'a', 'b', 'out.txt');
    await writeFileAtomic(file, 'hello\n');
    await writeFileAtomic(join(dir, 'a', 'bytes.bin'), new Uint8Array([0, 1, 255]));
    expect(readFileSync(file, 'utf8')).toBe('hello\n');
    expect([...readFileSync(join(dir, 'a', 'bytes.bin'))]).toEqual([0, 1, 255]);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.txt']);
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['b', 'bytes.bin']);
  });

  it('replaces an existing file', async () => {
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'old old old old');
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('fails cleanly when the parent is a file', async () => {
    const parent = join(dir, 'not-a-dir');
    writeFileSync(parent, 'x');
    await expect(writeFileAtomic(join(parent, 'out.txt'), 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['not-a-dir']);
    expect(readFileSync(parent, 'utf8')).toBe('x');
  });

  it('keeps the old target and removes the temp file when writing fails midway', async () => {
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'old');
    // The temp file is created, then writing it throws.
    await expect(writeFileAtomic(file, 42 as unknown as string)).rejects.toThrow(TypeError);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('removes the temp file when the final rename fails', async () => {
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'child'), { recursive: true }); // a non-empty directory: rename fails
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['child']);
  });
});

describe('writeJsonAtomic', () => {
  it('writes strict pretty JSON with non-finite numbers as strings', async () => {
    const file = join(dir, 'r.json');
    await writeJsonAtomic(file, {
      fid: NaN,
      hi: Infinity,
      lo: -Infinity,
      n: 35,
      xs: new Float64Array([0.5, 2]),
    });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      '{\n  "fid": "NaN",\n  "hi": "Infinity",\n  "lo": "-Infinity",\n  "n": 35,\n  "xs": [\n    0.5,\n    2\n  ]\n}\n',
    );
    const back = JSON.parse(text) as Record<string, unknown>;
    expect(Number(back['fid'])).toBeNaN();
    expect(Number(back['lo'])).toBe(-Infinity);
  });

  it('refuses values that are not JSON', () => {
    expect(() => strictJson(undefined)).toThrow(TypeError);
    expect(() => strictJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('imageGridPng', () => {
  it('lays out a tiny greyscale grid with a white gutter and clamped values', async () => {
    const file = join(dir, 'grid.png');
    // Two 2×2 images, one row: 2·2 + 1 gutter = 5 wide, 2 high.
    const images = new Float64Array([-1, 0, 1, 0.5, 2, -3, NaN, -0.5]);
    await imageGridPng(file, { images, count: 2, width: 2, height: 2, cols: 2 });
    const bytes = readFileSync(file);
    expect(bytes[25]).toBe(0); // IHDR colour type: greyscale
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([5, 2]);
    const grey = (x: number, y: number): number => {
      const [r, g, b] = pixel(png, x, y);
      expect(g).toBe(r);
      expect(b).toBe(r);
      return r ?? -1;
    };
    const rows = [0, 1].map((y) => [0, 1, 2, 3, 4].map((x) => grey(x, y)));
    expect(rows).toEqual([
      [0, 128, 255, 255, 0],
      [255, 191, 255, 0, 64],
    ]);
  });

  it('upscales, wraps rows and fills empty cells with gutter white', () => {
    const images = new Float64Array([0, 2, 1]); // three 1×1 images in [0, 2]
    const png = PNG.sync.read(
      Buffer.from(
        imageGridPngBytes({
          images,
          count: 3,
          width: 1,
          height: 1,
          cols: 2,
          scale: 2,
          range: [0, 2],
        }),
      ),
    );
    expect([png.width, png.height]).toEqual([5, 5]);
    const at = (x: number, y: number): number => pixel(png, x, y)[0] ?? -1;
    const rows = [0, 1, 2, 3, 4].map((y) => [0, 1, 2, 3, 4].map((x) => at(x, y)));
    expect(rows).toEqual([
      [0, 0, 255, 255, 255],
      [0, 0, 255, 255, 255],
      [255, 255, 255, 255, 255], // gutter
      [128, 128, 255, 255, 255], // third image, then an empty cell
      [128, 128, 255, 255, 255],
    ]);
  });

  it('reads RGB images in [channels, height, width] order', () => {
    // One 2×1 image: red plane, green plane, blue plane.
    const images = new Float64Array([1, -1, -1, 1, -1, 0]);
    const bytes = imageGridPngBytes({ images, count: 1, width: 2, height: 1, channels: 3 });
    expect(bytes[25]).toBe(2); // IHDR colour type: RGB
    const png = PNG.sync.read(Buffer.from(bytes));
    expect(pixel(png, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(png, 1, 0)).toEqual([0, 255, 128]);
  });

  it('refuses too few values and bad parameters', () => {
    const images = new Float64Array(7);
    expect(() => imageGridPngBytes({ images, count: 2, width: 2, height: 2 })).toThrow(
      ParameterError,
    );
    expect(() => imageGridPngBytes({ images, count: 1, width: 2, height: 2, scale: 1.5 })).toThrow(
      ParameterError,
    );
    expect(() =>
      imageGridPngBytes({ images, count: 1, width: 2, height: 2, range: [1, 1] }),
    ).toThrow(ParameterError);
  });
});

describe('log-log plots', () => {
  const spec: LogLogPlotSpec = {
    title: 'Deterministic sampling',
    xLabel: 'NFE',
    yLabel: 'FID',
    series: [
      {
        label: 'Euler',
        points: [
          [8, 40],
          [16, 20],
          [32, 10],
          [64, 5],
        ],
      },
      {
        label: 'Heun',
        points: [
          [16, 12],
          [32, 3],
          [0, 1],
          [64, NaN],
        ],
        dashed: true,
        color: '#123456',
      },
    ],
    referenceSlopes: [{ slope: -2, label: 'second order' }],
  };

  it('draws series, labels, decade ticks and counts skipped points', async () => {
    const svg = await logLogPlotSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of [
      'Deterministic sampling',
      'NFE',
      'FID',
      'Euler',
      'Heun (2 points skipped)',
      'second order',
    ]) {
      expect(svg).toContain(`>${text}</text>`);
    }
    for (const tick of ['1', '10', '100']) expect(svg).toContain(`>${tick}</text>`);
    expect(svg).toContain('#123456');
    expect(svg).toContain('stroke-dasharray="6,4"');
  });

  it('reports skipped points and repeated labels as warnings', () => {
    const { warnings } = logLogPlotVega({
      ...spec,
      series: [
        ...spec.series,
        { label: 'Euler', points: [] },
        { label: 'empty', points: [[-1, 1]] },
      ],
    });
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/Heun.*2 of 4/);
    expect(warnings[1]).toMatch(/Euler.*#2/);
    expect(warnings[2]).toMatch(/empty.*1 of 1/);
  });

  it('draws an empty chart when nothing is plottable', async () => {
    const svg = await logLogPlotSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [],
      referenceSlopes: [{ slope: 1, label: 'r' }],
    });
    expect(svg).toContain('>x</text>');
    expect(
      logLogPlotVega({
        title: 't',
        xLabel: 'x',
        yLabel: 'y',
        series: [],
        referenceSlopes: [{ slope: 1, label: 'r' }],
      }).warnings,
    ).toEqual(['reference slope "r": no positive point to draw it through, left out']);
  });

  it('writes a PNG of the requested size', async () => {
    const file = join(dir, 'plots', 'fid.png');
    const { warnings } = await logLogPlotPng(
      file,
      { ...spec, width: 400, height: 300 },
      { scale: 2 },
    );
    expect(warnings).toHaveLength(1);
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([800, 600]);
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255]);
    expect(readdirSync(join(dir, 'plots'))).toEqual(['fid.png']);
  });

  it('renders text with the bundled font, with no system fonts', () => {
    const svg = (text: string): string =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="22" font-family="DejaVu Sans" font-size="20">${text}</text></svg>`;
    const dark = (bytes: Uint8Array): number => {
      const png = PNG.sync.read(Buffer.from(bytes));
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) if ((png.data[i] ?? 255) < 128) n++;
      return n;
    };
    expect(dark(svgToPng(svg('')))).toBe(0);
    expect(dark(svgToPng(svg('FID')))).toBeGreaterThan(50);
  });

  it('never leaves a file behind when the spec is refused', async () => {
    const file = join(dir, 'bad.png');
    await expect(logLogPlotPng(file, { ...spec, width: 10 })).rejects.toThrow(ParameterError);
    expect(existsSync(file)).toBe(false);
  });
});

describe('markdownTable', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(
      markdownTable(
        ['solver', 'NFE', 'FID'],
        [
          ['Euler', 35, 2.98765],
          ['Heun | 2nd', 511, undefined],
        ],
      ),
    ).toBe(
      [
        '| solver      | NFE |  FID |',
        '| :---------- | --: | ---: |',
        '| Euler       |  35 | 2.99 |',
        '| Heun \\| 2nd | 511 |      |',
      ].join('\n'),
    );
  });

  it('honours explicit alignment and significant digits', () => {
    expect(markdownTable(['a', 'b'], [['x', 0.000123456]], { align: ['c', 'l'], sig: 2 })).toBe(
      ['|  a  | b      |', '| :-: | :----- |', '|  x  | 1.2e-4 |'].join('\n'),
    );
  });

  it('refuses rows longer than the header', () => {
    expect(() => markdownTable(['a'], [['x', 'y']])).toThrow(ParameterError);
  });
});

describe('formatNumber', () => {
  it.each([
    [0.00123456, 3, '1.23e-3'],
    [1.7946, 3, '1.79'],
    [0.0123, 3, '0.0123'],
    [35, 3, '35'],
    [1000, 3, '1000'],
    [12345.6, 3, '12300'],
    [123456, 3, '1.23e5'],
    [9.996, 3, '10.0'],
    [-2.5e-7, 3, '-2.50e-7'],
    [3.14159, 2, '3.1'],
    [0, 3, '0'],
    [Infinity, 3, '∞'],
    [-Infinity, 3, '-∞'],
    [NaN, 3, '—'],
    [undefined, 3, '—'],
  ])('formatNumber(%s, %i) = %s', (x, sig, expected) => {
    expect(formatNumber(x, sig)).toBe(expected);
  });

  it('refuses a bad number of significant digits', () => {
    expect(() => formatNumber(1, 0)).toThrow(ParameterError);
    expect(() => formatNumber(1, 1.5)).toThrow(ParameterError);
    expect(() => formatNumber(1, 22)).toThrow(ParameterError);
  });
});
