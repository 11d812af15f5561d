/**
 * HTML for Plotly figures: the inlined plotly.js library, a figure `<div>` + script, and a
 * self-contained page. Nothing here touches the network: plotly.js comes from node_modules
 * (plotly.js-dist, read as text — it needs a DOM and cannot run in Node).
 *
 * In a notebook a figure is a mime bundle (`figureBundle`): plotly's own
 * `application/vnd.plotly.v1+json`, drawn by JupyterLab's plotly renderer (the jupyterlab-plotly
 * extension that `make setup` installs into the lab's venv, which bundles the same plotly.js release),
 * and an HTML fallback for the classic Notebook, whose script loads plotly.js through RequireJS from
 * the server's `nbextensions/cmrp-lab/plotly.js` (copied there by environment/register-kernel.sh). So
 * a saved notebook carries each figure's data, never the 10 MB library, and a reload redraws at once.
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

/** The card's plotly.js bundle (10 MB, not minified): inlined only into standalone figure pages. */
const PLOTLY_PACKAGE = 'plotly.js-dist';

/** plotly's own mime type: rendered by JupyterLab's plotly extension without running any output script. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Where the classic Notebook's server serves plotly.js (environment/register-kernel.sh copies it there). */
export const NBEXTENSION_PLOTLY = 'nbextensions/cmrp-lab/plotly';

/** Absolute path of the plotly.js file this project loads. */
export function plotlyJsFile(): string {
  return path.join(path.dirname(require.resolve(`${PLOTLY_PACKAGE}/package.json`)), 'plotly.js');
}

/** plotly.js source, read once, made safe to sit inside a `<script>` element. */
export function plotlyJsSource(): string {
  if (plotlySource === null) {
    const src = fs.readFileSync(plotlyJsFile(), 'utf8');
    // Both replacements only touch strings/regexes/comments (the only places these can occur in
    // valid JS), where `<\/` and `<\!` mean the same as `</` and `<!`. The current bundle has none.
    plotlySource = src.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  }
  return plotlySource;
}

/**
 * A `<script>` element that defines `window.Plotly`, for standalone pages.
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
  /** Milliseconds to wait for `window.Plotly` before showing an explanation (default 10000). */
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

/** The figure as plain JSON (typed arrays as arrays, NaN as null): plotly's mime payload. */
export function plotlyJson(fig: Figure): { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  return JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} }, jsonReplacer));
}

/**
 * A `<div>` plus a script that draws `fig` into it with `Plotly.newPlot`. Where `window.Plotly` is
 * missing and RequireJS is there (the classic Notebook), plotly.js is required from the server's
 * `nbextensions/cmrp-lab/plotly.js`; otherwise it polls for `window.Plotly` (a standalone page's
 * inlined library) and after `waitMs` writes an explanation into the div instead of failing silently.
 * Until drawn, the div shows a one-line description (what static viewers such as GitHub display).
 */
export function figureDivHtml(fig: Figure, id: string = newFigureId(), opts: FigureDivOptions = {}): string {
  if (!ID_RE.test(id)) throw new Error(`figure id ${JSON.stringify(id)} must match ${ID_RE}`);
  const layout = fig.layout ?? {};
  const height = cssSize(layout.height, `${DEFAULT_HEIGHT}px`);
  const width = cssSize(layout.width, '100%');
  const waitMs = Math.max(0, Math.round(opts.waitMs ?? 10000));
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
    '  function draw(P) {\n' +
    '    var e = el();\n' +
    '    e.textContent = "";\n' +
    '    e.style.color = "";\n' +
    '    try {\n' +
    '      var p = P.newPlot(e, fig.data, fig.layout, fig.config);\n' +
    '      if (p && typeof p.catch === "function") p.catch(function (err) { say("Plotly error: " + err); });\n' +
    '    } catch (err) { say("Plotly error: " + err); }\n' +
    '  }\n' +
    '  if (window.Plotly && el()) { draw(window.Plotly); return; }\n' +
    // the classic Notebook: RequireJS loads plotly.js once from the server (no network beyond it)
    '  var rq = window.requirejs;\n' +
    '  if (!window.Plotly && typeof rq === "function" && typeof rq.config === "function" && document.body) {\n' +
    '    var base = document.body.getAttribute("data-base-url") || "/";\n' +
    `    rq.config({ paths: { "cmrp-plotly": base + ${jsonForScript(NBEXTENSION_PLOTLY)} } });\n` +
    '    rq(["cmrp-plotly"], function (P) { window.Plotly = window.Plotly || P; draw(window.Plotly); },\n' +
    '      function (err) { say("plotly.js could not be loaded from this server (" + err + "): run `make setup` (it copies plotly.js to the Jupyter nbextensions folder), or open the notebook in JupyterLab with `make lab`."); });\n' +
    '    return;\n' +
    '  }\n' +
    // a page whose own script defines window.Plotly (the standalone page): wait for it
    '  var waited = 0;\n' +
    '  var timer = setInterval(function () {\n' +
    '    if (window.Plotly && el()) { clearInterval(timer); draw(window.Plotly); return; }\n' +
    '    waited += 100;\n' +
    '    if (waited >= waitMs) {\n' +
    '      clearInterval(timer);\n' +
    '      if (!window.Plotly) say("plotly.js is not available in this page: open the notebook in JupyterLab (make lab), " +\n' +
    '          "which draws the figure from its plotly data, or in the classic Notebook of a cmrp-lab set-up.");\n' +
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
