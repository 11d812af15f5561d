/**
 * Configs are zod schemas with presets: `--config NAME` picks a preset, `--config FILE.json` reads
 * a file of the same shape. These two helpers are what every resolver (pretrain, sft, grpo, eval,
 * experiment grids) shares, so that every bad config gets the same one-line message naming the
 * file (or preset), the field and the expectation.
 */
import * as fs from 'node:fs';
import type { z } from 'zod';
import { UserError } from './errors';
import { readJsonFile } from './fs';

/** A config file is small; anything larger (or not a regular file: a FIFO, a device) is refused before reading. */
const MAX_CONFIG_BYTES = 1 << 20;

/** The raw preset `nameOrFile`, or the parsed JSON object in the file at that path. */
export function readPresetOrFile(nameOrFile: string, presets: Record<string, unknown>, what = { flag: '--config', kind: 'a preset' }): unknown {
  if (Object.prototype.hasOwnProperty.call(presets, nameOrFile)) return presets[nameOrFile];
  let st: fs.Stats;
  try {
    st = fs.statSync(nameOrFile);
  } catch {
    const names = Object.keys(presets);
    throw new UserError(names.length ? `${what.flag}: "${nameOrFile}" is neither ${what.kind} (${names.join(', ')}) nor a file` : `${what.flag}: ${nameOrFile}: no such file`);
  }
  if (!st.isFile()) throw new UserError(`${what.flag}: ${nameOrFile}: not a regular file`);
  if (st.size > MAX_CONFIG_BYTES) throw new UserError(`${what.flag}: ${nameOrFile}: ${st.size} bytes; a config file is at most ${MAX_CONFIG_BYTES}`);
  const raw = readJsonFile<unknown>(nameOrFile);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${nameOrFile}: (root): expected a JSON object of config fields, found ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  return raw;
}

/** The path of the first number that is NaN or infinite (JSON's 1e999 parses to Infinity), or null. */
export function findNonFinite(v: unknown, at: (string | number)[] = []): { path: (string | number)[]; value: number } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : { path: at, value: v };
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const hit = findNonFinite(x, [...at, Array.isArray(v) ? Number(k) : k]);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Parse with the schema; the first issue becomes `<where>: <field path>: <message>`. Non-finite
 * numbers are refused first. `under` names the field `raw` sits in (a checkpoint's `config`), so the
 * path reads from the file's root.
 */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, raw: unknown, where: string, o: { under?: string } = {}): z.infer<S> {
  const field = (p: (string | number)[]) => [...(o.under ? [o.under] : []), ...p].join('.') || '(root)';
  const bad = findNonFinite(raw);
  if (bad) throw new UserError(`${where}: ${field(bad.path)}: expected a finite number, found ${bad.value}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`${where}: ${field(i.path)}: ${i.message}`);
  }
  return parsed.data;
}
