/**
 * How well an identity judge tells real RoleScape-20 characters apart, measured on the TEST images
 * (which no judge trained on), each compared with the characters' TRAINING images, the way the
 * evaluation suite compares a drawing with a character's reference images:
 *
 *   auc        ROC AUC of the cosine over all (test image, training image) pairs: same character
 *              (positive) vs different character (negative)
 *   top1       share of test images whose nearest character, by mean cosine to each character's
 *              training images (the suite's `similarityToReferences`), is their own; chance is
 *              1 / #characters
 *   meanSame / meanDifferent   mean cosine of the positive / negative pairs
 */
import { IDENTITY_VARIANTS, IdentityJudge, IdentityVariant } from '../image/identity';
import { dot } from '../image/clip';
import { rocAuc } from '../../util/stats';

export interface RealImages {
  /** Per character: its training and test images as 32x32 pixels (imageToModelSize). */
  characters: Array<{ id: string; train: Uint8Array[]; test: Uint8Array[] }>;
}

export interface RealIdentityEval {
  auc: number;
  top1: number;
  /** Per character with test images: share of its test images attributed to it. */
  top1ByCharacter: Record<string, number>;
  meanSame: number;
  meanDifferent: number;
  positives: number;
  negatives: number;
  queries: number;
}

function embedAll(judge: IdentityJudge, images: Uint8Array[], variant: IdentityVariant): Float32Array[] {
  const out: Float32Array[] = [];
  for (let s = 0; s < images.length; s += 128) out.push(...judge.embedImages(images.slice(s, s + 128), variant));
  return out;
}

/** Both identity heads, on the test images against every character's training images. */
export function evaluateRealIdentity(judge: IdentityJudge, data: RealImages): Record<IdentityVariant, RealIdentityEval> {
  const chars = data.characters.filter((c) => c.train.length > 0);
  const out = {} as Record<IdentityVariant, RealIdentityEval>;
  for (const v of IDENTITY_VARIANTS) {
    const train = chars.map((c) => embedAll(judge, c.train, v));
    const scores: number[] = [], positive: boolean[] = [];
    let sp = 0, sn = 0, np = 0, nn = 0, right = 0, queries = 0;
    const byChar: Record<string, number> = {};
    chars.forEach((c, ci) => {
      if (!c.test.length) return;
      let own = 0;
      for (const e of embedAll(judge, c.test, v)) {
        const means = train.map((refs, k) => {
          let s = 0;
          for (const r of refs) {
            const x = dot(e, r);
            s += x;
            scores.push(x), positive.push(k === ci);
            if (k === ci) (sp += x), np++;
            else (sn += x), nn++;
          }
          return s / refs.length;
        });
        const best = means.indexOf(Math.max(...means));
        if (best === ci) own++;
        queries++;
      }
      right += own;
      byChar[c.id] = own / c.test.length;
    });
    out[v] = { auc: rocAuc(scores, positive), top1: queries ? right / queries : NaN, top1ByCharacter: byChar, meanSame: sp / np, meanDifferent: sn / nn, positives: np, negatives: nn, queries };
  }
  return out;
}

/**
 * Characters ranked by how similar `images` (e.g. a policy's drawings) are to each character's
 * references: the mean over images of the mean cosine to the references, highest first. The
 * suite's identity metrics report the own character's value alone; its rank among the others
 * says whether that value means "looks like this character" on this judge's scale.
 */
export function rankCharacters(judge: IdentityJudge, images: Uint8Array[], references: ReadonlyArray<{ id: string; images: Uint8Array[] }>, variant: IdentityVariant = 'dino'): Array<{ character: string; similarity: number }> {
  if (!images.length) return [];
  const e = embedAll(judge, images, variant);
  return references
    .filter((r) => r.images.length > 0)
    .map((r) => {
      const refs = embedAll(judge, r.images, variant);
      const s = e.reduce((a, x) => a + refs.reduce((b, y) => b + dot(x, y), 0) / refs.length, 0) / e.length;
      return { character: r.id, similarity: s };
    })
    .sort((a, b) => b.similarity - a.similarity);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Rows comparing judges (e.g. retrained vs synthetic base) on the same real images. */
export function formatRealIdentity(rows: Array<[string, Record<IdentityVariant, RealIdentityEval>]>): string[] {
  const lines = ['judge                        head     AUC     top-1    cos same  cos different'];
  for (const [name, r] of rows) {
    for (const v of IDENTITY_VARIANTS) {
      const x = r[v];
      lines.push(`${name.padEnd(28)} ${v.padEnd(6)} ${x.auc.toFixed(4)}  ${pct(x.top1).padStart(6)}   ${x.meanSame.toFixed(3).padStart(7)}   ${x.meanDifferent.toFixed(3).padStart(7)}`);
    }
  }
  return lines;
}
