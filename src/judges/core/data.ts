/**
 * The judges' data, read from synthetic RoleScape worlds (`cmrp data synth`):
 *
 * - world: every stored 32x32 image with its labels and its t2i instruction, plus ground-truth
 *   renders of the world's GRPO prompts (their labels are in index.json; rendering them is how the
 *   paper's reward images would look if the generator were perfect) and optional extra renders of
 *   each training character in random scenes. A seeded share of the world's characters is held
 *   out entirely (no stored image, no render) for the held-out numbers.
 * - eval: the 20 evaluation characters' stored train/test images, and one ground-truth render per
 *   GRPO prompt with its weighted VQA questions read by the RoleScape loader from the jsonl files.
 *
 * Images are packed into one Uint8Array per set (n x 3072), so batching is one copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSynthIndex, signature, samplePlacement, type SynthIndex, type Identity, type CharacterSpec, type PlacementJitter } from '../../data/synth';
import { t2iInstruction } from '../../data/synth/imageqa';
import { grpoText } from '../../data/synth/grpo';
import { loadRoleScape, type GrpoQuestion } from '../../data/rolescape';
import { splitHeldOutCharacters } from '../../data/held-out';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { readJsonFile } from '../../util/fs';
import { Labels, LabelSpace, labelSpaceOf, kindOfBody } from './attributes';
import { PIXELS, mapPool, renderImage32, SceneLabel } from './images';
import { imageToModelSize } from '../../tokenizers/image-io';

export type SampleSource = 'image' | 'grpo' | 'extra' | 'mix';

export interface SampleMeta {
  character: string;
  labels: Labels;
  /** The prompt paired with the image: its t2i instruction, or its GRPO prompt text. */
  text: string;
  source: SampleSource;
  /** `train/<id>/<n>` for stored images, `grpo/<id>/<sceneId>` for renders. */
  key: string;
}

/** A set of 32x32 images with their metadata; `pixels` holds n x 3072 bytes. */
export class ImageSet {
  constructor(readonly pixels: Uint8Array, readonly meta: SampleMeta[]) {
    if (pixels.length !== meta.length * PIXELS) throw new Error(`ImageSet: ${pixels.length} bytes for ${meta.length} images`);
  }

  get size(): number {
    return this.meta.length;
  }

  static pack(items: Array<{ pixels: Uint8Array; meta: SampleMeta }>): ImageSet {
    const px = new Uint8Array(items.length * PIXELS);
    items.forEach((it, i) => px.set(it.pixels, i * PIXELS));
    return new ImageSet(px, items.map((it) => it.meta));
  }

  image(i: number): Uint8Array {
    return this.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
  }

  subset(idx: readonly number[]): ImageSet {
    return ImageSet.pack(idx.map((i) => ({ pixels: this.image(i), meta: this.meta[i] })));
  }

  static concat(sets: ImageSet[]): ImageSet {
    return ImageSet.pack(sets.flatMap((s) => s.meta.map((m, i) => ({ pixels: s.image(i), meta: m }))));
  }

  /** Indices grouped by character, in first-seen order. */
  byCharacter(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    this.meta.forEach((x, i) => {
      const l = m.get(x.character);
      if (l) l.push(i);
      else m.set(x.character, [i]);
    });
    return m;
  }
}

type IndexCharacter = SynthIndex['characters'][number];

function labelsOf(l: Record<string, string>): Labels {
  return {
    kind: kindOfBody(l.body), body: l.body, hairColor: l.hairColor, hairStyle: l.hairStyle, eyeColor: l.eyeColor, skinTone: l.skinTone,
    outfitColor: l.outfitColor, outfitPattern: l.outfitPattern, accessory: l.accessory, expression: l.expression, scene: l.scene, prop: l.prop,
  };
}

/** imageId → t2i instruction from `<split>/<id>/<id>_t2i_instruction.json`. */
function readInstructions(root: string, folder: string, id: string): Map<string, string> {
  const file = path.join(root, folder, `${id}_t2i_instruction.json`);
  const raw = readJsonFile<{ t2i_instructions?: Array<{ image_id: string; t2i_instruction: string }> }>(file, 'the t2i instructions');
  if (!Array.isArray(raw.t2i_instructions)) throw new UserError(`${file}: t2i_instructions: expected an array`);
  return new Map(raw.t2i_instructions.map((t) => [String(t.image_id), t.t2i_instruction]));
}

/** The stored images of some characters (train and test), with labels and instructions. */
async function storedImages(root: string, chars: IndexCharacter[], concurrency: number): Promise<ImageSet> {
  const jobs: Array<{ file: string; meta: SampleMeta }> = [];
  for (const c of chars) {
    for (const split of ['train', 'test'] as const) {
      const instr = readInstructions(root, c.folders[split], c.id);
      for (const im of c.images[split]) {
        const text = instr.get(im.imageId);
        if (text === undefined) throw new UserError(`${path.join(root, c.folders[split], `${c.id}_t2i_instruction.json`)}: no instruction for image ${im.imageId}`);
        jobs.push({ file: path.join(root, im.model32), meta: { character: c.id, labels: labelsOf(im.labels as unknown as Record<string, string>), text, source: 'image', key: `${split}/${c.id}/${im.imageId}` } });
      }
    }
  }
  const px = await mapPool(jobs, concurrency, (j) => imageToModelSize(j.file));
  return ImageSet.pack(jobs.map((j, i) => ({ pixels: px[i], meta: j.meta })));
}

interface RenderJob {
  identity: Identity;
  label: SceneLabel;
  seed: string;
  meta: SampleMeta;
}

/** Renders of the jobs; with a `placement` jitter each figure is moved on its own stream (a zero jitter draws nothing: the renders stay as they were). */
async function renderAll(jobs: RenderJob[], seed: number, concurrency: number, placement?: PlacementJitter): Promise<ImageSet> {
  const px = await mapPool(jobs, concurrency, (j) =>
    renderImage32(j.identity, j.label, new Rng(seed).fork(j.seed), placement && samplePlacement(new Rng(seed).fork(`placement:${j.seed}`), placement)));
  return ImageSet.pack(jobs.map((j, i) => ({ pixels: px[i], meta: j.meta })));
}

/** Ground-truth renders of each character's GRPO prompts. */
function grpoJobs(chars: IndexCharacter[]): RenderJob[] {
  return chars.flatMap((c) =>
    c.images.grpo.map((g) => ({
      identity: c.identity as Identity,
      label: { expression: g.expression, scene: g.scene, prop: g.prop },
      seed: `grpo:${c.id}:${g.sceneId}`,
      meta: { character: c.id, labels: labelsOf(g.labels), text: g.text, source: 'grpo' as const, key: `grpo/${c.id}/${g.sceneId}` },
    })),
  );
}

/** `n` more views per character in random (expression, scene, prop), with generated prompts. */
function extraJobs(chars: IndexCharacter[], space: LabelSpace, n: number, seed: number): RenderJob[] {
  const jobs: RenderJob[] = [];
  for (const c of chars) {
    const rng = new Rng(seed).fork(`extra:${c.id}`);
    const spec = { id: c.id, identity: c.identity } as unknown as CharacterSpec;
    for (let k = 0; k < n; k++) {
      const label = { expression: rng.pick(space.expression), scene: rng.pick(space.scene), prop: rng.pick(space.prop) };
      // half the prompts in the t2i-instruction style, half in the GRPO style
      const text = k % 2 === 0 ? t2iInstruction(spec, label) : grpoText(spec, label, rng);
      jobs.push({ identity: c.identity as Identity, label, seed: `extra:${c.id}:${k}`, meta: { character: c.id, labels: labelsOf({ ...c.identity, ...label }), text, source: 'extra', key: `extra/${c.id}/${k}` } });
    }
  }
  return jobs;
}

/** Identity attributes a mixed view may take from another character of the same kind. */
const MIXABLE = ['hairColor', 'hairStyle', 'eyeColor', 'skinTone', 'outfitColor', 'outfitPattern', 'accessory', 'body'] as const;

/**
 * `n` views per character whose identity takes 1-3 attributes from another training character of
 * the same kind (never an evaluation or held-out identity: `banned` signatures). Each is a new
 * pseudo-character: it breaks the correlations between attributes that 1000 characters leave, so
 * a head must read the hair itself rather than recognise the character.
 */
function mixJobs(chars: IndexCharacter[], space: LabelSpace, n: number, seed: number, banned: ReadonlySet<string>): RenderJob[] {
  const jobs: RenderJob[] = [];
  const byKind = new Map<string, IndexCharacter[]>();
  for (const c of chars) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  for (const c of chars) {
    const rng = new Rng(seed).fork(`mix:${c.id}`);
    const donors = byKind.get(c.kind)!;
    for (let k = 0; k < n; k++) {
      let identity = c.identity as Identity;
      for (let tries = 0; tries < 20; tries++) {
        const d = rng.pick(donors).identity as unknown as Record<string, string>;
        const keys = rng.sample(MIXABLE.filter((a) => a !== 'body' || c.kind === 'animal'), rng.int(1, 3));
        const cand = { ...c.identity, ...Object.fromEntries(keys.map((a) => [a, d[a]])) } as Identity;
        if (cand.outfitColor !== cand.hairColor && !banned.has(signature(cand))) {
          identity = cand;
          break;
        }
      }
      const label = { expression: rng.pick(space.expression), scene: rng.pick(space.scene), prop: rng.pick(space.prop) };
      const name = `${c.id}+mix${k}`;
      const spec = { id: c.id, identity } as unknown as CharacterSpec;
      jobs.push({ identity, label, seed: `mix:${c.id}:${k}`, meta: { character: name, labels: labelsOf({ ...identity, ...label }), text: t2iInstruction(spec, label), source: 'mix', key: `mix/${c.id}/${k}` } });
    }
  }
  return jobs;
}

export interface WorldOptions {
  seed: number; // split and render seed
  heldOutFraction: number; // share of characters held out (no image of theirs is trained on)
  grpoViews: boolean; // render the GRPO prompts of the training characters
  extraViews: number; // extra random renders per training character
  mixViews: number; // renders per training character with 1-3 identity attributes from another one
  placement?: PlacementJitter; // how far the figure in those renders may move (default: centred)
  maxCharacters?: number; // use only the first N characters of the world (smoke runs)
  concurrency?: number; // parallel PNG decodes / renders
  heldOutOnly?: boolean; // skip the training images and renders (reports)
  exclude?: { ids: ReadonlySet<string>; signatures: ReadonlySet<string> }; // world characters never used at all (another judge set's characters: judges/heldout.ts)
}

export interface WorldData {
  root: string;
  space: LabelSpace;
  /** The index's label spaces as written (per kind where they differ). */
  labelSpaces: SynthIndex['labelSpaces'];
  /** Stored images and renders of the training characters. */
  train: ImageSet;
  /** Stored images of the held-out characters. */
  heldOut: ImageSet;
  trainCharacters: string[];
  heldOutCharacters: string[];
  identities: Map<string, Identity>;
}

function readIndex(dir: string, split: 'world' | 'eval'): SynthIndex {
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such folder (build it with \`cmrp data synth --out ${dir}${split === 'world' ? ' --split world' : ''}\`)`);
  const idx = readSynthIndex(dir);
  if (idx.split !== split) throw new UserError(`${path.join(dir, 'index.json')}: split: expected "${split}", found "${idx.split}"`);
  return idx;
}

export async function loadWorldData(dir: string, o: WorldOptions): Promise<WorldData> {
  const idx = readIndex(dir, 'world');
  const ex = o.exclude;
  const chars = idx.characters.slice(0, o.maxCharacters ?? idx.characters.length).filter((c) => !ex || (!ex.ids.has(c.id) && !ex.signatures.has(signature(c.identity as Identity))));
  if (ex && chars.length < 2) throw new UserError(`${dir}: ${chars.length} world characters left after leaving out another judge set's ${ex.ids.size} (build a world with another seed: \`cmrp data synth --split world --seed 1\`)`);
  const space = labelSpaceOf(idx.labelSpaces);
  // a seeded share held out, at least 2 when there are 6 or more, at least 1 left to train on
  const size = { fraction: o.heldOutFraction, atLeast: chars.length >= 6 ? 2 : 0, trainAtLeast: 1 };
  const held = new Set(splitHeldOutCharacters(chars.map((c) => c.id), size, new Rng(o.seed).fork('held-out')).heldOut);
  const trainChars = chars.filter((c) => !held.has(c.id));
  const heldChars = chars.filter((c) => held.has(c.id));
  const conc = o.concurrency ?? 4;
  const stored = await storedImages(dir, o.heldOutOnly ? [] : trainChars, conc);
  // a recombined identity may be neither an evaluation character nor a held-out world character
  const banned = new Set<string>([...(idx.excludes?.evalSignatures ?? []), ...heldChars.map((c) => signature(c.identity as Identity)), ...(ex?.signatures ?? [])]);
  const jobs = o.heldOutOnly ? [] : [...(o.grpoViews ? grpoJobs(trainChars) : []), ...extraJobs(trainChars, space, o.extraViews, o.seed), ...mixJobs(trainChars, space, o.mixViews, o.seed, banned)];
  const renders = await renderAll(jobs, o.seed, conc, o.placement);
  return {
    root: dir,
    space,
    labelSpaces: idx.labelSpaces,
    train: ImageSet.concat([stored, renders]),
    heldOut: await storedImages(dir, heldChars, conc),
    trainCharacters: trainChars.map((c) => c.id),
    heldOutCharacters: heldChars.map((c) => c.id),
    identities: new Map(chars.map((c) => [c.id, c.identity as Identity])),
  };
}

/** One GRPO prompt of an evaluation character with its ground-truth render. */
export interface GrpoCase {
  character: string;
  sceneId: string;
  text: string;
  labels: Labels;
  pixels: Uint8Array;
  questions: GrpoQuestion[];
}

export interface EvalData {
  root: string;
  space: LabelSpace;
  labelSpaces: SynthIndex['labelSpaces'];
  /** The stored train and test images of the evaluation characters. */
  images: ImageSet;
  grpo: GrpoCase[];
  identities: Map<string, Identity>;
}

export async function loadEvalData(dir: string, o: { seed: number; concurrency?: number; maxCharacters?: number }): Promise<EvalData> {
  const idx = readIndex(dir, 'eval');
  const chars = idx.characters.slice(0, o.maxCharacters ?? idx.characters.length);
  const conc = o.concurrency ?? 4;
  const images = await storedImages(dir, chars, conc);
  const loaded = await loadRoleScape(dir, { characters: chars.map((c) => c.id) });
  const byId = new Map(loaded.characters.map((c) => [c.id, c]));
  const jobs = grpoJobs(chars);
  const rendered = await renderAll(jobs, o.seed, conc);
  const grpo: GrpoCase[] = jobs.map((j, i) => {
    const [, id, sceneId] = j.meta.key.split('/');
    const prompt = byId.get(id)?.grpo.find((g) => g.sceneId === sceneId);
    if (!prompt) throw new UserError(`${path.join(dir, 'grpo', id)}: no GRPO prompt with scene_id ${sceneId}, which index.json lists`);
    return { character: id, sceneId, text: prompt.text, labels: j.meta.labels, pixels: rendered.image(i).slice(), questions: prompt.questions };
  });
  return { root: dir, space: labelSpaceOf(idx.labelSpaces), labelSpaces: idx.labelSpaces, images, grpo, identities: new Map(chars.map((c) => [c.id, c.identity as Identity])) };
}
