/**
 * Save figures to disk: `exportFigure(fig, 'loss-curve')` → `<project>/figures/loss-curve.html`,
 * a self-contained page (plotly.js inlined, no network), written atomically.
 *
 * `await exportFigures({ 'loss-curve': fig, ... }, { images: ['png', 'svg'] })` also writes
 * `loss-curve.png` and `loss-curve.svg` for every figure, drawn by plotly.js itself in one headless
 * Chromium for the whole batch (./rasterize.ts, registered on first use through the RASTER HOOK below).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { writeFileAtomic } from '../util/fs';
import { figuresDir } from '../util/paths';
import { DEFAULT_HEIGHT, Figure } from './figure';
import { standaloneFigureHtml } from './plotly-html';
// rasterize.ts imports setFigureRasterizer from this file: the cycle is safe because each side
// only uses the other's functions when called, never while loading
import { registerChromiumRasterizer } from './rasterize';
import { CHROMIUM_INSTALL_HINT, chromiumSearchDescription } from '../browser/chromium';

export { registerChromiumRasterizer, chromiumRasterizer } from './rasterize';
export { findChromium } from '../browser/chromium';

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
// RASTER HOOK — PNG/SVG export plugs in here.
//
// A rasterizer receives a batch of already-written standalone HTML pages and resolves to the image
// bytes (PNG) or SVG text of each, in order. The first `exportFigure` asking for images registers the
// headless-Chromium one (rasterize.ts: `Plotly.toImage(gd, {format, width, height, scale})` in the
// page) when a browser is found; `setFigureRasterizer` installs another (tests) or, with null,
// removes it (the next request for images looks for Chromium again). Without one, asking for
// images is an error naming how to install Chromium, never a fake or empty file.
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

export type FigureRasterizer = (reqs: RasterRequest[]) => Promise<(Uint8Array | string)[]>;

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
}

export interface ExportImagesOptions extends ExportOptions {
  /** Also write these image formats (drawn by headless Chromium; see the RASTER HOOK). */
  images?: RasterFormat[];
  /** Image size in CSS pixels and device scale (default each layout's size or 900×420, scale 2; a PNG is width*scale × height*scale pixels). */
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

/** Largest image side in pixels (width or height times scale) that exportFigures accepts. */
export const MAX_IMAGE_PIXELS = 16384;

/** Write `fig` as `<dir>/<name>.html` (self-contained, atomic). For PNG/SVG use `exportFigures`. */
export function exportFigure(fig: Figure, name: string, opts: ExportOptions = {}): ExportedFigure {
  checkFigureName(name);
  if ((opts as ExportImagesOptions).images?.length) {
    throw new UserError(`exportFigure writes HTML only: for images use \`await viz.exportFigures({ '${name}': fig }, { images: [...] })\` (one browser for the batch)`);
  }
  const htmlPath = path.join(path.resolve(opts.dir ?? figuresDir()), `${name}.html`);
  writeFileAtomic(htmlPath, standaloneFigureHtml(fig, opts.title ?? titleOf(fig) ?? name));
  return { html: htmlPath };
}

/**
 * Write every figure of `figs` (`{name: figure}`) as HTML and, when asked, PNG/SVG, rendered by one
 * headless Chromium for the whole batch. Returns the paths per name.
 *
 * Every argument (names, formats, sizes) is checked and the rasterizer found before anything is
 * written. The images are all rendered before any is written, so a failed render leaves no mix of
 * new and old images; the pages it needed are then removed again unless they existed before.
 */
export async function exportFigures(figs: Record<string, Figure>, opts: ExportImagesOptions = {}): Promise<Record<string, ExportedFigure>> {
  const names = Object.keys(figs);
  for (const name of names) checkFigureName(name);
  const images = [...new Set(opts.images ?? [])];
  for (const f of images) {
    if (f !== 'png' && f !== 'svg') throw new UserError(`unknown image format ${JSON.stringify(f)}: use 'png' or 'svg'`);
  }
  const sizes = names.map((name) => {
    const layout = figs[name].layout ?? {};
    const width = opts.width ?? (typeof layout.width === 'number' ? layout.width : 900);
    const height = opts.height ?? (typeof layout.height === 'number' ? layout.height : DEFAULT_HEIGHT);
    const scale = opts.scale ?? 2;
    if (images.length > 0) checkImageSize(width, height, scale);
    return { width, height, scale };
  });
  if (images.length > 0) {
    if (!rasterizer) registerChromiumRasterizer();
    if (!rasterizer) {
      throw new UserError(
        `${images.join('/').toUpperCase()} export is not available yet: it needs headless Chromium, which was not found ` +
          `(${chromiumSearchDescription()}); ${CHROMIUM_INSTALL_HINT}. ` +
          `Meanwhile export the HTML only (omit {images}); in a browser its camera button saves an SVG.`,
      );
    }
  }
  const dir = path.resolve(opts.dir ?? figuresDir());
  const out: Record<string, ExportedFigure> = {};
  const fresh: string[] = [];
  for (const name of names) {
    const htmlPath = path.join(dir, `${name}.html`);
    if (!fs.existsSync(htmlPath)) fresh.push(htmlPath);
    writeFileAtomic(htmlPath, standaloneFigureHtml(figs[name], opts.title ?? titleOf(figs[name]) ?? name));
    out[name] = { html: htmlPath };
  }
  if (images.length === 0 || !rasterizer || names.length === 0) return out;
  const reqs: RasterRequest[] = names.flatMap((name, i) => images.map((format) => ({ fig: figs[name], htmlPath: out[name].html, format, ...sizes[i] })));
  let rendered: (Uint8Array | string)[];
  try {
    rendered = await rasterizer(reqs);
    if (rendered.length !== reqs.length) throw new Error(`the rasterizer returned ${rendered.length} images for ${reqs.length} requests`);
  } catch (err) {
    for (const f of fresh) fs.rmSync(f, { force: true });
    throw err;
  }
  reqs.forEach((req, i) => {
    const name = path.basename(req.htmlPath, '.html');
    const file = path.join(dir, `${name}.${req.format}`);
    writeFileAtomic(file, rendered[i]);
    out[name][req.format] = file;
  });
  return out;
}

function checkImageSize(width: number, height: number, scale: number): void {
  for (const [k, v] of [['width', width], ['height', height], ['scale', scale]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new UserError(`image ${k} ${typeof v === 'number' ? String(v) : JSON.stringify(v)} is not a positive number`);
    }
  }
  if (Math.max(width, height) * scale > MAX_IMAGE_PIXELS) {
    throw new UserError(`image size ${width}×${height} at scale ${scale} exceeds ${MAX_IMAGE_PIXELS} pixels a side: lower width, height or scale`);
  }
}

function titleOf(fig: Figure): string | undefined {
  const t = fig.layout?.title;
  const text = typeof t === 'string' ? t : t && typeof t === 'object' ? (t as { text?: unknown }).text : undefined;
  return typeof text === 'string' && text !== '' ? text : undefined;
}
