/**
 * PNG/SVG export of figures through headless Chromium (src/viz/rasterize.ts behind exportFigures'
 * raster hook, playwright-core driving the system browser, one browser per batch): real images of the plot at the asked size, plotly's own SVG, argument errors that
 * write nothing, and a clear UserError when no Chromium is found. The tests that need the browser
 * skip, saying why, where it is absent.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as viz from '../src/viz/index';
import { UserError } from '../src/util/errors';
import { chromiumRasterizer, decodeDataUrl } from '../src/viz/rasterize';
import { chromiumSearchDescription, findChromium } from '../src/browser/chromium';

const chromium = findChromium();
const NO_CHROMIUM = `no Chromium here (${chromiumSearchDescription()})`;

let dir: string;
const savedChromiumEnv = process.env.CMRP_CHROMIUM;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-raster-'));
});
afterEach(() => {
  viz.setFigureRasterizer(null);
  if (savedChromiumEnv === undefined) delete process.env.CMRP_CHROMIUM;
  else process.env.CMRP_CHROMIUM = savedChromiumEnv;
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

function barFig() {
  return viz.barFigure(['cat-A', 'cat-B', 'cat-C'], [0.25, 0.875, 0.5], { title: 'Raster test', yLabel: 'score' });
}

describe('with Chromium', () => {
  test('PNG and SVG of a bar chart: real images at width*scale, plotly\'s SVG', async (t) => {
    if (!chromium) return t.skip(NO_CHROMIUM);
    const t0 = Date.now();
    const out = (await viz.exportFigures({ bars: barFig() }, { dir, images: ['png', 'svg'], width: 400, height: 300, scale: 2 })).bars;
    t.diagnostic(`PNG + SVG in ${((Date.now() - t0) / 1000).toFixed(1)} s (one headless Chromium)`);
    assert.deepEqual(out, { html: path.join(dir, 'bars.html'), png: path.join(dir, 'bars.png'), svg: path.join(dir, 'bars.svg') });
    assert.ok(viz.rasterExportAvailable(), 'the first request for images registered the Chromium rasterizer');

    const png = fs.readFileSync(out.png!);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.deepEqual([meta.width, meta.height], [800, 600]);
    // not blank: the channels vary, and the bars are drawn in the first palette colour
    const stats = await sharp(png).stats();
    assert.ok(Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev)) > 20, 'the PNG is (nearly) one colour');
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const [r, g, b] = hex(viz.PALETTE[0]);
    let barPixels = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 24) barPixels++;
    }
    // three bars of a 800x600 image: tens of thousands of pixels in the bar colour
    assert.ok(barPixels > 20000, `only ${barPixels} pixels in the bar colour ${viz.PALETTE[0]}`);
    const white = stats.channels.slice(0, 3).every((c) => c.max === 255);
    assert.ok(white, 'white background present');

    const svg = fs.readFileSync(out.svg!, 'utf8');
    assert.match(svg, /^<svg\b/);
    assert.ok(svg.includes('class="main-svg"'), 'plotly\'s main-svg');
    assert.match(svg, /viewBox="0 0 400 300"/);
    for (const text of ['cat-A', 'cat-C', 'Raster test', 'score']) assert.ok(svg.includes(`>${text}<`), `SVG text ${text}`);
    assert.ok((svg.match(/class="point"/g) ?? []).length === 3, 'three bars');
    // nothing else left in the folder (no temporary files)
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('bars')).sort(), ['bars.html', 'bars.png', 'bars.svg']);
  });

  test('default size: the layout height, 900 wide, scale 2', async (t) => {
    if (!chromium) return t.skip(NO_CHROMIUM);
    const fig = viz.lineFigure({ loss: [3, 2, 1.5, 1.2] }, { title: 'Loss', height: 250 });
    const t0 = Date.now();
    const out = (await viz.exportFigures({ loss: fig }, { dir, images: ['png'] })).loss;
    t.diagnostic(`PNG in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const meta = await sharp(out.png!).metadata();
    assert.deepEqual([meta.width, meta.height], [1800, 500]);
  });

  test('a batch of 4 figures, PNG and SVG, one browser', async (t) => {
    if (!chromium) return t.skip(NO_CHROMIUM);
    const figs: Record<string, viz.Figure> = {};
    for (let i = 0; i < 4; i++) figs[`batch-${i}`] = viz.lineFigure({ [`s${i}`]: [1, 2 + i, 3] }, { title: `fig ${i}` });
    const t0 = Date.now();
    const out = await viz.exportFigures(figs, { dir: path.join(dir, 'batch'), images: ['png', 'svg'] });
    const s = (Date.now() - t0) / 1000;
    t.diagnostic(`4 figures, PNG + SVG, in ${s.toFixed(1)} s`);
    for (let i = 0; i < 4; i++) {
      const f = out[`batch-${i}`];
      assert.equal((await sharp(f.png!).metadata()).format, 'png');
      assert.ok(fs.readFileSync(f.svg!, 'utf8').includes(`>fig ${i}<`), `SVG ${i} shows its own title`);
    }
    assert.ok(s < 60, `took ${s.toFixed(1)} s`);
  });

  test('a browser that cannot start: a clear error, nothing written', async () => {
    const missing = path.join(dir, 'no-such-chromium');
    viz.setFigureRasterizer(chromiumRasterizer({ executable: missing }));
    await assert.rejects(
      viz.exportFigures({ nostart: barFig() }, { dir: path.join(dir, 'nostart'), images: ['png'] }),
      (e: unknown) => e instanceof UserError && /cannot start Chromium .*no-such-chromium.*sudo apt-get install chromium/.test((e as Error).message),
    );
    // the page written for the browser is removed again: it did not exist before
    assert.deepEqual(fs.readdirSync(path.join(dir, 'nostart')), []);
  });
});

describe('errors that write nothing', () => {
  test('bad name, format or size: UserError before anything is written', async () => {
    viz.setFigureRasterizer(async () => {
      throw new Error('the rasterizer must not be reached');
    });
    const target = path.join(dir, 'never');
    const cases: [string, viz.ExportImagesOptions, RegExp][] = [
      ['../evil', { images: ['png'] }, /not a safe file stem/],
      ['a.png', { images: ['png'] }, /not a safe file stem/],
      ['ok', { images: ['jpeg' as viz.RasterFormat] }, /unknown image format "jpeg": use 'png' or 'svg'/],
      ['ok', { images: ['png'], width: 0 }, /image width 0 is not a positive number/],
      ['ok', { images: ['svg'], height: NaN }, /image height NaN is not a positive number/],
      ['ok', { images: ['png'], scale: -1 }, /image scale -1 is not a positive number/],
      ['ok', { images: ['png'], width: 9000, scale: 2 }, /exceeds 16384 pixels a side/],
    ];
    for (const [name, opts, re] of cases) {
      await assert.rejects(viz.exportFigures({ good: barFig(), [name]: barFig() }, { dir: target, ...opts }), (e: unknown) => e instanceof UserError && re.test((e as Error).message), `${name} ${JSON.stringify(opts)}`);
    }
    assert.throws(() => viz.exportFigure(barFig(), 'x', { dir: target, images: ['png'] } as viz.ExportOptions), /exportFigure writes HTML only: for images use `await viz.exportFigures/);
    assert.equal(fs.existsSync(target), false);
  });

  test('a failing render leaves no image and removes the new pages; an existing page stays', async () => {
    const target = path.join(dir, 'fails');
    const fake = (tag: string, fail: boolean): viz.FigureRasterizer => async (reqs) => {
      if (fail) throw new Error('render failed');
      return reqs.map((r) => (r.format === 'svg' ? `<svg>${tag}</svg>` : Buffer.from([1])));
    };
    viz.setFigureRasterizer(fake('', true));
    await assert.rejects(viz.exportFigures({ f: barFig(), g: barFig() }, { dir: target, images: ['png', 'svg'] }), /render failed/);
    assert.deepEqual(fs.readdirSync(target), []);
    // an earlier export of the same name: its page is overwritten (the new figure), its images kept
    viz.setFigureRasterizer(fake('old', false));
    const first = await viz.exportFigures({ f: barFig() }, { dir: target, images: ['png', 'svg'] });
    assert.deepEqual(Object.keys(first.f).sort(), ['html', 'png', 'svg']);
    viz.setFigureRasterizer(fake('new', true));
    await assert.rejects(viz.exportFigures({ f: barFig(), g: barFig() }, { dir: target, images: ['png', 'svg'] }), /render failed/);
    assert.deepEqual(fs.readdirSync(target).sort(), ['f.html', 'f.png', 'f.svg']);
    assert.equal(fs.readFileSync(path.join(target, 'f.svg'), 'utf8'), '<svg>old</svg>');
  });
});

describe('no Chromium', () => {
  test('findChromium: $CMRP_CHROMIUM decides alone when set; else the usual names on PATH', () => {
    assert.equal(findChromium({ PATH: '' }), null);
    assert.equal(findChromium({ PATH: dir, CMRP_CHROMIUM: path.join(dir, 'nope') }), null);
    const fake = path.join(dir, 'bin', 'chromium-browser');
    fs.mkdirSync(path.dirname(fake), { recursive: true });
    fs.writeFileSync(fake, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    assert.equal(findChromium({ PATH: path.dirname(fake) }), fake);
    assert.equal(findChromium({ PATH: '', CMRP_CHROMIUM: fake }), fake);
    assert.equal(findChromium({ PATH: path.dirname(fake), CMRP_CHROMIUM: 'chromium-browser' }), fake);
    assert.match(chromiumSearchDescription({ PATH: '' }), /none of chromium, chromium-browser, google-chrome/);
    assert.match(chromiumSearchDescription({ CMRP_CHROMIUM: '/x/y' }), /CMRP_CHROMIUM=\/x\/y is not an executable file/);
  });

  test('exportFigures({images}): a UserError saying how to install it, nothing written', async () => {
    process.env.CMRP_CHROMIUM = path.join(dir, 'no-chromium-here');
    assert.equal(viz.registerChromiumRasterizer(), false);
    assert.equal(viz.rasterExportAvailable(), false);
    const target = path.join(dir, 'nochromium');
    await assert.rejects(
      viz.exportFigures({ x: barFig() }, { dir: target, images: ['png', 'svg'] }),
      (e: unknown) => {
        const m = (e as Error).message;
        return (
          e instanceof UserError &&
          m.startsWith('PNG/SVG export is not available yet: it needs headless Chromium, which was not found') &&
          m.includes('`sudo apt-get install chromium`') &&
          m.includes('`make setup CMRP_NEED_CHROMIUM=1`') &&
          m.includes(`CMRP_CHROMIUM=${process.env.CMRP_CHROMIUM} is not an executable file`)
        );
      },
    );
    assert.equal(fs.existsSync(target), false);
    // the HTML alone still works
    assert.ok(fs.existsSync(viz.exportFigure(barFig(), 'x', { dir: target }).html));
  });
});

test('decodeDataUrl: base64 PNG and percent-encoded SVG, as Plotly.toImage returns them', () => {
  assert.deepEqual(decodeDataUrl('data:image/png;base64,AQID'), { mime: 'image/png', bytes: Buffer.from([1, 2, 3]) });
  const svg = '<svg class="main-svg"><text>a%b "c"</text></svg>';
  const d = decodeDataUrl('data:image/svg+xml,' + encodeURIComponent(svg));
  assert.equal(d.mime, 'image/svg+xml');
  assert.equal(d.bytes.toString('utf8'), svg);
  assert.throws(() => decodeDataUrl('image/png;base64,AQID'), /not a data URL/);
});
