/**
 * The text a tokenizer is fitted and checked on: every string a RoleScape-20 character carries
 * (profiles, description, opening, dialogue turns with their image rationales and T2I prompts,
 * knowledge QA and MCQ, memorization and personality questions, T2I instructions, VQA pairs,
 * GRPO prompts and their questions). The same extraction serves the synthetic world (fit, round
 * trip) and the real release (fallback rate), so both are measured on the same kinds of text.
 */
import type { Character, Mcq, Scene } from '../data/rolescape/types';

/** Which part of a character a text comes from (the report breaks token counts down by it). */
export type TextSource = 'profile' | 'dialogue' | 'rationale' | 'qa' | 'mcq' | 'question' | 't2i' | 'vqa' | 'grpo';

export interface CorpusText {
  readonly source: TextSource;
  readonly text: string;
}

function pushScenes(out: CorpusText[], scenes: readonly Scene[]): void {
  for (const s of scenes) {
    for (const t of s.turns) {
      out.push({ source: 'dialogue', text: t.text });
      if (t.thinking !== null) out.push({ source: 'rationale', text: t.thinking });
      if (t.generationInstruction !== null) out.push({ source: 't2i', text: t.generationInstruction });
    }
  }
}

function pushMcq(out: CorpusText[], items: readonly Mcq[]): void {
  for (const m of items) {
    out.push({ source: 'mcq', text: m.question });
    for (const o of Object.values(m.options)) out.push({ source: 'mcq', text: o });
    out.push({ source: 'mcq', text: m.rationale });
    if (m.evidence !== null) out.push({ source: 'mcq', text: m.evidence });
  }
}

/** Every non-empty string of one character, tagged with where it comes from, in file order. */
export function characterTexts(c: Character): CorpusText[] {
  const out: CorpusText[] = [];
  if (c.profile.full !== null) out.push({ source: 'profile', text: c.profile.full });
  if (c.profile.simplified !== null) out.push({ source: 'profile', text: c.profile.simplified });
  out.push({ source: 'profile', text: c.description }, { source: 'profile', text: c.opening });
  pushScenes(out, c.dialogues.train);
  pushScenes(out, c.dialogues.test);
  pushScenes(out, c.textDialogues.train);
  pushScenes(out, c.textDialogues.test);
  for (const q of c.knowledgeQa) {
    out.push({ source: 'qa', text: q.question }, { source: 'qa', text: q.answer });
    for (const e of q.evidence) out.push({ source: 'qa', text: e });
    for (const r of q.reasoningSteps) out.push({ source: 'qa', text: r });
  }
  pushMcq(out, c.knowledgeMcq);
  pushMcq(out, c.imageMcq);
  for (const q of c.memorizationQuestions) out.push({ source: 'question', text: q });
  for (const q of c.personalityQuestions) out.push({ source: 'question', text: q });
  for (const t of [...c.t2iInstructions.train, ...c.t2iInstructions.test]) out.push({ source: 't2i', text: t.instruction });
  for (const v of c.vqa) out.push({ source: 'vqa', text: v.question }, { source: 'vqa', text: v.answer });
  for (const g of c.grpo) {
    out.push({ source: 'grpo', text: g.text });
    for (const q of g.questions) {
      out.push({ source: 'grpo', text: q.question }, { source: 'grpo', text: q.answer });
      for (const ch of q.choices ?? []) out.push({ source: 'grpo', text: ch });
    }
  }
  return out.filter((t) => t.text.length > 0);
}

/** All texts of many characters, flattened. */
export function corpusTexts(characters: readonly Character[]): CorpusText[] {
  return characters.flatMap(characterTexts);
}
