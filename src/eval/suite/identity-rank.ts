/**
 * Is a drawing recognisably this character among all of them? Each drawing's mean identity
 * similarity to every candidate character's references; its rank is 1 when its own character is
 * the nearest. `t2i_identity_top1` is the share of drawings with rank 1 (chance: 1 / candidates);
 * the evaluation's details name each drawing's nearest character, so a miss names its look-alike.
 */
import { dot } from '../../judges/image/clip';
import type { Judges } from '../../judges';

/** Mean cosine of a unit embedding to unit reference embeddings (the suite's identity score of one drawing). */
export function meanSimilarity(e: Float32Array, references: readonly Float32Array[]): number {
  return references.reduce((s, r) => s + dot(e, r), 0) / Math.max(1, references.length);
}

/** Where a drawing (a unit embedding) places `own`: its 1-based rank among the candidates by mean cosine to each one's references, and the candidate that ranks first (ties keep `own`). */
export function identityRanking(drawing: Float32Array, referencesByCharacter: ReadonlyMap<string, readonly Float32Array[]>, own: string): { rank: number; nearest: string } {
  if (!referencesByCharacter.has(own)) throw new Error(`identityRanking: no references for "${own}"`);
  const score = (refs: readonly Float32Array[]) => meanSimilarity(drawing, refs);
  const mine = score(referencesByCharacter.get(own)!);
  let rank = 1, nearest = own, best = mine;
  for (const [id, refs] of referencesByCharacter) {
    if (id === own) continue;
    const s = score(refs);
    if (s > mine) rank++;
    if (s > best) (best = s), (nearest = id);
  }
  return { rank, nearest };
}

/** Share of ranks equal to 1 (null for no drawings). */
export function top1Share(ranks: readonly number[]): number | null {
  return ranks.length ? ranks.filter((r) => r === 1).length / ranks.length : null;
}

/** Each candidate's reference pixels embedded once by the identity judge's `variant` head (candidates without references are left out). */
export function embedReferences(judges: Judges, referencesByCharacter: ReadonlyMap<string, readonly Uint8Array[]>, variant: 'dino' | 'clip_i' = 'dino'): Map<string, Float32Array[]> {
  const embedded = new Map<string, Float32Array[]>();
  for (const [id, refs] of referencesByCharacter) if (refs.length) embedded.set(id, judges.identity.embedImages([...refs], variant));
  return embedded;
}

/** Judge step: each drawing's rank of `own` among the embedded candidates (`own` included; same `variant` as `embedReferences`) and its nearest candidate. */
export function drawingRanks(judges: Judges, drawings: readonly Uint8Array[], embeddedReferences: ReadonlyMap<string, readonly Float32Array[]>, own: string, variant: 'dino' | 'clip_i' = 'dino'): { rank: number; nearest: string }[] {
  if (!drawings.length) return [];
  return judges.identity.embedImages([...drawings], variant).map((e) => identityRanking(e, embeddedReferences, own));
}

/** How many drawings each character is nearest to, most first (ties by name): which look-alike takes a character's drawings. */
export function nearestCounts(nearest: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const id of nearest) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
