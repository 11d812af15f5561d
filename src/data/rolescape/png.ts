/**
 * PNG checks: the header is parsed by hand (signature + IHDR give exact, cheap messages and
 * the dimensions), then the pixel data is decoded with sharp, which catches truncated or
 * corrupt IDAT streams that a header check cannot see. Works on a buffer: never touches disk.
 */
import sharp from 'sharp';

export type PngCheck =
  | { ok: true; width: number; height: number }
  | { ok: false; field: 'signature' | 'IHDR' | 'pixel data'; message: string };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function checkPngHeader(buf: Buffer): PngCheck {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    // the found bytes are not quoted: they may be anything (a symlinked /etc/passwd, a text file)
    const found = buf.length === 0 ? 'an empty file' : buf.length < 8 ? `only ${buf.length} byte(s)` : 'other bytes';
    return { ok: false, field: 'signature', message: `not a PNG: expected the 8-byte PNG signature 89504e470d0a1a0a, found ${found}` };
  }
  // first chunk: length (4) = 13, type (4) = IHDR, width (4), height (4), …
  if (buf.length < 33 || buf.readUInt32BE(8) !== 13 || buf.toString('latin1', 12, 16) !== 'IHDR') {
    return { ok: false, field: 'IHDR', message: 'corrupt PNG: expected an IHDR chunk right after the signature' };
  }
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  if (width === 0 || height === 0) return { ok: false, field: 'IHDR', message: `corrupt PNG: image size is ${width}x${height}` };
  return { ok: true, width, height };
}

/** Header check, then a full decode. */
export async function checkPng(buf: Buffer): Promise<PngCheck> {
  const head = checkPngHeader(buf);
  if (!head.ok) return head;
  try {
    await sharp(buf).raw().toBuffer(); // default failOn 'warning': truncated IDAT fails
  } catch (err) {
    return { ok: false, field: 'pixel data', message: `corrupt PNG: cannot decode the ${head.width}x${head.height} image (${(err as Error).message.trim()})` };
  }
  return head;
}
