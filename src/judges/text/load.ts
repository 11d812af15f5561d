/**
 * The text judges in memory (`TextJudges`) and their checkpoint folder, written whole by
 * `saveTextJudges` and swapped in atomically:
 *   manifest.json  format, seed, resolved config, feature/hash settings, labels, tensor table
 *   style.bin      learned and prior log-weights   } tensor files of util/tensor-file.ts, listed by
 *   emotion.bin    the emotion network's weights  } the manifest's style.tensors / emotion.tensors
 *   report.json    the held-out report of the run that trained them (report.ts)
 */
import * as path from 'node:path';
import { StyleJudge, StyleWeights } from './style';
import { EmotionJudge, EmotionLabels, emotionBagShape } from './emotion';
import { BagMlp, PARAM_NAMES, paramShapes } from './bag';
import { STYLE_NAMESPACES } from './features';
import { DF_BINS } from './gated';
import { TEXT_JUDGES_KEY_RENAMES, TextJudgesConfigSchema, type TextJudgesConfig } from './config';
import { deprecationNotice, upgradeStoredKeys, usesDeprecatedKeys } from '../../util/deprecated-keys';
import type { TextJudgesReport } from './report';
import { readJsonFile, replaceDirAtomic, writeJsonAtomic } from '../../util/fs';
import { readTensorFile, writeTensorFile } from '../../util/tensor-file';
import { UserError } from '../../util/errors';
import { initBackend } from '../../backend/select';

export const FORMAT = 'cmrp-text-judges/1';
/** Hash and feature extraction version: a checkpoint only reads lines featurized the same way. */
export const FEATURES = 'fnv1a32+fmix32/features-1';

export interface TextJudges {
  readonly style: StyleJudge;
  readonly emotion: EmotionJudge;
  readonly config: TextJudgesConfig;
  readonly seed: number;
  /** World characters the judges were trained on (the rest of that world is held out). */
  readonly trainCharacters: readonly string[];
}

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
    const styleTensors = writeTensorFile(path.join(tmp, 'style.bin'), [
      { name: 'theta', shape: [STYLE_NAMESPACES.length, DF_BINS], data: s.learned.theta },
      { name: 'priorTheta', shape: [STYLE_NAMESPACES.length, DF_BINS], data: s.prior.theta },
      { name: 'bins', shape: [s.config.dim], data: Float32Array.from(s.bins) },
    ]).entries;
    const shapes = paramShapes(judges.emotion.model.shape);
    const values = judges.emotion.model.values();
    const emotionTensors = writeTensorFile(
      path.join(tmp, 'emotion.bin'),
      PARAM_NAMES.map((n) => ({ name: n, shape: shapes[n], data: values[n] })),
    ).entries;
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
  const m = readJsonFile<Partial<Manifest>>(mf, 'the text judges manifest', ' (train them with `cmrp judges train-text`)');
  if (m === null || typeof m !== 'object') throw new UserError(`${mf}: expected a JSON object`);
  if (m.format !== FORMAT) throw new UserError(`${mf}: format: expected "${FORMAT}", found ${JSON.stringify(m.format)}`);
  if (m.features !== FEATURES) throw new UserError(`${mf}: features: expected "${FEATURES}" (this code's hashing), found ${JSON.stringify(m.features)}`);
  if (usesDeprecatedKeys(m.config, TEXT_JUDGES_KEY_RENAMES)) {
    deprecationNotice(`text-judges-keys\u0000${path.resolve(mf)}`, `cmrp: ${mf}: config has the camelCase keys of before the snake_case rename (e.g. maxFeatures), read under the new names`);
  }
  const parsed = TextJudgesConfigSchema.safeParse(upgradeStoredKeys(m.config, TEXT_JUDGES_KEY_RENAMES));
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
  const st = readTensorsAsRecord(path.join(dir, 'style.bin'), m.style.tensors, { theta: [K, DF_BINS], priorTheta: [K, DF_BINS], bins: [D] }, mf, 'style.tensors');
  const badBin = st.bins.findIndex((b) => !Number.isInteger(b) || b < 0 || b >= DF_BINS);
  if (badBin >= 0) throw new UserError(`${path.join(dir, 'style.bin')}: bins[${badBin}] = ${st.bins[badBin]}, expected a whole number in [0, ${DF_BINS})`);
  const learned: StyleWeights = { theta: st.theta, scale: scale.learned };
  const prior: StyleWeights = { theta: st.priorTheta, scale: scale.prior };

  const labels = m.emotion?.labels;
  if (!labels || !isStrings(labels.expressions) || !isStrings(labels.scenes) || labels.expressions.length < 2 || labels.scenes.length < 2) {
    throw new UserError(`${mf}: emotion.labels: expected lists of expression and scene labels`);
  }
  const shape = emotionBagShape(config.emotion, labels);
  const et = readTensorsAsRecord(path.join(dir, 'emotion.bin'), m.emotion!.tensors, paramShapes(shape), mf, 'emotion.tensors');
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

/** The tensors `entries` lists, exactly those of `expected` (name -> shape, from the saved config), by name. */
function readTensorsAsRecord(file: string, entries: unknown, expected: Record<string, number[]>, manifest: string, field: string): Record<string, Float32Array> {
  const tensors = readTensorFile(file, entries, { manifest, field }, { expected: new Map(Object.entries(expected)), source: 'the saved config' });
  return Object.fromEntries([...tensors].map(([name, t]) => [name, t.data]));
}

function readReport(dir: string): TextJudgesReport | null {
  const file = path.join(dir, 'report.json');
  try {
    return readJsonFile<TextJudgesReport>(file, 'the training report');
  } catch {
    return null;
  }
}
