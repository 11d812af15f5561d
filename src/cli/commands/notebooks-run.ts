/**
 * `cmrp notebooks run`: execute notebooks headless into `--out`. The folder is claimed as every
 * run's is (a folder of the user's files is refused without --force), but shared: the two lanes of
 * `make demo` write into one notebooks/executed at once, each its own copies, so no run lock. Each
 * copy may replace only an earlier executed copy; a user's own file of that name needs --force.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executeNotebook } from '../../notebooks/execute';
import { isExecutedCopy } from '../../notebooks/executed-copy';
import { UserError } from '../../util/errors';
import { claimOutFile } from '../../util/run-out';
import { claimRun, forceOption, notebooksIdentity } from '../out';

/** Refuse, before --out is touched, a notebook that is missing or inside --out (a copy or --force would replace the source). */
function checkSources(files: string[], outDir: string): void {
  for (const nb of files) {
    if (!fs.existsSync(nb) || !fs.statSync(nb).isFile()) throw new UserError(`notebook not found: ${nb}`);
    if (path.resolve(nb).startsWith(outDir + path.sep)) throw new UserError(`--out ${outDir}: holds the notebook ${nb}, which its executed copy (or --force) would replace; choose another --out`);
  }
}

export function register(notebooks: Command): void {
  const cmd = notebooks
    .command('run <notebooks...>')
    .description('execute notebooks headless (nbconvert + the cmrp-lab kernel), writing executed copies')
    .option('--out <dir>', 'folder for the executed copies (replaces only earlier executed copies without --force)', 'notebooks/executed')
    .option('--smoke', 'use the small smoke configs (as the tests do)', false)
    .option('--timeout <s>', 'per-cell timeout in seconds', '900');
  forceOption(cmd, 'its contents, or a file of a notebook\'s name').action(async (files: string[], opts: { out: string; smoke: boolean; timeout: string; force: boolean }) => {
    const timeout = Number(opts.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
    const outDir = path.resolve(opts.out);
    checkSources(files, outDir);
    claimRun(outDir, { kind: 'notebooks' }, { force: opts.force, legacy: notebooksIdentity, shared: true });
    for (const nb of files) claimOutFile(path.join(outDir, path.basename(nb)), 'executed notebook', isExecutedCopy, { force: opts.force });
    let failed = 0;
    for (const nb of files) {
      const r = await executeNotebook(path.resolve(nb), {
        outDir,
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
