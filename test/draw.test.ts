/**
 * `cmrp draw`: a policy's held-out text-to-image prompts drawn into a PNG grid. The same seed gives
 * the same bytes, another seed other drawings; bad input is refused before anything is written.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { ensureSynthDataset } from '../src/data/synth';
import { projectRoot } from '../src/util/paths';
import { tempDir } from './synth-helpers';

const root = projectRoot();
const CLI = path.join(root, 'dist', 'src', 'cli', 'main.js');
const draw = (...args: string[]) => spawnSync(process.execPath, [CLI, 'draw', '--character', 'Calmaric', '--model', path.join(root, 'checkpoints', 'base'), ...args], { encoding: 'utf8', timeout: 5 * 60_000 });

test('cmrp draw: a seeded grid of reference + samples per prompt; bad input refused', async () => {
  await ensureSynthDataset({ dir: path.join(root, 'data', 'synth'), seed: 0 });
  const tmp = tempDir('draw');
  const a = path.join(tmp, 'a.png'), b = path.join(tmp, 'b.png'), c = path.join(tmp, 'c.png');
  for (const [out, seed] of [[a, '1'], [b, '1'], [c, '2']] as const) {
    const r = draw('--prompts', '2', '--samples', '3', '--seed', seed, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /draw: 2 prompts x 3 samples of .* for Calmaric/);
  }
  const meta = await sharp(a).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! > meta.height!, `4 columns (reference + 3 samples) by 2 rows: ${meta.width}x${meta.height}`);
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)), 'same seed, same picture');
  assert.ok(!fs.readFileSync(a).equals(fs.readFileSync(c)), 'another seed, other drawings');
  // a file that is not a PNG is kept unless --force; bad numbers and a non-PNG name are refused
  const notes = path.join(tmp, 'notes.png');
  fs.writeFileSync(notes, 'my notes');
  const kept = draw('--prompts', '1', '--samples', '1', '--out', notes);
  assert.equal(kept.status, 2, kept.stderr);
  assert.equal(fs.readFileSync(notes, 'utf8'), 'my notes');
  assert.match(draw('--temperature', 'hot', '--out', path.join(tmp, 'd.png')).stderr, /--temperature: expected a number from 0 to 10, found "hot"/);
  assert.match(draw('--out', path.join(tmp, 'd.jpg')).stderr, /expected a \.png file/);
  assert.match(draw('--samples', '0', '--out', path.join(tmp, 'd.png')).stderr, /--samples/);
  assert.ok(!fs.existsSync(path.join(tmp, 'd.png')));
});
