/**
 * `cmrp data validate <dir> [--json] [--all-warnings]`: checks a RoleScape-20 folder.
 * Prints the per-character table and the issues; exit 0 when there are no errors (warnings
 * do not fail), 1 when there are, 2 when <dir> is not a directory (a UserError).
 */
import type { Command } from 'commander';
import { progressBar } from '../../util/progress';
import { formatValidationReport, validateRoleScape } from '../../data/rolescape';
import { assertDatasetDir } from '../../data/rolescape/layout';

interface Opts {
  json?: boolean;
  allWarnings?: boolean;
  quiet?: boolean;
}

export function register(data: Command): void {
  data
    .command('validate <dir>')
    .description('check a RoleScape-20 folder (train/, test/, grpo/): every file, field and image; read-only')
    .option('--json', 'print {rows, issues, errorCount, warningCount} as JSON on stdout')
    .option('--all-warnings', 'list every warning instead of a few per kind')
    .option('-q, --quiet', 'no progress bar')
    .action(async (dir: string, opts: Opts) => {
      assertDatasetDir(dir); // nonexistent dir -> one line, exit 2
      let bar: ReturnType<typeof progressBar> | null = null;
      const result = await validateRoleScape(dir, {
        onProgress: (done, total, id) => {
          bar ??= progressBar('validate', total, { quiet: opts.quiet });
          bar.tick(1, id);
        },
      });
      (bar as ReturnType<typeof progressBar> | null)?.stop();
      process.stdout.write(
        opts.json ? JSON.stringify({ ...result, characters: undefined }, null, 2) + '\n' : formatValidationReport(result, { allWarnings: opts.allWarnings }) + '\n',
      );
      if (result.errorCount > 0) process.exitCode = 1;
    });
}
