/**
 * Props, drawn at the holding hand (hx, hy) on the 128x128 canvas. Each has a fixed, saturated
 * colour and a distinct silhouette (tall umbrella, diagonal sword, floating balloon, ...).
 */

export function drawProp(prop: string, hand: readonly [number, number]): string {
  const [x, y] = hand;
  switch (prop) {
    case 'book':
      return `<rect x="${x - 8}" y="${y - 12}" width="17" height="21" rx="1.5" fill="#c0392b"/><rect x="${x - 6}" y="${y - 10}" width="2" height="17" fill="#f5e6c8"/><rect x="${x - 2}" y="${y - 7}" width="8" height="2" fill="#f1c40f"/>`;
    case 'umbrella':
      return `<line x1="${x}" y1="${y}" x2="${x + 4}" y2="18" stroke="#3a2a1a" stroke-width="2.2"/><path d="M${x - 22},22 Q${x + 4},-14 ${x + 30},22 Z" fill="#e63946"/>` +
        `<path d="M${x + 4},22 L${x - 4},3 L${x + 12},3 Z" fill="#ffd23f"/><path d="M${x - 22},22 Q${x - 16},8 ${x - 8},4 L${x - 4},22 Z" fill="#ffd23f"/>`;
    case 'guitar':
      return `<line x1="${x + 4}" y1="${y + 2}" x2="${x + 22}" y2="${y - 34}" stroke="#5b3a1e" stroke-width="4"/><circle cx="${x + 2}" cy="${y + 10}" r="10" fill="#a0522d"/><circle cx="${x + 6}" cy="${y - 2}" r="7" fill="#a0522d"/><circle cx="${x + 3}" cy="${y + 6}" r="3" fill="#2a1a0a"/>`;
    case 'ball':
      return `<circle cx="${x + 6}" cy="108" r="11" fill="#ffffff" stroke="#333333" stroke-width="0.8"/><path d="M${x - 5},108 A11,11 0 0 1 ${x + 6},97 L${x + 6},108 Z" fill="#e63946"/><path d="M${x + 17},108 A11,11 0 0 1 ${x + 6},119 L${x + 6},108 Z" fill="#1e6fff"/><path d="M${x + 6},97 A11,11 0 0 1 ${x + 17},108 L${x + 6},108 Z" fill="#ffd23f"/>`;
    case 'cup':
      return `<rect x="${x - 6}" y="${y - 8}" width="12" height="13" rx="2" fill="#ffffff" stroke="#555555" stroke-width="0.8"/><path d="M${x + 6},${y - 5} q6,0 6,4 q0,4 -6,4" stroke="#ffffff" stroke-width="2.5" fill="none"/>` +
        `<path d="M${x - 2},${y - 12} q-3,-4 0,-8 M${x + 3},${y - 12} q-3,-4 0,-8" stroke="#bbbbbb" stroke-width="1.6" fill="none"/>`;
    case 'sword':
      return `<polygon points="${x - 2},${y - 6} ${x + 3},${y - 4} ${x + 22},${y - 54} ${x + 19},${y - 58}" fill="#d9dde3" stroke="#6b7280" stroke-width="0.8"/><line x1="${x - 6}" y1="${y - 9}" x2="${x + 7}" y2="${y - 1}" stroke="#d4a017" stroke-width="4" stroke-linecap="round"/><line x1="${x}" y1="${y - 4}" x2="${x - 3}" y2="${y + 4}" stroke="#7a4a12" stroke-width="3.5"/>`;
    case 'flower':
      return `<line x1="${x}" y1="${y + 2}" x2="${x + 3}" y2="${y - 24}" stroke="#2f8f3a" stroke-width="2.5"/><ellipse cx="${x - 4}" cy="${y - 10}" rx="4" ry="2" fill="#2f8f3a"/>` +
        [0, 72, 144, 216, 288].map((a) => `<circle cx="${(x + 3 + 5 * Math.cos((a * Math.PI) / 180)).toFixed(1)}" cy="${(y - 27 + 5 * Math.sin((a * Math.PI) / 180)).toFixed(1)}" r="4.2" fill="#ff5fa2"/>`).join('') +
        `<circle cx="${x + 3}" cy="${y - 27}" r="3" fill="#ffd23f"/>`;
    case 'camera':
      return `<rect x="${x - 11}" y="${y - 9}" width="22" height="15" rx="3" fill="#1f1f1f"/><rect x="${x - 7}" y="${y - 12}" width="7" height="4" fill="#1f1f1f"/><circle cx="${x + 1}" cy="${y - 1.5}" r="5.5" fill="#8a9bb0" stroke="#dddddd" stroke-width="1.2"/><circle cx="${x + 7}" cy="${y - 6}" r="1.4" fill="#ffe14d"/>`;
    case 'balloon':
      return `<path d="M${x},${y} Q${x + 12},${y - 24} ${x + 8},${y - 46}" stroke="#444444" stroke-width="1" fill="none"/><ellipse cx="${x + 8}" cy="${y - 58}" rx="10" ry="12" fill="#e11d2e"/><ellipse cx="${x + 5}" cy="${y - 62}" rx="2.5" ry="4" fill="#ff8a94"/><polygon points="${x + 6},${y - 46} ${x + 10},${y - 46} ${x + 8},${y - 49}" fill="#e11d2e"/>`;
    case 'ice cream':
      return `<polygon points="${x - 6},${y - 6} ${x + 6},${y - 6} ${x},${y + 10}" fill="#d9a066" stroke="#a0703a" stroke-width="0.8"/><circle cx="${x}" cy="${y - 10}" r="7" fill="#ff8fc8"/><circle cx="${x - 2}" cy="${y - 13}" r="1.5" fill="#ffffff"/>`;
    default:
      throw new Error(`synth: no drawing for prop "${prop}"`);
  }
}
