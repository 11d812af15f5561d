/** Views of the judges for notebooks: identity-similarity matrices and confusion matrices. */
import type { IdentityJudge, IdentityVariant } from '../judges/image/identity';
import { dot } from '../judges/image/clip';

/**
 * Mean cosine similarity between the images of each pair of characters (the diagonal: between
 * different images of the same character). High diagonal, low off-diagonal = a usable identity metric.
 */
export function identityMatrix(judge: IdentityJudge, byCharacter: ReadonlyMap<string, readonly Uint8Array[]>, variant: IdentityVariant): { ids: string[]; matrix: number[][] } {
  const ids = [...byCharacter.keys()];
  const emb = new Map(ids.map((id) => [id, judge.embedImages([...byCharacter.get(id)!], variant)]));
  const matrix = ids.map((a) =>
    ids.map((b) => {
      const ea = emb.get(a)!, eb = emb.get(b)!;
      let s = 0, n = 0;
      for (let i = 0; i < ea.length; i++) for (let j = 0; j < eb.length; j++) if (a !== b || i !== j) (s += dot(ea[i], eb[j])), n++;
      return n ? s / n : NaN;
    }),
  );
  return { ids, matrix };
}

/** Row-normalized confusion matrix: rows are the true labels, columns the predicted ones. */
export function confusionMatrix(truth: readonly string[], predicted: readonly string[], labels: readonly string[]): number[][] {
  const idx = new Map(labels.map((l, i) => [l, i]));
  const m = labels.map(() => labels.map(() => 0));
  truth.forEach((t, k) => {
    const i = idx.get(t), j = idx.get(predicted[k]);
    if (i !== undefined && j !== undefined) m[i][j]++;
  });
  return m.map((row) => {
    const n = row.reduce((a, b) => a + b, 0);
    return row.map((x) => (n ? x / n : 0));
  });
}
