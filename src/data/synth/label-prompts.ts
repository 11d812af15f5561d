/**
 * Name-only text-to-image prompts for a synthetic character's own training images, built from each
 * image's labels (prop, scene, expression) in the templates users and the evaluation use ("A
 * picture of Calmaric holding an umbrella in a snowy field, looking happy"). Unified-SFT trains on
 * them so that the name alone calls up the look (DreamBooth's identifier binding). Test images are
 * never read here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSynthIndex } from './ensure';
import { nameOnlyPrompts } from './grpo';

/** imageId -> prompts, for the training images of `characterId` at dataset `root`; null without a synthetic index (real data). */
export function trainingImagePrompts(root: string, characterId: string): Map<string, string[]> | null {
  if (!fs.existsSync(path.join(root, 'index.json'))) return null;
  const entry = readSynthIndex(root).characters.find((c) => c.id === characterId);
  if (!entry) return null;
  return new Map(entry.images.train.map((im) => [im.imageId, nameOnlyPrompts(entry.id, im)]));
}
