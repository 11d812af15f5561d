/** Hex colour helpers for the drawings. */

/** Multiply RGB by `k` (k < 1 darker, k > 1 lighter towards white). */
export function shade(hex: string, k: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => Math.max(0, Math.min(255, Math.round(k <= 1 ? c * k : c + (255 - c) * (k - 1)))));
  return '#' + ch.map((c) => c.toString(16).padStart(2, '0')).join('');
}

/** Relative brightness in [0, 1]. */
export function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
}
