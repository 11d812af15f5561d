/** Figures of the dataset-construction notebook, built from `cmrp.stats` results. */
import type { StyleRow } from '../data/stats';
import { barFigure, heatmapFigure, Figure, withLayout } from './figure';

/** Generic style markers shown in the fingerprint (all are rates or lengths; see StyleStats). */
export const STYLE_MARKERS = [
  'wordsPerSentence', 'exclaimRate', 'questionRate', 'ellipsisRate', 'emojiRate',
  'nameRate', 'firstPersonRate', 'contractionsPerLine', 'formalRate', 'casualRate',
] as const;

/** z-score each column across rows (a constant column becomes 0). */
export function zScoreColumns(matrix: number[][]): number[][] {
  const cols = matrix[0]?.length ?? 0;
  const mean = Array.from({ length: cols }, (_, j) => matrix.reduce((a, r) => a + r[j], 0) / matrix.length);
  const sd = Array.from({ length: cols }, (_, j) => Math.sqrt(matrix.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / matrix.length));
  return matrix.map((r) => r.map((v, j) => (sd[j] > 0 ? (v - mean[j]) / sd[j] : 0)));
}

/**
 * A character x marker heatmap of z-scored style markers: each row is a character's stylistic
 * fingerprint; distinct rows mean measurably distinct voices.
 */
export function styleFingerprintFigure(rows: readonly StyleRow[], title: string): Figure {
  const z = zScoreColumns(rows.map((r) => STYLE_MARKERS.map((k) => r[k])));
  const fig = heatmapFigure(z, {
    x: [...STYLE_MARKERS], y: rows.map((r) => r.character), title, zmin: -3, zmax: 3, colorscale: 'RdBu',
  });
  // every character name on the axis, not plotly's thinned ticks
  return withLayout(fig, { yaxis: { dtick: 1, automargin: true }, height: Math.max(360, 22 * rows.length + 160) });
}

/** Bars per label value, one colour per label family (expression / scene / prop). */
export function labelCoverageFigure(coverage: Record<string, Record<string, number>>, title: string): Figure {
  const families = Object.keys(coverage);
  const categories = families.flatMap((f) => Object.keys(coverage[f]));
  // one series per family, NaN (a gap) outside its own categories, so colours group the bars
  const series = families.map((f) => ({
    name: f,
    values: categories.map((c) => (Object.prototype.hasOwnProperty.call(coverage[f], c) ? coverage[f][c] : NaN)),
  }));
  return barFigure(categories, series, { title, yLabel: 'images', barmode: 'overlay' });
}
