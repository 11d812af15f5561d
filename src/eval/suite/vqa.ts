/**
 * Image understanding on held-out images.
 *   vqa_acc  the policy answers each VQA question about a TEST image (greedy, the image in the
 *            user's turn as in training); exact match with the expected answer after normalization
 *            (lower case, no punctuation, no articles). vqa_f1 (extra): SQuAD token F1, partial
 *            credit for answers that get the attribute right but the sentence wrong.
 * The pairs come from items.ts (`heldOutVqa`: for synthetic characters, the generator's templates
 * applied to the test images' labels, since no dataset ships test-split VQA).
 */
import { Rng } from '../../util/rng';
import type { PolicySession } from './session';
import { userImage, userText } from './session';
import type { VqaItem } from './items';
import { exactMatch, tokenF1 } from './text';

export interface VqaRecord {
  id: string;
  imageId: string;
  question: string;
  expected: string;
  answer: string;
  exact: boolean;
  f1: number;
}

/** Gather: the policy's greedy answer to each question about its image. */
export async function gatherVqa(session: PolicySession, items: readonly VqaItem[], maxTokens: number): Promise<{ item: VqaItem; answer: string }[]> {
  const out: { item: VqaItem; answer: string }[] = [];
  for (const item of items) {
    const r = await session.reply([userImage(item.imagePath), userText(item.question)], { rng: new Rng(0), temperature: 0, maxTextTokens: maxTokens, allowImage: false });
    out.push({ item, answer: r.text });
  }
  return out;
}

/** Score each answer (pure). */
export function vqaRecords(answers: readonly { item: VqaItem; answer: string }[]): VqaRecord[] {
  return answers.map(({ item, answer }) => ({
    id: item.id, imageId: item.imageId, question: item.question, expected: item.answer, answer,
    exact: exactMatch(answer, item.answer), f1: tokenF1(answer, item.answer),
  }));
}

/** Score: exact-match accuracy and mean F1; null without questions. */
export function scoreVqa(records: readonly { exact: boolean; f1: number }[]): { acc: number | null; f1: number | null } {
  if (!records.length) return { acc: null, f1: null };
  return { acc: records.filter((r) => r.exact).length / records.length, f1: records.reduce((a, r) => a + r.f1, 0) / records.length };
}
