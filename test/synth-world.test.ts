/** World split: disjoint from the evaluation cast of the same seed, same layout, same loader. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evalCast, worldCast, signature, synthesize } from '../src/data/synth';
import { validateRoleScape } from '../src/data/rolescape';
import { listFiles, readJson, tempDir } from './synth-helpers';
import * as crypto from 'node:crypto';

/** sha256 (first 16 hex) of worldCast(0, 2000)'s "id signature" lines, from the code that made checkpoints/base (2aeea62). */
const WORLD2000_SEED0_SHA = '2240448d2c2581a2';

for (const seed of [0, 5]) {
  test(`seed ${seed}: no evaluation name or identity signature appears in a 400-character world`, () => {
    const ev = evalCast(seed);
    const world = worldCast(seed, 400);
    const evalIds = new Set(ev.map((c) => c.id.toLowerCase()));
    const evalSigs = new Set(ev.map((c) => signature(c.identity)));
    assert.equal(new Set(world.map((c) => c.id.toLowerCase())).size, 400, 'world ids are unique');
    for (const c of world) {
      assert.ok(!evalIds.has(c.id.toLowerCase()), `world reuses eval id ${c.id}`);
      assert.ok(!evalSigs.has(signature(c.identity)), `world ${c.id} reuses an eval identity`);
      const names = [...c.persona.fullName.split(' '), ...c.persona.family.map((r) => r.name), c.persona.bestFriend.name];
      for (const n of names) assert.ok(!evalIds.has(n.toLowerCase()), `world ${c.id} mentions eval name ${n}`);
    }
    // the eval cast is a pure function of the seed: the world generator can always rebuild it
    assert.deepEqual(evalCast(seed), ev);
  });
}

test("the committed base's world (seed 0, 2000 characters) is the one worldCast draws: its names and looks hash as when the base was trained", () => {
  // a change to the cast or its exclusions that moved one world character would leave checkpoints/base on another world
  const lines = worldCast(0, 2000).map((c) => `${c.id} ${signature(c.identity)}`).join('\n');
  assert.equal(crypto.createHash('sha256').update(lines).digest('hex').slice(0, 16), WORLD2000_SEED0_SHA);
});

test('a small world build: same layout, clean for the loader, and no eval id anywhere in its text', async () => {
  const root = tempDir('synth-world');
  try {
    const out = path.join(root, 'world');
    const summary = await synthesize({ out, seed: 11, split: 'world', characters: 12, quiet: true });
    assert.equal(summary.characters, 12);
    const index = readJson(path.join(out, 'index.json'));
    assert.equal(index.split, 'world');
    const evalIds = evalCast(11).map((c) => c.id);
    assert.deepEqual(index.excludes.evalIds, evalIds);
    for (const c of index.characters) {
      assert.equal(c.images.train.length, 6);
      assert.equal(c.images.test.length, 1);
    }
    const pattern = new RegExp(`\\b(${evalIds.join('|')})\\b`);
    for (const f of listFiles(out)) {
      if (f.endsWith('.png') || f === 'index.json') continue;
      const hit = pattern.exec(fs.readFileSync(path.join(out, f), 'utf8'));
      assert.equal(hit, null, `${f} mentions eval character ${hit?.[1]}`);
    }
    const r = await validateRoleScape(out);
    assert.equal(r.rows.length, 12);
    assert.equal(r.errorCount + r.warningCount, 0);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
