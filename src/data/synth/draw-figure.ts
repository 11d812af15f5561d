/**
 * The character figure on a 128x128 canvas: a body plan per kind (human: chibi person;
 * anime: bigger head, huge eyes, vivid hair; animal: round body, species ears and tail),
 * hair/fur, outfit with pattern, accessory and an exaggerated expression with a manga
 * emblem (tear, anger mark, "!", "Z") so the mood survives downscaling to 32x32.
 */
import type { Identity } from './character';
import { ANIME_HAIR, EYES, FUR, HUMAN_HAIR, OUTFIT, SKIN, colorHex } from './vocab';
import { brows, eyes, mouth, moodMarks } from './draw-face';
import { luminance, shade } from './color';
import { animalBody, animalHead } from './draw-animal';

export interface Geometry {
  readonly hx: number;
  readonly hy: number;
  readonly hr: number;
  readonly eyeDx: number;
  readonly eyeY: number;
  readonly eyeRx: number;
  readonly eyeRy: number;
  readonly mouthY: number;
  readonly browY: number;
  /** The hand that holds the prop (viewer's right). */
  readonly hand: readonly [number, number];
  readonly otherHand: readonly [number, number];
  readonly neckY: number;
}

export function geometry(kind: string): Geometry {
  if (kind === 'anime') return { hx: 64, hy: 42, hr: 25, eyeDx: 10, eyeY: 45, eyeRx: 4.5, eyeRy: 6, mouthY: 57, browY: 36, hand: [95, 88], otherHand: [34, 92], neckY: 66 };
  if (kind === 'animal') return { hx: 64, hy: 46, hr: 21, eyeDx: 9, eyeY: 43, eyeRx: 3.4, eyeRy: 3.4, mouthY: 58, browY: 37, hand: [93, 86], otherHand: [36, 90], neckY: 68 };
  return { hx: 64, hy: 44, hr: 21, eyeDx: 8, eyeY: 46, eyeRx: 3.4, eyeRy: 3.4, mouthY: 56, browY: 40, hand: [95, 88], otherHand: [34, 92], neckY: 64 };
}

export interface Palette {
  readonly hair: string;
  readonly skin: string;
  readonly eyes: string;
  readonly outfit: string;
  /** Pattern ink: white on dark outfits, near-black on light ones. */
  readonly ink: string;
}

export function palette(id: Identity): Palette {
  const hairList = id.kind === 'human' ? HUMAN_HAIR : id.kind === 'anime' ? ANIME_HAIR : FUR;
  const hair = colorHex(hairList, id.hairColor);
  const outfit = colorHex(OUTFIT, id.outfitColor);
  return {
    hair,
    skin: id.kind === 'human' ? colorHex(SKIN, id.skinTone) : id.kind === 'anime' ? '#fde5d4' : hair,
    eyes: colorHex(EYES, id.eyeColor),
    outfit,
    ink: luminance(outfit) > 0.6 ? '#222222' : '#ffffff',
  };
}

/** <pattern> defs for the outfit fill; returns [defs, fill]. Periods are 10px (2.5px at 32x32). */
export function outfitFill(id: Identity, pal: Palette): [string, string] {
  const base = `<rect width="10" height="10" fill="${pal.outfit}"/>`;
  const open = '<pattern id="pat" width="10" height="10" patternUnits="userSpaceOnUse">';
  switch (id.outfitPattern) {
    case 'stripes': return [`${open}${base}<rect y="5" width="10" height="5" fill="${pal.ink}"/></pattern>`, 'url(#pat)'];
    case 'dots': return [`${open}${base}<circle cx="5" cy="5" r="2.6" fill="${pal.ink}"/></pattern>`, 'url(#pat)'];
    case 'checks': return [`${open}${base}<rect width="5" height="5" fill="${shade(pal.outfit, 0.55)}"/><rect x="5" y="5" width="5" height="5" fill="${shade(pal.outfit, 0.55)}"/></pattern>`, 'url(#pat)'];
    default: return ['', pal.outfit];
  }
}

// ---------------- hair (behind and in front of the head) ----------------

function hairBack(id: Identity, g: Geometry, c: string): string {
  const { hx, hy, hr } = g;
  switch (id.hairStyle) {
    case 'long': return `<rect x="${hx - hr - 3}" y="${hy - 6}" width="${2 * hr + 6}" height="${id.kind === 'anime' ? 62 : 50}" rx="12" fill="${c}"/>`;
    case 'bob': return `<rect x="${hx - hr - 3}" y="${hy - hr + 4}" width="${2 * hr + 6}" height="${hr + 16}" rx="10" fill="${c}"/>`;
    case 'twintails': return `<ellipse cx="${hx - hr - 6}" cy="${hy + 22}" rx="8" ry="24" fill="${c}"/><ellipse cx="${hx + hr + 6}" cy="${hy + 22}" rx="8" ry="24" fill="${c}"/>`;
    case 'ponytail': return `<ellipse cx="${hx + hr + 4}" cy="${hy + 8}" rx="6" ry="15" fill="${c}" transform="rotate(-15 ${hx + hr + 4} ${hy + 8})"/>`;
    case 'side ponytail': return `<ellipse cx="${hx - hr - 5}" cy="${hy + 14}" rx="8" ry="20" fill="${c}" transform="rotate(12 ${hx - hr - 5} ${hy + 14})"/>`;
    case 'bun': return `<circle cx="${hx}" cy="${hy - hr - 4}" r="9" fill="${c}"/>`;
    default: return '';
  }
}

function hairFront(id: Identity, g: Geometry, c: string): string {
  const { hx, hy, hr } = g;
  const cap = `<path d="M${hx - hr - 1},${hy + 2} C${hx - hr - 1},${hy - hr - 12} ${hx + hr + 1},${hy - hr - 12} ${hx + hr + 1},${hy + 2} C${hx + hr - 6},${hy - 12} ${hx - hr + 6},${hy - 12} ${hx - hr - 1},${hy + 2} Z" fill="${c}"/>`;
  switch (id.hairStyle) {
    case 'curly':
      return cap + [-1, -0.6, -0.2, 0.2, 0.6, 1].map((t) => `<circle cx="${(hx + t * (hr - 2)).toFixed(1)}" cy="${(hy - hr + 4 + Math.abs(t) * 10).toFixed(1)}" r="7" fill="${c}"/>`).join('');
    case 'spiky':
      return cap + [-14, -5, 5, 14].map((dx) => `<polygon points="${hx + dx - 7},${hy - hr + 6} ${hx + dx + 7},${hy - hr + 6} ${hx + dx + dx / 3},${hy - hr - 12}" fill="${c}"/>`).join('');
    case 'bob':
      return `<path d="M${hx - hr - 2},${hy + 6} L${hx - hr - 2},${hy - 8} C${hx - hr},${hy - hr - 10} ${hx + hr},${hy - hr - 10} ${hx + hr + 2},${hy - 8} L${hx + hr + 2},${hy + 6} L${hx + hr - 4},${hy - 8} L${hx - hr + 4},${hy - 8} Z" fill="${c}"/>`;
    default:
      return cap;
  }
}

// ---------------- accessories ----------------

function accessoryBack(id: Identity): string {
  return id.accessory === 'cape' ? '<path d="M44,66 L84,66 L98,120 L30,120 Z" fill="#8b1a2b"/>' : '';
}

function accessoryFront(id: Identity, g: Geometry, pal: Palette): string {
  const { hx, hy, hr, eyeDx, eyeY, neckY } = g;
  switch (id.accessory) {
    case 'glasses':
      return `<g stroke="#1a1a1a" stroke-width="2" fill="none"><circle cx="${hx - eyeDx}" cy="${eyeY}" r="6.5"/><circle cx="${hx + eyeDx}" cy="${eyeY}" r="6.5"/><line x1="${hx - eyeDx + 6.5}" y1="${eyeY}" x2="${hx + eyeDx - 6.5}" y2="${eyeY}"/></g>`;
    case 'top hat':
      return `<rect x="${hx - hr + 2}" y="${hy - hr - 2}" width="${2 * hr - 4}" height="5" rx="2" fill="#1a1a1a"/><rect x="${hx - 13}" y="${hy - hr - 24}" width="26" height="23" fill="#1a1a1a"/><rect x="${hx - 13}" y="${hy - hr - 7}" width="26" height="4" fill="#d62828"/>`;
    case 'scarf': {
      const stripes = [0, 1, 2, 3].map((i) => `<rect x="${hx - 18 + i * 10}" y="${neckY - 2}" width="5" height="8" fill="#d62828"/>`).join('');
      return `<rect x="${hx - 20}" y="${neckY - 2}" width="40" height="8" rx="4" fill="#ffffff"/>${stripes}<rect x="${hx + 8}" y="${neckY + 4}" width="7" height="18" rx="2" fill="#d62828"/>`;
    }
    case 'bow': {
      const c = pal.hair === '#ff7eb6' || pal.hair === '#d0213a' ? '#2d6bff' : '#ff2d75';
      const x = hx + hr - 6;
      const y = hy - hr + 2;
      return `<polygon points="${x},${y} ${x - 12},${y - 8} ${x - 12},${y + 8}" fill="${c}"/><polygon points="${x},${y} ${x + 12},${y - 8} ${x + 12},${y + 8}" fill="${c}"/><circle cx="${x}" cy="${y}" r="3.5" fill="${shade(c, 0.7)}"/>`;
    }
    case 'headphones':
      return `<path d="M${hx - hr},${hy} A${hr},${hr + 4} 0 0 1 ${hx + hr},${hy}" stroke="#333333" stroke-width="4" fill="none"/><rect x="${hx - hr - 5}" y="${hy - 7}" width="9" height="15" rx="3" fill="#333333"/><rect x="${hx + hr - 4}" y="${hy - 7}" width="9" height="15" rx="3" fill="#333333"/><rect x="${hx - hr - 3}" y="${hy - 4}" width="5" height="9" rx="2" fill="#20c0ff"/><rect x="${hx + hr - 2}" y="${hy - 4}" width="5" height="9" rx="2" fill="#20c0ff"/>`;
    case 'crown': {
      const y = hy - hr - 1;
      return `<polygon points="${hx - 13},${y + 4} ${hx - 13},${y - 10} ${hx - 6},${y - 3} ${hx},${y - 13} ${hx + 6},${y - 3} ${hx + 13},${y - 10} ${hx + 13},${y + 4}" fill="#ffd700" stroke="#b8860b" stroke-width="1"/><circle cx="${hx}" cy="${y}" r="2.5" fill="#e0115f"/>`;
    }
    case 'bell collar':
      return `<rect x="${hx - 16}" y="${neckY - 3}" width="32" height="6" rx="3" fill="#d62828"/><circle cx="${hx}" cy="${neckY + 5}" r="4.5" fill="#ffd700" stroke="#b8860b" stroke-width="1"/>`;
    default:
      return '';
  }
}

// ---------------- bodies ----------------

function humanBody(id: Identity, g: Geometry, pal: Palette, fill: string): string {
  const top = g.neckY;
  const bottom = id.kind === 'anime' ? 98 : 102;
  const [hx2, hy2] = g.hand;
  const [ox, oy] = g.otherHand;
  const legs = `<rect x="51" y="${bottom - 2}" width="10" height="${122 - bottom}" fill="#3b3b4f"/><rect x="67" y="${bottom - 2}" width="10" height="${122 - bottom}" fill="#3b3b4f"/><ellipse cx="55" cy="123" rx="8" ry="3.5" fill="#222222"/><ellipse cx="73" cy="123" rx="8" ry="3.5" fill="#222222"/>`;
  const arms = `<line x1="48" y1="${top + 6}" x2="${ox}" y2="${oy}" stroke="${fill}" stroke-width="9" stroke-linecap="round"/><line x1="80" y1="${top + 6}" x2="${hx2}" y2="${hy2}" stroke="${fill}" stroke-width="9" stroke-linecap="round"/>` +
    `<circle cx="${ox}" cy="${oy}" r="5" fill="${pal.skin}"/><circle cx="${hx2}" cy="${hy2}" r="5" fill="${pal.skin}"/>`;
  const torso = `<path d="M46,${top + 2} Q64,${top - 4} 82,${top + 2} L87,${bottom} L41,${bottom} Z" fill="${fill}"/>`;
  const collar = id.kind === 'anime' ? `<polygon points="52,${top} 76,${top} 64,${top + 12}" fill="#ffffff"/><polygon points="61,${top + 8} 67,${top + 8} 64,${top + 14}" fill="#d62828"/>` : '';
  return legs + arms + torso + collar + `<rect x="60" y="${top - 4}" width="8" height="7" fill="${pal.skin}"/>`;
}

/** Defs and the figure's SVG elements, back to front, except the prop. */
export function drawFigure(id: Identity, expression: string): { defs: string; back: string; front: string; geo: Geometry } {
  const g = geometry(id.kind);
  const pal = palette(id);
  const [defs, fill] = outfitFill(id, pal);
  const face = brows(expression, g) + eyes(expression, g, pal.eyes) + mouth(expression, g) + moodMarks(expression, g);
  if (id.kind === 'animal') {
    return { defs, back: accessoryBack(id), front: animalBody(id, g, pal, fill) + animalHead(id, g, pal) + face + accessoryFront(id, g, pal), geo: g };
  }
  const head = `<circle cx="${g.hx}" cy="${g.hy}" r="${g.hr}" fill="${pal.skin}"/>`;
  return {
    defs,
    back: accessoryBack(id) + hairBack(id, g, pal.hair),
    front: humanBody(id, g, pal, fill) + head + hairFront(id, g, pal.hair) + face + accessoryFront(id, g, pal),
    geo: g,
  };
}
