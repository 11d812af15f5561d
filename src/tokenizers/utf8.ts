/**
 * UTF-8 that round-trips every JavaScript string. TextEncoder turns a lone surrogate (legal in a
 * JS string, e.g. half an emoji cut by `slice`) into U+FFFD, which would break
 * `decode(encode(s)) === s`; here a lone surrogate is written as its 3-byte form (WTF-8) and read
 * back. Any other invalid byte sequence (a model can generate one) decodes to U+FFFD per bad byte.
 */

/** Append the (WTF-8) bytes of `s` to `out`. */
export function pushUtf8(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out.push(c);
    } else if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
      i++;
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    } else {
      // BMP character, or a lone surrogate (WTF-8)
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
}

export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  pushUtf8(s, out);
  return Uint8Array.from(out);
}

const REPLACEMENT = 0xfffd;

/** Decode WTF-8 bytes; invalid bytes become U+FFFD (never throws). */
export function utf8Decode(bytes: ArrayLike<number>): string {
  const units: number[] = [];
  let out = '';
  const n = bytes.length;
  const cont = (j: number): boolean => j < n && (bytes[j] & 0xc0) === 0x80;
  for (let i = 0; i < n; ) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i += 1;
    } else if (b >= 0xc2 && b < 0xe0 && cont(i + 1)) {
      units.push(((b & 31) << 6) | (bytes[i + 1] & 63));
      i += 2;
    } else if (b >= 0xe0 && b < 0xf0 && cont(i + 1) && cont(i + 2)) {
      const cp = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      if (cp < 0x800) {
        units.push(REPLACEMENT); // overlong
        i += 1;
      } else {
        units.push(cp); // includes surrogates (WTF-8)
        i += 3;
      }
    } else if (b >= 0xf0 && b < 0xf5 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const cp = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      if (cp < 0x10000 || cp > 0x10ffff) {
        units.push(REPLACEMENT);
        i += 1;
      } else {
        const v = cp - 0x10000;
        units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
        i += 4;
      }
    } else {
      units.push(REPLACEMENT);
      i += 1;
    }
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}
