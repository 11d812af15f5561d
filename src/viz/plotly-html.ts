/**
 * HTML for Plotly figures: the inlined plotly.js library, a figure `<div>` + script, and a
 * self-contained page. Nothing here touches the network: plotly.js comes from node_modules
 * (plotly.js-dist-min, read as text — it needs a DOM and cannot run in Node).
 *
 * Everything interpolated is escaped: text into HTML with `escapeHtml`, data into `<script>` with
 * `jsonForScript` (which also neutralises `</script>`, `<!--` and U+2028/U+2029).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULT_HEIGHT, describeFigure, Figure, FONT_FAMILY } from './figure';

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * JSON for embedding inside a `<script>` element (as a JS expression): typed arrays become plain
 * arrays, NaN/Infinity become null, and `<`, `>`, `&`, U+2028, U+2029 are \u-escaped, so no string
 * in the data can close the script (`</script>`), open an HTML comment, or break the JS parse.
 */
export function jsonForScript(value: unknown): string {
  const s = JSON.stringify(value, jsonReplacer);
  if (s === undefined) return 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

let plotlySource: string | null = null;
let plotlyVersion: string | null = null;
let libraryHtml: string | null = null;

/** The installed plotly.js version (e.g. "3.1.1"). */
export function plotlyJsVersion(): string {
  if (plotlyVersion === null) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    plotlyVersion = String((require(`${PLOTLY_PACKAGE}/package.json`) as { version?: string }).version ?? 'unknown');
  }
  return plotlyVersion;
}

/**
 * The minified bundle of the same plotly.js release (≈4.7 MB instead of plotly.js-dist's 11 MB):
 * it is inlined into every exported figure and once into each executed notebook.
 */
const PLOTLY_PACKAGE = 'plotly.js-dist-min';

/** plotly.js source, read once, made safe to sit inside a `<script>` element. */
export function plotlyJsSource(): string {
  if (plotlySource === null) {
    const file = path.join(path.dirname(require.resolve(`${PLOTLY_PACKAGE}/package.json`)), 'plotly.min.js');
    const src = fs.readFileSync(file, 'utf8');
    // Both replacements only touch strings/regexes/comments (the only places these can occur in
    // valid JS), where `<\/` and `<\!` mean the same as `</` and `<!`. The current bundle has none.
    plotlySource = src.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  }
  return plotlySource;
}

/**
 * A `<script>` element that defines `window.Plotly`, for notebook outputs and standalone pages.
 *
 * The classic Notebook loads RequireJS, so a global `define` (with `define.amd`) exists, and a UMD
 * bundle would register itself as an anonymous AMD module (or throw "Mismatched anonymous define()")
 * instead of setting `window.Plotly`. The source therefore runs inside a function whose parameters
 * `define`, `module`, `exports`, `require` are undefined, so the bundle takes its browser-global
 * path. That works the same in JupyterLab (no RequireJS) and in a plain page. If a working
 * `window.Plotly` already exists, the bundle is not evaluated again.
 */
export function plotlyLibraryHtml(): string {
  if (libraryHtml === null) {
    libraryHtml =
      `<script type="text/javascript" data-cmrp-plotly="${escapeHtml(plotlyJsVersion())}">\n` +
      `/* plotly.js ${plotlyJsVersion()} (MIT, Plotly, Inc.), inlined by cmrp-lab; AMD/CommonJS hidden so it sets window.Plotly */\n` +
      '(function (define, module, exports, require) {\n' +
      "if (window.Plotly && typeof window.Plotly.newPlot === 'function') return;\n" +
      plotlyJsSource() +
      '\n}).call(window);\n' +
      '</script>';
  }
  return libraryHtml;
}

export interface FigureDivOptions {
  /** Milliseconds to wait for `window.Plotly` before showing an explanation (default 60000). */
  waitMs?: number;
}

const ID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** A fresh element id for a figure div. */
export function newFigureId(): string {
  return `cmrp-fig-${randomBytes(6).toString('hex')}`;
}

function cssSize(v: unknown, fallback: string): string {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? `${Math.round(v)}px` : fallback;
}

/**
 * A `<div>` plus a script that draws `fig` into it with `Plotly.newPlot`. If `window.Plotly` is not
 * there yet (the library output has not run yet, e.g. when a saved notebook is re-rendered), it
 * polls for it; after `waitMs` it writes an explanation into the div instead of failing silently.
 * Until drawn, the div shows a one-line description (what static viewers such as GitHub display).
 */
export function figureDivHtml(fig: Figure, id: string = newFigureId(), opts: FigureDivOptions = {}): string {
  if (!ID_RE.test(id)) throw new Error(`figure id ${JSON.stringify(id)} must match ${ID_RE}`);
  const layout = fig.layout ?? {};
  const height = cssSize(layout.height, `${DEFAULT_HEIGHT}px`);
  const width = cssSize(layout.width, '100%');
  const waitMs = Math.max(0, Math.round(opts.waitMs ?? 60000));
  const figure = { data: fig.data, layout, config: fig.config ?? {} };
  const placeholder = `[interactive Plotly ${describeFigure(fig)}: shown when the notebook is trusted and JavaScript runs]`;
  return (
    `<div id="${escapeHtml(id)}" class="cmrp-figure" style="width:${width};max-width:100%;height:${height};` +
    `font-family:${escapeHtml(FONT_FAMILY)};font-size:12px;color:#888;">${escapeHtml(placeholder)}</div>\n` +
    '<script type="text/javascript">\n' +
    '(function () {\n' +
    `  var id = ${jsonForScript(id)};\n` +
    `  var fig = ${jsonForScript(figure)};\n` +
    `  var waitMs = ${waitMs};\n` +
    // our own div is the element just before this script (robust to duplicate ids, e.g. a second
    // view of the same output); document.currentScript is null under jQuery's globalEval
    // (classic Notebook), where the id lookup is used
    '  var me = document.currentScript;\n' +
    '  function el() {\n' +
    '    var p = me && me.previousElementSibling;\n' +
    '    return p && p.id === id ? p : document.getElementById(id);\n' +
    '  }\n' +
    '  function say(msg) { var e = el(); if (e) { e.textContent = msg; e.style.color = "#b00"; } }\n' +
    '  function draw() {\n' +
    '    var e = el();\n' +
    '    e.textContent = "";\n' +
    '    e.style.color = "";\n' +
    '    try {\n' +
    '      var p = window.Plotly.newPlot(e, fig.data, fig.layout, fig.config);\n' +
    '      if (p && typeof p.catch === "function") p.catch(function (err) { say("Plotly error: " + err); });\n' +
    '    } catch (err) { say("Plotly error: " + err); }\n' +
    '  }\n' +
    '  if (window.Plotly && el()) { draw(); return; }\n' +
    // wait for plotly.js (its output may render after this one) and for the div to be in the page
    '  var waited = 0;\n' +
    '  var timer = setInterval(function () {\n' +
    '    if (window.Plotly && el()) { clearInterval(timer); draw(); return; }\n' +
    '    waited += 100;\n' +
    '    if (waited >= waitMs) {\n' +
    '      clearInterval(timer);\n' +
    '      if (!window.Plotly) say("plotly.js is not loaded in this page. cmrp-lab injects it once per kernel session with the first " +\n' +
    '          "figure; if that output was cleared or the page reloaded, run viz.showPlotlyLibrary() and re-run this cell.");\n' +
    '    }\n' +
    '  }, 100);\n' +
    '})();\n' +
    '</script>'
  );
}

function figureTitle(fig: Figure): string {
  const t = fig.layout?.title;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') return (t as { text: string }).text;
  return '';
}

/**
 * A complete, self-contained HTML page showing `fig`: plotly.js inlined, no network references
 * (no `<script src>`, no `<link href>`), opens from disk in any browser.
 */
export function standaloneFigureHtml(fig: Figure, title?: string): string {
  const pageTitle = title ?? (figureTitle(fig) || 'figure');
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n' +
    '<head>\n' +
    '<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta name="generator" content="cmrp-lab viz, plotly.js ${escapeHtml(plotlyJsVersion())}">\n` +
    `<title>${escapeHtml(pageTitle)}</title>\n` +
    '<style>html, body { margin: 0; padding: 0; background: #ffffff; } body { padding: 12px; box-sizing: border-box; }</style>\n' +
    '</head>\n' +
    '<body>\n' +
    plotlyLibraryHtml() +
    '\n' +
    figureDivHtml(fig, 'cmrp-figure', { waitMs: 10000 }) +
    '\n</body>\n' +
    '</html>\n'
  );
}
