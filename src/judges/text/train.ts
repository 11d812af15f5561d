/**
 * Train both text judges on the world corpus, score them on held-out data, and save them.
 *
 *   world characters --seeded split--> training characters (both judges learn from these only)
 *                                      held-out world characters (scored, never trained on)
 *   the 20 evaluation characters      (scored only; the world split excludes them by construction)
 *   real RoleScape characters         (scored only, when a folder is given or ../shared has one)
 *
 * Checkpoint folder (written whole, then swapped in atomically):
 *   manifest.json  format, seed, resolved config, feature/hash settings, labels, tensor table
 *   style.bin      learned and prior log-weights (float32)
 *   emotion.bin    the emotion network's weights (float32)
 *   report.json    the held-out report of this run
 */
import * as path from 'node:path';
import { z } from 'zod';
import { Corpus, CharacterLines, loadCorpus } from './corpus';
import { StyleConfigSchema, StyleJudge, StyleWeights, trainStyleJudge } from './style';
import { EmotionConfigSchema, EmotionJudge, EmotionLabels, buildPools, emotionBagShape, emotionLabelsOf, trainEmotionJudge } from './emotion';
import { BagMlp, PARAM_NAMES, paramShapes } from './bag';
import { STYLE_NAMESPACES } from './features';
import { DF_BINS } from './gated';
import { readJson, readTensors, writeTensors } from './checkpoint';
import { AttributionResult, EmotionResult, ParaphraseResult, evaluateAttribution, evaluateEmotion, evaluateParaphrases, withTypos } from './evaluate';
import { replaceDirAtomic, writeJsonAtomic } from '../../util/fs';
import { UserError } from '../../util/errors';
import { Rng } from '../../util/rng';
import { sharedRoleScapeDir } from '../../util/paths';
import { initBackend } from '../../backend/select';

export const FORMAT = 'cmrp-text-judges/1';
/** Hash and feature extraction version: a checkpoint only reads lines featurized the same way. */
export const FEATURES = 'fnv1a32+fmix32/features-1';

export const TextJudgesConfigSchema = z
  .object({
    style: StyleConfigSchema.default({}),
    emotion: EmotionConfigSchema.default({}),
    heldOutFraction: z.number().gt(0).lt(1).default(0.2), // world characters kept out of training, for scoring
    candidates: z.number().int().min(2).default(20), // characters per style attribution (chance = 1/candidates)
    typoRate: z.number().min(0).max(0.5).default(0.04), // typos per letter in the noisy emotion test
  })
  .strict();
export type TextJudgesConfig = z.infer<typeof TextJudgesConfigSchema>;

/** Smoke settings: the same code path, sized for tests (seconds, not a minute). */
export const SMOKE_OVERRIDES = {
  style: { dim: 1 << 16, steps: 25, charsPerBatch: 8, support: 6, query: 3 },
  emotion: { dim: 1 << 13, width: 16, hidden: 32, steps: 150, batch: 64, lr: 0.01 },
} as const;

export interface TrainTextJudgesOptions {
  readonly worldDir: string;
  readonly evalDir: string;
  readonly outDir: string;
  readonly seed?: number;
  readonly smoke?: boolean;
  /** Real RoleScape-20 folder to score style on; default ../shared/rolescape20 when present; null: none. */
  readonly realDir?: string | null;
  /** Partial config (unknown keys are an error). */
  readonly config?: unknown;
  /** One line per logging interval (default: none). */
  readonly log?: (line: string) => void;
}

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

export interface TextJudges {
  readonly style: StyleJudge;
  readonly emotion: EmotionJudge;
  readonly config: TextJudgesConfig;
  readonly seed: number;
  /** World characters the judges were trained on (the rest of that world is held out). */
  readonly trainCharacters: readonly string[];
}

export function resolveConfig(config: unknown, smoke: boolean): TextJudgesConfig {
  const raw = (config ?? {}) as Record<string, unknown>;
  const merged = smoke
    ? { ...raw, style: { ...SMOKE_OVERRIDES.style, ...((raw.style as object) ?? {}) }, emotion: { ...SMOKE_OVERRIDES.emotion, ...((raw.emotion as object) ?? {}) } }
    : raw;
  const parsed = TextJudgesConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`text judges config: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

function checkWorld(world: Corpus, evalc: Corpus): void {
  if (!world.labeled || !world.labelSpaces) throw new UserError(`${world.root}: not a synthetic world (no index.json); build one with \`cmrp data synth --split world --out DIR\``);
  const split = world.split;
  if (split !== 'world') throw new UserError(`${path.join(world.root, 'index.json')}: split: expected "world" (the judges never train on evaluation characters), found "${split}"`);
  if (!evalc.labeled) throw new UserError(`${evalc.root}: not a synthetic evaluation folder (no index.json); build one with \`cmrp data synth --out DIR\``);
  const evalIds = new Set(evalc.characters.map((c) => c.id));
  const overlap = world.characters.filter((c) => evalIds.has(c.id)).map((c) => c.id);
  if (overlap.length > 0) throw new UserError(`${world.root}: holds evaluation characters (${overlap.slice(0, 3).join(', ')}); the judges must not train on them`);
}

/** Seeded split of the world characters into training and held-out ones. */
export function splitWorld(chars: readonly CharacterLines[], fraction: number, seed: number): { train: CharacterLines[]; heldOut: CharacterLines[] } {
  const shuffled = new Rng(seed).fork('world-split').shuffle(chars);
  const n = Math.min(chars.length - 2, Math.max(2, Math.round(chars.length * fraction)));
  if (n < 2) throw new UserError(`the world corpus has ${chars.length} characters; need at least 4 (2 to train on, 2 held out)`);
  return { heldOut: shuffled.slice(0, n), train: shuffled.slice(n) };
}

const lastLoss = (l: { losses: Array<{ loss: number }> }): number | null => (l.losses.length ? l.losses[l.losses.length - 1].loss : null);

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
      evalTypos: evaluateEmotion(judges.emotion, withTypos(evalImage, config.typoRate, seed), []),
      paraphrases: evaluateParaphrases(judges.emotion),
    },
  };
}

async function loadReal(realDir: string | null | undefined): Promise<Corpus | null> {
  const dir = realDir === undefined ? sharedRoleScapeDir() : realDir;
  return dir ? loadCorpus(dir) : null;
}

/** Train, score and save both judges; returns the report (also saved as report.json). */
export async function trainTextJudges(opts: TrainTextJudgesOptions): Promise<TextJudgesReport> {
  const t0 = Date.now();
  await initBackend();
  const seed = opts.seed ?? 0;
  const smoke = Boolean(opts.smoke);
  const config = resolveConfig(opts.config, smoke);
  const [world, evalc, real] = [await loadCorpus(opts.worldDir), await loadCorpus(opts.evalDir), await loadReal(opts.realDir)];
  checkWorld(world, evalc);
  const { train, heldOut } = splitWorld(world.characters, config.heldOutFraction, seed);
  const rng = new Rng(seed);

  const style = trainStyleJudge(
    train.map((c) => ({ id: c.id, lines: [...c.trainLines, ...c.testLines, ...c.testImageLines] })),
    config.style,
    rng.fork('style'),
    opts.log,
  );
  const pools = buildPools(
    train.flatMap((c) => c.imageLines),
    train.flatMap((c) => c.textOnlyLines),
    world.labelSpaces!,
  );
  const emotion = trainEmotionJudge(pools, emotionLabelsOf(world.labelSpaces!), config.emotion, rng.fork('emotion'), opts.log);
  const judges: TextJudges = { style: style.judge, emotion: emotion.judge, config, seed, trainCharacters: train.map((c) => c.id) };

  const scored = scoreTextJudges(judges, { heldOut, evalc, real });
  const report: TextJudgesReport = {
    format: FORMAT,
    seed,
    smoke,
    data: {
      worldDir: path.resolve(opts.worldDir),
      evalDir: path.resolve(opts.evalDir),
      realDir: real ? path.resolve(real.root) : null,
      worldCharacters: world.characters.length,
      trainCharacters: train.length,
      heldOutCharacters: heldOut.length,
      evalCharacters: evalc.characters.length,
      realCharacters: real?.characters.length ?? 0,
    },
    style: { steps: style.log.steps, trainSeconds: style.log.seconds, finalLoss: lastLoss(style.log), ...scored.style },
    emotion: { steps: emotion.log.steps, trainSeconds: emotion.log.seconds, finalLoss: lastLoss(emotion.log), ...scored.emotion },
    seconds: (Date.now() - t0) / 1000,
  };
  await saveTextJudges(opts.outDir, judges, report);
  judges.emotion.dispose();
  return report;
}

// ---------------- checkpoint ----------------

interface Manifest {
  format: string;
  features: string;
  seed: number;
  config: unknown;
  trainCharacters: string[];
  style: { namespaces: string[]; scale: { learned: number; prior: number }; tensors: unknown };
  emotion: { labels: EmotionLabels; tensors: unknown };
}

/** Write the checkpoint folder atomically (built aside, then swapped in). */
export async function saveTextJudges(dir: string, judges: TextJudges, report: TextJudgesReport | null): Promise<void> {
  await replaceDirAtomic(dir, (tmp) => {
    const s = judges.style;
    const styleTensors = writeTensors(path.join(tmp, 'style.bin'), [
      { name: 'theta', shape: [STYLE_NAMESPACES.length, DF_BINS], data: s.learned.theta },
      { name: 'priorTheta', shape: [STYLE_NAMESPACES.length, DF_BINS], data: s.prior.theta },
      { name: 'bins', shape: [s.config.dim], data: Float32Array.from(s.bins) },
    ]);
    const shapes = paramShapes(judges.emotion.model.shape);
    const values = judges.emotion.model.values();
    const emotionTensors = writeTensors(
      path.join(tmp, 'emotion.bin'),
      PARAM_NAMES.map((n) => ({ name: n, shape: shapes[n], data: values[n] })),
    );
    const manifest: Manifest = {
      format: FORMAT,
      features: FEATURES,
      seed: judges.seed,
      config: judges.config,
      trainCharacters: [...judges.trainCharacters],
      style: { namespaces: [...STYLE_NAMESPACES], scale: { learned: s.learned.scale, prior: s.prior.scale }, tensors: styleTensors },
      emotion: { labels: judges.emotion.labels, tensors: emotionTensors },
    };
    writeJsonAtomic(path.join(tmp, 'manifest.json'), manifest);
    if (report) writeJsonAtomic(path.join(tmp, 'report.json'), report);
  });
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * Load a checkpoint folder written by `trainTextJudges` (activating the compute backend if none
 * is yet); a damaged one is one clear UserError naming the file and field. The emotion judge
 * holds tf variables: call `judges.emotion.dispose()` when done.
 */
export async function loadTextJudges(dir: string): Promise<TextJudges & { report: TextJudgesReport | null }> {
  await initBackend();
  const mf = path.join(dir, 'manifest.json');
  const m = readJson(mf, `a text judges manifest (train one with \`cmrp judges train-text\`)`) as Partial<Manifest>;
  if (m === null || typeof m !== 'object') throw new UserError(`${mf}: expected a JSON object`);
  if (m.format !== FORMAT) throw new UserError(`${mf}: format: expected "${FORMAT}", found ${JSON.stringify(m.format)}`);
  if (m.features !== FEATURES) throw new UserError(`${mf}: features: expected "${FEATURES}" (this code's hashing), found ${JSON.stringify(m.features)}`);
  const parsed = TextJudgesConfigSchema.safeParse(m.config);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`${mf}: config.${i.path.join('.')}: ${i.message}`);
  }
  const config = parsed.data;
  if (typeof m.seed !== 'number') throw new UserError(`${mf}: seed: expected a number, found ${JSON.stringify(m.seed)}`);
  if (!isStrings(m.trainCharacters)) throw new UserError(`${mf}: trainCharacters: expected a list of character ids`);
  if (!m.style || !isStrings(m.style.namespaces) || m.style.namespaces.join(',') !== STYLE_NAMESPACES.join(',')) {
    throw new UserError(`${mf}: style.namespaces: expected [${STYLE_NAMESPACES.join(', ')}]`);
  }
  const scale = m.style.scale;
  if (!scale || !(scale.learned > 0) || !(scale.prior > 0)) throw new UserError(`${mf}: style.scale: expected positive learned and prior scales, found ${JSON.stringify(scale)}`);
  const K = STYLE_NAMESPACES.length, D = config.style.dim;
  const st = readTensors(path.join(dir, 'style.bin'), m.style.tensors, { theta: [K, DF_BINS], priorTheta: [K, DF_BINS], bins: [D] }, mf, 'style.tensors');
  const badBin = st.bins.findIndex((b) => !Number.isInteger(b) || b < 0 || b >= DF_BINS);
  if (badBin >= 0) throw new UserError(`${path.join(dir, 'style.bin')}: bins[${badBin}] = ${st.bins[badBin]}, expected a whole number in [0, ${DF_BINS})`);
  const learned: StyleWeights = { theta: st.theta, scale: scale.learned };
  const prior: StyleWeights = { theta: st.priorTheta, scale: scale.prior };

  const labels = m.emotion?.labels;
  if (!labels || !isStrings(labels.expressions) || !isStrings(labels.scenes) || labels.expressions.length < 2 || labels.scenes.length < 2) {
    throw new UserError(`${mf}: emotion.labels: expected lists of expression and scene labels`);
  }
  const shape = emotionBagShape(config.emotion, labels);
  const et = readTensors(path.join(dir, 'emotion.bin'), m.emotion!.tensors, paramShapes(shape), mf, 'emotion.tensors');
  const report = readReport(dir);
  return {
    style: new StyleJudge(config.style, Uint8Array.from(st.bins), learned, prior),
    emotion: new EmotionJudge(config.emotion, labels, new BagMlp(shape, et as Record<(typeof PARAM_NAMES)[number], Float32Array>)),
    config,
    seed: m.seed,
    trainCharacters: m.trainCharacters,
    report,
  };
}

function readReport(dir: string): TextJudgesReport | null {
  const file = path.join(dir, 'report.json');
  try {
    return readJson(file, 'the training report') as TextJudgesReport;
  } catch {
    return null;
  }
}

/**
 * Re-score a saved checkpoint on data folders (the held-out world characters are the world's
 * characters the checkpoint did not train on).
 */
export async function reportTextJudges(opts: { judgesDir: string; worldDir: string; evalDir: string; realDir?: string | null }): Promise<TextJudgesReport> {
  const t0 = Date.now();
  const judges = await loadTextJudges(opts.judgesDir);
  const [world, evalc, real] = [await loadCorpus(opts.worldDir), await loadCorpus(opts.evalDir), await loadReal(opts.realDir)];
  checkWorld(world, evalc);
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
