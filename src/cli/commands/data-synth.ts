/**
 * `cmrp data synth`: write the embedded synthetic RoleScape world (eval: 20 characters in
 * the RoleScape-20 layout; world: a larger disjoint corpus) and optionally time it.
 */
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { synthesize, EVAL_SIZE, Split, WORLD_MAX_SIZE, PlacementJitterSchema, type PlacementJitter } from '../../data/synth';
import { PLACEMENT_PRESETS } from '../../data/synth/placement';
import { parseConfig, readPresetOrFile } from '../../util/config-file';
import { benchSynth, formatBench } from '../../data/synth/bench';
import { claimRun, forceOption, synthIdentity } from '../out';


interface RawOptions {
  out?: string;
  seed: string;
  split: string;
  characters?: string;
  placement?: string;
  bench?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function parseCount(flag: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UserError(`${flag} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < 1 || n > max) throw new UserError(`${flag} must be between 1 and ${max}, got ${n}`);
  return n;
}

export interface ParsedSynthOptions {
  readonly out?: string;
  readonly seed: number;
  readonly split: Split;
  readonly characters?: number;
  readonly placement?: PlacementJitter;
  readonly bench: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
}

/** Validate the raw flags (exported for tests). */
export function parseSynthOptions(o: RawOptions): ParsedSynthOptions {
  if (o.split !== 'eval' && o.split !== 'world') throw new UserError(`--split must be "eval" or "world", got "${o.split}"`);
  if (!/^\d+$/.test(String(o.seed).trim()) || Number(o.seed) > 0xffffffff) throw new UserError(`--seed must be a whole number from 0 to 4294967295, got "${o.seed}"`);
  if (!o.out && !o.bench) throw new UserError('--out DIR is required (or use --bench to time a build in a scratch folder)');
  const max = o.split === 'eval' ? EVAL_SIZE : WORLD_MAX_SIZE;
  return {
    out: o.out,
    seed: Number(o.seed),
    split: o.split,
    characters: o.characters === undefined ? undefined : parseCount('--characters', o.characters, max),
    ...(o.placement === undefined ? {} : { placement: parseConfig(PlacementJitterSchema, readPresetOrFile(o.placement, PLACEMENT_PRESETS, { flag: '--placement', kind: 'a preset' }), o.placement) }),
    bench: Boolean(o.bench),
    quiet: Boolean(o.quiet || o.json),
    json: Boolean(o.json),
  };
}

export function register(data: Command): void {
  const cmd = data
    .command('synth')
    .description('write the synthetic RoleScape world (RoleScape-20 layout, deterministic in --seed)')
    .option('--out <dir>', 'dataset folder to (re)write atomically (an existing synthetic dataset, an empty folder or a new one)')
    .option('--seed <n>', 'random seed', '0')
    .option('--split <eval|world>', 'eval: the 20 evaluation characters; world: a larger corpus without them', 'eval')
    .option('--characters <n>', `eval: first N of ${EVAL_SIZE}; world: how many (default 240)`)
    .option('--placement <name|file>', `how far each image's figure may move: a preset (${Object.keys(PLACEMENT_PRESETS).join(', ')}) or a JSON file of {shift_x, shift_y, shift_step, scale_min, scale_max, flip}; default: aligned for --split eval (the placement of the committed base's world), centred for --split world`)
    .option('--bench', 'print "synth: N characters in T s" (builds in a scratch folder when --out is absent)')
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON on stdout');
  forceOption(cmd).action(async (raw: RawOptions & { force?: boolean }) => {
      const o = parseSynthOptions(raw);
      const claim = o.out ? claimRun(o.out, { kind: 'synth' }, { force: raw.force, legacy: synthIdentity }) : null;
      const opts = { seed: o.seed, split: o.split, characters: o.characters, placement: o.placement, quiet: o.quiet };
      const summary = o.bench ? await benchSynth({ ...opts, out: o.out }) : await synthesize({ ...opts, out: o.out as string });
      claim?.release();
      if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else if (o.bench) process.stdout.write(formatBench(summary) + '\n');
      else process.stdout.write(`synth: wrote ${summary.characters} ${o.split} characters (${summary.images} images, ${summary.files} files) to ${summary.out} in ${summary.seconds.toFixed(1)} s\n`);
    });
}
