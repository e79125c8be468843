export { strictJson, writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { OutDirError, prepareOutDir } from './out-dir.js';
export { openResultSet, writeResultSet } from './result-set.js';
export type { ResultSet } from './result-set.js';
export { imageGridPng, imageGridPngBytes } from './grid.js';
export type { ImageGridOptions } from './grid.js';
export { formatNumber, markdownTable } from './markdown.js';
export type { Align, Cell, MarkdownTableOptions } from './markdown.js';
export { logLogPlotPng, logLogPlotSvg, logLogPlotVega, svgToPng } from './plot.js';
export type {
  LogLogPlotSpec,
  LogLogPlotVega,
  PlotSeries,
  PngOptions,
  ReferenceSlope,
} from './plot.js';
