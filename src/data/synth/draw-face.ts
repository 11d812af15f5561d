/**
 * Faces: eyes in the eye colour (closed when sleepy), brows, mouth, and the mood marks
 * (cheeks, tear, flush) plus a manga emblem above the head, drawn large because at 32x32
 * the emblem is the strongest expression cue.
 */
import type { Geometry } from './draw-figure';

export function eyes(expr: string, g: Geometry, eyeHex: string): string {
  const { hx, eyeDx, eyeY, eyeRx, eyeRy } = g;
  return [-1, 1]
    .map((s) => {
      const x = hx + s * eyeDx;
      if (expr === 'sleepy') return `<path d="M${x - 4},${eyeY} Q${x},${eyeY + 3.5} ${x + 4},${eyeY}" stroke="#2a1a1a" stroke-width="1.8" fill="none"/>`;
      const k = expr === 'surprised' ? 1.3 : 1;
      const white = expr === 'surprised' ? `<ellipse cx="${x}" cy="${eyeY}" rx="${(eyeRx * k + 1.6).toFixed(1)}" ry="${(eyeRy * k + 1.6).toFixed(1)}" fill="#ffffff"/>` : '';
      return `${white}<ellipse cx="${x}" cy="${eyeY}" rx="${(eyeRx * k).toFixed(1)}" ry="${(eyeRy * k).toFixed(1)}" fill="${eyeHex}"/><circle cx="${x}" cy="${eyeY + 0.5}" r="${(eyeRx * 0.45).toFixed(1)}" fill="#161010"/><circle cx="${x + 1.2}" cy="${eyeY - 1.4}" r="1" fill="#ffffff"/>`;
    })
    .join('');
}

export function brows(expr: string, g: Geometry): string {
  const { hx, eyeDx, browY } = g;
  const line = (x1: number, y1: number, x2: number, y2: number): string => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#2a1a1a" stroke-width="2.2" stroke-linecap="round"/>`;
  const l = hx - eyeDx;
  const r = hx + eyeDx;
  if (expr === 'angry') return line(l - 5, browY - 2, l + 4, browY + 2) + line(r + 5, browY - 2, r - 4, browY + 2);
  if (expr === 'sad') return line(l - 5, browY + 2, l + 4, browY - 2) + line(r + 5, browY + 2, r - 4, browY - 2);
  if (expr === 'surprised') return line(l - 4, browY - 4, l + 4, browY - 4) + line(r - 4, browY - 4, r + 4, browY - 4);
  return '';
}

export function mouth(expr: string, g: Geometry): string {
  const { hx, mouthY: y } = g;
  switch (expr) {
    case 'happy': return `<path d="M${hx - 8},${y - 2} Q${hx},${y + 11} ${hx + 8},${y - 2} Z" fill="#b3263a"/>`;
    case 'sad': return `<path d="M${hx - 6},${y + 4} Q${hx},${y - 3} ${hx + 6},${y + 4}" stroke="#2a1a1a" stroke-width="2" fill="none"/>`;
    case 'angry': return `<path d="M${hx - 7},${y + 2} L${hx - 3.5},${y - 1} L${hx},${y + 2} L${hx + 3.5},${y - 1} L${hx + 7},${y + 2}" stroke="#2a1a1a" stroke-width="2" fill="none"/>`;
    case 'surprised': return `<ellipse cx="${hx}" cy="${y + 2}" rx="4.2" ry="5.5" fill="#3a1010"/>`;
    case 'sleepy': return `<circle cx="${hx}" cy="${y + 1}" r="2" fill="#3a1010"/>`;
    default: return `<line x1="${hx - 5}" y1="${y + 1}" x2="${hx + 5}" y2="${y + 1}" stroke="#2a1a1a" stroke-width="2" stroke-linecap="round"/>`;
  }
}

/** Cheeks, tears, flush and the emblem above the head (top-left, clear of props). */
export function moodMarks(expr: string, g: Geometry): string {
  const { hx, hy, hr, eyeDx, eyeY } = g;
  const ex = hx - hr - 5;
  const ey = hy - hr + 1;
  // emblems are drawn at 1.7x around their centre: at 32x32 they are the strongest mood cue
  const big = (inner: string): string => `<g transform="translate(${ex} ${ey}) scale(1.7) translate(${-ex} ${-ey})">${inner}</g>`;
  switch (expr) {
    case 'happy':
      return `<circle cx="${hx - eyeDx - 4}" cy="${eyeY + 8}" r="3.5" fill="#ff7d9c" opacity="0.75"/><circle cx="${hx + eyeDx + 4}" cy="${eyeY + 8}" r="3.5" fill="#ff7d9c" opacity="0.75"/>` +
        big(`<path d="M${ex},${ey - 6} l2,4 l4,2 l-4,2 l-2,4 l-2,-4 l-4,-2 l4,-2 Z" fill="#ffd500" stroke="#b08a00" stroke-width="0.6"/>`);
    case 'sad':
      return `<path d="M${hx - eyeDx - 2},${eyeY + 4} q-3.5,7 0,9 q3.5,-2 0,-9 Z" fill="#3aa0ff"/>` + big(`<path d="M${ex},${ey - 6} q-4.5,7 0,10 q4.5,-3 0,-10 Z" fill="#3aa0ff" stroke="#1a5fb0" stroke-width="0.6"/>`);
    case 'angry':
      return `<circle cx="${hx}" cy="${hy}" r="${hr}" fill="#ff2a2a" opacity="0.2"/>` +
        big(`<g stroke="#e01010" stroke-width="2" fill="none" stroke-linecap="round"><path d="M${ex - 5},${ey - 1.5} q3.5,0 3.5,-3.5"/><path d="M${ex + 5},${ey - 1.5} q-3.5,0 -3.5,-3.5"/><path d="M${ex - 5},${ey + 1.5} q3.5,0 3.5,3.5"/><path d="M${ex + 5},${ey + 1.5} q-3.5,0 -3.5,3.5"/></g>`);
    case 'surprised':
      return big(`<rect x="${ex - 2}" y="${ey - 7}" width="4" height="8" rx="2" fill="#ffcc00" stroke="#7a5a00" stroke-width="0.6"/><circle cx="${ex}" cy="${ey + 4}" r="2" fill="#ffcc00" stroke="#7a5a00" stroke-width="0.6"/>`);
    case 'sleepy':
      return big(`<path d="M${ex - 4},${ey - 5} h8 l-8,8 h8" stroke="#ffffff" stroke-width="2.4" fill="none"/><path d="M${ex - 4},${ey - 5} h8 l-8,8 h8" stroke="#4a5cff" stroke-width="1.3" fill="none"/>`);
    default:
      return '';
  }
}
