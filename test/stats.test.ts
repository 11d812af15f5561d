import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesize, ensureSynthDataset, readSynthIndex } from '../src/data/synth';
import { loadRoleScape } from '../src/data/rolescape';
import * as stats from '../src/data/stats';
import { zScoreColumns, styleFingerprintFigure, labelCoverageFigure, STYLE_MARKERS } from '../src/viz/dataset-figures';
import { UserError } from '../src/util/errors';
import { tempDir } from './synth-helpers';

test('style markers separate voices: the measured name rate follows each voice spec', async () => {
  const dir = path.join(tempDir('stats'), 'w');
  await synthesize({ out: dir, seed: 5, quiet: true });
  const idx = readSynthIndex(dir);
  const { characters } = await loadRoleScape(dir);
  const rows = stats.styleMarkers(characters);
  assert.equal(rows.length, 20);
  const byRef = { first: [] as number[], third: [] as number[] };
  for (const r of rows) {
    byRef[idx.characters.find((c) => c.id === r.character)!.style.selfReference].push(r.nameRate);
    assert.ok(r.lines >= 150, `${r.character} has ${r.lines} lines`);
  }
  // third-person speakers name themselves far more often than first-person ones
  assert.ok(byRef.first.length > 0 && byRef.third.length > 0, 'the cast mixes first- and third-person voices');
  assert.ok(Math.min(...byRef.third) > Math.max(...byRef.first), `name rates: third ${byRef.third}, first ${byRef.first}`);
  const lengths = stats.replyLengths(characters);
  assert.equal(lengths.length, rows.reduce((a, r) => a + r.lines, 0));
  assert.ok(lengths.every((n) => n > 0));
  const cov = stats.attributeCoverage(idx);
  const images = idx.characters.reduce((a, c) => a + c.images.train.length + c.images.test.length, 0);
  for (const fam of ['expression', 'scene', 'prop'] as const) assert.equal(Object.values(cov[fam]).reduce((a, b) => a + b, 0), images);
  const fig = labelCoverageFigure(cov, 'cov');
  assert.equal(fig.data.length, 3);
  const fp = styleFingerprintFigure(rows, 'fp');
  assert.deepEqual((fp.data[0] as { x: string[] }).x, [...STYLE_MARKERS]);
});

test('zScoreColumns: zero mean, unit sd, constant columns become 0', () => {
  const z = zScoreColumns([[1, 5], [2, 5], [3, 5]]);
  assert.deepEqual(z.map((r) => r[1]), [0, 0, 0]);
  assert.ok(Math.abs(z.reduce((a, r) => a + r[0], 0)) < 1e-12);
  assert.ok(Math.abs(z.reduce((a, r) => a + r[0] ** 2, 0) / 3 - 1) < 1e-12);
});

test('ensureSynthDataset builds once, reuses, rebuilds on another seed, and names a broken index', async () => {
  const dir = path.join(tempDir('ensure'), 'synth');
  const a = await ensureSynthDataset({ dir, seed: 1 });
  assert.equal(a.characters.length, 20);
  const stamp = fs.statSync(path.join(dir, 'index.json')).mtimeMs;
  await ensureSynthDataset({ dir, seed: 1 });
  assert.equal(fs.statSync(path.join(dir, 'index.json')).mtimeMs, stamp, 'same seed: not rebuilt');
  const b = await ensureSynthDataset({ dir, seed: 2 });
  assert.equal(b.seed, 2);
  assert.notDeepEqual(b.characters.map((c) => c.id), a.characters.map((c) => c.id));
  fs.writeFileSync(path.join(dir, 'index.json'), '{"format": "something-else", "characters": []}');
  assert.throws(() => readSynthIndex(dir), (e: unknown) => e instanceof UserError && /index\.json: format: expected "cmrp-synth-rolescape\/1"/.test((e as Error).message));
  fs.writeFileSync(path.join(dir, 'index.json'), '{"format": ');
  assert.throws(() => readSynthIndex(dir), /index\.json: cannot read the synthetic dataset index/);
});
