/**
 * Dataset statistics for the dataset-construction notebook: the same measures on the synthetic
 * world and on real RoleScape-20, so the two can be compared side by side.
 */
import type { Character, Scene } from './rolescape/types';
import { measureStyle, StyleStats } from './synth/style-metrics';
import type { SynthIndex } from './synth/ensure';

/** Every reply the character speaks (machine turns), image-linked and text-only, train split. */
export function characterLines(c: Character): string[] {
  const turns = (scenes: Scene[]) => scenes.flatMap((s) => s.turns.filter((t) => t.role === 'machine').map((t) => t.text));
  return [...turns(c.dialogues.train), ...turns(c.textDialogues.train)];
}

export function wordCount(text: string): number {
  const t = text.trim();
  return t ? t.split(/\s+/).length : 0;
}

/** Words per character reply, pooled over all characters (for a length histogram). */
export function replyLengths(characters: readonly Character[]): number[] {
  return characters.flatMap((c) => characterLines(c).map(wordCount));
}

export interface StyleRow extends StyleStats {
  character: string;
}

/** Generic style markers per character (no voice spec needed, so they apply to real data too). */
export function styleMarkers(characters: readonly Character[]): StyleRow[] {
  return characters.map((c) => ({ character: c.id, ...measureStyle(characterLines(c), c.id) }));
}

/** How often each value of each synthetic label (expression, scene, prop, ...) is drawn. */
export function attributeCoverage(index: SynthIndex): Record<'expression' | 'scene' | 'prop', Record<string, number>> {
  const out = { expression: {} as Record<string, number>, scene: {} as Record<string, number>, prop: {} as Record<string, number> };
  const add = (k: keyof typeof out, v: string) => (out[k][v] = (out[k][v] ?? 0) + 1);
  for (const c of index.characters) {
    for (const img of [...c.images.train, ...c.images.test]) {
      add('expression', img.expression);
      add('scene', img.scene);
      add('prop', img.prop);
    }
  }
  return out;
}

/** Identity attribute values across the cast (hair colour, outfit, accessory, ...): which ones are used. */
export function identityCoverage(index: SynthIndex): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of index.characters) {
    for (const [k, v] of Object.entries(c.identity as unknown as Record<string, string>)) {
      out[k] ??= {};
      out[k][v] = (out[k][v] ?? 0) + 1;
    }
  }
  return out;
}
