/**
 * Text judges at smoke size: both beat chance clearly on held-out data, a checkpoint loads back
 * to the same judges (and re-scores to the same report), training keeps tf.memory flat, the same
 * seed gives the same weights, and damaged checkpoints fail with one clear line.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { synthesize } from '../src/data/synth';
import { UserError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { AdamW, trainStep } from '../src/model/optim';
import { loadCorpus, Corpus } from '../src/judges/text/corpus';
import { BagMlp, initParams } from '../src/judges/text/bag';
import { featurize, styleEntries } from '../src/judges/text/features';
import { dfBins, documentFrequency, gram, groupBatch, idfTheta, protoLoss } from '../src/judges/text/gated';
import { EmotionConfigSchema, buildPools, emotionBagShape, emotionFeatureConfig, emotionLabelsOf, emotionLoss, sampleExample } from '../src/judges/text/emotion';
import { StyleConfigSchema, trainStyleJudge } from '../src/judges/text/style';
import { loadTextJudges, reportTextJudges, saveTextJudges, trainTextJudges, TextJudgesReport } from '../src/judges/text';
import { resolveConfig } from '../src/judges/text/config';
import { resetDeprecationNotices, setDeprecationLog } from '../src/util/deprecated-keys';
import { tempDir } from './synth-helpers';
import { Command } from 'commander';
import { register } from '../src/cli/commands/text-judges';

let root = '';
let worldDir = '';
let evalDir = '';
let ckpt = '';
let report: TextJudgesReport;
let world: Corpus;
let tensorsBefore = 0;
let tensorsAfter = 0;

before(async () => {
  await initBackend();
  root = tempDir('text-judges');
  worldDir = path.join(root, 'world');
  evalDir = path.join(root, 'eval');
  ckpt = path.join(root, 'judges');
  await synthesize({ out: worldDir, seed: 3, split: 'world', characters: 40, quiet: true });
  await synthesize({ out: evalDir, seed: 3, split: 'eval', characters: 10, quiet: true });
  world = await loadCorpus(worldDir);
  tensorsBefore = tf.memory().numTensors;
  report = await trainTextJudges({ worldDir, evalDir, outDir: ckpt, seed: 1, smoke: true, realDir: null });
  tensorsAfter = tf.memory().numTensors;
});

after(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('style attribution beats chance clearly on held-out world and evaluation characters', () => {
  for (const [name, r] of [['world', report.style.world], ['eval', report.style.eval]] as const) {
    assert.ok(r, `${name} was scored`);
    assert.ok(r.queries >= 20, `${name}: ${r.queries} query lines`);
    assert.ok(r.accuracy.learned > 4 * r.chance, `${name}: learned ${r.accuracy.learned} vs chance ${r.chance}`);
    assert.ok(r.accuracy.learned > 0.6, `${name}: learned ${r.accuracy.learned}`);
  }
  assert.equal(report.style.eval!.characters, 10);
  assert.equal(report.style.real, null);
});

test('line emotion beats chance clearly on held-out lines and reads text-only lines as none', () => {
  for (const [name, r] of [['world', report.emotion.world], ['eval', report.emotion.eval]] as const) {
    assert.ok(r.imageLines >= 20, `${name}: ${r.imageLines} image lines`);
    assert.ok(r.judge.expression > 0.8, `${name}: expression ${r.judge.expression} (chance 1/7)`);
    assert.ok(r.judge.scene > 0.8, `${name}: scene ${r.judge.scene} (chance 1/11)`);
    assert.ok(r.judge.noneOnText > 0.8, `${name}: none on text-only ${r.judge.noneOnText}`);
  }
  assert.equal(report.emotion.paraphrases.n, report.emotion.paraphrases.items.length);
});

test('save/load round trip: same outputs, same bytes, and re-scoring reproduces the report', async () => {
  const a = await loadTextJudges(ckpt);
  const lines = ['Comets never lie. I feel so glad at the beach!', 'hmm, the library is calm...', 'Pip is hungry -nya'];
  const candidates = world.characters.slice(0, 5).map((c) => ({ id: c.id, referenceLines: c.trainLines }));
  const copy = path.join(root, 'judges-copy');
  await saveTextJudges(copy, a, a.report);
  const b = await loadTextJudges(copy);
  assert.deepEqual(b.style.attributeLines(lines, candidates), a.style.attributeLines(lines, candidates));
  assert.deepEqual(b.emotion.judgeLines(lines), a.emotion.judgeLines(lines));
  for (const f of ['style.bin', 'emotion.bin', 'manifest.json']) assert.ok(fs.readFileSync(path.join(copy, f)).equals(fs.readFileSync(path.join(ckpt, f))), `${f} differs`);
  const r = await reportTextJudges({ judgesDir: ckpt, worldDir, evalDir, realDir: null });
  assert.deepEqual(r.style.world, report.style.world);
  assert.deepEqual(r.style.eval, report.style.eval);
  assert.deepEqual(r.emotion.eval, report.emotion.eval);
  a.emotion.dispose();
  b.emotion.dispose();
});

test('tf.memory stays flat over training steps of both judges', () => {
  assert.equal(tensorsAfter, tensorsBefore, 'trainTextJudges leaves no tensors behind');
  const train = world.characters.slice(0, 12);
  // style: theta + scale through the Gram op and the prototypical loss
  const scfg = StyleConfigSchema.parse({ dim: 1 << 14 });
  const feats = train.map((c) => [...c.trainLines, ...c.testLines].map((l) => styleEntries(l, scfg.dim)));
  const bins = dfBins(documentFrequency(feats, scfg.dim), feats.length);
  const theta = tf.tidy(() => tf.variable(tf.tensor1d(idfTheta(12, feats.length))));
  const logScale = tf.tidy(() => tf.variable(tf.scalar(Math.log(10))));
  const sopt = new AdamW({ lr: 0.01 });
  const rng = new Rng(0);
  const styleStep = (): number => {
    const lines = rng.sample(feats, 4).flatMap((f) => rng.sample(f, 3));
    const g = groupBatch(lines, bins);
    return trainStep([theta, logScale], sopt, () => protoLoss(gram(theta, g), 4, 2, 1, tf.exp(logScale) as tf.Scalar));
  };
  styleStep(); // creates the optimizer slots
  const n0 = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) assert.ok(Number.isFinite(styleStep()));
  assert.equal(tf.memory().numTensors, n0, 'style steps leak tensors');
  sopt.dispose();
  tf.dispose([theta, logScale]);

  // emotion: the bag MLP through the fused embedding bag and both heads
  const ecfg = EmotionConfigSchema.parse({ dim: 1 << 12, width: 8, hidden: 16 });
  const labels = emotionLabelsOf(world.labelSpaces!);
  const pools = buildPools(train.flatMap((c) => c.imageLines), train.flatMap((c) => c.textOnlyLines), world.labelSpaces!);
  const shape = emotionBagShape(ecfg, labels);
  const model = new BagMlp(shape, initParams(shape, new Rng(1)), true);
  const eopt = new AdamW({ lr: 0.01 });
  const emotionStep = (): number => {
    const exs = Array.from({ length: 16 }, () => sampleExample(pools, ecfg, rng));
    const ye = Int32Array.from(exs, (e) => labels.expressions.indexOf(e.expression));
    const ys = Int32Array.from(exs, (e) => labels.scenes.indexOf(e.scene));
    const lines = exs.map((e) => featurize(e.text, emotionFeatureConfig(ecfg)));
    return trainStep(model.variables, eopt, () => emotionLoss(model, lines, ye, ys, labels.expressions.length, labels.scenes.length));
  };
  emotionStep();
  const n1 = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) assert.ok(Number.isFinite(emotionStep()));
  assert.equal(tf.memory().numTensors, n1, 'emotion steps leak tensors');
  eopt.dispose();
  model.dispose();
});

test('same seed, same style weights; a finished training leaves no tensors behind', () => {
  const sets = world.characters.slice(0, 16).map((c) => ({ id: c.id, lines: c.trainLines }));
  const cfg = resolveConfig({ style: { dim: 1 << 14, steps: 6 } }, true).style;
  const before = tf.memory().numTensors;
  const a = trainStyleJudge(sets, cfg, new Rng(7)).judge;
  const b = trainStyleJudge(sets, cfg, new Rng(7)).judge;
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Array.from(a.learned.theta), Array.from(b.learned.theta));
  assert.equal(a.learned.scale, b.learned.scale);
  assert.notDeepEqual(Array.from(a.learned.theta), Array.from(a.prior.theta), 'training moved the weights');
});

test('style judge API: attribution among candidates, and bad candidates are user errors', async () => {
  const j = (await loadTextJudges(ckpt)).style;
  const [c1, c2] = world.characters;
  const r = j.attributeStyle(c1.trainLines[0], [
    { id: c1.id, referenceLines: c1.trainLines },
    { id: c2.id, referenceLines: c2.trainLines },
  ]);
  assert.equal(r.id, c1.id, 'a reference line is attributed to its own character');
  assert.ok(Math.abs(Object.values(r.probs).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.throws(() => j.attributeStyle('hi', [{ id: 'X', referenceLines: [] }]), (e: unknown) => e instanceof UserError && /"X" has no reference lines/.test(e.message));
  assert.throws(() => j.attributeStyle('hi', []), UserError);
});

test('damaged checkpoints fail with one clear line naming the file', async () => {
  const damaged = async (name: string, edit: (dir: string) => void, pattern: RegExp): Promise<void> => {
    const dir = path.join(root, `bad-${name}`);
    fs.cpSync(ckpt, dir, { recursive: true });
    edit(dir);
    await assert.rejects(loadTextJudges(dir), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'), name);
  };
  const mf = (dir: string): string => path.join(dir, 'manifest.json');
  const editJson = (dir: string, f: (m: any) => void): void => {
    const m = JSON.parse(fs.readFileSync(mf(dir), 'utf8'));
    f(m);
    fs.writeFileSync(mf(dir), JSON.stringify(m));
  };
  await assert.rejects(loadTextJudges(path.join(root, 'missing')), (e: unknown) => e instanceof UserError && /manifest\.json: cannot read the text judges manifest: missing/.test(e.message));
  await damaged('json', (d) => fs.writeFileSync(mf(d), '{"format": "cmrp-text'), /manifest\.json: cannot read the text judges manifest: not valid JSON/);
  await damaged('format', (d) => editJson(d, (m) => (m.format = 'other/9')), /manifest\.json: format: expected "cmrp-text-judges\/1", found "other\/9"/);
  await damaged('config', (d) => editJson(d, (m) => (m.config.style.bogus = 1)), /manifest\.json: config\.style: Unrecognized key/);
  await damaged('shape', (d) => editJson(d, (m) => (m.emotion.tensors[0].shape = [3, 3])), /manifest\.json: emotion\.tensors: "table"\.shape: expected \[/);
  await damaged('truncated', (d) => fs.truncateSync(path.join(d, 'style.bin'), 1000), /style\.bin: expected \d+ bytes .*found 1000/);
  await damaged('nan', (d) => {
    const f = path.join(d, 'emotion.bin');
    const b = fs.readFileSync(f);
    b.writeFloatLE(NaN, 8);
    fs.writeFileSync(f, b);
  }, /emotion\.bin: tensor "table" holds 1 non-finite value\(s\) .*first at element 2/);
  await damaged('weights-missing', (d) => fs.rmSync(path.join(d, 'emotion.bin')), /emotion\.bin: missing/);
});

test('config keys of before the snake_case rename still load, each with a one-line notice', async () => {
  const notices: string[] = [];
  const was = setDeprecationLog((l) => notices.push(l));
  resetDeprecationNotices();
  try {
    const old = resolveConfig({ heldOutFraction: 0.3, style: { charsPerBatch: 5 }, emotion: { pTypos: 0.1 } }, false);
    assert.equal(old.held_out_fraction, 0.3);
    assert.equal(old.style.chars_per_batch, 5);
    assert.equal(old.emotion.p_typos, 0.1);
    assert.deepEqual(notices.sort(), ['cmrp: config key "charsPerBatch" is deprecated, use "chars_per_batch"', 'cmrp: config key "heldOutFraction" is deprecated, use "held_out_fraction"', 'cmrp: config key "pTypos" is deprecated, use "p_typos"']);
    assert.throws(() => resolveConfig({ typoRate: 0.1, typo_rate: 0.2 }, false), /text judges config: typo_rate: given twice, as "typo_rate" and as its deprecated name "typoRate"/);
    // a checkpoint written before the rename: its manifest's config under the old names
    const dir = path.join(root, 'old-keys');
    fs.cpSync(ckpt, dir, { recursive: true });
    const mf = path.join(dir, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
    const { max_features, ...style } = m.config.style;
    m.config.style = { ...style, maxFeatures: max_features };
    fs.writeFileSync(mf, JSON.stringify(m));
    notices.length = 0;
    const a = await loadTextJudges(dir);
    const b = await loadTextJudges(ckpt);
    assert.deepEqual(a.config, b.config);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /old-keys[\\/]manifest\.json: config has the camelCase keys/);
    a.emotion.dispose();
    b.emotion.dispose();
  } finally {
    setDeprecationLog(was);
  }
});

test('training refuses an evaluation folder as its world and unknown config keys', async () => {
  await assert.rejects(trainTextJudges({ worldDir: evalDir, evalDir, outDir: path.join(root, 'x'), smoke: true, realDir: null }), (e: unknown) => e instanceof UserError && /split: expected "world"/.test(e.message));
  await assert.rejects(
    trainTextJudges({ worldDir, evalDir, outDir: path.join(root, 'x'), smoke: true, realDir: null, config: { style: { stepz: 3 } } }),
    (e: unknown) => e instanceof UserError && /config: style: Unrecognized key/.test(e.message),
  );
  assert.ok(!fs.existsSync(path.join(root, 'x')), 'nothing written on error');
});

test('cli: `judges report-text --json` prints the saved report; half a data pair is a user error', async () => {
  const program = (): Command => {
    const p = new Command('cmrp').exitOverride();
    register(p);
    return p;
  };
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await program().parseAsync(['node', 'cmrp', 'judges', 'report-text', '--judges', ckpt, '--json']);
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(JSON.parse(out.join('')), JSON.parse(JSON.stringify(report)));
  await assert.rejects(program().parseAsync(['node', 'cmrp', 'judges', 'report-text', '--judges', ckpt, '--world', worldDir]), (e: unknown) => e instanceof UserError && /both --world and --eval/.test(e.message));
});
