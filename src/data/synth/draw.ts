/**
 * One image = background scene + character figure + prop, as an SVG string (no text
 * elements, so no font differences between machines), rasterised once by sharp and written
 * as a 128x128 master and a 32x32 model-size PNG. Same SVG -> same PNG bytes.
 */
import sharp from 'sharp';
import { Rng } from '../../util/rng';
import type { Identity } from './character';
import type { ImageLabel } from './plan';
import { drawScene } from './draw-scene';
import { drawFigure } from './draw-figure';
import { drawProp } from './draw-props';
import { CENTRED, placementTransform, type Placement } from './placement';

export const MASTER_SIZE = 128;
export const MODEL_SIZE = 32;

/**
 * `rng` only places background details (stars, windows, trees); labels fix everything else. The
 * world's datasets use the centred placement (the figure group is then not wrapped, so their SVGs
 * and PNGs are the bytes they always were).
 */
export function characterSvg(identity: Identity, label: ImageLabel, rng: Rng, placement: Placement = CENTRED): string {
  const fig = drawFigure(identity, label.expression);
  // the umbrella and balloon rise behind nothing; draw every prop last so it is never hidden
  const figure = fig.back + fig.front + drawProp(label.prop, fig.geo.hand);
  const transform = placementTransform(placement);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${MASTER_SIZE}" height="${MASTER_SIZE}" viewBox="0 0 128 128">` +
    `<defs>${fig.defs}</defs>` +
    drawScene(label.scene, rng) +
    (transform ? `<g transform="${transform}">${figure}</g>` : figure) +
    '</svg>'
  );
}

export interface RenderedImage {
  readonly master: Buffer;
  readonly model: Buffer;
}

const PNG_OPTS = { compressionLevel: 9, adaptiveFiltering: false, palette: false } as const;

/** Rasterise once, encode both sizes (RGB, no metadata). */
export async function renderSvg(svg: string): Promise<RenderedImage> {
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const [master, model] = await Promise.all([
    sharp(data, raw).png(PNG_OPTS).toBuffer(),
    sharp(data, raw).resize(MODEL_SIZE, MODEL_SIZE, { kernel: 'lanczos3' }).png(PNG_OPTS).toBuffer(),
  ]);
  return { master, model };
}
