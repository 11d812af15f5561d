/**
 * Scorers of dialogue style and persona consistency (src/eval/suite/style.ts defines the metrics):
 * the style judge's candidates and weighting, attribution, voice-habit rates, profile facts stated
 * wrongly. Pure functions of replies, judges and ground truth, shared by the evaluation suite and
 * Character-GRPO's text-side rewards.
 */
import type { Character } from '../data/rolescape/types';
import type { StyleCandidate, StyleJudge } from '../judges/text';
import { measureVoice } from '../data/synth';
import { FACT_POOLS } from '../data/synth/persona';
import type { SynthTruth } from '../data/synth/truth';
import { containsPhrase } from './text';

/** The character's lines in a set of scenes (machine turns with text). */
export function characterLines(scenes: Character['dialogues']['train']): string[] {
  return scenes.flatMap((s) => s.turns.filter((t) => t.role === 'machine' && t.text.trim()).map((t) => t.text));
}

/** Style candidates: every character with its TRAINING-split lines (never the test replies). */
export function styleCandidates(characters: readonly Character[]): StyleCandidate[] {
  return characters
    .map((c) => ({ id: c.id, referenceLines: [...characterLines(c.dialogues.train), ...characterLines(c.textDialogues.train)] }))
    .filter((c) => c.referenceLines.length > 0);
}

/**
 * The style judge's weighting for a character: the learned one for synthetic characters, the IDF
 * prior for real ones (the learned weighting overfits synthetic voices: src/judges/text/style.ts).
 */
export function styleJudgeFor(judge: StyleJudge, truth: SynthTruth | null): StyleJudge {
  return truth ? judge : judge.withWeighting('prior');
}

/** Judge step: which candidate each reply is attributed to. */
export function attributeReplies(judge: StyleJudge, replies: readonly string[], candidates: readonly StyleCandidate[]): string[] {
  return replies.length ? judge.attributeLines(replies, judge.prepare(candidates)).map((a) => a.id) : [];
}

/** Score: share of replies attributed to `id`; null without replies. */
export function scoreStyleAttribution(attributed: readonly string[], id: string): number | null {
  return attributed.length ? attributed.filter((a) => a === id).length / attributed.length : null;
}

/** Score: generated rate / reference rate; null when the reference never shows the habit. */
export function rateRatio(generated: number, reference: number): number | null {
  return reference > 0 ? generated / reference : null;
}

/** Catchphrase and tic rates of lines, measured as the synthetic data's own `measureVoice` does. */
export function voiceRates(lines: readonly string[], truth: SynthTruth): { catchphrase: number; tic: number } {
  const v = measureVoice(lines, truth.entry.style, truth.entry.id);
  return { catchphrase: v.catchphraseRate, tic: v.ticRate };
}

/** The profile facts whose label space persona consistency checks, with the character's value. */
export interface ProfileFacts {
  hometown: string;
  occupation: string;
}

/** A synthetic character's own values of those facts. */
export function profileFactsOf(truth: SynthTruth): ProfileFacts {
  return { hometown: truth.entry.persona.hometown, occupation: truth.entry.persona.occupation };
}

export const HOMETOWNS: readonly string[] = FACT_POOLS.townA.flatMap((a) => FACT_POOLS.townB.map((b) => a + b));
export const OCCUPATIONS: readonly string[] = FACT_POOLS.occupation;

/**
 * Values of the label space a reply states that are not the character's own (whole words,
 * case-insensitive). Values overlapping the character's own (a word of it, or it of them) are
 * never counted: "sculptor" is not a wrong job for an "ice sculptor".
 */
export function wrongProfileFacts(reply: string, own: ProfileFacts): string[] {
  const overlap = (a: string, b: string) => containsPhrase(a, b) || containsPhrase(b, a);
  const wrong = (pool: readonly string[], mine: string) => pool.filter((v) => !overlap(v, mine) && containsPhrase(reply, v));
  return [...wrong(HOMETOWNS, own.hometown), ...wrong(OCCUPATIONS, own.occupation)];
}

/** Score: share of replies stating no wrong profile fact; null without replies. */
export function scorePersonaConsistency(replies: readonly string[], own: ProfileFacts): number | null {
  return replies.length ? replies.filter((r) => wrongProfileFacts(r, own).length === 0).length / replies.length : null;
}
