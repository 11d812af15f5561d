/**
 * `index.json` at the dataset root: what the synthetic world is (seed, split, layout
 * conventions, closed label spaces) and, per character, its identity, persona, voice spec
 * and the ground-truth labels of every image and GRPO prompt. Judges train on these labels.
 */
import type { Bundle, ImageScene } from './bundle';
import { signature, ANIMAL_MARKINGS, Identity } from './character';
import type { ImageLabel } from './plan';
import { MODEL_DIR, modelPathOf } from './write';
import { MASTER_SIZE, MODEL_SIZE } from './draw';
import { IMAGE_PATH_PREFIX, REFERENCE_PATH_PREFIX } from './templates';
import {
  ACCESSORIES, ANIME_HAIR, EXPRESSIONS, EYE_BY_KIND, FUR, HAIR_STYLE_BY_KIND, HUMAN_HAIR, KINDS, OUTFIT, PATTERNS, PROPS, SCENES, SKIN, SPECIES, propDef,
} from './vocab';
import { detectExpressions, detectScenes } from './labels';
import type { PlacementJitter } from './placement';

export const FORMAT = 'cmrp-synth-rolescape/1';

export interface ImageEntry extends ImageLabel {
  readonly imageId: string;
  /** 128x128 master, relative to the dataset root. */
  readonly file: string;
  /** 32x32 model-size copy. */
  readonly model32: string;
  readonly activity: string;
  /** The emotion and place words the character's line uses for this image. */
  readonly textEvidence: { readonly expression: string[]; readonly scene: string[] };
  /** Identity attributes plus the image labels, flat, for judges. */
  readonly labels: Identity & ImageLabel & { readonly character: string };
}

function imageEntry(b: Bundle, split: 'train' | 'test', s: ImageScene): ImageEntry {
  const P = b.spec.id;
  return {
    imageId: s.imageId,
    file: `${split}/${P}/${s.imageId}.png`,
    model32: modelPathOf(`${split}/${P}/${s.imageId}.png`),
    expression: s.label.expression,
    scene: s.label.scene,
    prop: s.label.prop,
    activity: propDef(s.label.prop).activity,
    textEvidence: { expression: detectExpressions(s.exchange.machine), scene: detectScenes(s.exchange.machine) },
    labels: { character: P, ...b.spec.identity, ...s.label },
  };
}

export function characterEntry(b: Bundle) {
  const c = b.spec;
  const dialogues = { image: b.train.length + b.test.length, extensionTrain: b.extensionTrain.length, extensionTest: b.extensionTest.length };
  return {
    id: c.id,
    name: c.id,
    fullName: c.persona.fullName,
    kind: c.kind,
    folders: { train: `train/${c.id}`, test: `test/${c.id}`, grpo: `grpo/${c.id}` },
    signature: signature(c.identity),
    identity: c.identity,
    persona: c.persona,
    style: c.voice,
    counts: {
      trainImages: b.train.length,
      testImages: b.test.length,
      dialogues: { ...dialogues, total: dialogues.image + dialogues.extensionTrain + dialogues.extensionTest },
      knowledgeQa: b.qa.length,
      knowledgeMcq: b.mcq.length,
      memorization: b.memorization.length,
      personality: b.personality.length,
      grpoPrompts: b.grpo.length,
      grpoQuestions: b.grpo.reduce((n, g) => n + g.vqa.length, 0),
    },
    images: {
      train: b.train.map((s) => imageEntry(b, 'train', s)),
      test: b.test.map((s) => imageEntry(b, 'test', s)),
      grpo: b.grpo.map((g, i) => ({ sceneId: String(i), text: g.text, ...g.label, activity: propDef(g.label.prop).activity, labels: { character: c.id, ...c.identity, ...g.label } })),
    },
  };
}

export type CharacterEntry = ReturnType<typeof characterEntry>;

const names = (l: ReadonlyArray<{ name: string }>): string[] => l.map((x) => x.name);

export function labelSpaces() {
  return {
    kinds: [...KINDS],
    bodies: ['human', 'anime', ...SPECIES],
    hairColors: { human: names(HUMAN_HAIR), anime: names(ANIME_HAIR), animal: names(FUR) },
    hairStyles: { human: [...HAIR_STYLE_BY_KIND.human], anime: [...HAIR_STYLE_BY_KIND.anime], animal: [...ANIMAL_MARKINGS] },
    eyeColors: { human: [...EYE_BY_KIND.human], anime: [...EYE_BY_KIND.anime], animal: [...EYE_BY_KIND.animal] },
    skinTones: { human: names(SKIN), anime: ['fair'], animal: ['fur'] },
    outfitColors: names(OUTFIT),
    outfitPatterns: [...PATTERNS],
    accessories: [...ACCESSORIES],
    expressions: EXPRESSIONS.map((e) => ({ name: e.name, words: e.words, look: e.look })),
    scenes: SCENES.map((s) => ({ name: s.name, words: s.words, dominant: s.dominant, look: s.look })),
    props: PROPS.map((p) => ({ name: p.name, activity: p.activity, words: p.words, look: p.look })),
  };
}

export interface ManifestInput {
  readonly seed: number;
  readonly split: 'eval' | 'world';
  readonly characters: CharacterEntry[];
  /** World only: what was excluded (the evaluation cast of the same seed). */
  readonly excludes?: { readonly evalIds: string[]; readonly evalSignatures: string[] };
  /** How far the figures were moved; absent when every figure is centred (the world as it always was). */
  readonly placement?: PlacementJitter;
}

export function manifest(m: ManifestInput) {
  return {
    format: FORMAT,
    generator: 'cmrp data synth',
    seed: m.seed,
    split: m.split,
    layout: {
      train: 'train/<id>/', test: 'test/<id>/', grpo: 'grpo/<id>/',
      fileOrFolderName: 'folder name = file prefix = character id (letters only, no spaces)',
      masterImage: `<train|test>/<id>/<n>.png (${MASTER_SIZE}x${MASTER_SIZE} RGB, as in the real layout)`,
      modelImage: `${MODEL_DIR}/<train|test>/<id>/<n>.png (${MODEL_SIZE}x${MODEL_SIZE} RGB, the master downscaled; kept outside the character folders so they hold exactly the real layout)`,
      imagePathPrefix: `${IMAGE_PATH_PREFIX} (jsonl "image" fields are ${IMAGE_PATH_PREFIX}<train|test>/<id>/<n>.png; strip the prefix to resolve)`,
      referenceImagesPath: `${REFERENCE_PATH_PREFIX}<id> in grpo jsonl = the PNGs of train/<id>/`,
    },
    imageSizes: { master: MASTER_SIZE, model: MODEL_SIZE },
    labelSpaces: labelSpaces(),
    ...(m.excludes ? { excludes: m.excludes } : {}),
    ...(m.placement ? { placement: m.placement } : {}),
    characters: m.characters,
  };
}
