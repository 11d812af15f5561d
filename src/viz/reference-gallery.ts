/** Each character's reference images as one grid: a row per character, its train images left to right. */
import type { Character } from '../data/rolescape/types';
import { imageGrid } from './gallery';

export async function referenceGallery(
  characters: readonly Character[],
  opts: { maxPerCharacter?: number; cellSize?: number } = {},
): Promise<Buffer> {
  const per = opts.maxPerCharacter ?? 12;
  const cells: { png: string | Uint8Array; label?: string }[] = [];
  for (const c of characters) {
    const imgs = c.images.train.slice(0, per);
    for (let i = 0; i < per; i++) {
      const img = imgs[i];
      // a blank cell keeps rows aligned when a character has fewer images
      cells.push(img ? { png: img.path, label: i === 0 ? c.id : img.id } : { png: BLANK_PNG, label: '' });
    }
  }
  return imageGrid(cells, { columns: per, cellSize: opts.cellSize ?? 64 });
}

// 1x1 white PNG
const BLANK_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fea7d605d40000000049454e44ae426082',
  'hex',
);
