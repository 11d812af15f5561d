/**
 * Issue 15: GRPO and SFT config keys and GRPO metrics take Hugging Face TRL's names. The old names
 * still load, with one notice per key per process, and give the same config as the new names; an
 * object that gives both names of a field is refused, naming the field. Old history rows and
 * committed results still read (experiment cells cached under the old names are keyed anew and
 * rerun, as after any change of a cell's inputs).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GRPO_KEY_RENAMES, GrpoSchema, resolveGrpoConfig } from '../src/train/grpo-config';
import { resolveSftConfig, SftSchema } from '../src/train/sft';
import { PretrainSchema } from '../src/train/pretrain';
import { upgradeGrpoRow, type GrpoRow } from '../src/train/grpo';
import { resolveGrid } from '../src/eval/experiments/grid';
import { mergeResults, seedsOf } from '../src/eval/experiments/merge';
import { markdownReport, type ExperimentResults } from '../src/eval/experiments/results';
import { renameDeprecatedKeys, resetDeprecationNotices, setDeprecationLog, upgradeStoredKeys, usesDeprecatedKeys } from '../src/util/deprecated-keys';
import { LM_CONFIG_KEY_RENAMES } from '../src/train/lm-trainer';
import { UserError } from '../src/util/errors';
import { projectRoot } from '../src/util/paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-renames-'));
const file = (name: string, v: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, JSON.stringify(v));
  return f;
};
/** Run `fn` with the notices captured (and forgotten before and after, so each test sees its own). */
function notices<T>(fn: () => T): { value: T; lines: string[] } {
  const lines: string[] = [];
  resetDeprecationNotices();
  const was = setDeprecationLog((l) => lines.push(l));
  try {
    return { value: fn(), lines };
  } finally {
    setDeprecationLog(was);
    resetDeprecationNotices();
  }
}

const OLD_GRPO = { steps: 7, group_size: 4, max_reply_tokens: 20, lr: 2e-4, clip_norm: 0.5, inner_epochs: 2, scale_advantages: 'batch', beta: 0.01 };
const NEW_GRPO = { steps: 7, num_generations: 4, max_completion_length: 20, learning_rate: 2e-4, max_grad_norm: 0.5, num_iterations: 2, scale_rewards: 'batch', beta: 0.01 };

test('GRPO: the old key names load, with one notice per key, and equal the new-name config', () => {
  const { value: old, lines } = notices(() => resolveGrpoConfig(file('old.json', OLD_GRPO)));
  const { value: now, lines: none } = notices(() => resolveGrpoConfig(file('new.json', NEW_GRPO)));
  assert.deepEqual(old, now);
  assert.deepEqual(none, []);
  assert.equal(old.num_generations, 4);
  assert.equal(old.scale_rewards, 'batch');
  assert.deepEqual(lines.sort(), Object.entries(GRPO_KEY_RENAMES).map(([o, n]) => `cmrp: config key "${o}" is deprecated, use "${n}"`).sort());
  assert.ok(lines.includes('cmrp: config key "group_size" is deprecated, use "num_generations"'));
  // once per process: a second load says nothing more
  const twice: string[] = [];
  resetDeprecationNotices();
  const was = setDeprecationLog((l) => twice.push(l));
  try {
    resolveGrpoConfig(file('old.json', OLD_GRPO));
    GrpoSchema.parse(OLD_GRPO);
    resolveGrpoConfig('smoke', { group_size: 5 });
  } finally {
    setDeprecationLog(was);
    resetDeprecationNotices();
  }
  assert.equal(twice.length, Object.keys(GRPO_KEY_RENAMES).length);
  // an override under the new name replaces the file's old name (they are merged after renaming)
  assert.equal(notices(() => resolveGrpoConfig(file('old.json', OLD_GRPO), { num_generations: 6 })).value.num_generations, 6);
  // the old names do not survive in the parsed config
  for (const k of Object.keys(GRPO_KEY_RENAMES)) assert.ok(!(k in old), k);
});

test('GRPO: both names of one field are refused, naming the field', () => {
  const f = file('both.json', { group_size: 4, num_generations: 4 });
  assert.throws(() => notices(() => resolveGrpoConfig(f)), (e: unknown) => e instanceof UserError && /both\.json: num_generations: given twice, as "num_generations" and as its deprecated name "group_size"/.test((e as Error).message));
  const r = GrpoSchema.safeParse({ lr: 1e-3, learning_rate: 1e-3 });
  assert.ok(!r.success);
  assert.deepEqual(r.error.issues[0].path, ['learning_rate']);
  assert.match(r.error.issues[0].message, /deprecated name "lr"/);
  assert.throws(() => renameDeprecatedKeys({ clip_norm: 1, max_grad_norm: 1 }, GRPO_KEY_RENAMES, { where: 'x.json' }), /x\.json: max_grad_norm: given twice/);
});

test('SFT and pretraining: train.lr and train.clip_norm load as learning_rate and max_grad_norm; both names refused', () => {
  const { value: old, lines } = notices(() => resolveSftConfig(file('sft-old.json', { train: { lr: 2e-3, clip_norm: 0.5, steps: 9 } })));
  const now = notices(() => resolveSftConfig(file('sft-new.json', { train: { learning_rate: 2e-3, max_grad_norm: 0.5, steps: 9 } }))).value;
  assert.deepEqual(old, now);
  assert.deepEqual(lines.sort(), ['cmrp: config key "clip_norm" is deprecated, use "max_grad_norm"', 'cmrp: config key "lr" is deprecated, use "learning_rate"']);
  assert.deepEqual(notices(() => PretrainSchema.parse({ train: { lr: 1e-3 } })).value.train, PretrainSchema.parse({ train: { learning_rate: 1e-3 } }).train);
  const r = SftSchema.safeParse({ train: { lr: 1e-3, learning_rate: 1e-3 } });
  assert.ok(!r.success);
  assert.equal(r.error.issues[0].path.join('.'), 'train.learning_rate');
  assert.throws(() => resolveSftConfig(file('sft-both.json', { train: { clip_norm: 1, max_grad_norm: 1 } })), /train\.max_grad_norm: given twice/);
});

test('a stored config (a run manifest\'s) is read under the new names without a notice; one with both names is left as it is', () => {
  const stored = { mode: 'unified', train: { lr: 2e-3, steps: 9 } };
  const { value, lines } = notices(() => upgradeStoredKeys(stored, LM_CONFIG_KEY_RENAMES));
  assert.deepEqual(value, { mode: 'unified', train: { learning_rate: 2e-3, steps: 9 } });
  assert.deepEqual(lines, []);
  const both = { train: { lr: 1, learning_rate: 2 } };
  assert.equal(upgradeStoredKeys(both, LM_CONFIG_KEY_RENAMES), both);
  assert.deepEqual(notices(() => upgradeStoredKeys(OLD_GRPO, GRPO_KEY_RENAMES)).value, NEW_GRPO);
});

test('a grid file with old names in its rows loads under the new names', () => {
  const grid = file('grid.json', {
    name: 'old-names', sft_config: 'smoke', grpo_config: 'smoke', eval_config: 'smoke',
    methods: [{ name: 'sft', kind: 'unified-sft', sft: { train: { lr: 2e-3 } } }, { name: 'g', kind: 'grpo', grpo: { group_size: 4, inner_epochs: 2 } }],
  });
  const g = notices(() => resolveGrid(grid)).value;
  assert.deepEqual(g.methods[1].grpo, { num_generations: 4, num_iterations: 2 });
  assert.deepEqual(g.methods[0].sft, { train: { learning_rate: 2e-3 } });
  assert.throws(() => notices(() => resolveGrid(file('grid-both.json', { methods: [{ name: 'sft', kind: 'unified-sft' }, { name: 'g', kind: 'grpo', grpo: { group_size: 4, num_generations: 4 } }] }))), /methods\.1\.grpo\.num_generations: given twice/);
  assert.throws(() => notices(() => resolveGrid(file('grid-both-sft.json', { methods: [{ name: 'sft', kind: 'unified-sft', sft: { train: { lr: 1e-3, learning_rate: 1e-3 } } }] }))), /methods\.0\.sft\.train\.learning_rate: given twice/);
  // the built-in ablation row is written with the new name
  assert.deepEqual(resolveGrid('ablations').methods.find((m) => m.name === 'grpo-g4')!.grpo, { num_generations: 4 });
});

test('history rows written under the old metric names read under TRL\'s', () => {
  const old = { step: 1, frac_zero_std: 0.25, kl: 0, clip_frac: 0.1, entropy: 1 } as unknown as GrpoRow;
  const row = upgradeGrpoRow(old);
  assert.equal(row.frac_reward_zero_std, 0.25);
  assert.equal(row['clip_ratio/region_mean'], 0.1);
  assert.deepEqual(Object.keys(row), ['step', 'frac_reward_zero_std', 'kl', 'clip_ratio/region_mean', 'entropy']);
});

test('committed results (written before the rename) still load, merge and report', () => {
  const dir = path.join(projectRoot(), 'results');
  const found = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'results.json')));
  assert.ok(found.includes('ablations'), 'results/ablations/results.json');
  for (const d of found) {
    const f = path.join(dir, d, 'results.json');
    const r = JSON.parse(fs.readFileSync(f, 'utf8')) as ExperimentResults;
    assert.ok(r.cells.length > 0, f);
    assert.match(markdownReport(r), /\|/, f);
    // experiment-merge with a second lane: the same file on shifted seeds
    const n = Math.max(...seedsOf(r)) + 1;
    const lane = { ...r, seed_list: seedsOf(r).map((s) => s + n), cells: r.cells.map((c) => ({ ...c, seed: c.seed + n })) };
    assert.equal(mergeResults([[f, r], ['lane.json', lane]]).cells.length, 2 * r.cells.length, f);
  }
});

test('usesDeprecatedKeys: an old name at the top or inside a renamed block, not the new names', () => {
  const table = { lr: 'learning_rate', train: { clip_norm: 'max_grad_norm' } };
  assert.equal(usesDeprecatedKeys({ lr: 1 }, table), true);
  assert.equal(usesDeprecatedKeys({ train: { clip_norm: 1 } }, table), true);
  assert.equal(usesDeprecatedKeys({ learning_rate: 1, train: { max_grad_norm: 1 } }, table), false);
  assert.equal(usesDeprecatedKeys({ train: 3 }, table), false);
  assert.equal(usesDeprecatedKeys(null, table), false);
});
