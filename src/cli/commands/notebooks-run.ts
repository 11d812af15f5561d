import type { Command } from 'commander';
import * as path from 'node:path';
import { executeNotebook } from '../../notebooks/execute';
import { UserError } from '../../util/errors';

export function register(notebooks: Command): void {
  notebooks
    .command('run <notebooks...>')
    .description('execute notebooks headless (nbconvert + the cmrp-lab kernel), writing executed copies')
    .option('--out <dir>', 'folder for the executed copies', 'notebooks/executed')
    .option('--smoke', 'use the small smoke configs (as the tests do)', false)
    .option('--timeout <s>', 'per-cell timeout in seconds', '900')
    .action(async (files: string[], opts: { out: string; smoke: boolean; timeout: string }) => {
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
      let failed = 0;
      for (const nb of files) {
        const r = await executeNotebook(path.resolve(nb), {
          outDir: path.resolve(opts.out),
          cellTimeoutS: timeout,
          env: opts.smoke ? { CMRP_SMOKE: '1' } : {},
        });
        console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${nb} -> ${path.relative(process.cwd(), r.output)} (${r.seconds.toFixed(1)} s)`);
        if (!r.ok) {
          failed++;
          console.error(r.log);
        }
      }
      if (failed) process.exitCode = 1;
    });
}
