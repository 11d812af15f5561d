/**
 * Notebook display: `showFigure`, `showHtml`, `showImage`, `showSvg`, `showMarkdown`, `showText`.
 *
 * Inside a tslab kernel these emit Jupyter display outputs. Anywhere else (plain node, the CLI,
 * tests) they never throw: they print a one-line text description instead (or nothing, see
 * `setTextFallback`).
 *
 * tslab is detected without loading it: the running kernel has already loaded its own
 * `tslab/dist/jupyter.js`, which holds the output callback of the executing cell. We look for that
 * module in `require.cache` and send display data through that callback, so the display goes to the
 * kernel that is actually running even if it is a different tslab install than ours; plain node never
 * pays for loading tslab (and its TypeScript compiler). Going to the callback directly (tslab's own
 * `display` sends one mime type per output) lets a figure be one output with several representations.
 */
import { randomBytes } from 'node:crypto';
import { describeFigure, Figure } from './figure';
import { escapeHtml, figureDivHtml, FigureDivOptions, PLOTLY_MIME, plotlyJson } from './plotly-html';

/** The subset of tslab's `Display` this library uses. */
export interface DisplayLike {
  html(s: string): void;
  markdown(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  text(s: string): void;
  /** One output with several representations, `{mime: value}` (binary values base64, JSON values as objects). */
  bundle(data: Record<string, unknown>): void;
}

/** Where display outputs go: tslab's public module has exactly this shape. */
export interface DisplayProvider {
  display: DisplayLike;
  /** A display that overwrites its own single output entry on every call. */
  newDisplay(): DisplayLike;
}

let override: DisplayProvider | null = null;
let detected: DisplayProvider | null = null;
let fallback: ((line: string) => void) | null = (line) => console.log(line);

const JUPYTER_JS = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

type WriteDisplayData = (msg: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } }, update: boolean) => void;

/** A display over tslab's output callback; with `id`, every call after the first updates the same entry. */
function tslabDisplay(jupyter: { lastWriteDisplayData?: unknown }, id?: string): DisplayLike {
  let update = false;
  const bundle = (data: Record<string, unknown>): void => {
    const write = jupyter.lastWriteDisplayData as WriteDisplayData | null | undefined;
    if (typeof write !== 'function') throw new Error('the tslab kernel is not executing a cell');
    write({ data, metadata: {}, transient: id ? { display_id: id } : {} }, update);
    if (id) update = true;
  };
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  return {
    html: (s) => bundle({ 'text/html': s }),
    markdown: (s) => bundle({ 'text/markdown': s }),
    svg: (s) => bundle({ 'image/svg+xml': s }),
    png: (b) => bundle({ 'image/png': b64(b) }),
    jpeg: (b) => bundle({ 'image/jpeg': b64(b) }),
    gif: (b) => bundle({ 'image/gif': b64(b) }),
    text: (s) => bundle({ 'text/plain': s }),
    bundle,
  };
}

function detectTslab(): DisplayProvider | null {
  const cache = require.cache;
  for (const file of Object.keys(cache)) {
    if (!JUPYTER_JS.test(file)) continue;
    const exp = cache[file]?.exports as { lastWriteDisplayData?: unknown } | undefined;
    // set by the kernel when it starts executing a cell; null in a process that merely loaded tslab
    if (!exp || typeof exp.lastWriteDisplayData !== 'function') continue;
    return { display: tslabDisplay(exp), newDisplay: () => tslabDisplay(exp, randomBytes(8).toString('hex')) };
  }
  return null;
}

/** The active display provider: the override, else the running tslab kernel, else null. */
export function displayProvider(): DisplayProvider | null {
  if (override) return override;
  if (!detected) detected = detectTslab();
  return detected;
}

/** True when outputs go to a notebook (a tslab kernel, or a provider set with `setDisplayProvider`). */
export function inNotebook(): boolean {
  return displayProvider() !== null;
}

/**
 * Send outputs somewhere else (a test double, an HTML report collector, ...);
 * `null` restores automatic tslab detection.
 */
export function setDisplayProvider(provider: DisplayProvider | null): void {
  override = provider;
}

/** Where the one-line text fallbacks go outside a notebook (default console.log; null = silent). */
export function setTextFallback(fn: ((line: string) => void) | null): void {
  fallback = fn;
}

/** Print a one-line fallback (outside a notebook). */
export function textFallback(line: string): void {
  if (fallback) fallback(line);
}

export interface ShowFigureOptions extends FigureDivOptions {
  /** Element id for the figure div (default: a fresh random id). */
  id?: string;
}

/**
 * A figure as one notebook output: plotly's mime type (JupyterLab draws it with its plotly extension,
 * also after a reload and in an untrusted notebook), an HTML fallback (the classic Notebook: plotly.js
 * from the server, see plotly-html.ts) and a one-line text description.
 */
export function figureBundle(fig: Figure, opts: ShowFigureOptions = {}): Record<string, unknown> {
  return {
    [PLOTLY_MIME]: plotlyJson(fig),
    'text/html': figureDivHtml(fig, opts.id, opts),
    'text/plain': `[${describeFigure(fig)}]`,
  };
}

/** Show an interactive Plotly figure. */
export function showFigure(fig: Figure, opts: ShowFigureOptions = {}): void {
  const p = displayProvider();
  if (!p) {
    textFallback(`[figure] ${describeFigure(fig)} (not in a notebook; viz.exportFigure(fig, name) saves it as HTML)`);
    return;
  }
  p.display.bundle(figureBundle(fig, opts));
}

/** Show raw HTML (trusted: the caller escapes any data in it). */
export function showHtml(html: string): void {
  const p = displayProvider();
  if (!p) return textFallback(`[html] ${html.length} characters (not in a notebook)`);
  p.display.html(html);
}

export function showMarkdown(md: string): void {
  const p = displayProvider();
  if (!p) return textFallback(md.split('\n', 1)[0]);
  p.display.markdown(md);
}

export function showSvg(svg: string): void {
  const p = displayProvider();
  if (!p) return textFallback(`[svg] ${svg.length} characters (not in a notebook)`);
  p.display.svg(svg);
}

/** Show plain text (outside a notebook: printed as is). */
export function showText(text: string): void {
  const p = displayProvider();
  if (!p) return textFallback(text);
  p.display.text(text);
}

export type ImageFormat = 'png' | 'jpeg' | 'gif';

/** Recognise an encoded image by its magic bytes; null if it is none of PNG/JPEG/GIF. */
export function imageFormat(b: Uint8Array): ImageFormat | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  return null;
}

/** Width × height from a PNG header (IHDR), or null. */
export function pngSize(b: Uint8Array): { width: number; height: number } | null {
  if (imageFormat(b) !== 'png' || b.length < 24) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

export interface ShowImageOptions {
  /** Display width in CSS pixels (upscaling keeps pixels crisp); default: natural size. */
  width?: number;
  /** Alt text (only used with `width`, which renders an HTML <img>). */
  alt?: string;
}

/**
 * Show an encoded PNG (or JPEG/GIF) image. Without `width` it is an `image/png` output; with
 * `width` an HTML `<img>` (Jupyter's image outputs carry no size in tslab), nearest-neighbour
 * when enlarged so small model images stay crisp.
 */
export function showImage(bytes: Uint8Array, opts: ShowImageOptions = {}): void {
  const fmt = imageFormat(bytes);
  if (!fmt) throw new TypeError('showImage expects encoded PNG, JPEG or GIF bytes (see viz.imageGrid for raw pixels → PNG)');
  const p = displayProvider();
  if (!p) {
    const size = pngSize(bytes);
    const dims = size ? ` ${size.width}×${size.height}` : '';
    return textFallback(`[image] ${fmt.toUpperCase()}${dims}, ${(bytes.length / 1024).toFixed(1)} kB (not in a notebook)`);
  }
  if (opts.width === undefined) {
    p.display[fmt](bytes);
    return;
  }
  if (!(Number.isFinite(opts.width) && opts.width > 0)) throw new RangeError(`showImage width must be a positive number, got ${opts.width}`);
  const natural = pngSize(bytes)?.width;
  const pixelated = natural !== undefined && opts.width > natural;
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  p.display.html(
    `<img src="data:image/${fmt};base64,${b64}" width="${Math.round(opts.width)}" alt="${escapeHtml(opts.alt ?? '')}"` +
      (pixelated ? ' style="image-rendering: crisp-edges; image-rendering: pixelated;"' : '') +
      ' />',
  );
}
