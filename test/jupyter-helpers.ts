/**
 * Shared by the browser tests: a Jupyter server (the classic Notebook or JupyterLab) on a free
 * localhost port with no token, serving one folder, stopped with its kernels afterwards; and a check
 * that a screenshot is not blank.
 */
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import sharp from 'sharp';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function request(method: string, url: string): Promise<{ status: number; body: string }> {
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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface JupyterServer {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Start `cmd` (argv of jupyter-notebook or jupyter-lab) serving `rootDir` on a free port; resolves
 * once /api/status answers. `app` is the traitlets prefix of its options (NotebookApp or ServerApp).
 */
export async function startJupyter(cmd: string[], app: 'NotebookApp' | 'ServerApp', rootDir: string, env: NodeJS.ProcessEnv, runtimeDir: string, extra: string[] = []): Promise<JupyterServer> {
  const port = await freePort();
  const args = [
    ...cmd.slice(1),
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    `--${app}.port_retries=0`,
    `--${app}.token=`,
    `--${app}.password=`,
    app === 'NotebookApp' ? `--notebook-dir=${rootDir}` : `--ServerApp.root_dir=${rootDir}`,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...extra,
  ];
  const server = spawn(cmd[0], args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  server.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  server.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  const handle: JupyterServer = { url, log: () => log, stop: () => stopServer(server, url, runtimeDir) };
  for (let i = 0; ; i++) {
    const ok = await request('GET', `${url}/api/status`).then((res) => res.status === 200, () => false);
    if (ok) return handle;
    if (server.exitCode !== null || i >= 300) {
      await handle.stop();
      throw new Error(`${path.basename(cmd[cmd.length - 1])} did not answer on ${url} within 60 s (exit ${server.exitCode}):\n${log}`);
    }
    await sleep(200);
  }
}

/**
 * Shut the kernels down through the REST API, stop the server (SIGTERM, then SIGKILL to its process
 * group), and end any kernel still running from this test's runtime folder (kernels run in a
 * session of their own, outside the server's group).
 */
async function stopServer(server: ChildProcess, url: string, runtime: string): Promise<void> {
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
  for (const pid of fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)) : []) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runtime)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone, or not ours to read */
    }
  }
}

/** Is the PNG more than one flat colour? (channel spread, and how many distinct colours) */
export async function pngVariety(png: Buffer): Promise<{ width: number; height: number; maxStdev: number; colours: number }> {
  const { channels } = await sharp(png).stats();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const colours = new Set<number>();
  for (let i = 0; i < data.length && colours.size < 1000; i += 3 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return { width: info.width, height: info.height, maxStdev: Math.max(...channels.map((c) => c.stdev)), colours: colours.size };
}

/**
 * Figure outputs of an executed notebook: with `mime`, the outputs carrying that representation
 * (JupyterLab draws the plotly mime data); without, those whose HTML holds a cmrp figure div.
 */
export function countFigureOutputs(file: string, mime?: string): number {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  let n = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (mime) {
        if (o.data?.[mime] !== undefined) n++;
        continue;
      }
      const html = o.data?.['text/html'];
      if (html && [html as string | string[]].flat().join('').includes('class="cmrp-figure"')) n++;
    }
  }
  return n;
}
