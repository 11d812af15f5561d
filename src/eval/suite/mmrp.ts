/**
 * Multimodal role-play on the TEST image-dialogues: the policy writes the reply to the user turn(s)
 * and a picture for it.
 *   shared context (unified policies): the reply is sampled with pictures allowed; when the model
 *     ends its text without drawing, `<boi>` is forced right after the text, in the same context
 *     (the paper's factorization p(text) p(image | text, context)).
 *   separate models (sharedContext false): the image model gets only the reply text, as a
 *     text-to-image instruction after the policy's context, never the conversation.
 *   mmrp_identity     mean DINO-stand-in similarity of the drawn images to the K references
 *   mmrp_consistency  agreement between what the picture shows (expression and scene read by the
 *                     VQA judge) and what the reply says (emotion and place read by the text emotion
 *                     judge): per reply, the share of the aspects the text judge reads (not "none")
 *                     that the picture matches; mean over the replies where it reads at least one.
 *                     Replies stating nothing are left out and counted (`mmrp_consistency_items`).
 * Departure from UniCharacter: no large VLM grader; two tiny judges read the same closed label
 * space (expressions, scenes) from each side, so agreement is a label comparison.
 */
import type { Judges } from '../../judges';
import type { EmotionJudge } from '../../judges/text';
import { readBothSides, scoreConsistency, type BothSides } from '../../metrics/consistency';
import { similarityMatrix } from '../../metrics/similarity';
import type { PolicySession, ReplyOptions } from './session';
import { userText } from './session';
import type { Exchange } from './items';
import { finite, meanOrNull } from '../../util/stats';

export interface MmrpDrawn {
  prompt: string;
  reply: string;
  /** Whether the policy drew on its own (false: the picture was forced or drawn separately). */
  drewItself: boolean;
  drawing: Uint8Array;
}

/**
 * Gather: a reply and its picture for each exchange. `afterReply: false` is the chain ablation: the
 * reply is text only and the picture is drawn from the conversation alone (unified: right after the
 * user turn, in the same context; separate: the user turn as the image model's instruction), so
 * what the reply says cannot steer it.
 */
export async function gatherMmrp(session: PolicySession, items: readonly Exchange[], opts: ReplyOptions, afterReply = true): Promise<MmrpDrawn[]> {
  const out: MmrpDrawn[] = [];
  for (const e of items) {
    const user = e.user.map(userText);
    const r = await session.reply(user, { ...opts, allowImage: afterReply && session.policy.sharedContext });
    const drawing = afterReply ? await session.pictureFor(r, opts) : (await session.draw(user, 1, opts))[0];
    out.push({ prompt: e.user.join('\n'), reply: r.text, drewItself: r.imageCodes !== null, drawing });
  }
  return out;
}

export interface MmrpRecord {
  prompt: string;
  reply: string;
  drewItself: boolean;
  /** Mean DINO similarity of the picture to the references. */
  identity: number | null;
  text: BothSides['text'];
  image: BothSides['image'];
}

/** Judge step: identity, and both sides' reading of expression and scene. */
export function judgeMmrp(judges: Judges, emotion: EmotionJudge, drawn: readonly MmrpDrawn[], references: readonly Uint8Array[]): MmrpRecord[] {
  if (!drawn.length) return [];
  const drawings = drawn.map((d) => d.drawing);
  const sims = similarityMatrix(judges, drawings, references, 'dino');
  const sides = readBothSides(judges, emotion, drawings, drawn.map((d) => d.reply));
  return drawn.map((d, i) => ({
    prompt: d.prompt,
    reply: d.reply,
    drewItself: d.drewItself,
    identity: meanOrNull(sims[i]),
    ...sides[i],
  }));
}

/** Score: mean identity over the drawings. */
export function scoreMmrpIdentity(records: readonly { identity: number | null }[]): number | null {
  return meanOrNull(finite(records.map((r) => r.identity)));
}

const MMRP_KEYS = ['mmrp_identity', 'mmrp_consistency', 'mmrp_expression_agreement', 'mmrp_scene_agreement', 'mmrp_drew_share'] as const;

/** Every mmrp metric of one judge set's records, with the reason each null metric is null. */
export function mmrpMetrics(records: readonly MmrpRecord[]): { metrics: Record<(typeof MMRP_KEYS)[number], number | null>; unavailable: Record<string, string>; items: number } {
  const s = scoreConsistency(records);
  const metrics = {
    mmrp_identity: scoreMmrpIdentity(records), mmrp_consistency: s.consistency, mmrp_expression_agreement: s.expressionAgreement, mmrp_scene_agreement: s.sceneAgreement,
    mmrp_drew_share: records.length ? records.filter((r) => r.drewItself).length / records.length : null,
  };
  const unavailable: Record<string, string> = {};
  if (!records.length) for (const k of MMRP_KEYS) unavailable[k] = 'no test image-dialogues';
  else if (s.consistency === null) unavailable.mmrp_consistency = `the text judge read no emotion or place in any of the ${records.length} replies`;
  return { metrics, unavailable, items: s.items };
}
