/**
 * `synthesize()`: build the embedded synthetic RoleScape world into a folder with exactly the
 * RoleScape-20 layout. The folder is built next to `out` and swapped in atomically, so a crash
 * never leaves a half dataset. Same options -> byte-identical files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceDirAtomic } from '../../util/fs';
import { UserError } from '../../util/errors';
import { progressBar } from '../../util/progress';
import { Bundle, Split, buildBundle } from './bundle';
import { evalCast, EVAL_SIZE } from './cast';
import { worldCast, WORLD_DEFAULT_SIZE } from './world';
import { characterFiles, imageJobs, ImageJob } from './write';
import { characterEntry, manifest } from './manifest';
import { characterSvg, renderSvg } from './draw';
import { signature, CharacterSpec } from './character';
import { rngFor } from './seed';
import { CENTRED_JITTER, CHARACTER_PLACEMENT, keepsCentred, samplePlacement, type PlacementJitter } from './placement';

export type { Split } from './bundle';
export { evalCast, EVAL_SIZE, lookAlike, LARGE_AREA_KEYS } from './cast';
export { worldCast, evalExclusions, WORLD_DEFAULT_SIZE, WORLD_MAX_SIZE } from './world';
export { signature, identityDistance, IDENTITY_KEYS } from './character';
export type { CharacterSpec, Identity } from './character';
export type { VoiceSpec } from './style';
export { detectExpressions, detectScenes, detectProps, emotionSnippet } from './labels';
export { measureVoice, measureStyle } from './style-metrics';
export type { VoiceStats, StyleStats } from './style-metrics';
export { buildBundle, SIZES } from './bundle';
export type { Bundle, BundleSizes } from './bundle';
export { manifest, labelSpaces } from './manifest';
export type { CharacterEntry, ImageEntry } from './manifest';
export { characterSvg, renderSvg, MASTER_SIZE, MODEL_SIZE } from './draw';
export { CENTRED, CENTRED_JITTER, CHARACTER_PLACEMENT, MOVED_FIGURE, SHIFTED_FIGURE, ALIGNED_FIGURE, PlacementJitterSchema, keepsCentred, placementName, samePlacement, samplePlacement, placementTransform } from './placement';
export type { Placement, PlacementJitter } from './placement';
export { FORMAT as SYNTH_FORMAT } from './manifest';

export interface SynthOptions {
  readonly out: string;
  readonly seed?: number;
  readonly split?: Split;
  /** eval: the first N of the 20 (default 20); world: how many (default 240). */
  readonly characters?: number;
  readonly quiet?: boolean;
  /** Parallel sharp renders (default 4: libvips is multi-threaded, but encodes are small). */
  readonly concurrency?: number;
  /** How far each image's figure may move, scale or mirror (default: eval CHARACTER_PLACEMENT, the committed base's world's; world centred, as pretraining and the judges place figures themselves). */
  readonly placement?: PlacementJitter;
  /** Called after each character's text files are written (notebooks show their own progress). */
  readonly onProgress?: (done: number, total: number, id: string) => void;
}

export interface SynthSummary {
  readonly out: string;
  readonly seed: number;
  readonly split: Split;
  readonly characters: number;
  readonly images: number;
  readonly files: number;
  readonly seconds: number;
}

/** The cast an option set produces (eval: a prefix of the 20, so kinds stay mixed). */
export function castFor(seed: number, split: Split, characters?: number): CharacterSpec[] {
  if (characters !== undefined && (!Number.isInteger(characters) || characters < 1)) throw new UserError(`synth: characters must be a positive whole number, got ${characters}`);
  if (split === 'eval') {
    if ((characters ?? EVAL_SIZE) > EVAL_SIZE) throw new UserError(`synth: the eval split has ${EVAL_SIZE} characters, asked for ${characters}`);
    return evalCast(seed).slice(0, characters ?? EVAL_SIZE);
  }
  return worldCast(seed, characters ?? WORLD_DEFAULT_SIZE);
}

async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function writeText(root: string, rel: string, content: string | Uint8Array): void {
  const file = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

export async function synthesize(opts: SynthOptions): Promise<SynthSummary> {
  const t0 = process.hrtime.bigint();
  const seed = opts.seed ?? 0;
  const split = opts.split ?? 'eval';
  if (split !== 'eval' && split !== 'world') throw new UserError(`synth: split must be "eval" or "world", got "${String(split)}"`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`synth: seed must be a whole number from 0 to 4294967295, got ${seed}`);
  const cast = castFor(seed, split, opts.characters);
  const jitter = opts.placement ?? (split === 'eval' ? CHARACTER_PLACEMENT : CENTRED_JITTER);
  let files = 0;
  let images = 0;
  await replaceDirAtomic(opts.out, async (tmp) => {
    // one tick when a character's texts are written, one when its last image is
    const bar = progressBar(`synth ${split}`, cast.length * 2, { quiet: opts.quiet });
    const entries = [];
    const jobs: Array<{ job: ImageJob; bundle: Bundle }> = [];
    const pending = new Map<string, number>();
    for (const spec of cast) {
      const bundle = buildBundle(spec, split, seed);
      for (const f of characterFiles(bundle)) writeText(tmp, f.path, f.content);
      entries.push(characterEntry(bundle));
      const mine = imageJobs(bundle);
      pending.set(spec.id, mine.length);
      for (const job of mine) jobs.push({ job, bundle });
      bar.tick(1, spec.id);
      opts.onProgress?.(entries.length, cast.length, spec.id);
    }
    await runPool(jobs, opts.concurrency ?? 4, async ({ job, bundle }) => {
      // the placement has its own stream, so a centred world draws exactly what it always drew
      const where = samplePlacement(rngFor(seed, split, job.character, 'placement', job.split, job.imageId), jitter);
      const svg = characterSvg(bundle.spec.identity, job.scene.label, rngFor(seed, split, job.character, 'draw', job.split, job.imageId), where);
      const png = await renderSvg(svg);
      writeText(tmp, job.masterPath, png.master);
      writeText(tmp, job.modelPath, png.model);
      const left = (pending.get(job.character) ?? 1) - 1;
      pending.set(job.character, left);
      if (left === 0) bar.tick(1, job.character);
    });
    bar.stop();
    images = jobs.length;
    const evalSet = split === 'world' ? evalCast(seed) : [];
    const index = manifest({
      seed,
      split,
      characters: entries,
      excludes: split === 'world' ? { evalIds: evalSet.map((c) => c.id), evalSignatures: evalSet.map((c) => signature(c.identity)) } : undefined,
      placement: keepsCentred(jitter) ? undefined : jitter,
    });
    writeText(tmp, 'index.json', JSON.stringify(index, null, 2) + '\n');
    files = countFiles(tmp);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { out: opts.out, seed, split, characters: cast.length, images, files, seconds };
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}
export { ensureSynthDataset, ensureEvalFolder, isCurrentEvalIndex, readSynthIndex } from './ensure';
export { trainingImagePrompts } from './label-prompts';
export type { SynthIndex } from './ensure';
