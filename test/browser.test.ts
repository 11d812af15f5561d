/**
 * The notebooks in a real browser: notebook 01 executed headless with the smoke configs, served by
 * the classic Jupyter Notebook (Debian's jupyter-notebook), opened in headless Chromium. Every figure
 * output must be drawn by plotly.js (`.main-svg` inside it), the page's scripts must raise no error,
 * and a screenshot is taken (a non-blank PNG; kept when the test fails, or in $CMRP_SCREENSHOT_DIR).
 *
 * Skips, saying why, when Chromium or jupyter-notebook is absent. The executed copy is signed
 * (trusted) with a private Jupyter data dir: the classic Notebook runs no output script of an
 * untrusted notebook, and a notebook executed by nbclient is not trusted by anyone yet.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { executeNotebook } from '../src/notebooks/execute';
import { projectRoot } from '../src/util/paths';
import { CHROMIUM_INSTALL_HINT, ChromiumBrowser, chromiumSearchDescription, findChromium } from '../src/viz/rasterize';

const root = projectRoot();
const NOTEBOOK = '01-dataset-construction.ipynb';
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** How to start the classic Notebook here, or null: Debian's python3 module, else a jupyter-notebook binary. */
function notebookCommand(): string[] | null {
  if (spawnSync(PYTHON, ['-c', 'import notebook, nbformat.sign'], { stdio: 'ignore' }).status === 0) return [PYTHON, '-m', 'notebook'];
  const bin = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'jupyter-notebook')).find((f) => fs.existsSync(f));
  return bin ? [bin] : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function request(method: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Figure outputs of an executed notebook: HTML outputs holding a cmrp figure div. */
function countFigureOutputs(file: string): number {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { outputs?: { data?: Record<string, string | string[]> }[] }[] };
  let n = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const html = o.data?.['text/html'];
      if (html && [html].flat().join('').includes('class="cmrp-figure"')) n++;
    }
  }
  return n;
}

/** Is the PNG more than one flat colour? (channel spread, and how many distinct colours) */
async function pngVariety(png: Buffer): Promise<{ width: number; height: number; maxStdev: number; colours: number }> {
  const img = sharp(png);
  const { channels } = await img.stats();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const colours = new Set<number>();
  for (let i = 0; i < data.length && colours.size < 1000; i += 3 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return { width: info.width, height: info.height, maxStdev: Math.max(...channels.map((c) => c.stdev)), colours: colours.size };
}

/** In the page: wait until the notebook is loaded and every figure output is drawn (or the deadline). */
const WAIT_FOR_FIGURES = (expected: number, waitMs: number) => `(async () => {
  const deadline = Date.now() + ${waitMs};
  const state = () => {
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
  };
  for (;;) {
    const s = state();
    if ((s.loaded && s.figures >= ${expected} && s.drawn === s.figures) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
})()`;

test(`notebook ${NOTEBOOK} renders its figures in the classic Notebook (headless Chromium)`, { timeout: 150_000 }, async (t) => {
  const chromium = findChromium();
  if (!chromium) return t.skip(`no Chromium (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
  const notebookCmd = notebookCommand();
  if (!notebookCmd) return t.skip('jupyter-notebook is not installed: `make setup` installs it (Debian package jupyter-notebook)');

  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-browser-'));
  const shotDir = process.env.CMRP_SCREENSHOT_DIR ? path.resolve(process.env.CMRP_SCREENSHOT_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-screens-'));
  fs.mkdirSync(shotDir, { recursive: true });
  let server: ChildProcess | null = null;
  let serverLog = '';
  let browser: ChromiumBrowser | null = null;
  let passed = false;
  const base = { port: 0 };
  const jupyterEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(root, '.cache', 'jupyter'), // the project's cmrp-lab kernel
    JUPYTER_DATA_DIR: path.join(tmp, 'data'), // private notary secret and trust database
    JUPYTER_CONFIG_DIR: path.join(tmp, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
    CMRP_ROOT: root,
    CMRP_SMOKE: '1',
    CMRP_FIGURES_DIR: path.join(tmp, 'figures'),
  };
  try {
    // 1. an executed notebook (smoke configs), trusted
    const nbDir = path.join(tmp, 'notebooks');
    const r = await executeNotebook(path.join(root, 'notebooks', NOTEBOOK), {
      outDir: nbDir,
      cellTimeoutS: 300,
      env: { CMRP_SMOKE: '1', CMRP_FIGURES_DIR: path.join(tmp, 'figures') },
    });
    assert.ok(r.ok, `${NOTEBOOK} failed:\n${r.log}`);
    const expected = countFigureOutputs(r.output);
    assert.ok(expected >= 1, `${NOTEBOOK} has no figure outputs`);
    const sign = spawnSync(PYTHON, ['-m', 'nbformat.sign', r.output], { env: jupyterEnv, encoding: 'utf8' });
    assert.equal(sign.status, 0, `signing the executed notebook failed: ${sign.stderr}`);
    const tExecuted = Date.now();

    // 2. the classic Notebook on a free port, no token, serving only the temporary folder
    base.port = await freePort();
    const args = [
      ...notebookCmd.slice(1),
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${base.port}`,
      '--NotebookApp.port_retries=0',
      "--NotebookApp.token=",
      "--NotebookApp.password=",
      `--notebook-dir=${nbDir}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ];
    server = spawn(notebookCmd[0], args, { env: jupyterEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    server.stdout?.on('data', (d: Buffer) => (serverLog = (serverLog + d.toString()).slice(-8000)));
    server.stderr?.on('data', (d: Buffer) => (serverLog = (serverLog + d.toString()).slice(-8000)));
    const url = `http://127.0.0.1:${base.port}`;
    for (let i = 0; ; i++) {
      const ok = await request('GET', `${url}/api/status`).then((res) => res.status === 200, () => false);
      if (ok) break;
      assert.ok(server.exitCode === null, `jupyter-notebook exited (${server.exitCode}):\n${serverLog}`);
      assert.ok(i < 150, `jupyter-notebook did not answer on ${url} within 30 s:\n${serverLog}`);
      await sleep(200);
    }
    const tServer = Date.now();

    // 3. the notebook page in headless Chromium
    browser = await ChromiumBrowser.launch({ executable: chromium });
    const page = await browser.newPage({ width: 1280, height: 1000 });
    await page.goto(`${url}/notebooks/${NOTEBOOK}`, 45_000);
    const state = await page.evaluate<{ loaded: boolean; trusted: boolean; figures: number; drawn: number; undrawn: string[]; plotly: boolean }>(
      WAIT_FOR_FIGURES(expected, 40_000),
      45_000,
    );
    // the first figure in view, drawn; then the screenshot (taken before asserting, to see failures)
    await page.evaluate(`(() => { const f = document.querySelector('.output_area .cmrp-figure'); if (f) f.scrollIntoView({ block: 'start' }); })()`);
    await sleep(300);
    const png = await page.screenshot();
    const shot = path.join(shotDir, `${NOTEBOOK.replace(/\.ipynb$/, '')}.png`);
    fs.writeFileSync(shot, png);
    const tBrowser = Date.now();
    t.diagnostic(
      `executed ${((tExecuted - t0) / 1000).toFixed(1)} s, server ${((tServer - tExecuted) / 1000).toFixed(1)} s, ` +
        `page ${((tBrowser - tServer) / 1000).toFixed(1)} s; ${state.drawn}/${state.figures} figures drawn; screenshot ${shot} (kept on failure or with CMRP_SCREENSHOT_DIR)`,
    );
    if (page.logErrors.length > 0) t.diagnostic(`browser log errors (not counted as script errors): ${page.logErrors.join(' | ')}`);

    assert.ok(state.loaded, 'the notebook did not finish loading');
    assert.ok(state.trusted, 'the notebook is not trusted, so its output scripts did not run');
    assert.ok(state.plotly, 'plotly.js is not loaded in the page');
    assert.equal(state.figures, expected, `figure outputs in the page vs in the notebook file`);
    assert.deepEqual(state.undrawn, [], 'figures not drawn by plotly.js (their text)');
    assert.equal(state.drawn, expected);
    assert.deepEqual(page.scriptErrors, [], 'script errors in the page');
    const v = await pngVariety(png);
    assert.deepEqual([v.width, v.height], [1280, 1000]);
    assert.ok(v.maxStdev > 10 && v.colours > 20, `the screenshot looks blank (stdev ${v.maxStdev.toFixed(1)}, ${v.colours} colours)`);
    passed = true;
  } finally {
    if (browser) await browser.close();
    if (server) await stopServer(server, base.port, tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!process.env.CMRP_SCREENSHOT_DIR) {
      if (passed) fs.rmSync(shotDir, { recursive: true, force: true });
      else t.diagnostic(`screenshot kept in ${shotDir}`);
    }
  }
});

/**
 * Shut the kernels down through the REST API, stop the server (SIGTERM, then SIGKILL to its process
 * group), and end any kernel still running from this test's runtime folder (kernels run in a
 * session of their own, outside the server's group).
 */
async function stopServer(server: ChildProcess, port: number, tmp: string): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  const running = () => server.exitCode === null && server.signalCode === null;
  if (running()) {
    try {
      const sessions = JSON.parse((await request('GET', `${url}/api/sessions`)).body) as { id: string }[];
      for (const s of sessions) await request('DELETE', `${url}/api/sessions/${s.id}`).catch(() => undefined);
    } catch {
      /* server not answering: the signals below still stop it */
    }
  }
  const exited = new Promise<void>((resolve) => (running() ? server.once('exit', () => resolve()) : resolve()));
  if (running()) server.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 8000)))]);
  clearTimeout(timer);
  try {
    if (server.pid) process.kill(-server.pid, 'SIGKILL');
  } catch {
    /* group already gone */
  }
  // kernels whose command line names this test's own runtime folder (its connection files)
  const runtime = path.join(tmp, 'runtime');
  for (const pid of fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)) : []) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runtime)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone, or not ours to read */
    }
  }
}
