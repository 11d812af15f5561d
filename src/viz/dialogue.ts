/**
 * A role-play dialogue as chat bubbles, with each turn's linked image inline (data URI), so a
 * notebook shows what the model is trained on: the reply text and the picture that goes with it.
 */
import * as fs from 'node:fs';
import type { Scene } from '../data/rolescape/types';
import { escapeHtml } from './plotly-html';
import { showHtml } from './show';

export interface DialogueOptions {
  /** Who speaks the machine turns. */
  character: string;
  /** Displayed image width in px (images are pixelated-upscaled, never smoothed). */
  imageWidth?: number;
  title?: string;
}

function imageTag(file: string, width: number): string {
  const b64 = fs.readFileSync(file).toString('base64');
  return `<img src="data:image/png;base64,${b64}" width="${width}" style="image-rendering:pixelated;border-radius:6px;display:block;margin-top:4px" alt="${escapeHtml(file.split('/').pop())}">`;
}

export function dialogueHtml(scenes: readonly Scene[], opts: DialogueOptions): string {
  const width = opts.imageWidth ?? 128;
  const bubbles = scenes.flatMap((scene, si) => [
    si > 0 ? '<hr style="border:none;border-top:1px dashed #ccc;margin:8px 0">' : '',
    ...scene.turns.map((t) => {
      const mine = t.role === 'machine';
      const who = mine ? opts.character : 'user';
      const img = t.imagePath && fs.existsSync(t.imagePath) ? imageTag(t.imagePath, width) : '';
      const tag = t.imageId && !t.imagePath ? ` <span style="color:#b00">[image ${escapeHtml(t.imageId)} missing]</span>` : '';
      return (
        `<div style="display:flex;justify-content:${mine ? 'flex-start' : 'flex-end'};margin:4px 0">` +
        `<div style="max-width:70%;padding:6px 10px;border-radius:10px;background:${mine ? '#eef3fb' : '#f3f3f3'}">` +
        `<div style="font-size:11px;color:#666">${escapeHtml(who)}</div>${escapeHtml(t.text)}${tag}${img}</div></div>`
      );
    }),
  ]);
  const title = opts.title ? `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(opts.title)}</div>` : '';
  return `<div style="font-family:sans-serif;font-size:13px;max-width:720px">${title}${bubbles.join('')}</div>`;
}

export function showDialogue(scenes: readonly Scene[], opts: DialogueOptions): void {
  showHtml(dialogueHtml(scenes, opts));
}
