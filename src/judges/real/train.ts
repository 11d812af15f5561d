/**
 * Judges for real RoleScape-20 images (`cmrp judges train-real`). The committed judges learned
 * from 32x32 renders of a synthetic world; on real photos and illustrations their identity
 * similarity (the DINO / CLIP-I stand-ins behind t2i_identity_*, mmrp_identity and the GRPO
 * identity band) is unvalidated. This retrains the identity judge on the real TRAINING images of
 * every character in a RoleScape-20 folder and reports, on the real TEST images (never trained on),
 * how well it and the synthetic judge it started from tell the characters apart (eval.ts).
 *
 * The folder it writes is an ordinary judges folder (`loadJudges` reads it):
 *   vqa, clip, lpips   copied from the base (synthetic) judges: the real data has no attribute
 *                      labels to retrain them with (the eval suite marks what they cannot score)
 *   identity           fine-tuned from the base identity judge (or trained from scratch,
 *                      `init: scratch`) on P x K batches of augmented views (views.ts)
 *   judges.json        the base manifest plus `real`: data folder, split, characters, config, seed
 *   report.json        the RealJudgesReport (retrained vs base, on the test images)
 *
 * Files in real/: train.ts (training, this), common.ts (config, shapes, data), views.ts (augmented
 * views), eval.ts (the identity figures), report.ts (`report-real`, the text report).
 *
 * Default config (REAL_FIT_DEFAULTS, 400 steps): ~40-60 s on one WASM core. Measured on the shared
 * 14-character copy from the committed (aligned) judges, seed 0 (dino head, test images): AUC 0.947
 * and top-1 64% vs the synthetic judge's 0.683 and 30% (chance 7%); seed 1: 0.946 and 64%; without
 * augmentation (`augment.plain: 1`) 0.853 and 40%. From the centred judges of 79f37b9: 0.975 and
 * 72%; weaker augmentation (crops >= 0.85, jitter 0.05) 0.941 and 66%; from scratch 0.956 and 70%;
 * 800 steps 0.979 and 74.5%.
 *
 * `leaveOut` (`--leave-out NAME`): a leave-the-character-out judge, trained on the other characters'
 * images only, for the held-out judge set that scores NAME (judges/heldout.ts; the suite refuses a real
 * held-out judge that trained on the character it scores).
 *
 * Departures: ~10 images per character instead of DINOv2 / CLIP's web-scale pretraining, so the
 * judge learns these 14 characters (a closed set), not identity in general; and both heads are
 * supervised with the character ids (dino: SupCon over views, clip_i: cosine classifier).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { replaceDirAtomic, readJsonFile } from '../../util/fs';
import { UserError } from '../../util/errors';
import { Rng } from '../../util/rng';
import { assignParams, readJudge } from '../core/checkpoint';
import { FitConfigSchema, fit } from '../core/fit';
import { toBatch } from '../core/images';
import { IdentityConfigSchema, IdentityJudge } from '../image/identity';
import { realBatches } from './views';
import { evaluateRealIdentity } from './eval';
import { ARCHITECTURE_KEYS, REAL_FIT_DEFAULTS, RealJudgesConfig, RealJudgesConfigInput, RealJudgesReport, RealManifest, loadRealData, makeReport, resolveRealConfig } from './common';
import { JUDGES_FORMAT, JudgesManifest } from '../image/load';
import { resolveJudgesConfig } from '../image/config';

function baseManifest(dir: string): JudgesManifest & { real?: RealManifest } {
  if (!fs.existsSync(dir)) throw new UserError(`--base-judges: ${dir}: no such judges folder (the committed ones are checkpoints/judges)`);
  const m = readJsonFile<JudgesManifest & { real?: RealManifest }>(path.join(dir, 'judges.json'), 'the judges manifest');
  if (m.format !== JUDGES_FORMAT) throw new UserError(`${path.join(dir, 'judges.json')}: format: expected "${JUDGES_FORMAT}", found ${JSON.stringify(m.format)}`);
  if (m.real) throw new UserError(`--base-judges: ${dir}: these judges were already retrained on real data (${m.real.dataDir}); pass the synthetic judges`);
  return m;
}

/** The identity judge training starts from: the base's weights (init: base) or fresh ones. */
function initialJudge(baseIdentityDir: string, cfg: RealJudgesConfig, classes: number, seed: number): IdentityJudge {
  const { file, tensors, where } = readJudge(baseIdentityDir, 'identity');
  const baseCfg = IdentityConfigSchema.parse(file.config);
  const over = Object.fromEntries(Object.entries(cfg.model).filter(([, v]) => v !== undefined));
  if (cfg.init === 'base') {
    const changed = ARCHITECTURE_KEYS.filter((k) => k in over && JSON.stringify(IdentityConfigSchema.parse({ ...baseCfg, [k]: over[k] })[k]) !== JSON.stringify(baseCfg[k]));
    if (changed.length) throw new UserError(`real judges config: model.${changed[0]}: the base judge's architecture is kept with init "base" (use init "scratch" to change it)`);
  }
  const judge = new IdentityJudge(classes, { ...baseCfg, ...over }, seed);
  if (cfg.init === 'base') assignParams(judge.params, tensors, where);
  return judge;
}

/** Train the identity judge on the real training images; save the folder; return the report. */
export async function trainRealJudges(o: { dataDir: string; baseJudgesDir: string; outDir: string; seed?: number; smoke?: boolean; config?: RealJudgesConfigInput; leaveOut?: readonly string[]; log?: (l: string) => void }): Promise<RealJudgesReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const cfg = resolveRealConfig(Boolean(o.smoke), o.config);
  const fc = FitConfigSchema.parse({ ...REAL_FIT_DEFAULTS, ...cfg.fit });
  const manifest = baseManifest(o.baseJudgesDir);
  resolveJudgesConfig(false, manifest.config); // fails clearly on a base manifest loadJudges would refuse
  const out = path.resolve(o.outDir);
  if (out === path.resolve(o.baseJudgesDir)) throw new UserError(`--out: ${o.outDir} is the base judges folder; write the real judges elsewhere`);
  if ((out + path.sep).startsWith(path.resolve(o.dataDir) + path.sep)) throw new UserError(`--out: ${o.outDir} is inside the data folder ${o.dataDir}, which is read only`);
  const data = await loadRealData(o.dataDir, cfg.augment.source_size);
  const leaveOut = [...new Set(o.leaveOut ?? [])];
  for (const id of leaveOut) if (!data.characters.some((c) => c.id === id)) throw new UserError(`--leave-out: no character "${id}" with training images in ${o.dataDir}; known: ${data.characters.map((c) => c.id).join(', ')}`);
  // leave-the-character-out: the judge trains on the other characters only (held-out judges score the left-out ones)
  const keep = data.characters.map((c, i) => (leaveOut.includes(c.id) ? -1 : i)).filter((i) => i >= 0);
  if (keep.length < 2) throw new UserError(`--leave-out: leaves ${keep.length} character(s) to train on; need at least 2`);
  const trainData = { ...data, characters: keep.map((i) => data.characters[i]), sources: keep.map((i) => data.sources[i]) };
  const nTrain = data.sources.reduce((s, g) => s + g.length, 0), nTest = data.characters.reduce((s, c) => s + c.test.length, 0);
  log(`judges: real data ${data.root}: ${data.characters.length} characters, ${nTrain} training images (trained on), ${nTest} test images (report only)`);

  const baseIdentityDir = path.join(o.baseJudgesDir, manifest.judges?.identity ?? 'identity');
  const judge = initialJudge(baseIdentityDir, cfg, trainData.characters.length, seed);
  const baseJudge = IdentityJudge.load(baseIdentityDir);
  try {
    // clip_i prototypes start at each character's mean embedding (plain views), so the classifier
    // does not first have to undo random class directions
    const noise = new Rng(seed).fork('real-identity-prototypes');
    const protoInit = tf.tidy(() => {
      const cols = trainData.characters.map((c) => tf.mean(judge.embed(toBatch(c.train)).clip_i, 0));
      const jitter = Float32Array.from({ length: judge.config.embed_dim * cols.length }, () => 0.01 * noise.normal());
      return tf.variable(tf.add(tf.stack(cols, 1), tf.tensor2d(jitter, [judge.config.embed_dim, cols.length])), true);
    });
    const next = realBatches(trainData.sources, judge.config.views, cfg.augment, new Rng(seed).fork('real-identity-batches'));
    const P = Math.max(2, Math.floor(fc.batch_size / judge.config.views));
    let result;
    try {
      result = fit('identity-real', fc, [...judge.params.list(), protoInit], () => {
        const b = next(P);
        return judge.loss(toBatch(b.pixels), b.cls, protoInit);
      }, { log });
    } finally {
      protoInit.dispose();
    }
    const every = Math.max(1, Math.ceil(result.losses.length / 50));
    const training = { init: cfg.init, params: judge.params.count(), fit: fc, steps: result.steps, seconds: round(result.seconds, 1), msPerStep: round(result.msPerStep, 1), firstLoss: round(result.firstLoss, 4), finalLoss: round(result.finalLoss, 4), lossCurve: result.losses.filter((_, i) => i % every === 0).map((x) => round(x, 4)), characters: trainData.characters.map((c) => c.id) };
    const retrained = evaluateRealIdentity(judge, data);
    const base = evaluateRealIdentity(baseJudge, data);
    const real: RealManifest = {
      dataDir: data.root, split: 'train', evalSplit: 'test', config: cfg, seed, smoke: Boolean(o.smoke),
      characters: data.characters.map((c) => ({ id: c.id, trainImages: c.train.length, testImages: c.test.length })),
      baseJudges: { dir: path.resolve(o.baseJudgesDir), identitySha256: readJudge(baseIdentityDir, 'identity').file.weights.sha256 },
      ...(leaveOut.length ? { leftOut: leaveOut } : {}),
    };
    const report = makeReport(real, retrained, base, training, (performance.now() - t0) / 1000);
    await replaceDirAtomic(o.outDir, async (tmp) => {
      for (const k of ['vqa', 'clip', 'lpips'] as const) fs.cpSync(path.join(o.baseJudgesDir, manifest.judges?.[k] ?? k), path.join(tmp, k), { recursive: true });
      await judge.save(path.join(tmp, 'identity'), { ...training, real: { dataDir: data.root, split: 'train', seed } });
      const m = { ...manifest, judges: { vqa: 'vqa', clip: 'clip', identity: 'identity', lpips: 'lpips' }, real };
      fs.writeFileSync(path.join(tmp, 'judges.json'), JSON.stringify(m, null, 2) + '\n');
      fs.writeFileSync(path.join(tmp, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    });
    log(`judges: saved to ${o.outDir} (${report.seconds.toFixed(0)} s in all)`);
    return report;
  } finally {
    judge.dispose();
    baseJudge.dispose();
  }
}


const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
