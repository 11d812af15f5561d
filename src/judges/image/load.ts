/**
 * A judge set: the four image judges in memory (`Judges`, what GRPO's rewards and the evaluation
 * suite call), its folder's manifest, and `loadJudges`, which reads a folder written by
 * `trainJudges` (train.ts):
 *   <dir>/judges.json      format, resolved config, which world (and which characters were held out)
 *   <dir>/characters.json  world characters trained on, held out, excluded
 *   <dir>/{vqa,clip,identity,lpips}/  one judge each (judge.json + weights.bin, see core/checkpoint.ts)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { readJsonFile } from '../../util/fs';
import { UserError } from '../../util/errors';
import { JudgesConfigSchema, type JudgesConfig } from './config';
import { VqaJudge } from './vqa';
import { ClipJudge } from './clip';
import { IdentityJudge } from './identity';
import { LpipsJudge } from './lpips';

export const JUDGES_FORMAT = 'cmrp-judges/1';

export type JudgesRole = 'reward' | 'heldout';
export const CHARACTERS_FORMAT = 'cmrp-judges-characters/1';

/** `<judges>/characters.json`: which world characters a judge set trained on, held out, and excluded. */
export interface JudgesCharacters {
  format: string;
  train: Array<{ id: string; signature: string }>;
  held_out: Array<{ id: string; signature: string }>;
  /** World characters left out entirely (another judge set's), and the set they came from. */
  excluded: { from: string | null; ids: string[] };
}

export interface JudgesManifest {
  format: string;
  seed: number;
  /** Absent in folders written before roles existed: those are reward judges. */
  role?: JudgesRole;
  config: JudgesConfig;
  world: { dir: string; seed: number; characters: number; trainCharacters: number; heldOutCharacters: string[]; idsSha256: string };
  judges: Record<'vqa' | 'clip' | 'identity' | 'lpips', string>;
}

export interface Judges {
  dir: string | null;
  manifest: JudgesManifest | null;
  vqa: VqaJudge;
  clip: ClipJudge;
  identity: IdentityJudge;
  lpips: LpipsJudge;
  dispose(): void;
}

/** The manifest's `idsSha256`: which world characters, in order. */
export const idsSha = (ids: readonly string[]): string => crypto.createHash('sha256').update(ids.join('\n')).digest('hex');


/** Load a judges folder written by `trainJudges`. */
export function loadJudges(dir: string): Judges {
  const mfile = path.join(dir, 'judges.json');
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such judges folder (train one with \`cmrp judges train\`)`);
  const manifest = readJsonFile<JudgesManifest>(mfile, 'the judges manifest');
  if (manifest.format !== JUDGES_FORMAT) throw new UserError(`${mfile}: format: expected "${JUDGES_FORMAT}", found ${JSON.stringify(manifest.format)}`);
  const r = JudgesConfigSchema.safeParse(manifest.config);
  if (!r.success) throw new UserError(`${mfile}: config.${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  manifest.config = r.data;
  const loaded: Array<{ dispose(): void }> = [];
  try {
    const vqa = VqaJudge.load(path.join(dir, manifest.judges?.vqa ?? 'vqa'));
    loaded.push(vqa);
    const clip = ClipJudge.load(path.join(dir, manifest.judges?.clip ?? 'clip'));
    loaded.push(clip);
    const identity = IdentityJudge.load(path.join(dir, manifest.judges?.identity ?? 'identity'));
    loaded.push(identity);
    const lpips = LpipsJudge.load(path.join(dir, manifest.judges?.lpips ?? 'lpips'), vqa);
    loaded.push(lpips);
    return { dir, manifest, vqa, clip, identity, lpips, dispose: () => loaded.forEach((j) => j.dispose()) };
  } catch (err) {
    loaded.forEach((j) => j.dispose());
    throw err;
  }
}
