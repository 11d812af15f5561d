import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { synthesize } from '../src/data/synth';
import { loadRoleScape, type Character } from '../src/data/rolescape';
import { fitTextTokenizer } from '../src/tokenizers/text';
import { fitImageTokenizer } from '../src/tokenizers/image';
import { imageToModelSize } from '../src/tokenizers/image-io';
import { Tokenizers } from '../src/tokenizers/bundle';
import { characterExamples, t2iExamples } from '../src/train/tasks';
import { encodeExample, ImageCodeCache, makeBatch } from '../src/train/encode';
import { corpusTexts } from '../src/tokenizers/corpus';
import { tempDir } from './synth-helpers';
import { initBackend } from '../src/backend/select';

let chars: Character[] = [];
let tok: Tokenizers;

test('setup: two synthetic characters and small tokenizers', async () => {
  await initBackend();
  const dir = path.join(tempDir('tasks'), 'synth');
  await synthesize({ out: dir, seed: 3, characters: 2, quiet: true });
  chars = (await loadRoleScape(dir)).characters;
  const text = fitTextTokenizer(corpusTexts(chars).map((t) => t.text), { vocabSize: 400 });
  const imgs = await Promise.all(chars.flatMap((c) => c.images.train).map((i) => imageToModelSize(i.path)));
  tok = new Tokenizers(text, fitImageTokenizer(imgs, { codebookSize: 32, seed: 0, iters: 4 }));
});

test('examples come from the training split only and respect the few-shot image set', () => {
  const c = chars[0];
  const ex = characterExamples(c);
  assert.equal(ex.roleplay.length, c.dialogues.train.length + c.textDialogues.train.length);
  assert.equal(ex.knowledge.length, c.knowledgeQa.length);
  const testImages = new Set(c.images.test.map((i) => i.path));
  const used = Object.values(ex).flat().flatMap((e) => e.segments.flatMap((s) => (s.kind === 'image' ? [s.image] : [])));
  assert.ok(used.length > 0);
  assert.ok(used.every((f) => !testImages.has(f)), 'a test image leaked into training examples');
  const k3 = new Set(c.images.train.slice(0, 3).map((i) => i.id));
  const few = t2iExamples(c, { imageIds: k3 });
  const allowed = new Set(c.images.train.slice(0, 3).map((i) => i.path));
  assert.ok(few.length > 0 && few.every((e) => e.segments.every((s) => s.kind !== 'image' || allowed.has(s.image))));
});

test('encoding: loss only on the character side; images are <boi> codes <eoi>; turns end in <eos>', async () => {
  const c = chars[0];
  const cache = new ImageCodeCache(tok);
  const v = tok.vocab;
  const withImage = characterExamples(c).roleplay.find((e) => e.segments.some((s) => s.kind === 'image'))!;
  const enc = await encodeExample(withImage, tok, cache);
  assert.equal(enc.ids[0], v.bos);
  const reply = withImage.segments.find((s) => s.role === 'char' && s.kind === 'text')!;
  const user = withImage.segments.find((s) => s.role === 'user' && s.kind === 'text')!;
  const targetIds = enc.ids.filter((_, i) => enc.target[i] === 1);
  // targets = reply text, <boi>, 64 codes, <eoi>, <eos>
  assert.equal(tok.decodeText(targetIds), reply.kind === 'text' ? reply.text : '');
  assert.equal(targetIds.filter((id) => v.isImageToken(id)).length, tok.image.tokensPerImage);
  assert.deepEqual([...targetIds.slice(-2)], [v.eoi, v.eos]);
  assert.ok(v.isImageToken(targetIds[targetIds.length - 3]));
  // the user's words are in the sequence but never targets
  const userIds = tok.encodeText(user.kind === 'text' ? user.text : '');
  const at = enc.ids.findIndex((_, i) => userIds.every((u, j) => enc.ids[i + j] === u));
  assert.ok(at > 0);
  for (let j = 0; j < userIds.length; j++) assert.equal(enc.target[at + j], 0);
  for (const [i, id] of enc.ids.entries()) if (id === v.user || id === v.char || id === v.sys) assert.equal(enc.target[i], 0);
});

test('makeBatch shifts targets by one, aligns the mask, and truncates from the left', async () => {
  const cache = new ImageCodeCache(tok);
  const exs = characterExamples(chars[1]);
  const encs = [await encodeExample(exs.t2i[0], tok, cache), await encodeExample(exs.knowledge[0], tok, cache)];
  const b = makeBatch(encs, tok, 512);
  assert.equal(b.B, 2);
  assert.equal(b.T, Math.max(...encs.map((e) => e.ids.length - 1)));
  for (let t = 0; t < encs[0].ids.length - 1; t++) {
    assert.equal(b.targets[t], encs[0].ids[t + 1]);
    assert.equal(b.mask[t], encs[0].target[t + 1]);
    assert.equal(b.modality[t], tok.vocab.isImageToken(b.ids[t]) ? 1 : 0);
  }
  // a window that starts after the image's first code: the end is kept, the cut image's codes are dropped
  const cut = makeBatch([encs[0]], tok, 30);
  const n = encs[0].ids.length;
  assert.equal(cut.T, 30);
  const last = [...cut.mask].lastIndexOf(1);
  assert.equal(cut.targets[last], tok.vocab.eos, 'the end of a long example is kept');
  assert.equal(cut.ids[0], tok.vocab.eoi, 'the window starts after the cut image');
  assert.ok(![...cut.ids].some((id) => tok.vocab.isImageToken(id)));
  // a window that starts on text keeps exactly the last T + 1 tokens
  const whole = makeBatch([encs[0]], tok, n - 3);
  assert.equal(whole.targets[n - 4], tok.vocab.eos);
  assert.equal(whole.ids[0], encs[0].ids[2]);
});
