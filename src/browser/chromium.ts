/**
 * The system Chromium, driven by playwright-core (no browser download: `executablePath` is the
 * Debian `chromium` or whatever $CMRP_CHROMIUM names). Used by PNG/SVG figure export
 * (viz/rasterize.ts, one browser for a batch of figures) and the browser tests (a notebook in
 * JupyterLab and in the classic Notebook).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UserError } from '../util/errors';

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
 * Flags for a quiet, private, offline headless browser (playwright adds --headless and its own
 * automation flags). `--no-sandbox`: Chromium's sandbox cannot start as root or in most containers,
 * and the pages opened here are our own (a figure page, a local Jupyter server).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
] as const;

export interface LaunchOptions {
  /** The binary (default: `findChromium()`). */
  executable?: string;
  /** Milliseconds to wait for the browser to start (default 30000). */
  timeoutMs?: number;
}

/** Start headless Chromium; a UserError naming the binary and the install hint when it cannot start. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const executable = opts.executable ?? findChromium();
  if (!executable) throw new UserError(`headless Chromium was not found (${chromiumSearchDescription()}): ${CHROMIUM_INSTALL_HINT}`);
  try {
    return await chromium.launch({ executablePath: executable, headless: true, args: [...CHROMIUM_FLAGS], timeout: opts.timeoutMs ?? 30000 });
  } catch (err) {
    const why = String((err as Error).message ?? err).split('\n')[0];
    throw new UserError(`cannot start Chromium (${executable}): ${why}; ${CHROMIUM_INSTALL_HINT}`);
  }
}

/** What went wrong in a page: uncaught script errors, and console errors (reported apart: often benign). */
export interface PageProblems {
  scriptErrors: string[];
  logErrors: string[];
}

/** Collect a page's uncaught exceptions and console errors from now on. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { scriptErrors: [], logErrors: [] };
  page.on('pageerror', (err) => problems.scriptErrors.push(String(err.message ?? err).slice(0, 500)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.logErrors.push(msg.text().slice(0, 300));
  });
  return problems;
}
