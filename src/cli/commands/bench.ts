import type { Command } from 'commander';
import { initBackend } from '../../backend/select';
import { formatBench, runBench } from '../../model/bench';
import { UserError } from '../../util/errors';

/** `cmrp bench [--json] [--steps N] [--torch]`: speed of the transformer core on this machine. */
export function register(program: Command): void {
  program
    .command('bench')
    .description('time the transformer core: torch_tiny.py-shaped training step, base-config training and sampling, peak memory')
    .option('--json', 'print one JSON object instead of a table', false)
    .option('--steps <n>', 'timed training steps per measurement (after 2 warm-up steps)', '10')
    .option('--torch', 'also run the PyTorch 2.x reference (shared/bench/torch_tiny.py) at 1 and 2 threads, from the project venv .cache/venv-torch (made on first use by environment/python-venv.sh: PyPI, else local wheel folders; `make torch-env` does the same)', false)
    .action(async (opts: { json: boolean; steps: string; torch: boolean }) => {
      const steps = Number(opts.steps);
      if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--steps must be a positive integer, got ${opts.steps}`);
      await initBackend();
      const result = runBench({ steps, torch: opts.torch, log: (line) => process.stderr.write(line + '\n') });
      process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatBench(result) + '\n');
    });
}
