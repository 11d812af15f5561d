/**
 * The CLI side of `--out` ownership (util/run-out.ts does the work): the `--force` option, and how
 * each kind of run is recognised in a folder written before run manifests existed (a checkpoint's
 * config.json meta, an adapter's adapter.json, an export's cmrp-export.json, a synthetic dataset's
 * index.json, an experiment's results.json or cells/), so existing runs resume as before.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { isExecutedCopy } from '../notebooks/executed-copy';
import { claimOutDir, RUN_LOCK, RUN_MANIFEST, type OutClaim, type OutOptions, type RunIdentity } from '../util/run-out';

export function forceOption(cmd: Command, what = 'its contents'): Command {
  return cmd.option('--force', `replace a non-empty --out that is not this run (${what}; says what it removes)`, false);
}

function readMeta(file: string): Record<string, unknown> | null {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { meta?: Record<string, unknown> } & Record<string, unknown>;
    return raw && typeof raw === 'object' ? raw : null;
  } catch {
    return null;
  }
}

const META_KIND: Record<string, string> = { sft: 'sft', grpo: 'grpo', base: 'pretrain' };

/** A checkpoint or adapter folder's kind and character from its own files. */
export function checkpointIdentity(dir: string): RunIdentity | null {
  for (const f of ['config.json', 'adapter.json']) {
    const raw = readMeta(path.join(dir, f));
    const meta = raw?.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta.kind === 'string' && META_KIND[meta.kind]) {
      return { kind: META_KIND[meta.kind], ...(typeof meta.character === 'string' ? { character: meta.character } : {}) };
    }
  }
  return null;
}

export function exportIdentity(dir: string): RunIdentity | null {
  const raw = readMeta(path.join(dir, 'cmrp-export.json'));
  return raw && typeof raw.format === 'string' && raw.format.startsWith('cmrp-export') ? { kind: 'export', ...(typeof raw.character === 'string' ? { character: raw.character } : {}) } : null;
}

/** A `kind` folder recognised by its own JSON `file` whose `format` starts with `prefix` (and that `also` accepts). */
export function formatIdentity(kind: string, file: string, prefix: string, also: (raw: Record<string, unknown>) => boolean = () => true): (dir: string) => RunIdentity | null {
  return (dir) => {
    const raw = readMeta(path.join(dir, file));
    return raw && typeof raw.format === 'string' && raw.format.startsWith(prefix) && also(raw) ? { kind } : null;
  };
}

export const synthIdentity = formatIdentity('synth', 'index.json', 'cmrp-synth');
/** Judges folders: `judges train` (judges.json), `judges train-real` (judges.json with `real`), `judges train-text` (manifest.json). */
export const judgesIdentity = formatIdentity('judges', 'judges.json', 'cmrp-judges/', (raw) => raw.real === undefined);
export const realJudgesIdentity = formatIdentity('judges-real', 'judges.json', 'cmrp-judges/', (raw) => raw.real !== undefined);
export const textJudgesIdentity = formatIdentity('text-judges', 'manifest.json', 'cmrp-text-judges/');
/** `tokenizers fit` output: a tokenizers.json with its fit report (a model checkpoint's copy has none). */
export const tokenizersIdentity = formatIdentity('tokenizers', 'tokenizers.json', 'cmrp-tokenizers/', (raw) => raw.fit !== undefined);

/** A `notebooks run` folder from before manifests: nothing but executed copies (and a run's half-written `.tmp` files). */
export function notebooksIdentity(dir: string): RunIdentity | null {
  const names = fs.readdirSync(dir).filter((n) => n !== RUN_LOCK && n !== RUN_MANIFEST && !n.includes('.tmp'));
  return names.length && names.every((n) => n.endsWith('.ipynb') && isExecutedCopy(path.join(dir, n))) ? { kind: 'notebooks' } : null;
}

export function experimentIdentity(dir: string): RunIdentity | null {
  return fs.existsSync(path.join(dir, 'results.json')) || fs.existsSync(path.join(dir, 'cells')) ? { kind: 'experiment' } : null;
}

/**
 * The config as a run's identity: how many data-parallel workers compute the gradients
 * (`train.workers`) is how the run is computed, not which run it is, so a resume may change it.
 */
export function runConfig<C extends { train: { workers?: number } }>(config: C): C {
  const { workers: _workers, ...train } = config.train;
  return { ...config, train };
}

type ClaimOptions = Pick<OutOptions, 'force' | 'legacy' | 'shared' | 'upgradeConfig'>;

/**
 * `work` holding `out` (for commands whose inputs are checked inside the work): when it fails, a
 * folder this claim created and that holds nothing but the manifest is removed, so a refused run
 * leaves nothing behind.
 */
export async function withClaim<T>(out: string, id: RunIdentity, o: ClaimOptions, work: () => Promise<T>): Promise<T> {
  const existed = fs.existsSync(out);
  const claim = claimRun(out, id, o);
  try {
    return await work();
  } catch (err) {
    if (!existed && fs.readdirSync(out).every((n) => n === RUN_MANIFEST || n === RUN_LOCK)) fs.rmSync(out, { recursive: true, force: true });
    throw err;
  } finally {
    claim.release();
  }
}

/** Claim `out` for this run (manifest, lock, stale siblings), or stop with one line. */
export function claimRun(out: string, id: RunIdentity, o: ClaimOptions): OutClaim {
  return claimOutDir(out, id, { ...o, log: (l) => process.stderr.write(l + '\n') });
}
