/**
 * The character lines the text judges train and are scored on, read with the RoleScape-20
 * loader (so the synthetic world, the 20 evaluation characters and the real release all go
 * through the same code), plus, for synthetic folders, each image-linked line's ground-truth
 * expression and scene from `index.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRoleScape, type Character, type Scene } from '../../data/rolescape';
import { readSynthIndex } from '../../data/synth';
import { UserError } from '../../util/errors';
import { sharedRoleScapeDir } from '../../util/paths';

export interface LabeledLine {
  readonly text: string;
  readonly split: 'train' | 'test';
  readonly imageId: string;
  readonly expression: string;
  readonly scene: string;
}

export interface CharacterLines {
  readonly id: string;
  /** Machine turns of the TRAINING split: image-grounded dialogues and the train extension. */
  readonly trainLines: string[];
  /** Machine turns of `*_dialogue_text_extension_test.json` (style attribution queries). */
  readonly testLines: string[];
  /** Machine turns of the test split's image-grounded dialogues. */
  readonly testImageLines: string[];
  /** Image-linked machine turns with their drawn expression and scene (synthetic folders only). */
  readonly imageLines: LabeledLine[];
  /** Machine turns of text-only dialogues (train and test extensions): they name no emotion or place. */
  readonly textOnlyLines: string[];
}

export interface LabelWords {
  readonly expressions: ReadonlyArray<{ name: string; words: readonly string[] }>;
  readonly scenes: ReadonlyArray<{ name: string; words: readonly string[] }>;
}

export interface Corpus {
  readonly root: string;
  /** True when the folder has a synthetic `index.json` (image lines carry labels). */
  readonly labeled: boolean;
  /** index.json's split ("world" or "eval"); null for real folders. */
  readonly split: string | null;
  /** The synthetic label spaces with the words that name each label (synthetic folders only). */
  readonly labelSpaces: LabelWords | null;
  readonly characters: CharacterLines[];
}

const machine = (scenes: readonly Scene[]): string[] =>
  scenes.flatMap((s) => s.turns.filter((t) => t.role === 'machine' && t.text.trim().length > 0).map((t) => t.text));

/** Load every character's lines from a RoleScape-20 folder (synthetic or real). */
export async function loadCorpus(root: string): Promise<Corpus> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UserError(`${root}: not a directory (expected a RoleScape-20 folder, e.g. from \`cmrp data synth\`)`);
  const labeled = fs.existsSync(path.join(root, 'index.json'));
  const index = labeled ? readSynthIndex(root) : null;
  const { characters } = await loadRoleScape(root);
  if (characters.length === 0) throw new UserError(`${root}: no characters found (expected train/<Character>/ folders)`);
  const labels = new Map<string, { expression: string; scene: string }>();
  for (const c of index?.characters ?? []) {
    for (const split of ['train', 'test'] as const) {
      for (const im of c.images[split]) labels.set(`${c.id}/${split}/${im.imageId}`, { expression: im.expression, scene: im.scene });
    }
  }
  return {
    root,
    labeled,
    split: index ? String(index.split) : null,
    labelSpaces: index
      ? {
          expressions: index.labelSpaces.expressions.map((e) => ({ name: e.name, words: [...e.words] })),
          scenes: index.labelSpaces.scenes.map((s) => ({ name: s.name, words: [...s.words] })),
        }
      : null,
    characters: characters.map((c) => characterLines(c, labels)),
  };
}

function characterLines(c: Character, labels: Map<string, { expression: string; scene: string }>): CharacterLines {
  const imageLines: LabeledLine[] = [];
  for (const split of ['train', 'test'] as const) {
    for (const s of c.dialogues[split]) {
      for (const t of s.turns) {
        if (t.role !== 'machine' || t.imageId === null) continue;
        const l = labels.get(`${c.id}/${split}/${t.imageId}`);
        if (l) imageLines.push({ text: t.text, split, imageId: t.imageId, ...l });
      }
    }
  }
  return {
    id: c.id,
    trainLines: [...machine(c.dialogues.train), ...machine(c.textDialogues.train)],
    testLines: machine(c.textDialogues.test),
    testImageLines: machine(c.dialogues.test),
    imageLines,
    textOnlyLines: [...machine(c.textDialogues.train), ...machine(c.textDialogues.test)],
  };
}

/** The world corpus is a synthetic world's, and shares no character with the evaluation corpus. */
export function checkWorldCorpus(world: Corpus, evalc: Corpus): void {
  if (!world.labeled || !world.labelSpaces) throw new UserError(`${world.root}: not a synthetic world (no index.json); build one with \`cmrp data synth --split world --out DIR\``);
  const split = world.split;
  if (split !== 'world') throw new UserError(`${path.join(world.root, 'index.json')}: split: expected "world" (the judges never train on evaluation characters), found "${split}"`);
  if (!evalc.labeled) throw new UserError(`${evalc.root}: not a synthetic evaluation folder (no index.json); build one with \`cmrp data synth --out DIR\``);
  const evalIds = new Set(evalc.characters.map((c) => c.id));
  const overlap = world.characters.filter((c) => evalIds.has(c.id)).map((c) => c.id);
  if (overlap.length > 0) throw new UserError(`${world.root}: holds evaluation characters (${overlap.slice(0, 3).join(', ')}); the judges must not train on them`);
}

/** A real RoleScape-20 corpus: `realDir`, by default ../shared/rolescape20 when present; null for none. */
export async function loadRealCorpus(realDir: string | null | undefined): Promise<Corpus | null> {
  const dir = realDir === undefined ? sharedRoleScapeDir() : realDir;
  return dir ? loadCorpus(dir) : null;
}
