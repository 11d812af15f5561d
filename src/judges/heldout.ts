/**
 * The held-out judge set: image judges the evaluation suite scores with, which Character-GRPO
 * never optimizes. The reward judges (`checkpoints/judges`) are GRPO's; a policy that learned to
 * please them shows a gap between its scores under the two sets.
 *
 * Independent of the reward judges in three ways (`trainHeldOutJudges`, `cmrp judges train --role heldout`):
 *   - another seed (HELDOUT_SEED: initial weights, batches, renders, the held-out split);
 *   - another architecture (HELDOUT_VARIANT: a deeper, narrower mixer encoder, other head widths);
 *   - disjoint world characters: every character of the reward judges' world (trained on or held
 *     out by them), by id and by identity signature, is left out of the held-out set's world
 *     (build that world with another seed: `cmrp data synth --split world --seed 1`).
 * `judgeSetOverlap` checks the result: shared training characters and shared parameter values.
 *
 * On real RoleScape-20 data the identity judge is retrained per scored character, leaving that
 * character out (`cmrp judges train-real --base-judges <held-out set> --leave-out NAME`, real/train.ts);
 * `heldOutJudgesFor` picks `<dir>/<NAME>/` and refuses a judge that trained on NAME.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { castFor, signature, type Identity } from '../data/synth';
import { readJsonFile } from '../util/fs';
import { projectRoot } from '../util/paths';
import { UserError } from '../util/errors';
import { JudgeName, readJudge } from './core/checkpoint';
import type { RealManifest } from './real/common';
import { CHARACTERS_FORMAT, JUDGES_FORMAT, JudgesCharacters, JudgesManifest, idsSha } from './image/load';
import type { JudgesConfigInput } from './image/config';
import type { JudgesReport } from './image/report';
import { trainJudges } from './image/train';

/** The held-out set's default seed (the reward judges were trained with 0). */
export const HELDOUT_SEED = 1;

const variantEncoder = { n_embd: 80, n_layer: 3, token_hidden: 48, n_pool: 3 }; // reward: 96 wide, 2 blocks, 64, 4 poolings
const smokeEncoder = { patch: 8, n_embd: 24, n_layer: 1, token_hidden: 24, n_pool: 1 }; // smoke reward: 32, 2 blocks, 32, 2

/** The architecture variant of the held-out set (on top of the defaults); about the reward judges' cost per step. */
export const HELDOUT_VARIANT: JudgesConfigInput = {
  vqa: { model: { encoder: variantEncoder, head_hidden: 192 } },
  clip: { model: { encoder: variantEncoder, embed_dim: 48, text_hidden: 160 } },
  identity: { model: { encoder: variantEncoder, embed_dim: 48, proj_hidden: 192 } },
};

/** The same variant at smoke size (on top of the smoke preset). */
export const HELDOUT_SMOKE_VARIANT: JudgesConfigInput = {
  vqa: { model: { encoder: smokeEncoder, head_hidden: 48 } },
  clip: { model: { encoder: smokeEncoder, text_hidden: 48 } },
  identity: { model: { encoder: smokeEncoder, proj_hidden: 48 } },
};

type Entry = { id: string; signature: string };

function readManifest(dir: string): JudgesManifest {
  const file = path.join(dir, 'judges.json');
  if (!fs.existsSync(file)) throw new UserError(`${dir}: no judges.json (not a judges folder written by \`cmrp judges train\`)`);
  const m = readJsonFile<JudgesManifest>(file, 'the judges manifest');
  if (m.format !== JUDGES_FORMAT) throw new UserError(`${file}: format: expected "${JUDGES_FORMAT}", found ${JSON.stringify(m.format)}`);
  return m;
}

/**
 * The world characters a judge set trained on and held out. From `characters.json`; for folders
 * written before it existed, rebuilt from the manifest's world seed and size (the world cast is
 * deterministic and prefix-stable) and checked against its `idsSha256`.
 */
export function judgesCharacters(dir: string): { train: Entry[]; heldOut: Entry[] } {
  const cfile = path.join(dir, 'characters.json');
  if (fs.existsSync(cfile)) {
    const c = readJsonFile<JudgesCharacters>(cfile, 'the judges\' characters');
    if (c.format !== CHARACTERS_FORMAT) throw new UserError(`${cfile}: format: expected "${CHARACTERS_FORMAT}", found ${JSON.stringify(c.format)}`);
    return { train: c.train, heldOut: c.held_out };
  }
  const m = readManifest(dir);
  const cast = castFor(m.world.seed, 'world', m.world.characters);
  if (idsSha(cast.map((c) => c.id)) !== m.world.idsSha256) throw new UserError(`${path.join(dir, 'judges.json')}: world: the synthetic world of seed ${m.world.seed} with ${m.world.characters} characters does not match idsSha256 (no characters.json to read instead)`);
  const held = new Set(m.world.heldOutCharacters);
  const entry = (c: { id: string; identity: unknown }): Entry => ({ id: c.id, signature: signature(c.identity as Identity) });
  return { train: cast.filter((c) => !held.has(c.id)).map(entry), heldOut: cast.filter((c) => held.has(c.id)).map(entry) };
}

export interface TrainHeldOutOptions {
  /** A world built with another seed than the reward judges' (its overlapping characters are dropped). */
  worldDir: string;
  evalDir: string;
  outDir: string;
  /** The reward judges whose characters are left out (default checkpoints/judges). */
  rewardJudgesDir: string;
  seed?: number;
  smoke?: boolean;
  config?: JudgesConfigInput;
  log?: (line: string) => void;
}

/** Train the held-out set; fails if it shares a training character or a parameter with the reward set. */
export async function trainHeldOutJudges(o: TrainHeldOutOptions): Promise<JudgesReport> {
  const reward = judgesCharacters(o.rewardJudgesDir);
  const used = [...reward.train, ...reward.heldOut];
  const exclude = { ids: new Set(used.map((e) => e.id)), signatures: new Set(used.map((e) => e.signature)), from: path.resolve(o.rewardJudgesDir) };
  const variant = o.smoke ? HELDOUT_SMOKE_VARIANT : HELDOUT_VARIANT;
  const report = await trainJudges({
    worldDir: o.worldDir, evalDir: o.evalDir, outDir: o.outDir, seed: o.seed ?? HELDOUT_SEED, smoke: o.smoke, log: o.log,
    config: deepMerge(variant, o.config ?? {}), role: 'heldout', exclude,
  });
  const overlap = judgeSetOverlap(o.rewardJudgesDir, o.outDir);
  if (overlap.sharedCharacters.length || overlap.sharedParameters.length) throw new UserError(`${o.outDir}: the held-out judges share ${overlap.sharedCharacters.length} training characters and ${overlap.sharedParameters.length} parameters with ${o.rewardJudgesDir} (e.g. ${[...overlap.sharedCharacters, ...overlap.sharedParameters][0]})`);
  return report;
}

function deepMerge<T>(a: T, b: T): T {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a)) return b ?? a;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

export interface JudgeSetOverlap {
  /** Training characters of one set that the other trained on (same id or same identity signature). */
  sharedCharacters: string[];
  /** `judge/parameter` of one set whose values equal a parameter of the other (constant arrays left out). */
  sharedParameters: string[];
  /** Judges whose weights.bin is byte-identical in both. */
  sharedWeightFiles: JudgeName[];
  /** Parameters compared on each side (non-constant ones). */
  compared: [number, number];
}

const JUDGE_NAMES: JudgeName[] = ['vqa', 'clip', 'identity', 'lpips'];

/** Parameter arrays of every judge of a set, keyed by a hash of their values (constant arrays, such as untrained zeros, skipped). */
function parameterHashes(dir: string): Map<string, string> {
  const m = readManifest(dir);
  const out = new Map<string, string>();
  for (const j of JUDGE_NAMES) {
    for (const { name, data: v } of readJudge(path.join(dir, m.judges?.[j] ?? j), j).tensors.values()) {
      if (v.every((x) => x === v[0])) continue;
      out.set(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'), `${j}/${name}`);
    }
  }
  return out;
}

/** What two judge sets share: training characters and parameter values. */
export function judgeSetOverlap(a: string, b: string): JudgeSetOverlap {
  const ca = judgesCharacters(a).train, cb = judgesCharacters(b).train;
  const ids = new Set(cb.map((e) => e.id)), sigs = new Set(cb.map((e) => e.signature));
  const sharedCharacters = ca.filter((e) => ids.has(e.id) || sigs.has(e.signature)).map((e) => e.id);
  const pa = parameterHashes(a), pb = parameterHashes(b);
  const sharedParameters = [...pa.entries()].filter(([h]) => pb.has(h)).map(([, name]) => name);
  const ma = readManifest(a), mb = readManifest(b);
  const sharedWeightFiles = JUDGE_NAMES.filter((j) => readJudge(path.join(a, ma.judges?.[j] ?? j), j).file.weights.sha256 === readJudge(path.join(b, mb.judges?.[j] ?? j), j).file.weights.sha256);
  return { sharedCharacters, sharedParameters, sharedWeightFiles, compared: [pa.size, pb.size] };
}

/**
 * The held-out judges for one character: `dir` itself, or `dir/<character>/` (leave-the-character-out
 * real judges). A real-data judge that trained on the character's images is refused.
 */
export function heldOutJudgesFor(dir: string, character: string): string {
  const own = path.join(dir, character);
  const chosen = fs.existsSync(path.join(own, 'judges.json')) ? own : dir;
  const m = readManifest(chosen) as JudgesManifest & { real?: RealManifest };
  if (m.real) {
    const trained = m.real.characters.map((c) => c.id).filter((id) => !(m.real!.leftOut ?? []).includes(id));
    if (trained.includes(character)) throw new UserError(`${chosen}: these held-out judges' identity judge trained on ${character}'s images; train one that leaves it out (\`cmrp judges train-real --leave-out ${character} --out ${own}\`)`);
  }
  return chosen;
}

/** checkpoints/judges-heldout when it exists (the committed held-out set), else null. */
export function defaultHeldOutJudgesDir(): string | null {
  const dir = path.join(projectRoot(), 'checkpoints', 'judges-heldout');
  return fs.existsSync(path.join(dir, 'judges.json')) ? dir : null;
}
