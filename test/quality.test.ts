/** `cmrp quality` end to end on smoke-size judges and a smoke base model: every figure is computed. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { synthesize } from '../src/data/synth';
import { trainJudges } from '../src/judges';
import { preparePretrain, PRETRAIN_PRESETS, PretrainSchema } from '../src/train/pretrain';
import { qualityReport } from '../src/eval/quality';
import { tempDir } from './synth-helpers';

test('quality report: judges, tokenizer and base-model figures, all fresh and in range', { timeout: 10 * 60_000 }, async () => {
  await initBackend();
  const root = tempDir('quality');
  const world = path.join(root, 'world');
  const evalDir = path.join(root, 'eval');
  await synthesize({ out: world, seed: 1, split: 'world', characters: 30, quiet: true });
  await synthesize({ out: evalDir, seed: 1, characters: 2, quiet: true });
  const judgesDir = path.join(root, 'judges');
  await trainJudges({ worldDir: world, evalDir, outDir: judgesDir, seed: 0, smoke: true, config: { max_characters: 30, eval_max_characters: 3 } });
  const baseDir = path.join(root, 'base');
  const run = await preparePretrain(PretrainSchema.parse(PRETRAIN_PRESETS.smoke), { outDir: baseDir, worldDir: path.join(root, 'pretrain-world') });
  await run.trainer.run();
  const r = await qualityReport({ baseDir, judgesDir, worldDir: world, evalDir, promptsPerCharacter: 1, vqaPerCharacter: 2 });
  assert.equal(r.base_prompts, 2);
  for (const k of ['vqa_judge_acc', 'identity_auc', 'clip_t_top1', 'vqa_judge_acc_on_reconstructions', 'base_t2i_vqa_score', 'base_vqa_acc', 'base_vqa_f1'] as const) {
    assert.ok(r[k] >= 0 && r[k] <= 1, `${k} = ${r[k]}`);
  }
  assert.ok(r.tokenizer_psnr > 10 && r.tokenizer_psnr < 40, `psnr ${r.tokenizer_psnr}`);
  assert.ok(Math.abs(r.base_identity_sim) <= 1 && Math.abs(r.base_identity_sim_other_characters) <= 1);
  assert.equal(r.base_step, 12);
  for (const k of ['base_t2i_loss_figure', 'base_t2i_loss_edges', 'base_t2i_loss_with_card', 'base_t2i_loss_without_card'] as const) {
    assert.ok(r[k] > 0 && r[k] < 10, `${k} = ${r[k]} nats per code`);
  }
  assert.ok(Math.abs(r.identity_ceiling) <= 1 && Math.abs(r.identity_ceiling_other) <= 1);
  assert.equal(r.base_vqa_questions, 4, 'two held-out VQA questions for each of the two eval characters');
});
