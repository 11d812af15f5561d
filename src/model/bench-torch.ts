/**
 * The PyTorch yardstick of `cmrp bench --torch`: ../shared/bench/torch_tiny.py run by a
 * project-local Python environment with PyTorch 2.x (never Debian's python3-torch 1.13), at a given
 * number of threads.
 *
 * The environment is `<repo>/.cache/venv-torch`, made once by environment/python-venv.sh from the
 * requirements in environment/torch-requirements.txt (`make torch-env` does the same): pip installs
 * from PyPI where it answers, else from the local wheel folders the script finds on the machine.
 * The thread count is set by a small wrapper (torch.set_num_threads, then the unchanged script).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TorchRun {
  threads: number;
  ms: number | null; // median step of torch_tiny.py
  version?: string;
  note: string; // torch's version and threads, or why the number is missing
}

/** `rel` under the nearest ancestor of this file that has it (the repo sits beside shared/). */
export function findUp(rel: string, from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, rel))) return path.join(dir, rel);
    if (path.dirname(dir) === dir) return rel;
  }
}

/** The requirement lines of environment/torch-requirements.txt (comments and blanks dropped). */
export function torchRequirements(file = findUp(path.join('environment', 'torch-requirements.txt'))): string[] {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: the torch yardstick's requirements`);
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/**
 * The venv's python, making the venv first when it is missing or its requirements changed
 * (minutes the first time; `log` gets python-venv.sh's line saying where it installs from).
 */
export function torchPython(log: (line: string) => void = () => {}): { python: string } | { python: null; note: string } {
  if (process.env.CMRP_TORCH_PYTHON) return { python: process.env.CMRP_TORCH_PYTHON };
  const script = findUp(path.join('environment', 'python-venv.sh'));
  if (!fs.existsSync(script)) return { python: null, note: `${script} not found` };
  const root = path.dirname(path.dirname(script));
  const venv = path.join(root, '.cache', 'venv-torch');
  const run = spawnSync('bash', [script, venv, ...torchRequirements()], { encoding: 'utf8', timeout: 1_800_000 });
  for (const line of (run.stderr ?? '').split('\n')) if (line.startsWith('python-venv')) log(line);
  const python = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !python) return { python: null, note: (run.stderr || 'python-venv.sh failed').trim().split('\n').pop()! };
  return { python: path.resolve(root, python) };
}

/** Run torch_tiny.py with `python` at `threads` threads; its last line reads `torch <v> threads <n> median step ms <ms>`. */
export function torchReference(python: string, threads: number, script?: string): TorchRun {
  const file = script ?? process.env.CMRP_TORCH_BENCH ?? findUp(path.join('shared', 'bench', 'torch_tiny.py'));
  if (!fs.existsSync(file)) return { threads, ms: null, note: `${file} not found` };
  const wrapper = 'import sys, runpy, torch; torch.set_num_threads(int(sys.argv[1])); f = sys.argv[2]; sys.argv = [f]; runpy.run_path(f, run_name="__main__")';
  const run = spawnSync(python, ['-c', wrapper, String(threads), file], { encoding: 'utf8', timeout: 600_000 });
  const m = /torch (\S+) threads (\d+) median step ms ([\d.]+)/.exec(run.stdout ?? '');
  if (run.status !== 0 || !m) return { threads, ms: null, note: `torch_tiny.py failed: ${(run.stderr || run.stdout || String(run.error ?? '')).trim().split('\n').pop()}` };
  if (Number(m[2]) !== threads) return { threads, ms: null, note: `asked for ${threads} thread(s), torch ran ${m[2]}` };
  return { threads, ms: Number(m[3]), version: m[1], note: `torch ${m[1]}, ${m[2]} thread(s)` };
}
