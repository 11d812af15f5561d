/**
 * Configs are zod schemas with presets: `--config NAME` picks a preset, `--config FILE.json` reads
 * a file of the same shape. These two helpers are what every resolver (pretrain, sft, grpo, eval,
 * experiment grids) shares, so that every bad config gets the same one-line message naming the
 * file (or preset), the field and the expectation.
 */
import * as fs from 'node:fs';
import type { z } from 'zod';
import { UserError } from './errors';

/** The raw preset `nameOrFile`, or the parsed JSON file at that path. */
export function readPresetOrFile(nameOrFile: string, presets: Record<string, unknown>, what = { flag: '--config', kind: 'a preset' }): unknown {
  if (Object.prototype.hasOwnProperty.call(presets, nameOrFile)) return presets[nameOrFile];
  if (!fs.existsSync(nameOrFile)) throw new UserError(`${what.flag}: "${nameOrFile}" is neither ${what.kind} (${Object.keys(presets).join(', ')}) nor a file`);
  try {
    return JSON.parse(fs.readFileSync(nameOrFile, 'utf8'));
  } catch (err) {
    throw new UserError(`${nameOrFile}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Parse with the schema; the first issue becomes `<where>: <field path>: <message>`. */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, raw: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}
