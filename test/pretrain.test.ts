import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { preparePretrain, resolvePretrainConfig, PRETRAIN_PRESETS, PretrainSchema } from '../src/train/pretrain';
import { loadCheckpoint, saveCheckpoint } from '../src/model/checkpoint';
import { generateReplies, generateImages } from '../src/model/generate';
import { encodePrompt, ImageCodeCache } from '../src/train/encode';
import { projectRoot } from '../src/util/paths';
import { UserError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { tempDir } from './synth-helpers';

const tmp = tempDir('pretrain');
const world = path.join(tmp, 'world');
const smoke = (steps: number) => PretrainSchema.parse({ ...PRETRAIN_PRESETS.smoke, train: { ...(PRETRAIN_PRESETS.smoke.train as object), steps, eval_interval: steps } });

test('pretraining from scratch lowers the held-out loss of every task', async () => {
  await initBackend();
  const run = await preparePretrain(smoke(60), { outDir: path.join(tmp, 'a'), worldDir: world });
  const before = run.trainer.evaluate();
  await run.trainer.run();
  const after = run.trainer.history[run.trainer.history.length - 1].val!;
  for (const task of ['roleplay', 'knowledge', 'vqa', 't2i'] as const) {
    assert.ok(after[task]! < before[task]! - 0.3, `${task}: val loss ${before[task]} -> ${after[task]}`);
  }
});

test('a run resumes from its checkpoint: same step count and history, no leak per step', async () => {
  await initBackend();
  const out = path.join(tmp, 'b');
  const first = await preparePretrain(smoke(20), { outDir: out, worldDir: world });
  await first.trainer.run(10);
  await first.trainer.save(out);
  const second = await preparePretrain(smoke(20), { outDir: out, worldDir: world });
  assert.equal(second.trainer.step, 10);
  const n0 = tf.memory().numTensors;
  await second.trainer.run(1);
  const n1 = tf.memory().numTensors;
  await second.trainer.run(1);
  assert.equal(tf.memory().numTensors, n1, 'tensors leak across training steps');
  assert.ok(n1 - n0 <= 400, 'optimizer slots are the only new tensors');
  await second.trainer.run();
  assert.equal(second.trainer.step, 20);
  const lines = fs.readFileSync(path.join(out, 'history.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(lines.map((l) => JSON.parse(l).step), Array.from({ length: 20 }, (_, i) => i + 1));
});

test('checkpoints reload exactly; a mismatched config is refused by name', async () => {
  await initBackend();
  const out = path.join(tmp, 'a');
  const ck = loadCheckpoint(out);
  const ids = tf.tensor2d([[1, 20, 30, 40]], [1, 4], 'int32');
  const again = path.join(tmp, 'c');
  await saveCheckpoint(again, ck.model, ck.tokenizers);
  const ck2 = loadCheckpoint(again);
  assert.deepEqual(Array.from(ck.model.forward(ids).dataSync()), Array.from(ck2.model.forward(ids).dataSync()));
  assert.throws(() => loadCheckpoint(out, { n_layer: 7 }), (e: unknown) => e instanceof UserError && /n_layer: checkpoint has 1, expected 7/.test((e as Error).message));
  fs.writeFileSync(path.join(again, 'config.json'), '{"format":"cmrp-model/1","model":{"n_embd":"wide"}}');
  assert.throws(() => loadCheckpoint(again), /config\.json: model\.n_embd: Expected number/);
  assert.throws(() => loadCheckpoint(path.join(tmp, 'nothing-here')), /not a model checkpoint/);
});

test('generation follows the grammar: text then an optional whole image; forced images have the grid length', async () => {
  await initBackend();
  const { model, tokenizers: tok } = loadCheckpoint(path.join(tmp, 'a'));
  const prompt = await encodePrompt([{ role: 'sys', kind: 'text', text: 'Tester', loss: false }, { role: 'user', kind: 'text', text: 'Hello there!', loss: false }], tok, new ImageCodeCache(tok));
  assert.equal(prompt[prompt.length - 1], tok.vocab.char);
  const replies = generateReplies(model, tok, prompt, 3, { rng: new Rng(1), maxTextTokens: 12 });
  for (const r of replies) {
    const firstImage = r.ids.indexOf(tok.vocab.boi);
    const textPart = firstImage < 0 ? r.ids : r.ids.slice(0, firstImage);
    assert.ok(textPart.slice(0, -1).every((id) => tok.vocab.isTextToken(id)));
    if (r.imageCodes) assert.equal(r.imageCodes.length, tok.image.tokensPerImage);
  }
  const imgs = generateImages(model, tok, prompt, 2, { rng: new Rng(2) });
  assert.equal(imgs.length, 2);
  assert.ok(imgs.every((c) => c.length === tok.image.tokensPerImage && c.every((x) => x >= 0 && x < tok.image.codebookSize)));
  const again = generateImages(model, tok, prompt, 2, { rng: new Rng(2) });
  assert.deepEqual(again.map((c) => Array.from(c)), imgs.map((c) => Array.from(c)), 'same seed, same drawings');
});

test('the committed base checkpoint loads with its recorded command', async (t) => {
  const dir = path.join(projectRoot(), 'checkpoints', 'base');
  if (!fs.existsSync(path.join(dir, 'config.json'))) return t.skip('no committed base checkpoint yet');
  await initBackend();
  const ck = loadCheckpoint(dir);
  assert.equal(ck.config.vocab_size, ck.tokenizers.vocab.size);
  assert.equal(ck.meta.kind, 'base');
});

test('bad pretrain configs are refused with the field named', () => {
  assert.throws(() => resolvePretrainConfig('no-such-preset'), (e: Error) => e.message.includes(`neither a preset (${Object.keys(PRETRAIN_PRESETS).join(', ')}) nor a file`));
  // the dense ablation's base differs from the MoT one in its experts only
  const mot = resolvePretrainConfig('base'), dense = resolvePretrainConfig('dense');
  assert.equal(dense.model.experts, 'dense');
  assert.deepEqual({ ...dense, model: { ...dense.model, experts: 'mot' } }, mot);
  const f = path.join(tmp, 'bad.json');
  fs.writeFileSync(f, JSON.stringify({ train: { learning_rate: -1 } }));
  assert.throws(() => resolvePretrainConfig(f), /bad\.json: train\.learning_rate: Number must be greater than 0/);
  fs.writeFileSync(f, JSON.stringify({ trian: {} }));
  assert.throws(() => resolvePretrainConfig(f), /Unrecognized key/);
});

test('samples for people: a chat with optional drawn replies, drawings, and the loss-curve figure', async () => {
  await initBackend();
  const { chatSample, drawPrompt } = await import('../src/eval/samples');
  const { trainingCurvesFigure, ema } = await import('../src/viz/training-figures');
  const { model, tokenizers: tok } = loadCheckpoint(path.join(tmp, 'a'));
  const chat = await chatSample(model, tok, { id: 'Tester', description: 'A test character.' }, ['Hi!', 'Where are you?'], { rng: new Rng(3), card: true, maxTextTokens: 8 });
  assert.deepEqual(chat.map((t) => t.role), ['user', 'machine', 'user', 'machine']);
  const imgs = await drawPrompt(model, tok, { id: 'Tester' }, 'Tester on a beach', 2, { rng: new Rng(4) });
  assert.ok(imgs.length === 2 && imgs.every((im) => im.length === 32 * 32 * 3));
  const history = fs.readFileSync(path.join(tmp, 'a', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const fig = trainingCurvesFigure(history);
  assert.ok(fig.data.length >= 5, 'train curves per task plus held-out points');
  assert.deepEqual(ema([1, 1, 1]), [1, 1, 1]);
  assert.ok(Math.abs(ema([0, 10], 0.5)[1] - 5) < 1e-12);
});

test('resume is exact: 10 + 10 steps through a checkpoint equal 20 straight steps (moments restored)', async () => {
  await initBackend();
  const straight = await preparePretrain(smoke(20), { outDir: path.join(tmp, 'straight'), worldDir: world });
  await straight.trainer.run();
  const split = path.join(tmp, 'split');
  const first = await preparePretrain(smoke(20), { outDir: split, worldDir: world });
  await first.trainer.run(10);
  await first.trainer.save(split);
  const second = await preparePretrain(smoke(20), { outDir: split, worldDir: world });
  await second.trainer.run();
  for (const [name, v] of straight.trainer.model.params) {
    const a = v.dataSync(), b = second.trainer.model.params.get(name)!.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    assert.ok(maxDiff < 1e-5, `${name}: resumed run differs by ${maxDiff}`);
  }
});
