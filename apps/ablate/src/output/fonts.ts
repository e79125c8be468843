/*
 * The one font of every chart: DejaVu Sans, from the dejavu-fonts-ttf npm
 * package (Bitstream Vera licence, DejaVu changes public domain), so text
 * renders and measures the same on machines with no system fonts.
 * Widths come from the font's own advance widths, read with opentype.js (MIT).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Font, parse } from 'opentype.js';

/** Family name to put in SVG `font-family`; {@link fontFiles} provide it. */
export const FONT_FAMILY = 'DejaVu Sans';

const require = createRequire(import.meta.url);
const FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
type Weight = keyof typeof FILES;

/** Absolute paths of DejaVu Sans regular and bold inside node_modules. */
export function fontFiles(): string[] {
  return Object.values(FILES).map(fontPath);
}

/**
 * Width in pixels of `text` set in DejaVu Sans at `fontSize` pixels: the sum of
 * the glyphs' advance widths, without kerning (DejaVu's is slight).
 *
 * @example
 * textWidth('NFE', 12); // ≈ 25
 */
export function textWidth(text: string, fontSize: number, weight: Weight = 'regular'): number {
  const advances = advanceCache(weight);
  let units = 0;
  for (const char of text) {
    let advance = advances.get(char);
    if (advance === undefined) {
      advance = loadFont(weight).charToGlyph(char).advanceWidth ?? 0;
      advances.set(char, advance);
    }
    units += advance;
  }
  return (units * fontSize) / loadFont(weight).unitsPerEm;
}

/** The slice of a Vega scenegraph item that sets its text. */
interface TextItem {
  readonly fontSize?: number | string | null;
  readonly fontWeight?: number | string | null;
  readonly limit?: number;
}

/**
 * Measures text for Vega layout ({@link textWidth} instead of Vega's 0.8 em per
 * character guess, which makes legends and margins far too wide when no
 * canvas package is installed). Vega's documented hook for this is its
 * module-wide `textMetrics.width`; it is set on first use, only while Vega
 * still uses its estimate, so a canvas-based measure installed by anyone else wins.
 */
export function measureVegaText(textMetrics: { width: unknown; estimateWidth: unknown }): void {
  if (textMetrics.width !== textMetrics.estimateWidth) return;
  textMetrics.width = (item: TextItem, text?: unknown): number => {
    const line = typeof text === 'string' || typeof text === 'number' ? String(text).trim() : '';
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11; // Vega's default size
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    const width = textWidth(line, size, bold ? 'bold' : 'regular');
    // Vega truncates to `limit` with an ellipsis; the truncated text is at most that wide.
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

function fontPath(file: string): string {
  return require.resolve(`dejavu-fonts-ttf/ttf/${file}`);
}

const fonts = new Map<Weight, Font>();
const advances = new Map<Weight, Map<string, number>>();

function loadFont(weight: Weight): Font {
  let font = fonts.get(weight);
  if (font === undefined) {
    // opentype.js ships a UMD build with no `exports`: require it the CommonJS way.
    const opentype = require('opentype.js') as { parse: typeof parse };
    const bytes = readFileSync(fontPath(FILES[weight]));
    // lowMemory parses glyphs on demand: ~70 ms instead of ~200 ms per font.
    font = opentype.parse(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      { lowMemory: true },
    );
    fonts.set(weight, font);
  }
  return font;
}

function advanceCache(weight: Weight): Map<string, number> {
  let cache = advances.get(weight);
  if (cache === undefined) advances.set(weight, (cache = new Map<string, number>()));
  return cache;
}
