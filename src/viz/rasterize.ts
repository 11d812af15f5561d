/**
 * PNG and SVG export of figures through headless Chromium: the rasterizer behind export.ts's
 * RASTER HOOK (`exportFigure(fig, name, { images: ['png', 'svg'] })` registers it on first use).
 *
 * How: Chromium runs in its own headless mode and is driven over the DevTools protocol on a pipe
 * (`--remote-debugging-pipe`: requests on its fd 3, replies and events on its fd 4, each message
 * JSON ended by a NUL byte), so there is no npm dependency, no port and no browser download. It
 * opens the standalone page exportFigure just wrote (plotly.js inlined, file://, no network), waits
 * until the figure is drawn and evaluates `Plotly.toImage(gd, {format, width, height, scale})`;
 * the data URL it returns is decoded here. The image is therefore exactly what plotly.js draws,
 * at `width*scale x height*scale` pixels for PNG.
 *
 * The hook is synchronous and the protocol is not: `chromiumRasterizer` runs this same file as a
 * child Node process (`spawnSync` with a timeout) that speaks the protocol and prints the result
 * as one JSON line. One Chromium per image (about 2 s on 2 cores); the browser exits with the pipe,
 * so a killed parent leaves no browser behind.
 *
 * The same small client (`ChromiumBrowser`, `ChromiumPage`) drives the browser test
 * (test/browser.test.ts) against a live Jupyter Notebook server.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable, Writable } from 'node:stream';
import { UserError } from '../util/errors';
import { setFigureRasterizer, type FigureRasterizer, type RasterFormat, type RasterRequest } from './export';

// ---------------------------------------------------------------------------------------------
// finding the browser

/** Binary names looked up on PATH, in this order, when $CMRP_CHROMIUM is not set. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;

/** How to get one, for error messages. */
export const CHROMIUM_INSTALL_HINT =
  'install it with `sudo apt-get install chromium` (Debian/Ubuntu) or `make setup CMRP_NEED_CHROMIUM=1`, ' +
  'or set CMRP_CHROMIUM=/path/to/chromium';

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  if (name.includes('/')) return isExecutableFile(name) ? path.resolve(name) : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * The Chromium (or Chrome) binary to use, or null: $CMRP_CHROMIUM when set (a path or a name on
 * PATH; when set it is the only candidate, so a wrong value is reported rather than bypassed),
 * else the first of `CHROMIUM_NAMES` on PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env.CMRP_CHROMIUM;
  if (forced) return onPath(forced, env);
  for (const name of CHROMIUM_NAMES) {
    const found = onPath(name, env);
    if (found) return found;
  }
  return null;
}

/** Where `findChromium` looked, for a "not found" message. */
export function chromiumSearchDescription(env: NodeJS.ProcessEnv = process.env): string {
  return env.CMRP_CHROMIUM
    ? `CMRP_CHROMIUM=${env.CMRP_CHROMIUM} is not an executable file`
    : `none of ${CHROMIUM_NAMES.join(', ')} is on PATH`;
}

/**
 * Flags for a quiet, private, offline headless browser. `--no-sandbox`: Chromium's sandbox cannot
 * start as root or in most containers, and the pages it opens here are our own (a figure page
 * written by exportFigure, a local Jupyter server).
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
] as const;

// ---------------------------------------------------------------------------------------------
// a minimal DevTools-protocol client over --remote-debugging-pipe

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: { code: number; message: string; data?: string };
  sessionId?: string;
}

export interface LaunchOptions {
  /** The binary (default: `findChromium()`). */
  executable?: string;
  /** Extra command-line flags. */
  args?: string[];
  /** Milliseconds to wait for the browser to answer its first request (default 30000). */
  startTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${(ms / 1000).toFixed(0)} s`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A pause that does not keep the process alive by itself. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Chromium's stderr without the D-Bus complaints every headless start prints on a server. */
function usefulStderr(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/dbus|Failed to connect to the bus|unexpected operator/i.test(l))
    .slice(-12)
    .join('\n');
}

/** Browsers launched by this process and not closed yet (for `killLiveBrowsers`). */
const live = new Set<ChromiumBrowser>();

/** SIGKILL every browser this process started and remove their profiles (synchronous: for signal handlers). */
export function killLiveBrowsers(): void {
  for (const b of live) {
    b.kill();
    b.removeProfile();
  }
  live.clear();
}

/** A headless Chromium process and its browser-level protocol connection. */
export class ChromiumBrowser {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: CdpMessage) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Set<(m: CdpMessage) => void>();
  private buffer = '';
  private stderr = '';
  private exited: Promise<void>;
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
    private readonly userDataDir: string,
  ) {
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-16384)));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => this.failPending(new Error(`Chromium exited${this.describeStderr()}`)));
    toBrowser.on('error', () => undefined); // EPIPE after an exit is reported through `exited`
  }

  /** Start a browser (its own temporary profile, removed on close). */
  static async launch(opts: LaunchOptions = {}): Promise<ChromiumBrowser> {
    const executable = opts.executable ?? findChromium();
    if (!executable) throw new UserError(`headless Chromium was not found (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-chromium-'));
    const args = [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', ...(opts.args ?? []), 'about:blank'];
    // its own process group, so close() can end renderers too; fds 3/4 are the protocol pipe
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new UserError(`cannot start Chromium ${executable} (${err.message}): ${CHROMIUM_INSTALL_HINT}`)));
    });
    try {
      await spawned;
    } catch (err) {
      fs.rmSync(userDataDir, { recursive: true, force: true });
      throw err;
    }
    const browser = new ChromiumBrowser(child, child.stdio[3] as Writable, child.stdio[4] as Readable, userDataDir);
    live.add(browser);
    try {
      await withTimeout(browser.send('Browser.getVersion'), opts.startTimeoutMs ?? 30000, `Chromium ${executable} did not start`);
    } catch (err) {
      await browser.close();
      throw err;
    }
    return browser;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private describeStderr(): string {
    const s = usefulStderr(this.stderr);
    return s ? `; its stderr ends:\n${s}` : '';
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      let msg: CdpMessage;
      try {
        msg = JSON.parse(text) as CdpMessage;
      } catch {
        continue;
      }
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ''}`));
        else p.resolve(msg);
      } else {
        for (const l of this.listeners) l(msg);
      }
    }
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Send one protocol request (to a page when `sessionId` is given) and wait for its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, any>> {
    if (this.closed || this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new Error(`${method}: Chromium is not running${this.describeStderr()}`));
    }
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (m) => resolve(m.result ?? {}), reject, method });
      this.toBrowser.write(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }) + '\0');
    });
  }

  /** Listen to protocol events (all sessions); returns the unsubscribe function. */
  onEvent(fn: (method: string, params: Record<string, any>, sessionId?: string) => void): () => void {
    const l = (m: CdpMessage) => m.method && fn(m.method, m.params ?? {}, m.sessionId);
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** A new tab of `width` x `height` CSS pixels, with its errors recorded from the start. */
  async newPage(viewport: { width: number; height: number; deviceScaleFactor?: number } = { width: 1280, height: 900 }): Promise<ChromiumPage> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new ChromiumPage(this, sessionId as string);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: viewport.deviceScaleFactor ?? 1, mobile: false });
    return page;
  }

  /** Close the browser (politely, then SIGKILL to its process group) and remove its profile. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      live.delete(this);
      const running = () => this.child.exitCode === null && this.child.signalCode === null;
      if (running()) {
        this.toBrowser.write(JSON.stringify({ id: ++this.nextId, method: 'Browser.close', params: {} }) + '\0');
        await Promise.race([this.exited, pause(3000)]);
      }
      if (running()) this.kill();
      await Promise.race([this.exited, pause(2000)]);
      this.kill(); // leftover renderers in the group, if any
    }
    fs.rmSync(this.userDataDir, { recursive: true, force: true });
  }

  /** SIGKILL the browser's process group at once (synchronous; for exit and signal handlers). */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  removeProfile(): void {
    fs.rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

/** One tab: navigation, evaluation, screenshots, and the errors its scripts raised. */
export class ChromiumPage {
  /** Uncaught exceptions and console.error messages of the page's scripts, in order. */
  readonly scriptErrors: string[] = [];
  /** Browser log entries of level "error" (failed loads, network errors, ...). */
  readonly logErrors: string[] = [];
  private loads = 0;
  private readonly loadWaiters: (() => void)[] = [];

  constructor(
    private readonly browser: ChromiumBrowser,
    readonly sessionId: string,
  ) {
    browser.onEvent((method, params, sid) => {
      if (sid !== sessionId) return;
      if (method === 'Runtime.exceptionThrown') {
        const d = params.exceptionDetails ?? {};
        this.scriptErrors.push(`${d.exception?.description ?? d.text ?? 'exception'}${d.url ? ` (${d.url}:${d.lineNumber})` : ''}`);
      } else if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
        const args = (params.args ?? []) as { value?: unknown; description?: string }[];
        this.scriptErrors.push(`console.${params.type}: ${args.map((a) => (a.value !== undefined ? String(a.value) : a.description ?? '')).join(' ')}`);
      } else if (method === 'Log.entryAdded' && params.entry?.level === 'error') {
        this.logErrors.push(`${params.entry.source}: ${params.entry.text}${params.entry.url ? ` (${params.entry.url})` : ''}`);
      } else if (method === 'Page.loadEventFired') {
        this.loads++;
        this.loadWaiters.splice(0).forEach((w) => w());
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Navigate and wait for the load event. */
  async goto(url: string, timeoutMs = 30000): Promise<void> {
    const before = this.loads;
    const loaded = new Promise<void>((resolve) => {
      const check = () => (this.loads > before ? resolve() : this.loadWaiters.push(check));
      this.loadWaiters.push(check);
    });
    const nav = await this.send('Page.navigate', { url });
    if (nav.errorText) throw new Error(`cannot open ${url}: ${nav.errorText}`);
    await withTimeout(loaded, timeoutMs, `loading ${url}`);
  }

  /** Evaluate `expression` (awaiting a returned promise) and return its JSON value; page exceptions are thrown here. */
  async evaluate<T = unknown>(expression: string, timeoutMs = 30000): Promise<T> {
    const r = await withTimeout(
      this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, userGesture: true }),
      timeoutMs,
      'evaluating in the page',
    );
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(String(d.exception?.description ?? d.exception?.value ?? d.text ?? 'exception').split('\n')[0].replace(/^Error: /, ''));
    }
    return r.result?.value as T;
  }

  /** A PNG of the viewport (or the whole page with `fullPage`). */
  async screenshot(opts: { fullPage?: boolean } = {}): Promise<Buffer> {
    const r = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: !!opts.fullPage });
    return Buffer.from(r.data as string, 'base64');
  }
}

// ---------------------------------------------------------------------------------------------
// rasterizing one figure page

export interface PageRasterRequest {
  /** The standalone figure page (exportFigure's HTML). */
  htmlPath: string;
  format: RasterFormat;
  /** CSS pixels; the PNG is width*scale x height*scale. */
  width: number;
  height: number;
  scale: number;
}

/** Milliseconds one image may take, browser start included ($CMRP_RASTER_TIMEOUT_MS, default 60000). */
export function rasterTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.CMRP_RASTER_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 60000;
}

/** The page-side script: wait until plotly.js has drawn the figure, then Plotly.toImage it. */
function toImageScript(req: PageRasterRequest, waitMs: number): string {
  const opts = JSON.stringify({ format: req.format, width: req.width, height: req.height, scale: req.scale });
  return `(async () => {
  const deadline = Date.now() + ${Math.round(waitMs)};
  for (;;) {
    const gd = document.getElementById('cmrp-figure') || document.querySelector('.cmrp-figure');
    if (window.Plotly && gd && gd._fullLayout && gd.querySelector('.main-svg')) return await window.Plotly.toImage(gd, ${opts});
    if (Date.now() > deadline) {
      throw new Error(!window.Plotly ? 'plotly.js did not load in the page'
        : !gd ? 'the page has no figure element (#cmrp-figure)'
        : 'the figure was not drawn: ' + String(gd.textContent || '').slice(0, 300));
    }
    await new Promise((r) => setTimeout(r, 25));
  }
})()`;
}

/** Decode a data: URL (base64 or percent-encoded, as Plotly.toImage returns for PNG and SVG). */
export function decodeDataUrl(url: string): { mime: string; bytes: Buffer } {
  const m = /^data:([^;,]*)((?:;[^;,]*)*),/.exec(url);
  if (!m) throw new Error(`not a data URL: ${url.slice(0, 40)}...`);
  const body = url.slice(m[0].length);
  const bytes = /;base64/i.test(m[2]) ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
  return { mime: m[1], bytes };
}

/** Render one figure page with a fresh headless Chromium (async; the sync hook runs this in a child process). */
export async function rasterizeFigurePage(req: PageRasterRequest, opts: { executable?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? rasterTimeoutMs();
  const started = Date.now();
  const left = () => Math.max(1000, timeoutMs - (Date.now() - started));
  const browser = await ChromiumBrowser.launch({ executable: opts.executable, startTimeoutMs: timeoutMs });
  try {
    const page = await browser.newPage({ width: Math.ceil(req.width) + 24, height: Math.ceil(req.height) + 24 });
    await page.goto(pathToFileURL(path.resolve(req.htmlPath)).href, left());
    let url: string;
    try {
      url = await page.evaluate<string>(toImageScript(req, left() - 500), left());
    } catch (err) {
      const seen = page.scriptErrors.length > 0 ? `; the page reported: ${page.scriptErrors.slice(0, 3).join('; ')}` : '';
      throw new Error(`${(err as Error).message}${seen}`);
    }
    const { mime, bytes } = decodeDataUrl(url);
    const want = req.format === 'png' ? 'image/png' : 'image/svg+xml';
    if (mime !== want) throw new Error(`Plotly.toImage returned ${mime}, expected ${want}`);
    return bytes;
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------
// the synchronous hook: a child Node process runs the async rasterizer

const WORKER_FLAG = '--cmrp-raster-worker';

interface WorkerReply {
  ok: boolean;
  base64?: string;
  error?: string;
  userError?: boolean;
}

export interface ChromiumRasterizerOptions {
  /** The browser binary (default: `findChromium()` at each call). */
  executable?: string;
  /** Per image, browser start included (default `rasterTimeoutMs()`). */
  timeoutMs?: number;
}

/** A synchronous `FigureRasterizer` for export.ts's hook, each image rendered by a fresh headless Chromium. */
export function chromiumRasterizer(opts: ChromiumRasterizerOptions = {}): FigureRasterizer {
  return (req: RasterRequest) => {
    const executable = opts.executable ?? findChromium();
    if (!executable) throw new UserError(`headless Chromium was not found (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
    const timeoutMs = opts.timeoutMs ?? rasterTimeoutMs();
    const job = { htmlPath: req.htmlPath, format: req.format, width: req.width, height: req.height, scale: req.scale, executable, timeoutMs };
    const name = path.basename(req.htmlPath, '.html');
    const r = spawnSync(process.execPath, [__filename, WORKER_FLAG], {
      input: JSON.stringify(job),
      encoding: 'utf8',
      // the worker stops itself at timeoutMs; this outer limit only catches a hung worker
      timeout: timeoutMs + 10000,
      killSignal: 'SIGTERM',
      maxBuffer: 1 << 30,
      env: process.env,
    });
    if (r.error) {
      const timedOut = (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
      throw new Error(timedOut ? `${req.format.toUpperCase()} of ${name}: Chromium did not finish within ${Math.round((timeoutMs + 10000) / 1000)} s` : `${req.format.toUpperCase()} of ${name}: cannot run the rasterizer (${r.error.message})`);
    }
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    let reply: WorkerReply;
    try {
      reply = JSON.parse(line) as WorkerReply;
    } catch {
      throw new Error(`${req.format.toUpperCase()} of ${name}: the rasterizer exited with ${r.status ?? r.signal} and no result; stderr: ${(r.stderr ?? '').trim().slice(-2000)}`);
    }
    if (!reply.ok) {
      const msg = `${req.format.toUpperCase()} of ${name}: ${reply.error}`;
      throw reply.userError ? new UserError(msg) : new Error(msg);
    }
    const bytes = Buffer.from(reply.base64 ?? '', 'base64');
    if (bytes.length === 0) throw new Error(`${req.format.toUpperCase()} of ${name}: Chromium returned an empty image`);
    return req.format === 'svg' ? bytes.toString('utf8') : bytes;
  };
}

/**
 * Register the headless-Chromium rasterizer for `exportFigure({images})` when a browser is found;
 * returns whether it did. (exportFigure calls this itself on the first request for images.)
 */
export function registerChromiumRasterizer(opts: ChromiumRasterizerOptions = {}): boolean {
  const executable = opts.executable ?? findChromium();
  if (!executable || !isExecutableFile(executable)) return false;
  setFigureRasterizer(chromiumRasterizer({ ...opts, executable }));
  return true;
}

/** The child process: one job on stdin, one JSON line on stdout. */
async function workerMain(): Promise<void> {
  const input = fs.readFileSync(0, 'utf8');
  const job = JSON.parse(input) as PageRasterRequest & { executable: string; timeoutMs: number };
  // resolves once the line is flushed: a large PNG written to a pipe is cut if the process exits first
  const reply = (r: WorkerReply) => new Promise<void>((done) => process.stdout.write(JSON.stringify(r) + '\n', () => done()));
  // stopped from outside (spawnSync's timeout sends SIGTERM) or by our own deadline: no browser
  // or profile is left behind (the browser would also exit when its pipe closes with us)
  process.once('SIGTERM', () => {
    killLiveBrowsers();
    process.exit(143);
  });
  const hard = setTimeout(() => {
    killLiveBrowsers();
    void reply({ ok: false, error: `Chromium did not finish within ${Math.round(job.timeoutMs / 1000)} s (CMRP_RASTER_TIMEOUT_MS raises the limit)` }).then(() => process.exit(3));
  }, job.timeoutMs);
  try {
    const bytes = await rasterizeFigurePage(job, { executable: job.executable, timeoutMs: job.timeoutMs });
    await reply({ ok: true, base64: bytes.toString('base64') });
  } catch (err) {
    await reply({ ok: false, error: (err as Error).message, userError: err instanceof UserError });
  } finally {
    clearTimeout(hard);
  }
}

if (require.main === module && process.argv[2] === WORKER_FLAG) {
  workerMain().then(
    () => process.exit(0),
    (err) => {
      process.stdout.write(JSON.stringify({ ok: false, error: String((err as Error)?.message ?? err) }) + '\n', () => process.exit(1));
    },
  );
}
