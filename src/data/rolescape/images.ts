/**
 * The numbered PNGs of a split folder (0.png, 1.png, …) and the lookups other files do
 * against them. Every PNG is checked (signature, IHDR, full decode); a broken PNG is an error
 * and is left out, so references to it are reported as well (they cannot be used either).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IssueCollector } from './issues';
import { checkPng } from './png';
import { readFileSafe } from './read';
import type { ImageRef, Split } from './types';

export const IMAGE_FILE = /^(\d+)\.png$/;

export async function loadImages(dir: string, split: Split, issues: IssueCollector): Promise<ImageRef[]> {
  const names = fs
    .readdirSync(dir)
    .filter((f) => IMAGE_FILE.test(f))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const checked = await Promise.all(
    names.map(async (name) => {
      const abs = path.join(dir, name);
      const buf = readFileSafe(abs, issues, { required: true, what: 'image' });
      if (buf === null) return null;
      return { name, abs, res: await checkPng(buf) };
    }),
  );
  const out: ImageRef[] = [];
  for (const c of checked) {
    if (!c) continue;
    // issues are added in file order (not completion order) so reports are stable
    if (!c.res.ok) issues.error(c.abs, c.res.field, 'bad-png', c.res.message);
    else out.push({ id: c.name.slice(0, -4), split, path: c.abs, file: issues.rel(c.abs), width: c.res.width, height: c.res.height });
  }
  return out;
}

/** Resolves image ids of one split folder, and reports references that do not resolve. */
export class ImageIndex {
  private readonly byId: Map<string, ImageRef>;
  /** Ids referenced by annotation/with_image/t2i, to warn about PNGs nothing uses. */
  readonly referenced = new Set<string>();

  constructor(
    readonly dir: string,
    images: ImageRef[],
    private readonly issues: IssueCollector,
  ) {
    this.byId = new Map(images.map((i) => [i.id, i]));
  }

  path(id: string | null | undefined): string | null {
    return id == null ? null : this.byId.get(id)?.path ?? null;
  }

  /** A reference that must resolve (annotation, with_image, t2i instructions): error if not. */
  require(id: string, absFile: string, field: string): string | null {
    this.referenced.add(id);
    const p = this.path(id);
    if (p === null) {
      const exists = fs.existsSync(path.join(this.dir, `${id}.png`));
      const why = exists ? 'exists but is not a valid PNG (see its own error)' : 'does not exist';
      this.issues.error(absFile, field, 'missing-image', `references image "${id}", but ${this.issues.rel(path.join(this.dir, `${id}.png`))} ${why}`);
    }
    return p;
  }

  /** PNGs no annotation/with_image/t2i entry points at. */
  reportUnreferenced(): void {
    for (const [id, img] of this.byId) {
      if (!this.referenced.has(id)) this.issues.warn(img.path, '', 'unreferenced-image', `image "${id}" is not used by annotation.json, with_image or t2i_instruction`);
    }
  }
}
