import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesize } from '../src/data/synth';
import { parseSynthOptions } from '../src/cli/commands/data-synth';
import { UserError } from '../src/util/errors';
import { hashTree, listFiles, tempDir } from './synth-helpers';

test('same seed -> byte-identical dataset; another seed -> other characters', async () => {
  const root = tempDir('synth-det');
  try {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const c = path.join(root, 'c');
    await synthesize({ out: a, seed: 7, characters: 3, quiet: true });
    await synthesize({ out: b, seed: 7, characters: 3, quiet: true });
    await synthesize({ out: c, seed: 8, characters: 3, quiet: true });
    assert.deepEqual(listFiles(a), listFiles(b));
    assert.equal(hashTree(a), hashTree(b));
    assert.notEqual(hashTree(a), hashTree(c));
    const ids = (d: string) => fs.readdirSync(path.join(d, 'train')).sort();
    assert.notDeepEqual(ids(a), ids(c));
    // rebuilding over an existing folder replaces it whole (no stale files, no temp siblings left)
    fs.writeFileSync(path.join(a, 'stale.txt'), 'x');
    await synthesize({ out: a, seed: 7, characters: 3, quiet: true });
    assert.equal(hashTree(a), hashTree(b));
    assert.deepEqual(fs.readdirSync(root).sort(), ['a', 'b', 'c']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a failing build leaves the previous dataset untouched', async () => {
  const root = tempDir('synth-atomic');
  try {
    const out = path.join(root, 'data');
    await synthesize({ out, seed: 1, characters: 1, quiet: true });
    const before = hashTree(out);
    const boom = () => {
      throw new Error('crash mid-build');
    };
    await assert.rejects(synthesize({ out, seed: 2, characters: 2, quiet: true, onProgress: boom }), /crash mid-build/);
    assert.equal(hashTree(out), before);
    assert.deepEqual(fs.readdirSync(root), ['data'], 'no temporary folder is left behind');
    await assert.rejects(synthesize({ out, split: 'nope' as never, quiet: true }), UserError);
    await assert.rejects(synthesize({ out, characters: 21, quiet: true }), UserError);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('CLI options: bad values are UserErrors, good ones parse', () => {
  const base = { out: '/tmp/x', seed: '0', split: 'eval' };
  assert.throws(() => parseSynthOptions({ ...base, seed: 'abc' }), UserError);
  assert.throws(() => parseSynthOptions({ ...base, seed: '-1' }), UserError);
  assert.throws(() => parseSynthOptions({ ...base, split: 'train' }), UserError);
  assert.throws(() => parseSynthOptions({ ...base, characters: '0' }), UserError);
  assert.throws(() => parseSynthOptions({ ...base, characters: '21' }), UserError);
  assert.throws(() => parseSynthOptions({ ...base, characters: '2.5' }), UserError);
  assert.throws(() => parseSynthOptions({ seed: '0', split: 'eval' }), UserError);
  assert.deepEqual(parseSynthOptions({ ...base, seed: '42', characters: '5' }), { out: '/tmp/x', seed: 42, split: 'eval', characters: 5, bench: false, quiet: false, json: false });
  assert.equal(parseSynthOptions({ ...base, split: 'world', characters: '300' }).characters, 300);
  assert.equal(parseSynthOptions({ seed: '0', split: 'eval', bench: true }).out, undefined);
});
