import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import sharp from 'sharp';
import * as viz from '../src/viz/index';
import { UserError } from '../src/util/errors';

// ---------------------------------------------------------------------------------------------
// helpers

/** Records what the show* functions send, shaped like tslab's public module. */
function recorder() {
  const outputs: { entry: string; mime: string; value: string | Uint8Array; data?: Record<string, unknown> }[] = [];
  let n = 0;
  const mk = (entry: string): viz.DisplayLike => {
    const put = (mime: string) => (value: string | Uint8Array) => outputs.push({ entry, mime, value });
    return {
      html: put('text/html'), markdown: put('text/markdown'), svg: put('image/svg+xml'), png: put('image/png'),
      jpeg: put('image/jpeg'), gif: put('image/gif'), text: put('text/plain'),
      // a bundle is recorded under its preferred mime type, with the HTML fallback as value
      bundle: (data) => outputs.push({ entry, mime: Object.keys(data)[0], value: String(data['text/html'] ?? ''), data }),
    };
  };
  const provider: viz.DisplayProvider = { display: mk('main'), newDisplay: () => mk(`display-${n++}`) };
  return { provider, outputs };
}

function scriptBodies(html: string): string[] {
  const out: string[] = [];
  const re = /<script\b[^>]*>([\s\S]*?)<\/script>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) out.push(m[1]);
  return out;
}

/** Run a figure div's script against a fake page; returns what Plotly.newPlot received. */
function runFigureScript(html: string, withPlotly: boolean) {
  const calls: unknown[][] = [];
  const el = { textContent: 'placeholder', style: { color: '' } };
  let tick: (() => void) | null = null;
  const ctx: Record<string, unknown> = {
    document: { getElementById: () => el },
    setInterval: (fn: () => void) => ((tick = fn), 1),
    clearInterval: () => (tick = null),
  };
  ctx.window = ctx;
  const plotly = { newPlot: (...args: unknown[]) => calls.push(args) };
  if (withPlotly) ctx.Plotly = plotly;
  vm.createContext(ctx);
  const scripts = scriptBodies(html);
  vm.runInContext(scripts[scripts.length - 1], ctx);
  return { calls, el, ctx, plotly, tick: () => tick && (tick as () => void)() };
}

/** Objects from a vm context have other prototypes: compare as plain JSON. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const EVIL = 'a</script><script>alert(1)</script>\u2028\u2029<!--';

let quiet: string[] = [];
before(() => {
  viz.setTextFallback((line) => quiet.push(line));
});
after(() => {
  viz.setTextFallback((line) => console.log(line));
  viz.setDisplayProvider(null);
});

// ---------------------------------------------------------------------------------------------

describe('figure builders', () => {
  test('lineFigure from {name: y} with typed arrays, NaN gaps, palette and labels', () => {
    const fig = viz.lineFigure({ train: new Float32Array([3, 2, 1]), val: [4, NaN, 2] }, { title: 'Loss', xLabel: 'step', yLabel: 'nll', logY: true });
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data[0].x, [0, 1, 2]);
    assert.deepEqual(fig.data[0].y, [3, 2, 1]);
    assert.deepEqual(fig.data[1].y, [4, null, 2]);
    assert.equal((fig.data[1].line as { color: string }).color, viz.PALETTE[1]);
    const layout = fig.layout as Record<string, any>;
    assert.equal(layout.title.text, 'Loss');
    assert.equal(layout.xaxis.title.text, 'step');
    assert.equal(layout.yaxis.type, 'log');
    assert.equal(layout.plot_bgcolor, '#ffffff');
    assert.deepEqual(layout.colorway, [...viz.PALETTE]);
    assert.equal(layout.showlegend, true);
    assert.throws(() => viz.lineFigure([{ x: [1, 2], y: [1, 2, 3] }]), /x has 2 values, expected 3/);
  });

  test('barFigure with error bars (single and multi-series), horizontal', () => {
    const one = viz.barFigure(['a', 'b'], [0.5, 0.7], { errors: [0.1, 0.2], yLabel: 'acc' });
    assert.deepEqual(one.data[0].y, [0.5, 0.7]);
    assert.deepEqual((one.data[0].error_y as { array: number[] }).array, [0.1, 0.2]);
    const many = viz.barFigure(['a', 'b'], [{ name: 'ours', values: [1, 2], errors: [0.1, 0.1] }, { name: 'base', values: [0.5, 1] }], { horizontal: true });
    assert.equal(many.data.length, 2);
    assert.equal(many.data[0].orientation, 'h');
    assert.deepEqual(many.data[0].y, ['a', 'b']);
    assert.ok(many.data[0].error_x);
    assert.equal(many.data[1].error_x, undefined);
    assert.throws(() => viz.barFigure(['a'], [1, 2]), /2 values, expected 1/);
  });

  test('histogram, heatmap, scatter', () => {
    const h = viz.histogramFigure({ real: [1, 2, 2, Infinity], fake: [3] }, { bins: 10, normalize: 'probability' });
    assert.deepEqual(h.data[0].x, [1, 2, 2]);
    assert.equal(h.data[0].nbinsx, 10);
    assert.equal(h.data[0].histnorm, 'probability');
    assert.equal((h.layout as Record<string, unknown>).barmode, 'overlay');
    const m = viz.heatmapFigure([[1, 0.25], [0, 1]], { x: ['p', 'q'], y: ['p', 'q'], showValues: true, digits: 1 });
    assert.deepEqual(m.data[0].text, [['1', '0.3'], ['0', '1']]);
    assert.equal((m.layout as Record<string, any>).yaxis.autorange, 'reversed');
    const s = viz.scatterFigure({ x: [1, 2], y: [2, 4], text: ['u', 'v'] }, { diagonal: true });
    assert.equal(s.data[0].mode, 'markers');
    assert.equal(((s.layout as Record<string, any>).shapes[0]).x1, 4);
  });

  test('layout overrides deep-merge over the template', () => {
    const fig = viz.lineFigure([{ y: [1] }], { layout: { xaxis: { range: [0, 5] }, font: { size: 20 } } });
    const layout = fig.layout as Record<string, any>;
    assert.deepEqual(layout.xaxis.range, [0, 5]);
    assert.equal(layout.xaxis.showline, true);
    assert.equal(layout.font.size, 20);
    assert.equal(layout.font.color, '#222222');
  });
});

describe('HTML', () => {
  test('jsonForScript neutralises </script>, <!--, U+2028/2029 and serialises typed arrays', () => {
    const s = viz.jsonForScript({ t: EVIL, a: new Float64Array([1.5, 2]) });
    assert.ok(!/<\/script/i.test(s) && !s.includes('<!--') && !s.includes('\u2028') && !s.includes('\u2029'));
    assert.deepEqual(plain(vm.runInNewContext(`(${s})`)), { t: EVIL, a: [1.5, 2] });
  });

  test('figureDivHtml draws with Plotly.newPlot, waits for window.Plotly, escapes labels', () => {
    const fig = viz.lineFigure({ [EVIL]: [1, 2] }, { title: EVIL });
    const html = viz.figureDivHtml(fig, 'fig1');
    assert.equal((html.match(/<\/script/gi) ?? []).length, 1, 'only our own closing tag');
    assert.ok(!html.includes('<script>alert'));
    const now = runFigureScript(html, true);
    assert.equal(now.calls.length, 1);
    const [el, data, layout] = now.calls[0] as [unknown, { name: string }[], { title: { text: string } }];
    assert.equal(el, now.el);
    assert.equal(data[0].name, EVIL);
    assert.equal(layout.title.text, EVIL);
    // not loaded yet: polls, then draws once window.Plotly appears
    const later = runFigureScript(html, false);
    assert.equal(later.calls.length, 0);
    later.tick();
    assert.equal(later.calls.length, 0);
    later.ctx.Plotly = later.plotly;
    later.tick();
    assert.equal(later.calls.length, 1);
    assert.throws(() => viz.figureDivHtml(fig, 'bad id"><script>'), /must match/);
  });

  test('standalone page: self-contained, contains the data, escapes labels', () => {
    const fig = viz.barFigure(['cat-A', 'cat-B'], [0.125, 0.875], { title: EVIL, xLabel: EVIL });
    const html = viz.standaloneFigureHtml(fig);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    // no resource loaded from anywhere: no <script src>, no <link href>, no network <img>/<iframe>
    assert.doesNotMatch(html, /<script\b[^>]*\ssrc\s*=/i);
    assert.doesNotMatch(html, /<link\b[^>]*\shref\s*=/i);
    assert.doesNotMatch(html, /<(img|iframe|embed|object|source)\b[^>]*\s(src|href|data)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import\s+url|url\(\s*["']?https?:/i);
    // exactly our two scripts (library + figure), the hostile title could not add one
    assert.equal((html.match(/<script\b/gi) ?? []).length, 2);
    assert.equal((html.match(/<\/script>/gi) ?? []).length, 2);
    assert.ok(html.includes('<title>a&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('"cat-A"') && html.includes('0.875'));
    assert.ok(html.includes(`plotly.js ${viz.plotlyJsVersion()}`));
    const drawn = runFigureScript(html, true);
    assert.deepEqual(plain((drawn.calls[0][1] as { y: number[] }[])[0].y), [0.125, 0.875]);
  });

  test('library wrapper sets window.Plotly under RequireJS (define/require present), never calls define', () => {
    const code = scriptBodies(viz.plotlyLibraryHtml())[0];
    let defineCalls = 0;
    const define = Object.assign(() => void defineCalls++, { amd: {} });
    // a permissive fake DOM: every property is a callable fake, enough for plotly's load-time setup
    const fake = (): unknown =>
      new Proxy(function () {}, {
        get: (t, k) => (k === 'prototype' ? (t as { prototype: unknown }).prototype : typeof k === 'symbol' ? undefined : k === 'length' ? 0 : k === 'toString' ? () => '' : fake()),
        set: () => true,
        apply: () => fake(),
        construct: () => fake() as object,
      });
    const ctx: Record<string, unknown> = {
      define, require: () => { throw new Error('RequireJS require() called'); },
      console, setTimeout, clearTimeout, navigator: { userAgent: 'node', platform: 'linux', vendor: '' },
      document: fake(), location: { href: 'about:blank' }, DOMParser: function () { return fake(); },
      getComputedStyle: () => ({}), URL: { createObjectURL: () => 'blob:x' }, Blob: function () {}, TextDecoder, TextEncoder,
    };
    vm.createContext(ctx);
    vm.runInContext('this.window = this; this.self = this;', ctx);
    vm.runInContext(code, ctx);
    const P = ctx.Plotly as { version: string; newPlot: unknown };
    assert.equal(P.version, viz.plotlyJsVersion());
    assert.equal(typeof P.newPlot, 'function');
    assert.equal(defineCalls, 0);
    vm.runInContext(code, ctx); // a second injection keeps the loaded instance
    assert.equal(ctx.Plotly, P);
  });
});

describe('show (display)', () => {
  test('outside tslab: no-ops with one-line fallbacks, never loads tslab', () => {
    viz.setDisplayProvider(null);
    assert.equal(viz.inNotebook(), false);
    quiet = [];
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000002000000030806000000', 'hex');
    viz.showFigure(viz.lineFigure({ loss: [1, 2] }, { title: 'L' }));
    viz.showHtml('<b>x</b>');
    viz.showImage(png);
    viz.showText('plain');
    viz.showSvg('<svg/>');
    viz.showTable([{ a: 1 }], { caption: 'T' });
    viz.liveLinePlot('curve', ['a']).close();
    assert.equal(quiet.length, 7);
    assert.ok(quiet.every((l) => !l.includes('\n')));
    assert.match(quiet[0], /^\[figure\] line figure "L", 1 trace/);
    assert.match(quiet[2], /PNG 2×3/);
    assert.equal(quiet[3], 'plain');
    assert.ok(!Object.keys(require.cache).some((f) => /[\\/]tslab[\\/]/.test(f)), 'tslab was not loaded');
    assert.throws(() => viz.showImage(Buffer.from('not an image')), /PNG, JPEG or GIF/);
  });

  test('in a notebook: one output per figure, plotly mime bundle with an HTML fallback, no library copy', () => {
    const { provider, outputs } = recorder();
    viz.setDisplayProvider(provider);
    try {
      const fig = viz.scatterFigure({ x: [1], y: [2] });
      viz.showFigure(fig);
      viz.showFigure(fig, { id: 'second' });
      assert.equal(outputs.length, 2);
      assert.equal(outputs[0].mime, viz.PLOTLY_MIME);
      const json = outputs[0].data?.[viz.PLOTLY_MIME] as { data: { x: number[]; y: number[] }[]; layout: object };
      assert.deepEqual(plain(json.data[0].x), [1]);
      assert.ok(json.layout && typeof json.layout === 'object');
      assert.ok((outputs[0].value as string).includes('newPlot'));
      assert.ok((outputs[0].value as string).length < 20_000, 'the output does not inline plotly.js');
      assert.ok(String(outputs[0].data?.['text/plain']).startsWith('['));
      assert.ok((outputs[1].value as string).includes('id="second"'));
      viz.showImage(Buffer.from('89504e470d0a1a0a0000000d4948445200000002000000030806000000', 'hex'), { width: 20 });
      assert.equal(outputs[2].mime, 'text/html');
      assert.match(outputs[2].value as string, /^<img src="data:image\/png;base64,[^"]+" width="20".*pixelated/);
      viz.showText('t');
      assert.deepEqual(outputs[3], { entry: 'main', mime: 'text/plain', value: 't' });
    } finally {
      viz.setDisplayProvider(null);
    }
  });

  test('HTML fallback under RequireJS (classic Notebook): plotly.js required from the nbextensions path', () => {
    const html = viz.figureDivHtml(viz.lineFigure({ a: [1, 2] }), 'rq1');
    const calls: unknown[][] = [];
    const configs: unknown[] = [];
    const el = { textContent: 'placeholder', style: { color: '' } };
    const P = { newPlot: (...a: unknown[]) => calls.push(a) };
    const requirejs = Object.assign((mods: string[], ok: (p: unknown) => void) => { assert.deepEqual(plain(mods), ['cmrp-plotly']); ok(P); }, {
      config: (c: unknown) => configs.push(c),
    });
    const ctx: Record<string, unknown> = {
      document: { getElementById: () => el, body: { getAttribute: (k: string) => (k === 'data-base-url' ? '/base/' : null) } },
      requirejs, setInterval: () => { throw new Error('must not poll'); },
    };
    ctx.window = ctx;
    vm.createContext(ctx);
    vm.runInContext(scriptBodies(html)[0], ctx);
    assert.deepEqual(plain(configs), [{ paths: { 'cmrp-plotly': '/base/nbextensions/cmrp-lab/plotly' } }]);
    assert.equal(calls.length, 1);
    assert.equal(ctx.Plotly, P);
  });

  test('liveLinePlot redraws one display entry, throttled, final state on close', () => {
    const { provider, outputs } = recorder();
    viz.setDisplayProvider(provider);
    try {
      const live = viz.liveLinePlot('Loss <b>', ['train', 'val'], { throttleMs: 60_000 });
      live.push(0, [1, 2]); // first push draws
      live.push(1, { train: 0.5 }); // throttled
      live.push(2, new Float32Array([0.25, 1]));
      assert.equal(outputs.filter((o) => o.entry !== 'main').length, 1);
      live.close();
      live.close();
      const entries = outputs.filter((o) => o.entry !== 'main');
      assert.equal(entries.length, 2);
      assert.ok(entries.every((o) => o.entry === 'display-0' && o.mime === viz.PLOTLY_MIME));
      assert.ok((entries[1].value as string).includes('Loss \\u003cb\\u003e'));
      const drawn = runFigureScript(entries[1].value as string, true);
      const data = drawn.calls[0][1] as { name: string; x: number[]; y: number[] }[];
      assert.deepEqual(plain(data.map((d) => [d.name, d.x, d.y])), [['train', [0, 1, 2], [1, 0.5, 0.25]], ['val', [0, 2], [2, 1]]]);
      assert.throws(() => live.push(3, [1, 1]), /closed/);
      assert.equal(live.figure().data.length, 2);
      assert.throws(() => viz.liveLinePlot('x', ['a']).push(0, [1, 2]), /2 values for 1 series/);
    } finally {
      viz.setDisplayProvider(null);
    }
  });
});

describe('exportFigure', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-viz-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes <dir>/<name>.html atomically (overwrites, leaves no temp files)', () => {
    const fig = viz.lineFigure({ acc: [0.1, 0.9] }, { title: 'Accuracy' });
    const out = viz.exportFigure(fig, 'acc-curve_1', { dir: path.join(dir, 'figs') });
    assert.deepEqual(out, { html: path.join(dir, 'figs', 'acc-curve_1.html') });
    const first = fs.readFileSync(out.html, 'utf8');
    assert.ok(first.includes('<title>Accuracy</title>') && first.includes('0.9'));
    viz.exportFigure(viz.lineFigure({ acc: [0.2, 0.7] }), 'acc-curve_1', { dir: path.join(dir, 'figs'), title: 'again' });
    assert.ok(fs.readFileSync(out.html, 'utf8').includes('<title>again</title>'));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'figs')), ['acc-curve_1.html']);
  });

  test('rejects unsafe names and unavailable formats before writing anything', async () => {
    const fig = viz.lineFigure({ a: [1] });
    for (const bad of ['', '../evil', 'a/b', 'a.b', 'with space', 'x\u0000', 'é', 'a'.repeat(121)]) {
      assert.throws(() => viz.exportFigure(fig, bad, { dir: path.join(dir, 'bad') }), (e: unknown) => e instanceof UserError && /not a safe file stem/.test((e as Error).message), bad);
    }
    // as on a machine without Chromium (exportFigure looks for one on the first request for images)
    const savedChromium = process.env.CMRP_CHROMIUM;
    process.env.CMRP_CHROMIUM = path.join(dir, 'no-chromium');
    try {
      await assert.rejects(viz.exportFigures({ img: fig }, { dir: path.join(dir, 'bad'), images: ['png'] }), /PNG export is not available yet: it needs headless Chromium/);
    } finally {
      if (savedChromium === undefined) delete process.env.CMRP_CHROMIUM;
      else process.env.CMRP_CHROMIUM = savedChromium;
    }
    assert.equal(fs.existsSync(path.join(dir, 'bad')), false);
  });

  test('raster hook: a registered rasterizer gets the written pages as one batch', async () => {
    const seen: viz.RasterRequest[][] = [];
    viz.setFigureRasterizer(async (reqs) => (seen.push(reqs), reqs.map((req) => (req.format === 'svg' ? '<svg/>' : Buffer.from([1, 2, 3])))));
    try {
      const both = await viz.exportFigures({ hooked: viz.lineFigure({ a: [1] }, { height: 300 }), other: viz.lineFigure({ b: [2] }) }, { dir, images: ['png', 'svg'] });
      const out = both.hooked;
      assert.equal(seen.length, 1, 'one call for the batch');
      assert.equal(seen[0].length, 4);
      assert.equal(both.other.svg, path.join(dir, 'other.svg'));
      assert.equal(out.png, path.join(dir, 'hooked.png'));
      assert.equal(fs.readFileSync(out.svg!, 'utf8'), '<svg/>');
      assert.equal(seen[0][0].htmlPath, out.html);
      assert.equal(seen[0][0].height, 300);
    } finally {
      viz.setFigureRasterizer(null);
    }
  });

  test('default dir is figuresDir() ($CMRP_FIGURES_DIR here, so the real figures/ is untouched)', () => {
    const saved = process.env.CMRP_FIGURES_DIR;
    try {
      process.env.CMRP_FIGURES_DIR = path.join(dir, 'default');
      const out = viz.exportFigure(viz.lineFigure({ a: [1] }), 'dflt');
      assert.equal(out.html, path.join(dir, 'default', 'dflt.html'));
      assert.ok(fs.existsSync(out.html));
    } finally {
      if (saved === undefined) delete process.env.CMRP_FIGURES_DIR;
      else process.env.CMRP_FIGURES_DIR = saved;
    }
  });
});

describe('imageGrid', () => {
  /** An RGB checkerboard of size×size with 1-pixel squares. */
  function checker(size: number): Promise<Buffer> {
    const px = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) px.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    return sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  }

  test('PNG of the expected size; nearest-neighbour keeps pixels crisp', async () => {
    const img = await checker(32);
    const images = Array.from({ length: 5 }, (_, i) => ({ png: img, label: i === 1 ? `<b>&"label ${i}"</b> very long label text` : `#${i}` }));
    const png = await viz.imageGrid(images, { columns: 3, cellSize: 64 });
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    // 3 columns × 64 + 2 gaps + 2 borders of 4; 2 rows × (64 + label 17) + 1 gap + 2 borders
    assert.deepEqual([meta.width, meta.height], [3 * 64 + 2 * 4 + 8, 2 * (64 + 17) + 4 + 8]);
    const g = viz.gridLayout(5, true, { columns: 3, cellSize: 64 });
    assert.deepEqual([g.width, g.height], [meta.width, meta.height]);
    // first cell (offset 4,4), 2×2 blocks per source pixel, only pure black/white
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels];
    const values = new Set<number>();
    for (let y = 4; y < 68; y++) for (let x = 4; x < 68; x++) values.add(at(x, y));
    assert.deepEqual([...values].sort((a, b) => a - b), [0, 255]);
    assert.equal(at(4, 4), at(5, 5));
    assert.notEqual(at(4, 4), at(6, 4));
  });

  test('file paths, no labels, errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-grid-'));
    try {
      const file = path.join(dir, 'a.png');
      fs.writeFileSync(file, await checker(8));
      const png = await viz.imageGrid([{ png: file }, { png: file }], { cellSize: { width: 16, height: 8 }, gap: 0 });
      const meta = await sharp(png).metadata();
      assert.deepEqual([meta.width, meta.height], [32, 8]);
      await assert.rejects(viz.imageGrid([{ png: path.join(dir, 'missing.png'), label: 'gone' }]), /cannot read image 0 "gone"/);
      await assert.rejects(viz.imageGrid([]), /at least one image/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tables', () => {
  test('showTable escapes HTML in keys, values and caption; formats numbers', () => {
    const rows = [
      { model: '<script>alert("x")</script>', 'acc<>': 0.812345, n: 12, tiny: 1e-7 },
      { model: 'base & co', 'acc<>': NaN, n: 7, tiny: null },
    ];
    const html = viz.tableHtml(rows, { caption: 'T <1> & "2"', digits: 3 });
    assert.ok(!html.includes('<script'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('acc&lt;&gt;') && html.includes('base &amp; co'));
    assert.ok(html.includes('T &lt;1&gt; &amp; &quot;2&quot;</caption>'));
    assert.ok(html.includes('>0.812<') && html.includes('>1.00e-7<') && html.includes('>NaN<') && html.includes('>12<'));
    assert.match(html, /text-align:right;[^>]*>0\.812</);
  });

  test('maxRows, columns and DataFrame-like input', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ i, sq: i * i }));
    const html = viz.tableHtml(rows, { maxRows: 2, columns: ['sq'] });
    assert.ok(html.includes('3 more rows (5 in all)'));
    assert.ok(!html.includes('>i<'));
    assert.throws(() => viz.tableHtml(rows, { columns: ['nope'] }), /no column/);
    const frameLike = { columns: ['a'], values: [[1], [2]], index: ['x', 'y'] };
    assert.ok(viz.tableHtml(frameLike).includes('>x</th>'));
  });

  test('toDataFrame builds a danfo DataFrame that showTable renders; our tfjs kernels survive', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    const ours = tf.getKernel('Add', 'cpu');
    assert.ok(ours);
    const df = viz.toDataFrame([{ a: 1, b: '<i>' }, { a: 2.5, b: 'z' }]);
    assert.equal(tf.getKernel('Add', 'cpu'), ours, 'danfo\'s tfjs 3 must not replace our CPU kernels');
    assert.deepEqual(df.columns, ['a', 'b']);
    const html = viz.tableHtml(df, { digits: 1 });
    assert.ok(html.includes('>2.5<') && html.includes('&lt;i&gt;'));
  });
});
