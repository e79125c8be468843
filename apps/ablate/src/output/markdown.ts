import { checkInteger, ParameterError } from '@edmkit/core';

/** Column alignment in {@link markdownTable}: left, right, centre. */
export type Align = 'l' | 'r' | 'c';

/** Options of {@link markdownTable}. */
export interface MarkdownTableOptions {
  /**
   * Alignment per column. A column without one is right-aligned when every
   * non-empty cell in it is a number, left-aligned otherwise.
   */
  readonly align?: readonly Align[];
  /** Significant digits for number cells, passed to {@link formatNumber} (default 3). */
  readonly sig?: number;
}

/** A table cell: text as is, a number through {@link formatNumber}, `undefined` as empty. */
export type Cell = string | number | undefined;

/**
 * A GitHub-flavoured Markdown table with padded columns, so it reads as a table
 * in a terminal too. Numbers go through {@link formatNumber}; `|` in text is
 * escaped and line breaks become spaces. No trailing newline.
 *
 * @param headers - column titles
 * @param rows - one array per row, at most `headers.length` cells (missing cells are empty)
 * @param options.align - per-column alignment (default: numbers right, text left)
 * @param options.sig - significant digits of number cells (default 3)
 * @example
 * markdownTable(['solver', 'FID'], [['Euler', 2.9876], ['Heun', 1.79]]);
 * // | solver |  FID |
 * // | :----- | ---: |
 * // | Euler  | 2.99 |
 * // | Heun   | 1.79 |
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: MarkdownTableOptions = {},
): string {
  const sig = options.sig ?? 3;
  const n = headers.length;
  if (n === 0) throw new ParameterError('headers', 'at least one column', headers);
  rows.forEach((row, i) => {
    if (row.length > n)
      throw new ParameterError(`rows[${i}]`, `at most ${n} cells (one per header)`, row);
  });
  const align: Align[] = headers.map((_, j) => options.align?.[j] ?? defaultAlign(rows, j));
  const body = rows.map((row) => headers.map((_, j) => cellText(row[j], sig)));
  const head = headers.map((h) => escapeCell(h));
  // Width 3 at least, so the separator always fits ':-:'.
  const width = head.map((h, j) => Math.max(3, h.length, ...body.map((r) => (r[j] ?? '').length)));

  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, j) => pad(c, width[j] ?? 0, align[j] ?? 'l')).join(' | ')} |`;
  const rule = `| ${align.map((a, j) => separator(a, width[j] ?? 0)).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/**
 * A number for a table or a log line, to `sig` significant digits.
 *
 * Integers below 10⁵ in magnitude print exactly (`35`, `1000`); other numbers
 * with magnitude in [10⁻², 10⁵) print in fixed notation (`1.79`, `0.0123`,
 * `12300`); the rest in compact scientific notation (`1.23e-3`, `4.56e7`).
 * `undefined`, `null` and NaN print as `—`, infinities as `∞` and `-∞`.
 *
 * @param x - the number
 * @param sig - significant digits, an integer in [1, 21] (default 3)
 * @example
 * formatNumber(0.00123456); // '1.23e-3'
 * formatNumber(1.7946);     // '1.79'
 * formatNumber(NaN);        // '—'
 */
export function formatNumber(x: number | undefined | null, sig = 3): string {
  checkInteger('sig', sig, 1);
  if (sig > 21) throw new ParameterError('sig', 'an integer in [1, 21]', sig);
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e5) return String(x);
  // Round first, so 9.996 → 10.0 picks its notation and digits from the rounded value.
  const rounded = Number(x.toPrecision(sig));
  const magnitude = Math.abs(rounded);
  if (magnitude < 1e-2 || magnitude >= 1e5)
    return rounded.toExponential(sig - 1).replace('e+', 'e');
  const exponent = Math.floor(Math.log10(magnitude));
  return rounded.toFixed(Math.max(0, sig - 1 - exponent));
}

function defaultAlign(rows: readonly (readonly Cell[])[], j: number): Align {
  let numbers = 0;
  for (const row of rows) {
    const cell = row[j];
    if (cell === undefined || cell === '') continue;
    if (typeof cell !== 'number') return 'l';
    numbers++;
  }
  return numbers > 0 ? 'r' : 'l';
}

function cellText(cell: Cell, sig: number): string {
  if (cell === undefined) return '';
  return typeof cell === 'number' ? formatNumber(cell, sig) : escapeCell(cell);
}

function escapeCell(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
}

function pad(text: string, width: number, align: Align): string {
  const gap = width - text.length;
  if (align === 'r') return text.padStart(width);
  if (align === 'c') return ' '.repeat(Math.floor(gap / 2)) + text + ' '.repeat(Math.ceil(gap / 2));
  return text.padEnd(width);
}

function separator(align: Align, width: number): string {
  if (align === 'r') return `${'-'.repeat(width - 1)}:`;
  if (align === 'c') return `:${'-'.repeat(width - 2)}:`;
  return `:${'-'.repeat(width - 1)}`;
}
