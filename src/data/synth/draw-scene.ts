/**
 * Backgrounds (128x128 canvas): each scene has its own dominant colour and a signature shape
 * (waves, pines, snowflakes, lit windows, checked tiles, shelves, planet, dunes, bubbles,
 * blossoms) so a 32x32 classifier can tell them apart from colour alone.
 */
import { Rng } from '../../util/rng';

const rect = (x: number, y: number, w: number, h: number, fill: string, extra = ''): string =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"${extra}/>`;
const circle = (cx: number, cy: number, r: number, fill: string, extra = ''): string => `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"${extra}/>`;

// the sun stays in the far corner: the mood emblem (a yellow sparkle for happy) sits top-left of the head
function beach(rng: Rng): string {
  const waves = Array.from({ length: 3 }, (_, i) => {
    const y = 62 + i * 5;
    const x = rng.int(4, 90);
    return `<path d="M${x},${y} q6,-3 12,0 t12,0" stroke="#ffffff" stroke-width="1.5" fill="none"/>`;
  }).join('');
  return rect(0, 0, 128, 58, '#8fd8ff') + circle(rng.int(8, 12), rng.int(8, 12), 8, '#ffe14d') + rect(0, 56, 128, 22, '#1e88c8') + waves + rect(0, 76, 128, 52, '#f2d58a');
}

function forest(rng: Rng): string {
  let s = rect(0, 0, 128, 128, '#2e6b3a') + rect(0, 96, 128, 32, '#3f8f4c');
  for (let i = 0; i < 6; i++) {
    const x = i * 24 + rng.int(-4, 6);
    const h = rng.int(40, 64);
    s += rect(x - 2, 96 - 10, 5, 12, '#5b3a1e') + `<polygon points="${x - 13},88 ${x + 13},88 ${x},${88 - h}" fill="#173f22"/>`;
  }
  return s;
}

function snowfield(rng: Rng): string {
  let s = rect(0, 0, 128, 128, '#d6ecff') + `<path d="M0,84 Q32,70 64,82 T128,78 L128,128 L0,128 Z" fill="#ffffff"/>`;
  for (let i = 0; i < 22; i++) s += circle(rng.int(2, 126), rng.int(2, 76), Math.round((1 + rng.next() * 1.2) * 10) / 10, '#ffffff');
  return s;
}

function cityNight(rng: Rng): string {
  let s = rect(0, 0, 128, 128, '#121a3a') + circle(108, 18, 8, '#f5f3ce');
  for (let x = 0; x < 128; ) {
    const w = rng.int(16, 26);
    const h = rng.int(40, 80);
    s += rect(x, 128 - h, w - 2, h, rng.chance(0.5) ? '#262d57' : '#1c2248');
    for (let wy = 128 - h + 5; wy < 124; wy += 9) for (let wx = x + 3; wx < x + w - 6; wx += 7) if (rng.chance(0.55)) s += rect(wx, wy, 3, 4, '#ffd84a');
    x += w;
  }
  return s;
}

function kitchen(): string {
  let s = rect(0, 0, 128, 128, '#f7f7f7');
  for (let y = 0; y < 92; y += 16) for (let x = (y / 16) % 2 === 0 ? 0 : 16; x < 128; x += 32) s += rect(x, y, 16, 16, '#d94141');
  return s + rect(0, 92, 128, 36, '#8a5a2b') + rect(0, 92, 128, 4, '#6d4320');
}

function library(rng: Rng): string {
  const spines = ['#c0392b', '#2e86de', '#27ae60', '#f1c40f', '#8e44ad', '#e67e22'];
  let s = rect(0, 0, 128, 128, '#5a3418');
  for (const shelf of [30, 62, 94]) {
    s += rect(0, shelf, 128, 4, '#3b200d');
    for (let x = 2; x < 124; ) {
      const w = rng.int(4, 7);
      const h = rng.int(16, 24);
      s += rect(x, shelf - h, w - 1, h, rng.pick(spines));
      x += w + (rng.chance(0.15) ? 4 : 0);
    }
  }
  return s;
}

function space(rng: Rng): string {
  let s = rect(0, 0, 128, 128, '#07051a');
  for (let i = 0; i < 40; i++) s += circle(rng.int(1, 127), rng.int(1, 127), rng.chance(0.2) ? 1.3 : 0.7, '#ffffff');
  const px = rng.int(98, 110);
  return s + circle(px, 24, 12, '#8e44ad') + `<ellipse cx="${px}" cy="24" rx="19" ry="4" fill="none" stroke="#d2b4de" stroke-width="2"/>`;
}

function desert(rng: Rng): string {
  const cx = rng.int(8, 22);
  return (
    rect(0, 0, 128, 128, '#ffd58a') +
    circle(rng.int(96, 110), 20, 14, '#fff1a8') +
    `<path d="M0,76 Q30,60 64,74 T128,70 L128,128 L0,128 Z" fill="#e6953a"/>` +
    `<path d="M0,100 Q40,88 80,100 T128,96 L128,128 L0,128 Z" fill="#d47f28"/>` +
    rect(cx, 60, 6, 30, '#2f8f3a', ' rx="3"') + rect(cx - 6, 68, 6, 4, '#2f8f3a') + rect(cx - 6, 62, 4, 10, '#2f8f3a', ' rx="2"')
  );
}

function underwater(rng: Rng): string {
  let s = rect(0, 0, 128, 70, '#137a94') + rect(0, 64, 128, 64, '#0b4d61') + rect(0, 116, 128, 12, '#9c8a5c');
  for (let i = 0; i < 5; i++) {
    const x = rng.int(4, 124);
    s += `<path d="M${x},118 q-5,-10 0,-20 t0,-20" stroke="#2fae5a" stroke-width="3" fill="none"/>`;
  }
  for (let i = 0; i < 10; i++) s += circle(rng.int(4, 124), rng.int(4, 100), rng.int(2, 4), 'none', ' stroke="#bff3ff" stroke-width="1"');
  return s;
}

function cherryGarden(rng: Rng): string {
  let s = rect(0, 0, 128, 128, '#ffe4ef') + rect(0, 96, 128, 32, '#9fd67f') + rect(10, 40, 6, 60, '#6b3f24') + rect(112, 44, 6, 56, '#6b3f24');
  for (let i = 0; i < 14; i++) {
    const left = i % 2 === 0;
    s += circle((left ? 14 : 114) + rng.int(-16, 16), rng.int(8, 48), rng.int(8, 13), i % 3 === 0 ? '#f7b6d2' : '#f49ac1');
  }
  for (let i = 0; i < 12; i++) s += circle(rng.int(2, 126), rng.int(30, 120), 1.5, '#f27db0');
  return s;
}

/** SVG elements filling the canvas for one scene; `rng` only moves details around. */
export function drawScene(scene: string, rng: Rng): string {
  switch (scene) {
    case 'beach': return beach(rng);
    case 'forest': return forest(rng);
    case 'snowfield': return snowfield(rng);
    case 'city night': return cityNight(rng);
    case 'kitchen': return kitchen();
    case 'library': return library(rng);
    case 'space': return space(rng);
    case 'desert': return desert(rng);
    case 'underwater': return underwater(rng);
    case 'cherry garden': return cherryGarden(rng);
    default: throw new Error(`synth: no drawing for scene "${scene}"`);
  }
}
