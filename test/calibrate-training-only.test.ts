/**
 * The identity band is calibrated on training images only (src/rewards/calibrate.ts): a character
 * whose test images cannot be read calibrates exactly as one whose test images are there.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadRoleScape } from '../src/data/rolescape';
import { loadJudges } from '../src/judges';
import { loadTokenizers } from '../src/tokenizers/serialize';
import { calibrateIdentityBand } from '../src/rewards/calibrate';
import { Command } from 'commander';
import { register as registerIdentityBand } from '../src/cli/commands/identity-band';
import { defaultSynthDir, projectRoot } from '../src/util/paths';

test('calibrateIdentityBand never opens a test image', async () => {
  await initBackend();
  const dir = defaultSynthDir();
  await ensureSynthDataset({ dir });
  const chars = (await loadRoleScape(dir)).characters.slice(0, 3);
  const root = projectRoot();
  const judges = loadJudges(path.join(root, 'checkpoints', 'judges'));
  const tok = loadTokenizers(path.join(root, 'checkpoints', 'base'));
  try {
    const withTest = await calibrateIdentityBand(judges, chars, tok.image, { shots: 8 });
    const noTest = chars.map((c) => ({ ...c, images: { ...c.images, test: c.images.test.map((r) => ({ ...r, path: path.join(root, 'no-such-dir', `${r.id}.png`) })) } }));
    const without = await calibrateIdentityBand(judges, noTest, tok.image, { shots: 8 });
    assert.deepEqual(without, withTest);
    const nonRef = chars.reduce((n, c) => n + c.images.train.length - 8, 0);
    assert.equal(withTest.same_character.n, nonRef, 'same character: the non-reference training images, no test image');
  } finally {
    judges.dispose();
  }
});

test('cmrp identity-band: the quantiles and the shares at the configured thresholds, training images only', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => lines.push(String(s));
  try {
    const program = new Command().exitOverride();
    registerIdentityBand(program);
    await program.parseAsync(['node', 'cmrp', 'identity-band', '--characters', '3', '--shots', '8', '--json']);
  } finally {
    console.log = log;
  }
  const out = JSON.parse(lines.at(-1)!);
  assert.equal(out.dino_threshold_low, 0.8);
  const band = out.band_pngs_and_reconstructions;
  assert.equal(band.copies_reconstructed.at_or_above_high, band.copies_reconstructed.n, 'an exact drawn copy scores 1 against PNGs + reconstructions');
  assert.equal(band.copies.n, 3 * 8);
  assert.equal(band.other_characters.n, 3 * 2 * (band.copies.n / 3 + band.same_character.n / 3), 'each character against the 2 others: their copies and other training images');
  assert.ok(band.other_characters.p50 < band.same_character.p50);
});
