/**
 * The text judges' held-out figures: style attribution and line emotion scored on the held-out
 * world characters, the evaluation characters and real RoleScape characters when given, right
 * after training (train.ts) or afresh from a checkpoint (`reportTextJudges`); and their text form.
 */
import * as path from 'node:path';
import { Corpus, CharacterLines, checkWorldCorpus, loadCorpus, loadRealCorpus } from './corpus';
import { AttributionResult, EmotionResult, ParaphraseResult, evaluateAttribution, evaluateEmotion, evaluateParaphrases, withTypos } from './evaluate';
import { FORMAT, loadTextJudges, type TextJudges } from './load';
import { UserError } from '../../util/errors';

export interface TextJudgesReport {
  readonly format: string;
  readonly seed: number;
  readonly smoke: boolean;
  readonly data: {
    readonly worldDir: string;
    readonly evalDir: string;
    readonly realDir: string | null;
    readonly worldCharacters: number;
    readonly trainCharacters: number;
    readonly heldOutCharacters: number;
    readonly evalCharacters: number;
    readonly realCharacters: number;
  };
  readonly style: {
    readonly steps: number;
    readonly trainSeconds: number;
    readonly finalLoss: number | null;
    readonly world: AttributionResult | null;
    readonly eval: AttributionResult | null;
    readonly real: AttributionResult | null;
  };
  readonly emotion: {
    readonly steps: number;
    readonly trainSeconds: number;
    readonly finalLoss: number | null;
    readonly world: EmotionResult;
    readonly eval: EmotionResult;
    readonly evalTypos: EmotionResult;
    readonly paraphrases: ParaphraseResult;
  };
  readonly seconds: number;
}

/** Score judges on the held-out world, the evaluation characters and (optionally) real characters. */
export function scoreTextJudges(
  judges: TextJudges,
  data: { heldOut: readonly CharacterLines[]; evalc: Corpus; real: Corpus | null },
): { style: Pick<TextJudgesReport['style'], 'world' | 'eval' | 'real'>; emotion: Omit<TextJudgesReport['emotion'], 'steps' | 'trainSeconds' | 'finalLoss'> } {
  const { config, seed } = judges;
  const evalImage = data.evalc.characters.flatMap((c) => c.imageLines);
  return {
    style: {
      world: evaluateAttribution(judges.style, data.heldOut, config.candidates, seed),
      eval: evaluateAttribution(judges.style, data.evalc.characters, config.candidates, seed),
      real: data.real ? evaluateAttribution(judges.style, data.real.characters, config.candidates, seed) : null,
    },
    emotion: {
      world: evaluateEmotion(judges.emotion, data.heldOut.flatMap((c) => c.imageLines), data.heldOut.flatMap((c) => c.textOnlyLines)),
      eval: evaluateEmotion(judges.emotion, evalImage, data.evalc.characters.flatMap((c) => c.textOnlyLines)),
      evalTypos: evaluateEmotion(judges.emotion, withTypos(evalImage, config.typo_rate, seed), []),
      paraphrases: evaluateParaphrases(judges.emotion),
    },
  };
}

/**
 * Re-score a saved checkpoint on data folders (the held-out world characters are the world's
 * characters the checkpoint did not train on).
 */
export async function reportTextJudges(opts: { judgesDir: string; worldDir: string; evalDir: string; realDir?: string | null }): Promise<TextJudgesReport> {
  const t0 = Date.now();
  const judges = await loadTextJudges(opts.judgesDir);
  const [world, evalc, real] = [await loadCorpus(opts.worldDir), await loadCorpus(opts.evalDir), await loadRealCorpus(opts.realDir)];
  checkWorldCorpus(world, evalc);
  const trained = new Set(judges.trainCharacters);
  const heldOut = world.characters.filter((c) => !trained.has(c.id));
  if (heldOut.length < 2) throw new UserError(`${opts.worldDir}: fewer than 2 characters the judges did not train on; pass the world folder they were trained with, or a larger one`);
  const scored = scoreTextJudges(judges, { heldOut, evalc, real });
  const stored = judges.report;
  judges.emotion.dispose();
  return {
    format: FORMAT,
    seed: judges.seed,
    smoke: stored?.smoke ?? false,
    data: {
      worldDir: path.resolve(opts.worldDir),
      evalDir: path.resolve(opts.evalDir),
      realDir: real ? path.resolve(real.root) : null,
      worldCharacters: world.characters.length,
      trainCharacters: world.characters.length - heldOut.length,
      heldOutCharacters: heldOut.length,
      evalCharacters: evalc.characters.length,
      realCharacters: real?.characters.length ?? 0,
    },
    style: { steps: judges.config.style.steps, trainSeconds: stored?.style.trainSeconds ?? NaN, finalLoss: stored?.style.finalLoss ?? null, ...scored.style },
    emotion: { steps: judges.config.emotion.steps, trainSeconds: stored?.emotion.trainSeconds ?? NaN, finalLoss: stored?.emotion.finalLoss ?? null, ...scored.emotion },
    seconds: (Date.now() - t0) / 1000,
  };
}

// ---------------- text form ----------------

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

function styleLine(name: string, r: AttributionResult | null): string {
  if (!r) return `  ${name.padEnd(22)} (not scored)`;
  return `  ${name.padEnd(22)} learned ${pct(r.accuracy.learned).padStart(6)}   prior ${pct(r.accuracy.prior).padStart(6)}   plain ${pct(r.accuracy.plain).padStart(6)}   chance ${pct(r.chance).padStart(5)}   (${r.queries} lines, ${r.characters} characters, ${r.candidates} candidates each)`;
}

function emotionLines(name: string, r: EmotionResult): string[] {
  const row = (who: string, s: EmotionResult['judge']): string =>
    `    ${who.padEnd(8)} expression ${pct(s.expression).padStart(6)}   scene ${pct(s.scene).padStart(6)}   both ${pct(s.both).padStart(6)}   none on text-only ${pct(s.noneOnText).padStart(6)}`;
  return [`  ${name} (${r.imageLines} image lines, ${r.textLines} text-only lines)`, row('judge', r.judge), row('keyword', r.keyword)];
}

/** The report as text, one fact per line. */
export function formatTextJudgesReport(r: TextJudgesReport): string {
  const d = r.data;
  const para = r.emotion.paraphrases;
  const lines = [
    `text judges (seed ${r.seed}${r.smoke ? ', smoke' : ''}): world ${d.worldCharacters} characters (${d.trainCharacters} train, ${d.heldOutCharacters} held out), eval ${d.evalCharacters}, real ${d.realCharacters}`,
    `style attribution, nearest centroid of training-split lines (${r.style.steps} steps, ${r.style.trainSeconds.toFixed(1)} s, final loss ${r.style.finalLoss?.toFixed(3) ?? 'n/a'}):`,
    styleLine('world held-out', r.style.world),
    styleLine('eval characters', r.style.eval),
    styleLine('real RoleScape', r.style.real),
    `line emotion and place (${r.emotion.steps} steps, ${r.emotion.trainSeconds.toFixed(1)} s, final loss ${r.emotion.finalLoss?.toFixed(3) ?? 'n/a'}):`,
    ...emotionLines('world held-out', r.emotion.world),
    ...emotionLines('eval characters', r.emotion.eval),
    ...emotionLines('eval characters with typos', r.emotion.evalTypos).slice(0, 3),
    `  hand-written paraphrases (${para.n}): judge expression ${pct(para.judge.expression)}, scene ${pct(para.judge.scene)}, both ${pct(para.judge.both)}; keyword expression ${pct(para.keyword.expression)}, scene ${pct(para.keyword.scene)}, both ${pct(para.keyword.both)}`,
    ...para.items.map((i) => `    ${i.judge[0] === i.expected[0] && i.judge[1] === i.expected[1] ? 'ok  ' : 'MISS'} ${JSON.stringify(i.text)} want ${i.expected.join('/')}: judge ${i.judge.join('/')}, keyword ${i.keyword.join('/')}`),
    `total ${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}
