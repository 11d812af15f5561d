/**
 * Is a drawing recognisably this character among all of them? Each drawing's mean identity
 * similarity to every candidate character's references; its rank is 1 when its own character is
 * the nearest. `t2i_identity_top1` is the share of drawings with rank 1 (chance: 1 / candidates).
 */
import { dot } from '../../judges/image/clip';
import type { Judges } from '../../judges';

/** Mean cosine of a unit embedding to unit reference embeddings (the suite's identity score of one drawing). */
export function meanSimilarity(e: Float32Array, references: readonly Float32Array[]): number {
  return references.reduce((s, r) => s + dot(e, r), 0) / Math.max(1, references.length);
}

/** 1-based rank of `own` among the candidates by mean cosine of `drawing` (a unit embedding) to each one's reference embeddings. */
export function identityRank(drawing: Float32Array, referencesByCharacter: ReadonlyMap<string, readonly Float32Array[]>, own: string): number {
  if (!referencesByCharacter.has(own)) throw new Error(`identityRank: no references for "${own}"`);
  const score = (refs: readonly Float32Array[]) => meanSimilarity(drawing, refs);
  const mine = score(referencesByCharacter.get(own)!);
  let rank = 1;
  for (const [id, refs] of referencesByCharacter) if (id !== own && score(refs) > mine) rank++;
  return rank;
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

/** Judge step: each drawing's rank of `own` among the embedded candidates (`own` included; same `variant` as `embedReferences`). */
export function drawingRanks(judges: Judges, drawings: readonly Uint8Array[], embeddedReferences: ReadonlyMap<string, readonly Float32Array[]>, own: string, variant: 'dino' | 'clip_i' = 'dino'): number[] {
  if (!drawings.length) return [];
  return judges.identity.embedImages([...drawings], variant).map((e) => identityRank(e, embeddedReferences, own));
}
