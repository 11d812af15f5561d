/**
 * Headless notebook execution (Jupyter's nbclient, environment/execute_notebook.py) with the project's
 * `cmrp-lab` kernel.
 * Used by `make demo`, `cmrp notebooks run` and the test that executes every notebook.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../util/paths';
import { UserError } from '../util/errors';

export interface ExecuteOptions {
  /** Folder for the executed copy (same file name). */
  outDir: string;
  /** Per-cell timeout in seconds. */
  cellTimeoutS?: number;
  /** Extra environment for the kernel, e.g. { CMRP_SMOKE: '1' } for the tests' small configs. */
  env?: Record<string, string>;
}

export interface ExecuteResult {
  notebook: string;
  output: string;
  ok: boolean;
  seconds: number;
  /** On failure: the failing cell's source and what it printed (tslab prints compile errors as stderr text). */
  log: string;
}

export async function executeNotebook(notebook: string, opts: ExecuteOptions): Promise<ExecuteResult> {
  if (!fs.existsSync(notebook)) throw new UserError(`notebook not found: ${notebook}`);
  const root = projectRoot();
  fs.mkdirSync(opts.outDir, { recursive: true });
  const output = path.join(opts.outDir, path.basename(notebook));
  const args = [path.join(root, 'environment', 'execute_notebook.py'), notebook, output, '--timeout', String(opts.cellTimeoutS ?? 900)];
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(root, '.cache', 'jupyter'),
    CMRP_ROOT: root,
    ...opts.env,
  };
  const t0 = Date.now();
  const { code, stderr } = await run(jupyterPython(), args, env, path.dirname(notebook));
  return { notebook, output, ok: code === 0, seconds: (Date.now() - t0) / 1000, log: stderr.trim() };
}

/** Debian's Jupyter packages live in the system Python, which may not be the first python3 on PATH. */
function jupyterPython(): string {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      reject(new UserError(`cannot run ${cmd} (${err.message}); run \`make setup\` to install Jupyter's nbconvert`)),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}
