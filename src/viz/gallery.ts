/**
 * Image grids: `imageGrid([{png, label}, ...], {columns: 8, cellSize: 128})` → one PNG (via sharp).
 * Small model-size images (32×32) are enlarged with nearest-neighbour, so pixels stay crisp;
 * labels are rendered as SVG text under each cell.
 *
 *   viz.showImage(await viz.imageGrid(samples.map((png, i) => ({ png, label: names[i] })), { columns: 6 }))
 */
import type { OverlayOptions } from 'sharp';

type SharpModule = typeof import('sharp');

/** sharp (native libvips) is loaded on first use, so importing the library stays cheap. */
function loadSharp(): SharpModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('sharp') as SharpModule;
}

export interface GridImage {
  /** Encoded image bytes (PNG, JPEG, WebP, ...) or a file path. */
  png: Uint8Array | string;
  label?: string;
}

export interface ImageGridOptions {
  /** Cells per row (default: min(count, 8)). */
  columns?: number;
  /** Cell size in pixels, square or {width, height} (default 128). Images are fitted inside, aspect kept. */
  cellSize?: number | { width: number; height: number };
  /** Enlarging kernel: 'nearest' (default, crisp pixels) or 'smooth' (lanczos). Shrinking is always smooth. */
  upscale?: 'nearest' | 'smooth';
  /** Pixels between cells and around the grid (default 4). */
  gap?: number;
  /** Canvas colour (default white). */
  background?: string;
  /** Label font size in pixels (default from the cell width, 10–16). */
  fontSize?: number;
  labelColor?: string;
}

export interface GridLayout {
  columns: number;
  rows: number;
  cellWidth: number;
  cellHeight: number;
  labelHeight: number;
  gap: number;
  fontSize: number;
  width: number;
  height: number;
}

function positiveInt(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`imageGrid ${what} must be a positive integer, got ${v}`);
  return v;
}

/** The geometry `imageGrid` will use for `count` images (exported for tests and layout math). */
export function gridLayout(count: number, hasLabels: boolean, opts: ImageGridOptions = {}): GridLayout {
  positiveInt('image count', count);
  const columns = positiveInt('columns', opts.columns ?? Math.min(count, 8));
  const cs = opts.cellSize ?? 128;
  const cellWidth = positiveInt('cellSize width', typeof cs === 'number' ? cs : cs.width);
  const cellHeight = positiveInt('cellSize height', typeof cs === 'number' ? cs : cs.height);
  const gap = opts.gap ?? 4;
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`imageGrid gap must be a non-negative integer, got ${gap}`);
  const fontSize = opts.fontSize ?? Math.max(10, Math.min(16, Math.round(cellWidth / 10)));
  const labelHeight = hasLabels ? Math.ceil(fontSize * 1.7) : 0;
  const rows = Math.ceil(count / columns);
  const usedCols = Math.min(columns, count);
  return {
    columns,
    rows,
    cellWidth,
    cellHeight,
    labelHeight,
    gap,
    fontSize,
    width: usedCols * cellWidth + (usedCols - 1) * gap + 2 * gap,
    height: rows * (cellHeight + labelHeight) + (rows - 1) * gap + 2 * gap,
  };
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function fitLabel(label: string, maxWidth: number, fontSize: number): string {
  // strip control characters (invalid in XML), then cut to the width at ~0.6em per character
  // eslint-disable-next-line no-control-regex
  const clean = label.replace(/[\u0000-\u001f\u007f\ufffe\uffff]/g, ' ');
  const max = Math.max(1, Math.floor(maxWidth / (fontSize * 0.6)));
  const chars = Array.from(clean);
  return chars.length <= max ? clean : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

/** Lay out images in a grid with optional labels; resolves to the PNG bytes. */
export async function imageGrid(images: readonly GridImage[], opts: ImageGridOptions = {}): Promise<Buffer> {
  if (!Array.isArray(images) || images.length === 0) throw new RangeError('imageGrid needs at least one image');
  const hasLabels = images.some((im) => im.label !== undefined && im.label !== '');
  const g = gridLayout(images.length, hasLabels, opts);
  const background = opts.background ?? '#ffffff';
  const sharp = loadSharp();
  const upKernel = (opts.upscale ?? 'nearest') === 'nearest' ? sharp.kernel.nearest : sharp.kernel.lanczos3;

  const cells = await Promise.all(
    images.map(async (im, i) => {
      const input = typeof im.png === 'string' ? im.png : Buffer.from(im.png.buffer, im.png.byteOffset, im.png.byteLength);
      try {
        const meta = await sharp(input).metadata();
        const scale = Math.min(g.cellWidth / (meta.width ?? 1), g.cellHeight / (meta.height ?? 1));
        return await sharp(input)
          .resize(g.cellWidth, g.cellHeight, {
            fit: 'contain',
            kernel: scale > 1 ? upKernel : sharp.kernel.lanczos3,
            background,
          })
          .png()
          .toBuffer();
      } catch (err) {
        const what = typeof im.png === 'string' ? ` (${im.png})` : '';
        throw new Error(`imageGrid: cannot read image ${i}${im.label ? ` "${im.label}"` : ''}${what}: ${(err as Error).message}`);
      }
    }),
  );

  const composites: OverlayOptions[] = cells.map((input, i) => ({
    input,
    left: g.gap + (i % g.columns) * (g.cellWidth + g.gap),
    top: g.gap + Math.floor(i / g.columns) * (g.cellHeight + g.labelHeight + g.gap),
  }));

  if (hasLabels) {
    const texts = images.map((im, i) => {
      if (!im.label) return '';
      const x = g.gap + (i % g.columns) * (g.cellWidth + g.gap) + g.cellWidth / 2;
      const y = g.gap + Math.floor(i / g.columns) * (g.cellHeight + g.labelHeight + g.gap) + g.cellHeight + g.labelHeight * 0.7;
      return (
        `<text x="${x}" y="${y.toFixed(1)}" text-anchor="middle">` +
        `${escapeXml(fitLabel(im.label, g.cellWidth, g.fontSize))}</text>`
      );
    });
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${g.height}">` +
      `<g font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="${g.fontSize}" fill="${escapeXml(opts.labelColor ?? '#222222')}">` +
      texts.join('') +
      '</g></svg>';
    composites.push({ input: Buffer.from(svg), left: 0, top: 0 });
  }

  return sharp({ create: { width: g.width, height: g.height, channels: 4, background } })
    .composite(composites)
    .png()
    .toBuffer();
}
