/**
 * PNG and SVG export of figures through headless Chromium (src/browser/chromium.ts: playwright-core
 * driving the system browser): the rasterizer behind export.ts's RASTER HOOK.
 *
 * One browser and one tab for a whole batch: the tab loads plotly.js (plotly.js-dist, from disk, no
 * network) once, then draws each figure with `Plotly.newPlot` from the same JSON its standalone page
 * holds and returns `Plotly.toImage(gd, {format, width, height, scale})`, a data URL decoded here. The
 * image is therefore exactly what plotly.js draws, at `width*scale x height*scale` pixels for PNG.
 * (Loading the 10 MB library is most of the cost: once per batch instead of once per image.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findChromium, launchChromium, watchPage } from '../browser/chromium';
import { pathToFileURL } from 'node:url';
import { plotlyJsFile, plotlyJson } from './plotly-html';
import { setFigureRasterizer, type FigureRasterizer, type RasterRequest } from './export';

/** Milliseconds one image may take ($CMRP_RASTER_TIMEOUT_MS, default 60000). */
export function rasterTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.CMRP_RASTER_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 60000;
}

/** Decode a data: URL (base64 or percent-encoded, as Plotly.toImage returns for PNG and SVG). */
export function decodeDataUrl(url: string): { mime: string; bytes: Buffer } {
  const m = /^data:([^;,]*)((?:;[^;,]*)*),/.exec(url);
  if (!m) throw new Error(`not a data URL: ${url.slice(0, 40)}...`);
  const body = url.slice(m[0].length);
  const bytes = /;base64/i.test(m[2]) ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
  return { mime: m[1], bytes };
}

interface DrawArg { fig: unknown; format: string; width: number; height: number; scale: number }

/** Runs in the page (playwright sends its source): draw one figure, return its image as a data URL. */
async function drawAndExport({ fig, format, width, height, scale }: DrawArg): Promise<string> {
  /* eslint-disable @typescript-eslint/no-explicit-any -- the page's DOM: no DOM types in this Node project */
  const g = globalThis as any;
  const f = fig as any;
  const gd = g.document.createElement('div');
  gd.style.width = width + 'px';
  gd.style.height = height + 'px';
  g.document.body.appendChild(gd);
  try {
    await g.Plotly.newPlot(gd, f.data, f.layout, f.config);
    if (!gd.querySelector('.main-svg')) throw new Error('the figure was not drawn');
    return await g.Plotly.toImage(gd, { format, width, height, scale });
  } finally {
    g.Plotly.purge(gd);
    gd.remove();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${Math.round(ms / 1000)} s (CMRP_RASTER_TIMEOUT_MS raises the limit)`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface ChromiumRasterizerOptions {
  /** The browser binary (default: `findChromium()` at each batch). */
  executable?: string;
  /** Per image (default `rasterTimeoutMs()`). */
  timeoutMs?: number;
}

/** A `FigureRasterizer` for export.ts's hook: one headless Chromium per batch, one reused tab. */
export function chromiumRasterizer(opts: ChromiumRasterizerOptions = {}): FigureRasterizer {
  return async (reqs: RasterRequest[]) => {
    if (reqs.length === 0) return [];
    const timeoutMs = opts.timeoutMs ?? rasterTimeoutMs();
    const browser = await launchChromium({ executable: opts.executable, timeoutMs });
    try {
      const page = await browser.newPage();
      const problems = watchPage(page);
      // a loader page whose <script src> is plotly.js on disk: Chromium compiles an external script
      // about twice as fast as the same 10 MB inlined in a page; every figure is then drawn in it
      const loaderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-raster-'));
      const loader = path.join(loaderDir, 'plotly-loader.html');
      fs.writeFileSync(loader, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0;background:#fff"><script src="${pathToFileURL(plotlyJsFile()).href}"></script></body></html>`);
      try {
        await page.goto(pathToFileURL(loader).href, { timeout: timeoutMs, waitUntil: 'load' });
      } finally {
        fs.rmSync(loaderDir, { recursive: true, force: true });
      }
      await withTimeout(page.waitForFunction('!!(window.Plotly && window.Plotly.toImage)', undefined, { timeout: timeoutMs }), timeoutMs, 'loading plotly.js');
      const out: (Uint8Array | string)[] = [];
      for (const req of reqs) {
        const name = path.basename(req.htmlPath, '.html');
        let dataUrl: string;
        try {
          const arg = { fig: plotlyJson(req.fig), format: req.format, width: req.width, height: req.height, scale: req.scale };
          dataUrl = (await withTimeout(page.evaluate(drawAndExport, arg), timeoutMs, 'drawing')) as string;
        } catch (err) {
          const seen = problems.scriptErrors.length > 0 ? `; the page reported: ${problems.scriptErrors.slice(0, 3).join('; ')}` : '';
          throw new Error(`${req.format.toUpperCase()} of ${name}: ${String((err as Error).message).split('\n')[0]}${seen}`);
        }
        const { mime, bytes } = decodeDataUrl(dataUrl);
        const want = req.format === 'png' ? 'image/png' : 'image/svg+xml';
        if (mime !== want) throw new Error(`${req.format.toUpperCase()} of ${name}: Plotly.toImage returned ${mime}, expected ${want}`);
        if (bytes.length === 0) throw new Error(`${req.format.toUpperCase()} of ${name}: Chromium returned an empty image`);
        out.push(req.format === 'svg' ? bytes.toString('utf8') : bytes);
      }
      return out;
    } finally {
      await browser.close();
    }
  };
}

/**
 * Register the headless-Chromium rasterizer for `exportFigures({images})` when a browser is found;
 * returns whether it did. (exportFigures calls this itself on the first request for images.)
 */
export function registerChromiumRasterizer(opts: ChromiumRasterizerOptions = {}): boolean {
  const executable = opts.executable ?? findChromium();
  if (!executable) return false;
  setFigureRasterizer(chromiumRasterizer({ ...opts, executable }));
  return true;
}
