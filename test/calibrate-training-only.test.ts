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
