/**
 * The held-out judge set (src/judges/heldout.ts): trained at smoke size next to smoke reward judges,
 * it shares no training character (by id or identity signature) and no parameter values with them;
 * the overlap check itself reports a set against itself as sharing everything (so it can fail);
 * the committed checkpoints/judges-heldout against checkpoints/judges; the suite scores every
 * image metric under both sets; and the choice of a real-data held-out judge per character.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { synthesize, ensureSynthDataset, CENTRED_JITTER } from '../src/data/synth';
import { loadRoleScape, type Character } from '../src/data/rolescape';
import { trainJudges, reportJudges } from '../src/judges';
import { trainHeldOutJudges, judgeSetOverlap, judgesCharacters, heldOutJudgesFor, HELDOUT_SEED } from '../src/judges/heldout';
import { loadPolicy } from '../src/eval/load-policy';
import { evaluatePolicy, resolveEvalConfig, HELDOUT_METRIC_KEYS, IMAGE_METRIC_KEYS, heldOutKey } from '../src/eval/suite';
import { UserError } from '../src/util/errors';
import { defaultSynthDir, projectRoot } from '../src/util/paths';
import { tempDir, readJson } from './synth-helpers';

const root = projectRoot();
const tmp = tempDir('judges-heldout');
const rewardWorld = path.join(tmp, 'world0'), heldWorld = path.join(tmp, 'world1'), evalDir = path.join(tmp, 'eval');
const reward = path.join(tmp, 'reward'), held = path.join(tmp, 'heldout');

before(async () => {
  await initBackend();
  await synthesize({ out: rewardWorld, seed: 0, split: 'world', characters: 30, quiet: true });
  // the held-out set's world: the same seed with 60 characters, so its first 30 are the reward world's own and must be dropped
  await synthesize({ out: heldWorld, seed: 0, split: 'world', characters: 60, quiet: true });
  await synthesize({ out: evalDir, seed: 0, placement: CENTRED_JITTER, quiet: true }); // placed as the smoke judges' world
  await trainJudges({ worldDir: rewardWorld, evalDir, outDir: reward, seed: 0, smoke: true, config: { max_characters: 30, eval_max_characters: 2 } });
  await trainHeldOutJudges({ worldDir: heldWorld, evalDir, outDir: held, rewardJudgesDir: reward, smoke: true, config: { max_characters: 60, eval_max_characters: 2 } });
});

test('held-out judges share no training character and no parameter with the reward judges', () => {
  const a = judgesCharacters(reward), b = judgesCharacters(held);
  assert.ok(a.train.length >= 20 && b.train.length >= 20, `${a.train.length} / ${b.train.length} training characters`);
  const idsA = new Set([...a.train, ...a.heldOut].map((e) => e.id)), sigsA = new Set([...a.train, ...a.heldOut].map((e) => e.signature));
  for (const e of b.train) assert.ok(!idsA.has(e.id) && !sigsA.has(e.signature), `${e.id} is one of the reward judges' characters`);
  const excluded = readJson<{ excluded: { ids: string[] } }>(path.join(held, 'characters.json')).excluded.ids;
  assert.equal(excluded.length, 30, 'the 30 characters the two worlds share were left out');
  const o = judgeSetOverlap(reward, held);
  assert.deepEqual(o.sharedCharacters, []);
  assert.deepEqual(o.sharedParameters, []);
  assert.deepEqual(o.sharedWeightFiles, []);
  assert.ok(o.compared[0] > 20 && o.compared[1] > 20, `parameters compared: ${o.compared}`);
  const m = readJson<{ role: string; seed: number; config: { vqa: { model: { encoder: { n_layer: number } } } } }>(path.join(held, 'judges.json'));
  const r = readJson<typeof m>(path.join(reward, 'judges.json'));
  assert.equal(m.role, 'heldout');
  assert.equal(m.seed, HELDOUT_SEED);
  assert.notEqual(m.seed, r.seed);
  assert.notDeepEqual(m.config.vqa.model.encoder, r.config.vqa.model.encoder, 'another architecture');
});

test('the overlap check can fail: a set against itself, or against a copy with one parameter changed', () => {
  const self = judgeSetOverlap(reward, reward);
  assert.equal(self.sharedCharacters.length, judgesCharacters(reward).train.length);
  assert.equal(self.sharedParameters.length, self.compared[0]);
  assert.equal(self.sharedWeightFiles.length, 4);
  const copy = path.join(tmp, 'reward-copy');
  fs.cpSync(held, copy, { recursive: true });
  fs.cpSync(path.join(reward, 'identity'), path.join(copy, 'identity'), { recursive: true }); // one judge taken from the reward set
  const o = judgeSetOverlap(reward, copy);
  assert.ok(o.sharedParameters.length > 0 && o.sharedParameters.every((p) => p.startsWith('identity/')), o.sharedParameters.join(', '));
  assert.deepEqual(o.sharedWeightFiles, ['identity']);
});

test('training held-out judges on the reward judges\' own world leaves too few characters: one clear line', async () => {
  await assert.rejects(
    trainHeldOutJudges({ worldDir: rewardWorld, evalDir, outDir: path.join(tmp, 'nope'), rewardJudgesDir: reward, smoke: true, config: { max_characters: 30, eval_max_characters: 1 } }),
    (e: Error) => !e.message.includes('\n'),
  );
  assert.ok(!fs.existsSync(path.join(tmp, 'nope', 'judges.json')), 'nothing written');
});

test('the held-out report recomputed from data equals the saved one (the exclusion is reapplied)', async () => {
  const again = await reportJudges({ judgesDir: held, worldDir: heldWorld, evalDir });
  const saved = readJson<{ identity_auc: number; data: { world: { heldOutCharacters: number } } }>(path.join(held, 'report.json'));
  assert.equal(again.identity_auc, saved.identity_auc);
  assert.equal(again.data.world.heldOutCharacters, saved.data.world.heldOutCharacters);
});

const committedHeld = path.join(root, 'checkpoints', 'judges-heldout');
test('committed checkpoints/judges-heldout shares no training character and no parameter with checkpoints/judges', { skip: !fs.existsSync(path.join(committedHeld, 'judges.json')) && 'checkpoints/judges-heldout not trained yet' }, () => {
  const o = judgeSetOverlap(path.join(root, 'checkpoints', 'judges'), committedHeld);
  assert.deepEqual(o.sharedCharacters, []);
  assert.deepEqual(o.sharedParameters, []);
  assert.deepEqual(o.sharedWeightFiles, []);
  assert.equal(judgesCharacters(path.join(root, 'checkpoints', 'judges')).train.length, 900, 'the reward judges\' 900 training characters, rebuilt from their manifest');
  assert.ok(judgesCharacters(committedHeld).train.length >= 800);
});

test('held-out judges per character: a folder of <character>/ folders; a real judge that trained on the character is refused', () => {
  const dir = path.join(tmp, 'per-character');
  const manifest = (leftOut: string[] | undefined) => ({ ...readJson(path.join(held, 'judges.json')), real: { dataDir: '/x', characters: [{ id: 'Bo' }, { id: 'Hermione' }, { id: 'Ann' }], ...(leftOut ? { leftOut } : {}) } });
  fs.mkdirSync(path.join(dir, 'Bo'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Bo', 'judges.json'), JSON.stringify(manifest(['Bo'])));
  fs.writeFileSync(path.join(dir, 'judges.json'), JSON.stringify(manifest(undefined)));
  assert.equal(heldOutJudgesFor(dir, 'Bo'), path.join(dir, 'Bo'));
  assert.throws(() => heldOutJudgesFor(dir, 'Hermione'), (e: Error) => e instanceof UserError && /trained on Hermione's images/.test(e.message) && /--leave-out Hermione/.test(e.message));
  assert.equal(heldOutJudgesFor(held, 'Calmaric'), held, 'a synthetic held-out set serves every character');
});

test('the suite scores every image metric under both judge sets, on the same drawings', { timeout: 10 * 60_000 }, async () => {
  const synthDir = defaultSynthDir();
  await ensureSynthDataset({ dir: synthDir });
  const chars: Character[] = (await loadRoleScape(synthDir)).characters;
  const c = chars.find((x) => x.id === 'Calmaric')!;
  const policy = await loadPolicy(path.join(root, 'checkpoints', 'base'));
  try {
    const n0 = tf.memory().numTensors;
    const opts = { judgesDir: reward, textJudgesDir: path.join(root, 'checkpoints', 'text-judges'), config: resolveEvalConfig('smoke'), characters: chars };
    const both = await evaluatePolicy(policy, c, { ...opts, heldOutJudgesDir: held });
    assert.equal(tf.memory().numTensors - n0, 0, 'both judge sets released');
    assert.deepEqual(both.judges, { reward, heldout: held });
    for (const k of ['t2i_identity_clip_i', 't2i_identity_dino', 't2i_clip_t', 't2i_vqa_score', 't2i_diversity', 't2i_copy_rate', 'mmrp_identity'] as const) {
      const h = both.metrics[heldOutKey(k)];
      assert.ok(typeof h === 'number' && Number.isFinite(h), `${heldOutKey(k)} = ${h} (${both.unavailable[heldOutKey(k)] ?? ''})`);
    }
    assert.notEqual(both.metrics.t2i_identity_dino, both.metrics.t2i_identity_dino_heldout, 'another judge, another number');
    const alone = await evaluatePolicy(policy, c, opts);
    for (const k of IMAGE_METRIC_KEYS) assert.equal(alone.metrics[k], both.metrics[k], `${k}: the reward judges' numbers do not depend on the held-out set`);
    for (const k of HELDOUT_METRIC_KEYS) assert.ok(alone.metrics[k] === null && /no held-out judges/.test(alone.unavailable[k]), `${k} without held-out judges`);
    assert.equal(alone.judges.heldout, null);
  } finally {
    policy.dispose();
  }
});
