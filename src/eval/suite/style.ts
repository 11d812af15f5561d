/**
 * Dialogue style and persona consistency of generated replies. The policy replies (sampled, text
 * only) to the user lines of the character's TEST dialogues and to its personality questions.
 *   style_attribution       share of replies the style judge attributes to this character among
 *                           all the dataset's characters (nearest centroid of their TRAINING lines);
 *                           chance = 1 / number of characters
 *   catchphrase_rate_ratio  catchphrase rate in the replies / its rate in the character's own test
 *                           replies (1 = the character's habit; synthetic only: the catchphrase is
 *                           ground truth); tic_rate_ratio likewise for the verbal tic
 *   persona_consistency     share of replies (these and the memorization answers) that state no
 *                           profile fact wrongly: no hometown or occupation of the synthetic label
 *                           space other than the character's own (synthetic only)
 * Departure from UniCharacter: no LLM grader; a tiny trained attribution judge (src/judges/text)
 * and ground-truth string checks stand in. The scorers are src/metrics/style.ts (the GRPO rewards
 * use them too); this file gathers the replies.
 */
import type { PolicySession, ReplyOptions } from './session';
import { userText } from './session';
import type { Exchange } from './items';

export interface StyleReply {
  source: 'dialogue' | 'personality';
  /** The user turn(s) replied to. */
  prompt: string;
  reply: string;
  /** The character's own reply in the test data (dialogues only). */
  reference: string | null;
}

/** Gather: one sampled text reply per test exchange and per personality question. */
export async function gatherStyleReplies(session: PolicySession, dialogues: readonly Exchange[], personality: readonly string[], opts: ReplyOptions): Promise<StyleReply[]> {
  const out: StyleReply[] = [];
  for (const e of dialogues) {
    const r = await session.reply(e.user.map(userText), opts);
    out.push({ source: 'dialogue', prompt: e.user.join('\n'), reply: r.text, reference: e.reference.text });
  }
  for (const q of personality) {
    const r = await session.reply([userText(q)], opts);
    out.push({ source: 'personality', prompt: q, reply: r.text, reference: null });
  }
  return out;
}
