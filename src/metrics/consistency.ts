/**
 * Image-text consistency of a reply and its picture (src/eval/suite/mmrp.ts defines
 * mmrp_consistency): what each side shows, read by the VQA judge (picture) and the text emotion
 * judge (reply), and their agreement. Shared by the evaluation suite and Character-GRPO's
 * consistency reward.
 */
import type { Judges } from '../judges';
import type { EmotionJudge } from '../judges/text';
import { NONE } from '../judges/text';
import { meanOrNull } from '../util/stats';

/** What each side shows: expression and scene in the picture (VQA judge) and in the reply (text emotion judge). */
export interface BothSides {
  text: { expression: string; scene: string };
  image: { expression: string; scene: string };
}

/** Judge step, both sides of drawing i and reply i (also the Character-GRPO consistency reward's reading). */
export function readBothSides(judges: Judges, emotion: EmotionJudge, drawings: readonly Uint8Array[], replies: readonly string[]): BothSides[] {
  if (drawings.length !== replies.length) throw new Error(`readBothSides: ${drawings.length} drawings but ${replies.length} replies`);
  if (!drawings.length) return [];
  const seen = judges.vqa.predict([...drawings]);
  const said = emotion.judgeLines(replies);
  return drawings.map((_, i) => ({
    text: { expression: said[i].expression, scene: said[i].scene },
    image: { expression: seen[i].expression, scene: seen[i].scene },
  }));
}

export interface ConsistencyScore {
  consistency: number | null;
  /** Replies where the text judge read an emotion or a place. */
  items: number;
  expressionAgreement: number | null;
  sceneAgreement: number | null;
}

/** Score: image-text agreement over the aspects the reply states (pure). */
export function scoreConsistency(records: readonly BothSides[]): ConsistencyScore {
  const perItem: number[] = [];
  const expr: number[] = [], scene: number[] = [];
  for (const r of records) {
    const hits: number[] = [];
    if (r.text.expression !== NONE) expr.push(+(r.text.expression === r.image.expression)), hits.push(expr[expr.length - 1]);
    if (r.text.scene !== NONE) scene.push(+(r.text.scene === r.image.scene)), hits.push(scene[scene.length - 1]);
    if (hits.length) perItem.push(meanOrNull(hits)!);
  }
  return { consistency: meanOrNull(perItem), items: perItem.length, expressionAgreement: meanOrNull(expr), sceneAgreement: meanOrNull(scene) };
}
