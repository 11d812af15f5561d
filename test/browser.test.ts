/**
 * The notebooks in a real browser: notebook 01 executed headless with the smoke configs, served on
 * localhost and opened in headless Chromium (playwright-core driving the system browser, see
 * src/browser/chromium.ts), once in JupyterLab 4 (the project's venv, environment/jupyterlab.sh) and
 * once in the classic Notebook (Debian's jupyter-notebook). Every figure output must be drawn by
 * plotly.js (`.main-svg` inside it), the page's scripts must raise no error, and a screenshot is
 * taken (a non-blank PNG; kept when the test fails, or in $CMRP_SCREENSHOT_DIR).
 *
 * JupyterLab draws the figures from their plotly mime data (the jupyterlab-plotly extension), so the
 * notebook is opened untrusted there: no output script is needed. The classic Notebook runs the HTML
 * fallback, whose script needs trust: that copy is signed with a private Jupyter data dir.
 * $CMRP_LAB_NOTEBOOKS (comma-separated) opens other notebooks in JupyterLab (e.g. 03 and 04 for
 * the README's screenshots). Skips, saying why, when Chromium, JupyterLab or jupyter-notebook is absent.
 */
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { executeNotebook } from '../src/notebooks/execute';
import { projectRoot } from '../src/util/paths';
import { CHROMIUM_INSTALL_HINT, chromiumSearchDescription, findChromium, launchChromium, watchPage } from '../src/browser/chromium';
import { countFigureOutputs, JupyterServer, pngVariety, sleep, startJupyter } from './jupyter-helpers';

const root = projectRoot();
const CLASSIC_NOTEBOOK = '01-dataset-construction.ipynb';
const LAB_NOTEBOOKS = (process.env.CMRP_LAB_NOTEBOOKS ?? CLASSIC_NOTEBOOK).split(',').map((s) => s.trim()).filter(Boolean);
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const LAB_BIN = path.join(root, '.cache', 'venv-lab', 'bin', 'jupyter-lab');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-browser-'));
const shotDir = process.env.CMRP_SCREENSHOT_DIR ? path.resolve(process.env.CMRP_SCREENSHOT_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-screens-'));
let failed = false;
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!process.env.CMRP_SCREENSHOT_DIR) {
    if (!failed) fs.rmSync(shotDir, { recursive: true, force: true });
    else console.error(`# screenshots kept in ${shotDir}`);
  }
});

/** Private Jupyter dirs (trust database, settings, runtime) and the project's kernel. */
function jupyterEnv(name: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_PATH: path.join(root, '.cache', 'jupyter'), // the project's cmrp-lab kernel, plotly.js for the classic Notebook
    JUPYTER_DATA_DIR: path.join(tmp, name, 'data'),
    JUPYTER_CONFIG_DIR: path.join(tmp, name, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(tmp, name, 'runtime'),
    CMRP_ROOT: root,
    CMRP_SMOKE: '1',
    CMRP_FIGURES_DIR: path.join(tmp, 'figures'),
  };
}

/** Each notebook executed once (smoke configs) into tmp/<dir>, shared by the tests. */
const executed = new Map<string, Promise<string>>();
function executedCopy(nb: string): Promise<string> {
  if (!executed.has(nb)) {
    executed.set(nb, (async () => {
      const r = await executeNotebook(path.join(root, 'notebooks', nb), {
        outDir: path.join(tmp, 'executed'),
        cellTimeoutS: 600,
        env: { CMRP_SMOKE: '1', CMRP_FIGURES_DIR: path.join(tmp, 'figures') },
      });
      assert.ok(r.ok, `${nb} failed:\n${r.log}`);
      return r.output;
    })());
  }
  return executed.get(nb)!;
}

/** A copy of the executed notebook in a folder of its own, served by one server. */
function serve(file: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, path.basename(file));
  fs.copyFileSync(file, dest);
  return dest;
}

async function screenshotCheck(png: Buffer): Promise<void> {
  const v = await pngVariety(png);
  assert.deepEqual([v.width, v.height], [1280, 1000]);
  assert.ok(v.maxStdev > 10 && v.colours > 20, `the screenshot looks blank (stdev ${v.maxStdev.toFixed(1)}, ${v.colours} colours)`);
}

interface FigureState { loaded: boolean; figures: number; drawn: number; undrawn: string[] }

/** In JupyterLab: the notebook's plotly outputs, and how many hold a drawn plot. */
const LAB_STATE = `(() => {
  const outs = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output.jp-RenderedPlotly')];
  return {
    loaded: !!document.querySelector('.jp-Notebook .jp-Cell'),
    figures: outs.length,
    drawn: outs.filter((f) => f.querySelector('.main-svg')).length,
    undrawn: outs.filter((f) => !f.querySelector('.main-svg')).map((f) => String(f.textContent || '').slice(0, 200)),
  };
})()`;

/** In the classic Notebook: the figure divs of the HTML fallback, and how many hold a drawn plot. */
const CLASSIC_STATE = `(() => {
  const nb = window.Jupyter && window.Jupyter.notebook;
  const figs = [...document.querySelectorAll('.output_area .cmrp-figure')];
  return {
    loaded: !!(nb && nb._fully_loaded),
    trusted: !!(nb && nb.trusted),
    figures: figs.length,
    drawn: figs.filter((f) => f.querySelector('.main-svg')).length,
    undrawn: figs.filter((f) => !f.querySelector('.main-svg')).map((f) => String(f.textContent || '').slice(0, 200)),
    plotly: !!(window.Plotly && window.Plotly.version),
  };
})()`;

async function waitFor<T extends FigureState>(evalState: () => Promise<T>, expected: number, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await evalState();
    if ((s.loaded && s.figures >= expected && s.drawn === s.figures) || Date.now() > deadline) return s;
    await sleep(250);
  }
}

/** JupyterLab settings for a quiet page: no news toast, every cell rendered (no windowing). */
function labSettings(configDir: string): void {
  const put = (plugin: string, value: object) => {
    const file = path.join(configDir, 'lab', 'user-settings', ...plugin.split(':')) + '.jupyterlab-settings';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value));
  };
  put('@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false });
  put('@jupyterlab/notebook-extension:tracker', { windowingMode: 'none' });
}

let browser: Browser | null = null;
after(async () => {
  if (browser) await browser.close();
});

for (const nb of LAB_NOTEBOOKS) {
  test(`notebook ${nb} renders its figures in JupyterLab 4 (headless Chromium)`, { timeout: 900_000 }, async (t) => {
    const chromium = findChromium();
    if (!chromium) return t.skip(`no Chromium (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
    if (!fs.existsSync(LAB_BIN)) return t.skip(`JupyterLab is not installed in .cache/venv-lab: \`make setup\` installs it (environment/jupyterlab.sh)`);
    let server: JupyterServer | null = null;
    try {
      const t0 = Date.now();
      const file = serve(await executedCopy(nb), path.join(tmp, 'lab'));
      const expected = countFigureOutputs(file, 'application/vnd.plotly.v1+json');
      assert.ok(expected >= 1, `${nb} has no figure outputs`);
      const tExec = Date.now();
      const env = jupyterEnv('lab');
      labSettings(env.JUPYTER_CONFIG_DIR!);
      server = await startJupyter([LAB_BIN], 'ServerApp', path.dirname(file), env, env.JUPYTER_RUNTIME_DIR!, [
        '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
        '--LabApp.news_url=',
      ]);
      browser ??= await launchChromium({ executable: chromium });
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems = watchPage(page);
      await page.goto(`${server.url}/lab/tree/${encodeURIComponent(nb)}?reset`, { timeout: 60_000 });
      const state = await waitFor(() => page.evaluate(LAB_STATE) as Promise<FigureState>, expected, 90_000);
      // the first figure in view (twice: outputs above it may still grow while JupyterLab lays out)
      for (let i = 0; i < 2; i++) {
        await page.evaluate(`(() => { const f = document.querySelector('.jp-OutputArea-output.jp-RenderedPlotly'); if (f) f.scrollIntoView({ block: 'start' }); })()`);
        await sleep(1000);
      }
      const png = await page.screenshot();
      const shot = path.join(shotDir, `jupyterlab-${nb.replace(/\.ipynb$/, '')}.png`);
      fs.mkdirSync(shotDir, { recursive: true });
      fs.writeFileSync(shot, png);
      t.diagnostic(`executed ${((tExec - t0) / 1000).toFixed(1)} s, JupyterLab page ${((Date.now() - tExec) / 1000).toFixed(1)} s; ${state.drawn}/${state.figures} plotly outputs drawn; screenshot ${shot}`);
      if (problems.logErrors.length > 0) t.diagnostic(`browser log errors (not counted as script errors): ${problems.logErrors.slice(0, 5).join(' | ')}`);
      assert.ok(state.loaded, 'the notebook did not open');
      assert.equal(state.figures, expected, 'plotly outputs in the page vs figure outputs in the notebook file');
      assert.deepEqual(state.undrawn, [], 'figures not drawn by plotly.js (their text)');
      assert.deepEqual(problems.scriptErrors, [], 'script errors in the page');
      await screenshotCheck(png);
      await page.close();
    } catch (err) {
      failed = true;
      if (server) t.diagnostic(`server log: ${server.log().slice(-3000)}`);
      throw err;
    } finally {
      if (server) await server.stop();
    }
  });
}

/** How to start the classic Notebook here, or null: Debian's python3 module, else a jupyter-notebook binary. */
function notebookCommand(): string[] | null {
  if (spawnSync(PYTHON, ['-c', 'import notebook, nbformat.sign'], { stdio: 'ignore' }).status === 0) return [PYTHON, '-m', 'notebook'];
  const bin = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'jupyter-notebook')).find((f) => fs.existsSync(f));
  return bin ? [bin] : null;
}

test(`notebook ${CLASSIC_NOTEBOOK} renders its figures in the classic Notebook (headless Chromium)`, { timeout: 600_000 }, async (t) => {
  const chromium = findChromium();
  if (!chromium) return t.skip(`no Chromium (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
  const notebookCmd = notebookCommand();
  if (!notebookCmd) return t.skip('jupyter-notebook is not installed: `make setup` installs it (Debian package jupyter-notebook)');
  let server: JupyterServer | null = null;
  try {
    const t0 = Date.now();
    const env = jupyterEnv('classic');
    const file = serve(await executedCopy(CLASSIC_NOTEBOOK), path.join(tmp, 'classic'));
    const expected = countFigureOutputs(file);
    assert.ok(expected >= 1, `${CLASSIC_NOTEBOOK} has no figure outputs`);
    const sign = spawnSync(PYTHON, ['-m', 'nbformat.sign', file], { env, encoding: 'utf8' });
    assert.equal(sign.status, 0, `signing the executed notebook failed: ${sign.stderr}`);
    const tExec = Date.now();
    server = await startJupyter(notebookCmd, 'NotebookApp', path.dirname(file), env, env.JUPYTER_RUNTIME_DIR!);
    browser ??= await launchChromium({ executable: chromium });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems = watchPage(page);
    await page.goto(`${server.url}/notebooks/${encodeURIComponent(CLASSIC_NOTEBOOK)}`, { timeout: 60_000 });
    type ClassicState = FigureState & { trusted: boolean; plotly: boolean };
    const state = await waitFor(() => page.evaluate(CLASSIC_STATE) as Promise<ClassicState>, expected, 60_000);
    await page.evaluate(`(() => { const f = document.querySelector('.output_area .cmrp-figure'); if (f) f.scrollIntoView({ block: 'start' }); })()`);
    await sleep(300);
    const png = await page.screenshot();
    const shot = path.join(shotDir, `classic-${CLASSIC_NOTEBOOK.replace(/\.ipynb$/, '')}.png`);
    fs.mkdirSync(shotDir, { recursive: true });
    fs.writeFileSync(shot, png);
    t.diagnostic(`page ${((Date.now() - tExec) / 1000).toFixed(1)} s (executed in ${((tExec - t0) / 1000).toFixed(1)} s); ${state.drawn}/${state.figures} figures drawn; screenshot ${shot}`);
    if (problems.logErrors.length > 0) t.diagnostic(`browser log errors (not counted as script errors): ${problems.logErrors.slice(0, 5).join(' | ')}`);
    assert.ok(state.loaded, 'the notebook did not finish loading');
    assert.ok(state.trusted, 'the notebook is not trusted, so its output scripts did not run');
    assert.ok(state.plotly, 'plotly.js was not loaded from the server (nbextensions/cmrp-lab/plotly.js)');
    assert.equal(state.figures, expected, 'figure outputs in the page vs in the notebook file');
    assert.deepEqual(state.undrawn, [], 'figures not drawn by plotly.js (their text)');
    assert.deepEqual(problems.scriptErrors, [], 'script errors in the page');
    await screenshotCheck(png);
    await page.close();
  } catch (err) {
    failed = true;
    if (server) t.diagnostic(`server log: ${server.log().slice(-3000)}`);
    throw err;
  } finally {
    if (server) await server.stop();
  }
});
