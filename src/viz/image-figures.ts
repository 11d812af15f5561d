/** Image grids of the model's world: tokenizer reconstructions, drawings next to their references. */
import type { ImageTokenizer } from '../tokenizers/image';
import { modelImageToPng } from '../tokenizers/image-io';
import { imageGrid } from './gallery';

/** Originals and their tokenize-detokenize round trips, side by side (pairs per row). */
export async function reconstructionGrid(tok: ImageTokenizer, images: readonly Uint8Array[], opts: { columns?: number; cellSize?: number } = {}): Promise<Buffer> {
  const cells = [];
  for (const im of images) {
    cells.push({ png: await modelImageToPng(im), label: 'original' });
    cells.push({ png: await modelImageToPng(tok.reconstruct(im)), label: 'tokenized' });
  }
  return imageGrid(cells, { columns: opts.columns ?? 8, cellSize: opts.cellSize ?? 80, upscale: 'nearest' });
}

/** One row per prompt: its reference image (PNG), then the model's drawings (32x32 RGB). */
export async function drawingsGrid(rows: readonly { label: string; reference: Uint8Array; drawings: readonly Uint8Array[] }[], opts: { cellSize?: number } = {}): Promise<Buffer> {
  const columns = 1 + Math.max(...rows.map((r) => r.drawings.length));
  const cells = [];
  for (const r of rows) {
    cells.push({ png: r.reference, label: r.label });
    for (let i = 0; i < columns - 1; i++) {
      const d = r.drawings[i];
      cells.push({ png: d ? await modelImageToPng(d) : await modelImageToPng(new Uint8Array(32 * 32 * 3).fill(255)), label: d ? `sample ${i + 1}` : '' });
    }
  }
  return imageGrid(cells, { columns, cellSize: opts.cellSize ?? 80, upscale: 'nearest' });
}
