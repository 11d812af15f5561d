/**
 * A dataset whose figures move (`cmrp data synth --placement`): only the images change, a centred
 * build stays byte-identical to what the world always drew, the index records the jitter, and the
 * worlds pretraining and SFT build for a base are named and rebuilt by their placement.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesize, readSynthIndex, samePlacement, ensureSynthDataset, ensureEvalFolder, isCurrentEvalIndex, MOVED_FIGURE, SHIFTED_FIGURE, ALIGNED_FIGURE, CENTRED_JITTER, CHARACTER_PLACEMENT } from '../src/data/synth';
import { ensureWorld, worldDirFor, resolvePretrainConfig } from '../src/train/pretrain';
import { basePlacement } from '../src/train/sft';
import { parseSynthOptions } from '../src/cli/commands/data-synth';
import { UserError } from '../src/util/errors';
import { listFiles, tempDir } from './synth-helpers';
import { projectRoot } from '../src/util/paths';

const bytes = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel));

test('moved figures change the pictures only; a centred build is byte-identical to a build without the option', async () => {
  const root = tempDir('synth-placement');
  try {
    const plain = path.join(root, 'plain'), centred = path.join(root, 'centred'), moved = path.join(root, 'moved');
    await synthesize({ out: plain, seed: 3, split: 'world', characters: 3, quiet: true });
    await synthesize({ out: centred, seed: 3, split: 'world', characters: 3, placement: CENTRED_JITTER, quiet: true });
    await synthesize({ out: moved, seed: 3, split: 'world', characters: 3, placement: MOVED_FIGURE, quiet: true });
    const files = listFiles(plain);
    assert.deepEqual(listFiles(centred), files);
    for (const f of files) assert.ok(bytes(plain, f).equals(bytes(centred, f)), `centred build differs in ${f}`);
    assert.deepEqual(listFiles(moved), files);
    const pngs = files.filter((f) => f.endsWith('.png'));
    const changed = pngs.filter((f) => !bytes(plain, f).equals(bytes(moved, f)));
    assert.ok(changed.length > 0.7 * pngs.length, `${changed.length} of ${pngs.length} pictures moved`);
    for (const f of files.filter((f) => !f.endsWith('.png') && f !== 'index.json')) assert.ok(bytes(plain, f).equals(bytes(moved, f)), `text file ${f} changed`);
    assert.equal(readSynthIndex(plain).placement, undefined);
    assert.deepEqual(readSynthIndex(moved).placement, MOVED_FIGURE);
    const { placement: _, ...rest } = readSynthIndex(moved);
    assert.deepEqual(rest, readSynthIndex(plain), 'the index differs by the placement only');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('worlds are named and rebuilt by placement; SFT reads the base\'s', async () => {
  assert.equal(worldDirFor('d', 2000), path.join('d', 'world2000'));
  assert.equal(worldDirFor('d', 2000, MOVED_FIGURE), path.join('d', 'world2000-moved'));
  assert.equal(worldDirFor('d', 2000, SHIFTED_FIGURE), path.join('d', 'world2000-shifted'));
  assert.equal(worldDirFor('d', 2000, ALIGNED_FIGURE), path.join('d', 'world2000-aligned'));
  // an index written before shift_step existed reads as a continuous shift
  const { shift_step: _step, ...withoutStep } = SHIFTED_FIGURE;
  assert.ok(samePlacement(withoutStep as typeof SHIFTED_FIGURE, SHIFTED_FIGURE) && !samePlacement(ALIGNED_FIGURE, { ...ALIGNED_FIGURE, shift_step: 0 }));
  assert.match(worldDirFor('d', 240, { ...MOVED_FIGURE, flip: false }), /world-placed-[0-9a-f]{8}$/);
  const root = tempDir('synth-placement-ensure');
  try {
    const dir = path.join(root, 'w');
    await ensureWorld(dir, 3, 4, MOVED_FIGURE);
    assert.deepEqual(readSynthIndex(dir).placement, MOVED_FIGURE);
    await ensureWorld(dir, 3, 4); // another placement: rebuilt centred
    assert.equal(readSynthIndex(dir).placement, undefined);
    const base = path.join(root, 'base');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(base, 'config.json'), JSON.stringify({ meta: { pretrain: {} } }));
    assert.deepEqual(basePlacement(base), CENTRED_JITTER);
    fs.writeFileSync(path.join(base, 'config.json'), JSON.stringify({ meta: { pretrain: { world_placement: MOVED_FIGURE } } }));
    assert.deepEqual(basePlacement(base), MOVED_FIGURE);
    fs.writeFileSync(path.join(base, 'config.json'), JSON.stringify({ meta: { pretrain: { world_placement: { shift_x: -1 } } } }));
    assert.throws(() => basePlacement(base), (e: Error) => e instanceof UserError && e.message.includes('config.json') && /meta\.pretrain\.world_placement\.shift_x/.test(e.message));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('--placement takes a preset or a JSON file and names a bad field', () => {
  const base = { seed: '0', split: 'world', out: 'x' };
  assert.deepEqual(parseSynthOptions({ ...base, placement: 'moved' }).placement, MOVED_FIGURE);
  assert.equal(parseSynthOptions(base).placement, undefined);
  const root = tempDir('synth-placement-flag');
  try {
    const f = path.join(root, 'p.json');
    fs.writeFileSync(f, JSON.stringify({ shift_x: 8, scale_min: 2 }));
    assert.throws(() => parseSynthOptions({ ...base, placement: f }), (e: Error) => e instanceof UserError && e.message.includes(f) && /scale_min/.test(e.message));
    assert.throws(() => parseSynthOptions({ ...base, placement: 'sideways' }), (e: Error) => e instanceof UserError && /--placement: "sideways" is neither a preset \(centred, moved, shifted, aligned\)/.test(e.message));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the evaluation characters are placed as the committed base's world; a stale data/synth (seed, placement or cast) is rebuilt, a user's folder never", async () => {
  // the committed base, the `base` preset and data/synth's default agree
  assert.deepEqual(basePlacement(path.join(projectRoot(), 'checkpoints', 'base')), CHARACTER_PLACEMENT);
  assert.deepEqual(resolvePretrainConfig('base').world_placement, CHARACTER_PLACEMENT);
  assert.ok(!samePlacement(CHARACTER_PLACEMENT, CENTRED_JITTER));
  const root = tempDir('synth-placement-eval');
  try {
    const stale = path.join(root, 'stale'), mine = path.join(root, 'mine');
    await synthesize({ out: path.join(root, 'default'), seed: 0, split: 'eval', characters: 2, quiet: true });
    const built = readSynthIndex(path.join(root, 'default'));
    assert.deepEqual(built.placement, CHARACTER_PLACEMENT, 'an eval build without --placement');
    assert.ok(isCurrentEvalIndex(built, 0, CHARACTER_PLACEMENT));
    assert.ok(!isCurrentEvalIndex(built, 1, CHARACTER_PLACEMENT), 'another seed');
    assert.ok(!isCurrentEvalIndex(built, 0, CENTRED_JITTER), 'another placement');
    // a data/synth from before a look-alike was redrawn (one character's look as it was) is stale
    const [first, ...rest] = built.characters;
    const oldLook = { ...first.identity, outfitColor: first.identity.outfitColor === 'red' ? 'blue' : 'red' };
    assert.ok(!isCurrentEvalIndex({ ...built, characters: [{ ...first, identity: oldLook }, ...rest] }, 0, CHARACTER_PLACEMENT), 'another cast');
    await synthesize({ out: stale, seed: 0, split: 'eval', characters: 2, placement: CENTRED_JITTER, quiet: true });
    await ensureSynthDataset({ dir: stale, seed: 0 });
    assert.deepEqual(readSynthIndex(stale).placement, CHARACTER_PLACEMENT, 'a centred build is rebuilt');
    await synthesize({ out: mine, seed: 0, split: 'eval', characters: 2, placement: MOVED_FIGURE, quiet: true });
    const before = fs.readFileSync(path.join(mine, 'index.json'), 'utf8');
    await ensureEvalFolder(mine);
    assert.equal(fs.readFileSync(path.join(mine, 'index.json'), 'utf8'), before, "a --eval folder of the user's own is read as it is");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
