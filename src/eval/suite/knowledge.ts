/**
 * Persona knowledge.
 *   knowledge_mcq_acc  the knowledge MCQ (c.knowledgeMcq) whose question is not verbatim a training
 *                      knowledge-QA question (items.ts; knowledge_mcq_acc_all: every MCQ, as the
 *                      paper's file lists them): the chosen option is the one with the
 *                      highest per-token mean log-prob of its text written as the character's answer
 *                      to the question (the closing <eos> is not scored, so an option is not judged
 *                      on whether it would end the answer). The mean, not the sum, so longer
 *                      options are not penalized for their length. Chance: 0.25.
 *   memorization       the policy answers each memorization question (greedy); the score of an answer
 *                      is the share of its expected facts found in it (case-insensitive, whole
 *                      words; facts.ts says which facts answer which question). Synthetic characters
 *                      only: real data has no ground-truth facts, so it is null there.
 * Departure from UniCharacter: no LLM grader (the official release ships no evaluation code for
 * these); option likelihood and ground-truth string matching need no judge at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Mcq, Scene } from '../../data/rolescape/types';
import type { Segment } from '../../train/tasks';
import { encodeExample, EncodedExample, makeBatch } from '../../train/encode';
import { Rng } from '../../util/rng';
import type { PolicySession } from './session';
import { userText } from './session';
import { Fact, factRecall, memorizationFacts } from './facts';
import type { SynthTruth } from '../../data/synth/truth';
import { finite, meanOrNull } from '../../util/stats';

const KEYS = ['A', 'B', 'C', 'D'] as const;

export interface McqRecord {
  id: string;
  question: string;
  answerKey: string;
  /** Per-token mean log-prob of each option as the answer. */
  meanLogProb: Record<string, number>;
  chosen: string;
  correct: boolean;
}

/** Rows scored per forward pass. */
const MCQ_CHUNK = 32;

/** Gather: per-token mean log-prob of every option of every question under the text model. */
export async function gatherMcq(session: PolicySession, items: readonly Mcq[]): Promise<McqRecord[]> {
  const { tok, textModel } = session.policy;
  const rows: { item: number; key: string; enc: EncodedExample }[] = [];
  for (const [i, m] of items.entries()) {
    for (const key of KEYS) {
      const segments: Segment[] = [...session.context, userText(m.question), { role: 'char', kind: 'text', text: m.options[key], loss: true }];
      const enc = await encodeExample({ task: 'knowledge', character: session.character.id, segments }, tok, session.cache);
      enc.target[enc.target.length - 1] = 0; // the closing <eos>
      rows.push({ item: i, key, enc });
    }
  }
  const means: number[] = [];
  for (let s = 0; s < rows.length; s += MCQ_CHUNK) {
    const b = makeBatch(rows.slice(s, s + MCQ_CHUNK).map((r) => r.enc), tok, textModel.config.block_size);
    const sums = tf.tidy(() =>
      textModel.logProbs(
        tf.tensor2d(b.ids, [b.B, b.T], 'int32'),
        tf.tensor2d(b.targets, [b.B, b.T], 'int32'),
        tf.tensor2d(b.mask, [b.B, b.T], 'float32'),
        tf.tensor2d(b.modality, [b.B, b.T], 'int32'),
      ),
    );
    const data = sums.dataSync();
    sums.dispose();
    for (let r = 0; r < b.B; r++) {
      let n = 0;
      for (let t = 0; t < b.T; t++) n += b.mask[r * b.T + t];
      means.push(n > 0 ? data[r] / n : -Infinity);
    }
  }
  return items.map((m, i) => {
    const meanLogProb: Record<string, number> = {};
    rows.forEach((r, k) => r.item === i && (meanLogProb[r.key] = means[k]));
    const chosen = chooseOption(meanLogProb);
    return { id: m.id, question: m.question, answerKey: m.answerKey, meanLogProb, chosen, correct: chosen === m.answerKey };
  });
}

/** The option with the highest score (ties: the first key, so the choice is deterministic). */
export function chooseOption(scores: Record<string, number>): string {
  let best = '';
  for (const [k, v] of Object.entries(scores)) if (best === '' || v > scores[best]) best = k;
  return best;
}

/** Score: accuracy of the chosen options; null without questions. */
export function scoreMcq(records: readonly { correct: boolean }[]): number | null {
  return records.length ? records.filter((r) => r.correct).length / records.length : null;
}

export interface MemorizationRecord {
  question: string;
  answer: string;
  /** Null when the question matches no known template (left out of the score). */
  facts: Fact[] | null;
  recall: number | null;
}

/** Gather: the policy's greedy answer to each question. */
export async function gatherMemorization(session: PolicySession, questions: readonly string[], maxTokens: number): Promise<{ question: string; answer: string }[]> {
  const out: { question: string; answer: string }[] = [];
  for (const q of questions) {
    const r = await session.reply([userText(q)], { rng: new Rng(0), temperature: 0, maxTextTokens: maxTokens, allowImage: false });
    out.push({ question: q, answer: r.text });
  }
  return out;
}

/** Attach the expected facts and the recall of each answer (pure, given the ground truth). */
export function memorizationRecords(answers: readonly { question: string; answer: string }[], truth: SynthTruth, trainScenes: readonly Scene[]): MemorizationRecord[] {
  return answers.map(({ question, answer }) => {
    const facts = memorizationFacts(question, truth, trainScenes);
    return { question, answer, facts, recall: facts ? factRecall(answer, facts) : null };
  });
}

/** Score: mean recall over the questions with known facts; null when there are none. */
export function scoreMemorization(records: readonly { recall: number | null }[]): number | null {
  return meanOrNull(finite(records.map((r) => r.recall)));
}
