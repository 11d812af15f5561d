/**
 * Save figures to disk: `exportFigure(fig, 'loss-curve')` → `<project>/figures/loss-curve.html`,
 * a self-contained page (plotly.js inlined, no network), written atomically.
 *
 * PNG/SVG are not produced yet: they need a headless browser (Chromium), see the RASTER HOOK below.
 */
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/fs';
import { figuresDir } from '../util/paths';
import { DEFAULT_HEIGHT, Figure } from './figure';
import { standaloneFigureHtml } from './plotly-html';

const NAME_RE = /^[A-Za-z0-9_-]{1,120}$/;

/** Throw a UserError unless `name` is a safe file stem (letters, digits, `-`, `_`; 1–120 chars). */
export function checkFigureName(name: string): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new UserError(
      `figure name ${JSON.stringify(name)} is not a safe file stem: use 1-120 letters, digits, '-' or '_' ` +
        `(no dots, slashes or spaces), e.g. 'loss-curve' or 'table2_ablation'`,
    );
  }
}

// =============================================================================================
// RASTER HOOK — PNG/SVG export via headless Chromium plugs in here (not implemented yet).
//
// A rasterizer receives the already-written standalone HTML page and must return the image bytes
// (PNG) or SVG text, synchronously (e.g. `chromium --headless` through execFileSync, evaluating
// `Plotly.toImage(gd, {format, width, height, scale})` in the page). Until one is registered with
// `setFigureRasterizer`, asking for images is an error, never a fake or empty file.
// =============================================================================================
export type RasterFormat = 'png' | 'svg';

export interface RasterRequest {
  fig: Figure;
  /** Absolute path of the standalone HTML page just written for this figure. */
  htmlPath: string;
  format: RasterFormat;
  width: number;
  height: number;
  scale: number;
}

export type FigureRasterizer = (req: RasterRequest) => Uint8Array | string;

let rasterizer: FigureRasterizer | null = null;

/** Register (or with null, remove) the PNG/SVG renderer used by `exportFigure({images})`. */
export function setFigureRasterizer(r: FigureRasterizer | null): void {
  rasterizer = r;
}

export function rasterExportAvailable(): boolean {
  return rasterizer !== null;
}

export interface ExportOptions {
  /** Output directory (default: util/paths `figuresDir()` = $CMRP_FIGURES_DIR, else <project root>/figures; created if missing). */
  dir?: string;
  /** Page title (default: the figure's title, else the name). */
  title?: string;
  /** Also write these image formats (needs a registered rasterizer — not available yet). */
  images?: RasterFormat[];
  /** Image size in CSS pixels and device scale (images only; default layout size or 900×420, scale 2). */
  width?: number;
  height?: number;
  scale?: number;
}

/** Absolute paths of the files written. */
export interface ExportedFigure {
  html: string;
  png?: string;
  svg?: string;
}

/**
 * Write `fig` as `<dir>/<name>.html` (self-contained, atomic: written to a temporary sibling and
 * renamed) and, when asked and available, `<name>.png` / `<name>.svg`. Returns the paths.
 */
export function exportFigure(fig: Figure, name: string, opts: ExportOptions = {}): ExportedFigure {
  checkFigureName(name);
  const images = [...new Set(opts.images ?? [])];
  for (const f of images) {
    if (f !== 'png' && f !== 'svg') throw new UserError(`unknown image format ${JSON.stringify(f)}: use 'png' or 'svg'`);
  }
  if (images.length > 0 && !rasterizer) {
    // checked before writing anything, so a failed call leaves no partial output behind
    throw new UserError(
      `${images.join('/').toUpperCase()} export is not available yet: it needs headless Chromium, which is not installed. ` +
        `Export the HTML only (omit {images}); in a browser its camera button saves an SVG.`,
    );
  }
  const dir = path.resolve(opts.dir ?? figuresDir());
  const htmlPath = path.join(dir, `${name}.html`);
  writeFileAtomic(htmlPath, standaloneFigureHtml(fig, opts.title ?? titleOf(fig) ?? name));
  const out: ExportedFigure = { html: htmlPath };
  if (rasterizer) {
    const layout = fig.layout ?? {};
    const width = opts.width ?? (typeof layout.width === 'number' ? layout.width : 900);
    const height = opts.height ?? (typeof layout.height === 'number' ? layout.height : DEFAULT_HEIGHT);
    for (const format of images) {
      const bytes = rasterizer({ fig, htmlPath, format, width, height, scale: opts.scale ?? 2 });
      const file = path.join(dir, `${name}.${format}`);
      writeFileAtomic(file, bytes);
      out[format] = file;
    }
  }
  return out;
}

function titleOf(fig: Figure): string | undefined {
  const t = fig.layout?.title;
  const text = typeof t === 'string' ? t : t && typeof t === 'object' ? (t as { text?: unknown }).text : undefined;
  return typeof text === 'string' && text !== '' ? text : undefined;
}
