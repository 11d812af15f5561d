import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadCharacter } from '../src/data/rolescape';
import { splitGrpoPrompts } from '../src/data/grpo-split';
import { resolveGrpoConfig } from '../src/train/grpo-config';
import { prepareGrpo } from '../src/train/grpo-setup';
import { projectRoot } from '../src/util/paths';
import { UserError } from '../src/util/errors';
import { tempDir } from './synth-helpers';

const root = projectRoot();
const data = path.join(root, 'data', 'synth');
// the committed base stands in for an SFT model: GRPO only needs a policy that draws
const model = path.join(root, 'checkpoints', 'base');
const judgesDir = path.join(root, 'checkpoints', 'judges');
const tmp = tempDir('grpo');
const smoke = (over: Record<string, unknown> = {}) => resolveGrpoConfig('smoke', { steps: 4, ...over });

async function character() {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  return (await loadCharacter(data, 'Kito')).character;
}

test('GRPO trains only on the train side of the prompt split, logs every diagnostic, and records weight changes', async () => {
  const c = await character();
  const trainer = await prepareGrpo(smoke(), { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir });
  const held = new Set(splitGrpoPrompts(c.grpo).eval.map((p) => p.text));
  for (let s = 0; s < 50; s++) for (const p of trainer.promptsOf(s)) assert.ok(!held.has(p.text), `step ${s} drew held-out prompt ${p.text}`);
  const before = new Map([...trainer.parts.model.params].map(([k, v]) => [k, v.dataSync().slice()]));
  const n0 = tf.memory().numTensors;
  await trainer.run(2);
  const n1 = tf.memory().numTensors;
  trainer.setRewardWeights({ vqa: 1, clip_t: 0 });
  await trainer.run(1);
  assert.ok(tf.memory().numTensors - n1 <= 0, `tensors leak across GRPO steps (${n0} -> ${n1} -> ${tf.memory().numTensors})`);
  const h = trainer.history;
  assert.equal(h.length, 3);
  for (const r of h) {
    for (const k of ['total', 'vqa', 'clip_t', 'diversity_lpips', 'dino_penalty', 'identity_similarity']) assert.ok(Number.isFinite(r.reward[k]?.mean), `reward/${k} missing at step ${r.step}`);
    for (const k of ['kl', 'clip_ratio/region_mean', 'entropy', 'policy_loss', 'grad_norm', 'frac_reward_zero_std', 'ms'] as const) assert.ok(Number.isFinite(r[k]), `${k} missing`);
  }
  assert.equal(h[1].rewards.weights.vqa, 0.3);
  assert.equal(h[2].rewards.weights.vqa, 1);
  assert.equal(h[2].rewards.weights.clip_t, 0);
  assert.ok([...trainer.parts.model.params].some(([k, v]) => v.dataSync().some((x, i) => x !== before.get(k)![i])), 'no weight moved');
  // on-policy single pass: ratios are exactly 1, so nothing is clipped
  assert.ok(h.every((r) => r['clip_ratio/region_mean'] === 0));
  trainer.parts.judges.dispose();
  trainer.parts.model.dispose();
});

test('a resumed GRPO run equals an unbroken one (same rollouts, rewards and weights)', async () => {
  const c = await character();
  const opts = (outDir: string | null) => ({ modelDir: model, dataDir: data, character: c, outDir, judgesDir });
  const whole = await prepareGrpo(smoke({ num_iterations: 2, ckpt_interval: 2 }), opts(null));
  await whole.run(3);
  const dir = path.join(tmp, 'resume');
  // interrupted after step 3 with the last checkpoint at step 2: the resumed run redoes step 3
  const first = await prepareGrpo(smoke({ num_iterations: 2, ckpt_interval: 2 }), opts(dir));
  await first.run(3);
  first.parts.judges.dispose();
  first.parts.model.dispose();
  const second = await prepareGrpo(smoke({ num_iterations: 2, ckpt_interval: 2 }), opts(dir));
  assert.equal(second.step, 2);
  assert.equal(fs.readFileSync(path.join(dir, 'grpo_history.jsonl'), 'utf8').trim().split('\n').length, 2, 'history cut back to the checkpoint');
  await second.run(1);
  assert.deepEqual(second.history.map((r) => r.reward.total.mean), whole.history.map((r) => r.reward.total.mean));
  for (const [k, v] of whole.parts.model.params) assert.deepEqual(Array.from(second.parts.model.params.get(k)!.dataSync()), Array.from(v.dataSync()), `${k} differs`);
  assert.ok(whole.history.some((r) => r['clip_ratio/region_mean'] >= 0) && fs.existsSync(path.join(dir, 'grpo_history.jsonl')));
  for (const t of [whole, second]) (t.parts.judges.dispose(), t.parts.model.dispose());
});

test('role-play rollouts: the reply text then its picture, on training dialogues, with the text-side rewards', async () => {
  const c = await character();
  const cfg = smoke({ steps: 2, rollouts: 'roleplay', max_completion_length: 12, rewards: { weights: { style: 0.3, profile_facts: 0.2, consistency: 0.2 } } });
  const trainer = await prepareGrpo(cfg, { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir, textJudgesDir: path.join(root, 'checkpoints', 'text-judges') });
  // prompts come from the training dialogues; the character's test replies never appear in them
  const testReplies = new Set(c.dialogues.test.flatMap((s) => s.turns.filter((t) => t.role === 'machine').map((t) => t.text)));
  const trainLines = new Set(c.dialogues.train.flatMap((s) => s.turns.map((t) => t.text)));
  assert.ok(trainer.parts.roleplayPrompts.length > 0);
  for (const p of trainer.parts.roleplayPrompts) for (const seg of p.turns) {
    assert.ok(seg.kind === 'text' && trainLines.has(seg.text), 'a role-play prompt line that is not from the training dialogues');
    assert.ok(!testReplies.has(seg.text), `a test reply in a role-play prompt: ${seg.text}`);
  }
  let seen = 0;
  await trainer.run(2, (row, rollouts) => {
    seen += rollouts.texts!.length;
    assert.ok(rollouts.kinds!.every((k) => k.includes(2)), 'every role-play rollout ends in a picture');
    for (const k of ['style', 'profile_facts', 'consistency', 'total']) assert.ok(Number.isFinite(row.reward[k]?.mean), `reward/${k} at step ${row.step}`);
    assert.equal(row['clip_ratio/region_mean'], 0);
  });
  assert.equal(seen, 2 * cfg.prompts_per_step * cfg.num_generations);
  trainer.parts.judges.dispose();
  trainer.parts.model.dispose();
});

test('bad GRPO configs are refused with the field named', async () => {
  assert.throws(() => resolveGrpoConfig('smoke', { num_generations: 1 }), (e: unknown) => e instanceof UserError && /num_generations/.test((e as Error).message));
  assert.throws(() => resolveGrpoConfig('smoke', { rewards: { weights: { vqa: -1 } } }), (e: unknown) => e instanceof UserError && /rewards\.weights\.vqa/.test((e as Error).message));
  assert.throws(() => resolveGrpoConfig('smoke', { rewards: { dino_threshold_low: 0.9, dino_threshold_high: 0.5 } }), (e: unknown) => e instanceof UserError && /dino_threshold/.test((e as Error).message));
  assert.throws(() => resolveGrpoConfig('nope'), (e: unknown) => e instanceof UserError && /neither a preset/.test((e as Error).message));
});
