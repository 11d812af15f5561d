import type { Command } from 'commander';
import { initBackend } from '../../backend/select';
import { BENCH_WARMUP, formatBench, profileBench, runBench } from '../../model/bench';
import { formatProfile } from '../../model/profile';
import { benchParallel } from '../../parallel/bench';
import { UserError } from '../../util/errors';
import { wholeNumber } from '../options';

/** `cmrp bench [--json] [--steps N] [--torch]`: speed of the transformer core on this machine. */
export function register(program: Command): void {
  program
    .command('bench')
    .description('time the transformer core: torch_tiny.py-shaped training step, base-config training and sampling, peak memory')
    .option('--json', 'print one JSON object instead of a table', false)
    .option('--steps <n>', 'timed training steps per measurement (after the warm-up steps)', '10')
    .option('--warmup <n>', 'untimed steps before each measurement (the JIT settles over the first ~10)', wholeNumber(0, 10000), BENCH_WARMUP)
    .option('--torch', 'also run the PyTorch 2.x reference (shared/bench/torch_tiny.py) at 1 and 2 threads, from the project venv .cache/venv-torch (made on first use by environment/python-venv.sh: PyPI, else local wheel folders; `make torch-env` does the same)', false)
    .option('--workers <n>', 'also time the reference and base steps on n data-parallel workers (default 2; 1: skip)')
    .option('--profile', 'instead: a per-kernel profile (wall and CPU ms) of the reference step and the base-config step', false)
    .action(async (opts: { json: boolean; steps: string; warmup: number; torch: boolean; profile: boolean; workers?: string }) => {
      const steps = Number(opts.steps);
      if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--steps must be a positive integer, got ${opts.steps}`);
      await initBackend();
      if (opts.profile) {
        const p = profileBench(Math.min(steps, 5));
        process.stdout.write(opts.json ? JSON.stringify(p) + '\n' : `${formatProfile('reference step (torch_tiny.py shape)', p.reference)}\n\n${formatProfile('base config step', p.base)}\n`);
        return;
      }
      const workers = opts.workers === undefined ? 2 : Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new UserError(`--workers must be a positive integer, got ${opts.workers}`);
      const parallel = workers > 1 ? (n: number, w: number) => benchParallel(n, workers, 0, w) : undefined;
      const result = await runBench({ steps, warmup: opts.warmup, torch: opts.torch, parallel, log: (line) => process.stderr.write(line + '\n') });
      process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatBench(result) + '\n');
    });
}
