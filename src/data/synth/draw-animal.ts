/**
 * Animal body plan: species ears and tail, coat markings, a round body wearing the outfit as
 * a vest, and a muzzle. The fur colour is the animal's "hair" attribute.
 */
import type { Identity } from './character';
import type { Geometry, Palette } from './draw-figure';
import { luminance, shade } from './color';

function ears(id: Identity, g: Geometry, fur: string): string {
  const { hx, hy, hr } = g;
  const inner = '#f4a6b8';
  switch (id.body) {
    case 'cat': return [-1, 1].map((s) => `<polygon points="${hx + s * 6},${hy - hr + 4} ${hx + s * 20},${hy - hr + 10} ${hx + s * 17},${hy - hr - 12}" fill="${fur}"/>`).join('');
    case 'fox': return [-1, 1].map((s) => `<polygon points="${hx + s * 5},${hy - hr + 4} ${hx + s * 20},${hy - hr + 10} ${hx + s * 16},${hy - hr - 18}" fill="${fur}"/><polygon points="${hx + s * 10},${hy - hr + 3} ${hx + s * 17},${hy - hr + 6} ${hx + s * 15.5},${hy - hr - 9}" fill="#ffffff"/>`).join('');
    case 'rabbit': return [-1, 1].map((s) => `<ellipse cx="${hx + s * 9}" cy="${hy - hr - 14}" rx="6" ry="17" fill="${fur}"/><ellipse cx="${hx + s * 9}" cy="${hy - hr - 13}" rx="3" ry="12" fill="${inner}"/>`).join('');
    case 'bear': return [-1, 1].map((s) => `<circle cx="${hx + s * 16}" cy="${hy - hr + 4}" r="8" fill="${fur}"/><circle cx="${hx + s * 16}" cy="${hy - hr + 4}" r="4" fill="${shade(fur, 0.7)}"/>`).join('');
    default: return [-1, 1].map((s) => `<ellipse cx="${hx + s * 20}" cy="${hy + 2}" rx="6" ry="14" fill="${shade(fur, 0.6)}" transform="rotate(${s * -15} ${hx + s * 20} ${hy + 2})"/>`).join(''); // dog: floppy
  }
}

function tail(id: Identity, fur: string): string {
  switch (id.body) {
    case 'cat': return `<path d="M44,100 Q18,96 22,70" stroke="${fur}" stroke-width="6" fill="none" stroke-linecap="round"/>`;
    case 'fox': return `<ellipse cx="30" cy="92" rx="10" ry="20" fill="${fur}" transform="rotate(-35 30 92)"/><ellipse cx="22" cy="78" rx="5" ry="6" fill="#ffffff"/>`;
    case 'rabbit': return `<circle cx="42" cy="104" r="7" fill="#ffffff"/>`;
    case 'bear': return `<circle cx="43" cy="106" r="5" fill="${fur}"/>`;
    default: return `<path d="M44,100 Q30,92 34,80" stroke="${fur}" stroke-width="6" fill="none" stroke-linecap="round"/>`;
  }
}

function markings(id: Identity, g: Geometry, fur: string): string {
  const dark = shade(fur, luminance(fur) > 0.5 ? 0.55 : 1.6);
  const { hx, hy } = g;
  switch (id.hairStyle) {
    case 'eye patch': return `<circle cx="${hx + g.eyeDx}" cy="${g.eyeY}" r="7.5" fill="${dark}"/>`;
    case 'spots': return `<circle cx="${hx - 12}" cy="${hy - 10}" r="4" fill="${dark}"/><circle cx="${hx + 7}" cy="${hy - 14}" r="3" fill="${dark}"/><circle cx="${hx + 15}" cy="${hy + 4}" r="3.5" fill="${dark}"/>`;
    case 'tabby stripes': return [-6, 0, 6].map((dx) => `<rect x="${hx + dx - 1.5}" y="${hy - 20}" width="3" height="10" fill="${dark}"/>`).join('');
    default: return '';
  }
}

export function animalBody(id: Identity, g: Geometry, pal: Palette, fill: string): string {
  const fur = pal.hair;
  const [hx2, hy2] = g.hand;
  const [ox, oy] = g.otherHand;
  return tail(id, fur) +
    `<ellipse cx="52" cy="114" rx="8" ry="7" fill="${fur}"/><ellipse cx="76" cy="114" rx="8" ry="7" fill="${fur}"/>` +
    `<ellipse cx="64" cy="94" rx="22" ry="20" fill="${fur}"/>` +
    `<path d="M44,84 Q64,72 84,84 L84,100 Q64,110 44,100 Z" fill="${fill}"/><polygon points="58,76 70,76 64,96" fill="${fur}"/>` +
    `<line x1="80" y1="82" x2="${hx2}" y2="${hy2}" stroke="${fur}" stroke-width="8" stroke-linecap="round"/><line x1="48" y1="82" x2="${ox}" y2="${oy}" stroke="${fur}" stroke-width="8" stroke-linecap="round"/>` +
    `<circle cx="${hx2}" cy="${hy2}" r="5" fill="${shade(fur, 0.85)}"/><circle cx="${ox}" cy="${oy}" r="5" fill="${shade(fur, 0.85)}"/>`;
}

export function animalHead(id: Identity, g: Geometry, pal: Palette): string {
  const fur = pal.hair;
  const { hx, hy, hr } = g;
  const muzzle = id.body === 'fox' || luminance(fur) < 0.35 ? '#f3e6d3' : shade(fur, 1.45);
  return ears(id, g, fur) + `<circle cx="${hx}" cy="${hy}" r="${hr}" fill="${fur}"/>` + markings(id, g, fur) +
    `<ellipse cx="${hx}" cy="${hy + 10}" rx="10" ry="8" fill="${muzzle}"/><ellipse cx="${hx}" cy="${hy + 5}" rx="3.5" ry="2.5" fill="#1a1010"/>`;
}
