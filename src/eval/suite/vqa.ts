/**
 * Image understanding on held-out images.
 *   vqa_acc  the policy answers each VQA question about a TEST image (greedy, the image in the
 *            user's turn as in training); exact match with the expected answer after normalization
 *            (lower case, no punctuation, no articles). vqa_f1 (extra): SQuAD token F1, partial
 *            credit for answers that get the attribute right but the sentence wrong.
 *   vqa_acc_image_dependent / vqa_acc_constant  the same on the items whose answer varies across
 *            the character's images (scene, expression, action, held item) / does not (hair,
 *            outfit, eyes: answerable from memory). See `markImageDependence` in items.ts.
 *   vqa_acc_blind (and _image_dependent)  the same model and questions with the image replaced by
 *            a blank one (uniform grey). The gap vqa_acc - vqa_acc_blind is what the image adds.
 * The pairs come from items.ts (`heldOutVqa`: for synthetic characters, the generator's templates
 * applied to the test images' labels, since no dataset ships test-split VQA).
 */
import { Rng } from '../../util/rng';
import { meanOrNull } from '../../util/stats';
import type { PolicySession } from './session';
import { userImage, userText } from './session';
import type { VqaItem } from './items';
import { exactMatch, tokenF1 } from '../../metrics/text';

export interface VqaRecord {
  id: string;
  imageId: string;
  question: string;
  expected: string;
  imageDependent: boolean;
  answer: string;
  exact: boolean;
  f1: number;
  /** The answer with a blank image instead of the item's (null when not asked). */
  blindAnswer: string | null;
  blindExact: boolean | null;
}

/** Gather: the policy's greedy answer to each question about its image (or about `image(item)` instead). */
export async function gatherVqa(session: PolicySession, items: readonly VqaItem[], maxTokens: number, image: (item: VqaItem) => string = (item) => item.imagePath): Promise<{ item: VqaItem; answer: string }[]> {
  const out: { item: VqaItem; answer: string }[] = [];
  for (const item of items) {
    const r = await session.reply([userImage(image(item)), userText(item.question)], { rng: new Rng(0), temperature: 0, maxTextTokens: maxTokens, allowImage: false });
    out.push({ item, answer: r.text });
  }
  return out;
}

/** Score each answer (pure); `blind` holds the answers to the same items with a blank image, in order. */
export function vqaRecords(answers: readonly { item: VqaItem; answer: string }[], blind?: readonly { item: VqaItem; answer: string }[]): VqaRecord[] {
  if (blind && blind.length !== answers.length) throw new Error(`vqaRecords: ${blind.length} blind answers for ${answers.length} items`);
  return answers.map(({ item, answer }, i) => ({
    id: item.id, imageId: item.imageId, question: item.question, expected: item.answer, imageDependent: item.imageDependent, answer,
    exact: exactMatch(answer, item.answer), f1: tokenF1(answer, item.answer),
    blindAnswer: blind ? blind[i].answer : null, blindExact: blind ? exactMatch(blind[i].answer, item.answer) : null,
  }));
}

/** Score: exact-match accuracy and mean F1; null without questions. */
export function scoreVqa(records: readonly { exact: boolean; f1: number }[]): { acc: number | null; f1: number | null } {
  return { acc: meanOrNull(records.map((r) => +r.exact)), f1: meanOrNull(records.map((r) => r.f1)) };
}

/** Score: accuracy on the image-dependent and constant items, and with a blank image (pure). */
export function scoreVqaSplit(records: readonly VqaRecord[]): Record<'vqa_acc_image_dependent' | 'vqa_acc_constant' | 'vqa_acc_blind' | 'vqa_acc_blind_image_dependent', number | null> {
  const dep = records.filter((r) => r.imageDependent);
  const blind = (rs: readonly VqaRecord[]) => meanOrNull(rs.filter((r) => r.blindExact !== null).map((r) => +r.blindExact!));
  return {
    vqa_acc_image_dependent: scoreVqa(dep).acc,
    vqa_acc_constant: scoreVqa(records.filter((r) => !r.imageDependent)).acc,
    vqa_acc_blind: blind(records),
    vqa_acc_blind_image_dependent: blind(dep),
  };
}
