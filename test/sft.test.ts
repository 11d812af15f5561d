import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadCharacter } from '../src/data/rolescape';
import { prepareSft, resolveSftConfig, sftExamples } from '../src/train/sft';
import { makeBatch, encodeExamples } from '../src/train/encode';
import { TaskSampler } from '../src/train/sampler';
import { taskMasks } from '../src/train/lm-trainer';
import { baseFingerprint, loadAdapter } from '../src/model/adapter';
import { loadPolicy } from '../src/eval/load-policy';
import { referenceIds } from '../src/data/shots';
import { projectRoot } from '../src/util/paths';
import { UserError } from '../src/util/errors';
import { tempDir } from './synth-helpers';

const root = projectRoot();
const base = path.join(root, 'checkpoints', 'base');
const data = path.join(root, 'data', 'synth');
const tmp = tempDir('sft');
const CHAR = 'Alneette';
const smoke = (over: object = {}) => resolveSftConfig('smoke', over);

async function setup() {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  return (await loadCharacter(data, CHAR)).character;
}

function lossOn(model: import('../src/model/transformer').Transformer, b: ReturnType<typeof makeBatch>): number {
  return tf.tidy(() => model.loss(tf.tensor2d(b.ids, [b.B, b.T], 'int32'), tf.tensor2d(b.targets, [b.B, b.T], 'int32'), {
    mask: tf.tensor2d(b.mask, [b.B, b.T]), modality: tf.tensor2d(b.modality, [b.B, b.T], 'int32'), training: false,
  }).dataSync()[0]);
}

test('Unified-SFT trains only on the character\'s K reference images and its training split', async () => {
  const c = await setup();
  const { train, val } = sftExamples(c, smoke({ shots: 3 }));
  const refs = new Set([...referenceIds(c, 3)].map((id) => c.images.train.find((i) => i.id === id)!.path));
  const images = Object.values(train).flat().flatMap((e) => e.segments.filter((s) => s.kind === 'image').map((s) => (s as { image: string }).image));
  assert.ok(images.length > 0);
  for (const img of images) assert.ok(refs.has(img), `${img} is not one of the 3 reference images`);
  // the character's test replies never appear as training targets (generic user lines may repeat)
  const testReplies = new Set(c.dialogues.test.concat(c.textDialogues.test).flatMap((s) => s.turns.filter((t) => t.role === 'machine').map((t) => t.text)));
  for (const e of Object.values(train).flat()) for (const s of e.segments) if (s.kind === 'text' && s.role === 'char') assert.ok(!testReplies.has(s.text), `test reply in training: ${s.text}`);
  assert.ok(val.roleplay.length > 0 && val.t2i.length > 0, 'validation comes from the test split');
  const img = sftExamples(c, smoke({ data: 'image-only' }));
  assert.deepEqual(Object.entries(img.train).filter(([, v]) => v.length).map(([k]) => k), ['t2i']);
  const txt = sftExamples(c, smoke({ data: 'text-only' }));
  assert.equal(Object.values(txt.train).flat().flatMap((e) => e.segments).filter((s) => s.kind === 'image').length, 0);
  assert.ok(txt.train.knowledge.length > 0 && txt.train.roleplay.length > 0);
});

test('mixed batches hold the mandatory text-to-image examples, and their per-task losses add up to the batch loss', async () => {
  const c = await setup();
  const run = await prepareSft(smoke(), { baseDir: base, dataDir: data, character: c, outDir: null });
  const byTask = { roleplay: await encodeExamples(sftExamples(c, run.config).train.roleplay.slice(0, 20), run.tok), t2i: await encodeExamples(sftExamples(c, run.config).train.t2i.slice(0, 5), run.tok) };
  const sampler = new TaskSampler(byTask, { roleplay: 1, t2i: 1 }, 0, { task: 't2i', count: 2 });
  for (let step = 0; step < 20; step++) {
    const [task, exs] = sampler.batch(step, 6);
    assert.equal(task, 'mixed');
    assert.ok(exs.filter((e) => e.task === 't2i').length >= 2);
  }
  const [, exs] = sampler.batch(3, 6);
  const b = makeBatch(exs, run.tok, 256);
  const parts = taskMasks(b);
  assert.ok(Math.abs(parts.reduce((a, p) => a + p.share, 0) - 1) < 1e-9);
  const summed = new Float32Array(b.mask.length);
  for (const p of parts) p.mask.forEach((m, i) => (summed[i] += m));
  assert.deepEqual(Array.from(summed), Array.from(b.mask));
  run.model.dispose();
});

test('SFT lowers the loss on the character\'s data; history logs per-task losses of mixed batches', async () => {
  const c = await setup();
  const run = await prepareSft(smoke({ train: { steps: 12, batch_size: 4, mandatory_t2i: 1, warmup: 1, eval_interval: 12, learning_rate: 2e-3 } }), { baseDir: base, dataDir: data, character: c, outDir: null });
  const t2i = makeBatch(await encodeExamples(sftExamples(c, run.config).train.t2i.slice(0, 4), run.tok), run.tok, 256);
  const before = lossOn(run.model, t2i);
  await run.trainer.run();
  const after = lossOn(run.model, t2i);
  assert.ok(after < before - 0.2, `t2i loss on the reference images ${before} -> ${after}`);
  assert.ok(run.trainer.history.every((r) => r.task === 'mixed' && r.tasks && r.tasks.t2i !== undefined));
  run.model.dispose();
});

test('LoRA: the base stays frozen, the adapter is saved apart and swaps in at load to the same model', async () => {
  const c = await setup();
  const out = path.join(tmp, 'lora');
  const sha = baseFingerprint(base);
  const run = await prepareSft(smoke({ mode: 'lora', train: { steps: 4, batch_size: 4, mandatory_t2i: 1, warmup: 1, eval_interval: 4, learning_rate: 1e-2 } }), { baseDir: base, dataDir: data, character: c, outDir: out });
  const before = new Map([...run.model.params].map(([k, v]) => [k, v.dataSync().slice()]));
  const probe = tf.tensor2d([[1, 5, 40, 300, 1100]], [1, 5], 'int32');
  const mod = tf.tensor2d([[0, 0, 0, 0, 1]], [1, 5], 'int32');
  const fresh = run.model.forward(probe, mod).dataSync().slice();
  await run.trainer.run();
  for (const [k, v] of run.model.params) assert.deepEqual(v.dataSync(), before.get(k), `${k} changed under LoRA`);
  const tuned = run.model.forward(probe, mod).dataSync().slice();
  assert.ok(tuned.some((x, i) => Math.abs(x - fresh[i]) > 1e-4), 'the adapter changed nothing');
  assert.ok(fs.existsSync(path.join(out, 'adapter.json')) && !fs.existsSync(path.join(out, 'weights.bin')));
  assert.ok(fs.statSync(path.join(out, 'adapter_weights.bin')).size < fs.statSync(path.join(base, 'weights.bin')).size / 5);
  assert.equal(baseFingerprint(base), sha, 'the base checkpoint on disk changed');
  const policy = await loadPolicy(out);
  assert.equal(policy.kind, 'sft');
  const loaded = policy.textModel.forward(probe, mod).dataSync();
  tuned.forEach((x, i) => assert.ok(Math.abs(x - loaded[i]) < 1e-5));
  policy.dispose();
  run.model.dispose();
  // the same adapter on another base is refused
  const other = path.join(tmp, 'other-base');
  fs.cpSync(base, other, { recursive: true });
  const w = fs.readFileSync(path.join(other, 'weights.bin'));
  w[100] ^= 1;
  fs.writeFileSync(path.join(other, 'weights.bin'), w);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'adapter.json'), 'utf8'));
  manifest.base = path.relative(out, other);
  fs.writeFileSync(path.join(out, 'adapter.json'), JSON.stringify(manifest));
  assert.throws(() => loadAdapter(out), (e: unknown) => e instanceof UserError && /base_sha256/.test((e as Error).message));
});

test('bad SFT arguments give one clear line, not a stack trace', async () => {
  await setup();
  const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const cases: [string[], RegExp][] = [
    [['sft', '--character', 'Nobody', '--out', path.join(tmp, 'x'), '--config', 'smoke'], /unknown character "Nobody"; available: Alneette/],
    [['sft', '--character', CHAR, '--out', path.join(tmp, 'x'), '--base', path.join(tmp, 'none')], /--base: .*no model checkpoint/],
    [['sft', '--character', CHAR, '--out', path.join(tmp, 'x'), '--data', path.join(tmp, 'none')], /--data: .*no such folder/],
    [['sft', '--character', CHAR, '--out', path.join(tmp, 'x'), '--config', 'nope'], /--config: "nope" is neither a preset/],
    [['baseline', '--kind', 'lora-ish', '--character', CHAR, '--out', path.join(tmp, 'x')], /--kind: "lora-ish" is not one of/],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(!/\n\s+at /.test(r.stderr), `stack trace for ${args.join(' ')}`);
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'x')), 'a failed run wrote nothing');
});

test('CLI: usage errors and bad option values both exit 2 with one line; --version and help exit 0; --json where results are printed', async () => {
  const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const out = path.join(tmp, 'usage');
  const usage: [string[], RegExp][] = [
    [[], /Usage: cmrp/], // no command: help as an error (commander's exit 1 before)
    [['data'], /Usage: cmrp data/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['sft', 'extra', '--character', CHAR, '--out', out], /too many arguments/], // was accepted, and trained
    [['sft', '--character', CHAR, '--out', out, '--bogus'], /unknown option '--bogus'/],
    [['sft', '--shots', 'abc', '--character', CHAR, '--out', out], /^error: option '--shots <k>' argument 'abc' is invalid\. expected a whole number from 1 to 1000\n$/],
  ];
  for (const [args, re] of usage) {
    const r = run(...args);
    assert.equal(r.status, 2, `cmrp ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, re, `cmrp ${args.join(' ')}`);
    assert.ok(!/zod|ZodError|smoke|\n\s+at /.test(r.stderr), `cmrp ${args.join(' ')}: ${r.stderr}`);
  }
  assert.ok(!fs.existsSync(out), 'a refused command wrote nothing');
  for (const args of [['--version'], ['--help'], ['help'], ['sft', '--help']]) assert.equal(run(...args).status, 0, `cmrp ${args.join(' ')}`);
  assert.match(run('--version').stdout, /^\d+\.\d+\.\d+\n$/);
  const { buildProgram } = await import('../src/cli/main');
  const find = (names: string[]) => names.reduce((c: import('commander').Command | undefined, n) => c?.commands.find((s) => s.name() === n), buildProgram());
  for (const name of ['sft', 'grpo', 'eval', 'quality', 'diversity-scale', 'identity-band', 'experiment', 'judges report', 'judges report-real', 'judges train-real']) {
    const c = find(name.split(' '));
    assert.ok(c?.options.some((o) => o.long === '--json'), `${name} has no --json`);
  }
});

test('Unified-SFT and the evaluation suite run on a real RoleScape-20 character (skipped without ../shared)', async (t) => {
  const { sharedRoleScapeDir } = await import('../src/util/paths');
  const real = sharedRoleScapeDir();
  if (!real) return t.skip('../shared/rolescape20 is not here');
  await initBackend();
  const c = (await loadCharacter(real, 'Bo')).character;
  const run = await prepareSft(smoke({ train: { steps: 2, batch_size: 4, mandatory_t2i: 1, warmup: 1, eval_interval: 2 } }), { baseDir: base, dataDir: real, character: c, outDir: null });
  assert.ok(Object.values(run.counts).every((n) => n > 0), `every task has real examples: ${JSON.stringify(run.counts)}`);
  await run.trainer.run();
  assert.ok(run.trainer.history.every((r) => Number.isFinite(r.loss)));
  const { evaluatePolicy, METRIC_KEYS } = await import('../src/eval/suite');
  const { modelPolicy } = await import('../src/eval/load-policy');
  const report = await evaluatePolicy(modelPolicy(run.model, run.tok, { name: 'sft' }), c, {
    judgesDir: path.join(root, 'checkpoints', 'judges'), textJudgesDir: path.join(root, 'checkpoints', 'text-judges'), config: (await import('../src/eval/suite')).resolveEvalConfig('smoke'),
  });
  for (const k of METRIC_KEYS) assert.ok(k in report.metrics);
  // what real data cannot give is null with a reason, never a made-up number
  for (const k of ['memorization', 'catchphrase_rate_ratio', 'vqa_acc'] as const) assert.ok(report.metrics[k] === null && report.unavailable[k], `${k} on real data`);
  assert.ok(typeof report.metrics.knowledge_mcq_acc === 'number' && typeof report.metrics.t2i_identity_dino === 'number');
  run.model.dispose();
});
