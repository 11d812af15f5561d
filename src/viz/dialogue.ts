/**
 * A role-play dialogue as chat bubbles, with each turn's image inline (data URI), so a notebook
 * shows what the model is trained on, or what it generated: the reply text and its picture.
 */
import * as fs from 'node:fs';
import type { Scene } from '../data/rolescape/types';
import { escapeHtml } from './plotly-html';
import { showHtml } from './show';
import type { ChatTurn } from '../eval/samples';

export type { ChatTurn };

export interface DialogueOptions {
  /** Who speaks the machine turns. */
  character: string;
  /** Displayed image width in px (images are pixelated-upscaled, never smoothed). */
  imageWidth?: number;
  title?: string;
}

function imageTag(png: Uint8Array, width: number): string {
  const b64 = Buffer.from(png).toString('base64');
  return `<img src="data:image/png;base64,${b64}" width="${width}" style="image-rendering:pixelated;border-radius:6px;display:block;margin-top:4px">`;
}

/** Chat bubbles for turns; `null` entries draw a separator between dialogues. */
export function chatHtml(turns: readonly (ChatTurn | null)[], opts: DialogueOptions): string {
  const width = opts.imageWidth ?? 128;
  const bubbles = turns.map((t) => {
    if (!t) return '<hr style="border:none;border-top:1px dashed #ccc;margin:8px 0">';
    const mine = t.role === 'machine';
    const img = t.png ? imageTag(t.png, width) : '';
    const warn = t.warning ? ` <span style="color:#b00">[${escapeHtml(t.warning)}]</span>` : '';
    return (
      `<div style="display:flex;justify-content:${mine ? 'flex-start' : 'flex-end'};margin:4px 0">` +
      `<div style="max-width:70%;padding:6px 10px;border-radius:10px;background:${mine ? '#eef3fb' : '#f3f3f3'}">` +
      `<div style="font-size:11px;color:#666">${escapeHtml(mine ? opts.character : 'user')}</div>${escapeHtml(t.text)}${warn}${img}</div></div>`
    );
  });
  const title = opts.title ? `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(opts.title)}</div>` : '';
  return `<div style="font-family:sans-serif;font-size:13px;max-width:720px">${title}${bubbles.join('')}</div>`;
}

/** Dataset scenes (turns with image files) as chat bubbles. */
export function dialogueHtml(scenes: readonly Scene[], opts: DialogueOptions): string {
  const turns = scenes.flatMap((scene, si): (ChatTurn | null)[] => [
    ...(si > 0 ? [null] : []),
    ...scene.turns.map((t): ChatTurn => ({
      role: t.role,
      text: t.text,
      png: t.imagePath && fs.existsSync(t.imagePath) ? fs.readFileSync(t.imagePath) : null,
      warning: t.imageId && !t.imagePath ? `image ${t.imageId} missing` : undefined,
    })),
  ]);
  return chatHtml(turns, opts);
}

export function showDialogue(scenes: readonly Scene[], opts: DialogueOptions): void {
  showHtml(dialogueHtml(scenes, opts));
}

export function showChat(turns: readonly (ChatTurn | null)[], opts: DialogueOptions): void {
  showHtml(chatHtml(turns, opts));
}
