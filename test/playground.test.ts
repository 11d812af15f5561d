import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadCharacter } from '../src/data/rolescape';
import { loadPolicy } from '../src/eval/load-policy';
import { Playground } from '../src/eval/playground';
import { loadJudges } from '../src/judges';
import { imageToModelSize } from '../src/tokenizers';
import { loadTextJudges } from '../src/judges/text';
import { referenceImages } from '../src/data/shots';
import { projectRoot } from '../src/util/paths';

const root = projectRoot();

test('playground: multi-turn chat, pictures on demand with the judges\' reading, old turns dropped to fit the window', { timeout: 120_000 }, async () => {
  await initBackend();
  const data = path.join(root, 'data', 'synth');
  await ensureSynthDataset({ dir: data, seed: 0 });
  const c = (await loadCharacter(data, 'Mana')).character;
  const policy = await loadPolicy(path.join(root, 'checkpoints', 'base'));
  const judges = loadJudges(path.join(root, 'checkpoints', 'judges'));
  const text = await loadTextJudges(path.join(root, 'checkpoints', 'text-judges'));
  const refs = await Promise.all(referenceImages(c, 10).map((r) => imageToModelSize(r.path)));
  const play = new Playground(policy, c, judges, text.emotion, refs, { seed: 1, maxTextTokens: 30 });
  const a = await play.say('Where are you today?', 'always');
  assert.ok(a.image && a.image.length === 32 * 32 * 3 && a.reading);
  assert.ok(a.reading!.identity >= -1 && a.reading!.identity <= 1);
  assert.ok(typeof a.reading!.image.expression === 'string' && typeof a.reading!.text.scene === 'string');
  const b = await play.say('No pictures please.', 'never');
  assert.equal(b.image, null);
  assert.equal(b.reading, null);
  // a long conversation keeps working: the oldest turns leave the prompt
  for (let i = 0; i < 6; i++) await play.say(`Tell me more about that, part ${i}.`, 'always');
  assert.equal(play.turns.length, 8);
  play.reset();
  assert.equal(play.turns.length, 0);
  judges.dispose();
  policy.dispose();
});
