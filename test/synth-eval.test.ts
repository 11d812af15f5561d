/** The one full 20-character build: layout, counts per character, image sizes, index.json, loader. */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesize, detectExpressions, detectScenes, detectProps, SynthSummary } from '../src/data/synth';
import { validateRoleScape } from '../src/data/rolescape';
import { listFiles, pngSize, readJson, readJsonl, tempDir } from './synth-helpers';

let root = '';
let out = '';
let summary: SynthSummary;
let index: any;

before(async () => {
  root = tempDir('synth-eval');
  out = path.join(root, 'data');
  summary = await synthesize({ out, seed: 3, quiet: true });
  index = readJson(path.join(out, 'index.json'));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const inRange = (x: number, lo: number, hi: number, what: string) => assert.ok(x >= lo && x <= hi, `${what}: ${x} not in [${lo}, ${hi}]`);

test('20 characters: 9 human, 4 animal, 7 anime, built well within the time budget', () => {
  assert.equal(index.split, 'eval');
  assert.equal(index.seed, 3);
  assert.equal(index.characters.length, 20);
  const kinds = index.characters.map((c: any) => c.kind);
  assert.deepEqual([kinds.filter((k: string) => k === 'human').length, kinds.filter((k: string) => k === 'animal').length, kinds.filter((k: string) => k === 'anime').length], [9, 4, 7]);
  assert.ok(summary.seconds < 60, `took ${summary.seconds} s`);
  for (const c of index.characters) assert.match(c.id, /^[A-Za-z]+$/);
});

test('every character meets the content ranges, counted from the files themselves', () => {
  for (const c of index.characters) {
    const P = c.id;
    const tr = path.join(out, 'train', P);
    const pngs = (d: string) => fs.readdirSync(d).filter((f) => /^\d+\.png$/.test(f)).length;
    inRange(pngs(tr), 10, 12, `${P} train images`);
    assert.equal(pngs(path.join(out, 'test', P)), 3, `${P} test images`);
    const ann = readJson(path.join(tr, 'annotation.json'));
    const ext = readJson(path.join(tr, `${P}_dialogue_text_extension_train.json`)).scenes.length + readJson(path.join(tr, `${P}_dialogue_text_extension_test.json`)).scenes.length;
    const dialogues = ann.scenes.length + readJson(path.join(out, 'test', P, 'annotation.json')).scenes.length + ext;
    inRange(dialogues, 150, 250, `${P} dialogues`);
    assert.equal(readJson(path.join(tr, `${P}_knowledge_qa.json`)).qa_items.length, 100);
    assert.equal(readJson(path.join(tr, `${P}_knowledge_qa_test.json`)).mcq_items.length, 10);
    assert.equal(readJson(path.join(tr, `${P}_memorization_test.json`)).test_questions.length, 20);
    assert.equal(readJson(path.join(tr, `${P}_personality_test.json`)).test_questions.length, 20);
    const grpo = readJsonl(path.join(out, 'grpo', P, `${P}_pure_t2i_with_vqa.jsonl`));
    inRange(grpo.length, 30, 40, `${P} GRPO prompts`);
    const qs = grpo.flatMap((g: any) => g.vqa_questions);
    for (const g of grpo) inRange(g.vqa_questions.length, 5, 15, `${P} VQA questions per prompt`);
    assert.ok(qs.some((q: any) => q.type === 'yes_no') && qs.some((q: any) => q.type === 'multiple_choice'));
    assert.ok(qs.some((q: any) => q.is_negative && q.answer === 'no'));
    for (const q of qs) if (q.choices) assert.ok(q.choices.includes(q.answer), `${P}: "${q.question}" answer not among choices`);
    assert.equal(c.counts.dialogues.total, dialogues);
    // machine lines are never copies of each other
    const lines = [...ann.scenes, ...readJson(path.join(tr, `${P}_dialogue_text_extension_train.json`)).scenes].map((s: any) => s[1].text);
    assert.equal(new Set(lines).size, lines.length, `${P} repeats a line`);
  }
});

test('images: numbered 128x128 masters in the real layout, 32x32 copies under model32/', () => {
  for (const c of index.characters) {
    for (const split of ['train', 'test'] as const) {
      for (const img of c.images[split]) {
        assert.deepEqual(pngSize(path.join(out, img.file)), [128, 128]);
        assert.deepEqual(pngSize(path.join(out, img.model32)), [32, 32]);
        assert.equal(img.model32, `model32/${img.file}`);
      }
    }
  }
  assert.equal(listFiles(out).filter((f) => f.endsWith('.png')).length, summary.images * 2);
});

test('index labels agree with the files: image turns name the drawn expression, scene and prop', () => {
  for (const c of index.characters) {
    const P = c.id;
    for (const split of ['train', 'test'] as const) {
      const scenes = readJson(path.join(out, split, P, 'annotation.json')).scenes;
      assert.equal(scenes.length, c.images[split].length);
      for (const [i, img] of c.images[split].entries()) {
        const turn = scenes[i][1];
        assert.equal(turn.image, img.imageId);
        assert.deepEqual(detectExpressions(turn.text), [img.expression], `${P} ${split}/${img.imageId}: "${turn.text}"`);
        assert.deepEqual(detectScenes(turn.text), [img.scene], `${P} ${split}/${img.imageId}: "${turn.text}"`);
        assert.deepEqual(detectProps(turn.text), [img.prop], `${P} ${split}/${img.imageId}: "${turn.text}"`);
        assert.equal(img.labels.hairColor, c.identity.hairColor);
      }
    }
    const t2i = readJsonl(path.join(out, 'train', P, 'processed', 't2i', `${P}_pure_t2i.jsonl`));
    assert.deepEqual(t2i.map((r: any) => r.image), c.images.train.map((i: any) => `personalized_data/${i.file}`));
  }
});

test('GRPO questions follow from the prompt labels and the identity', () => {
  for (const c of index.characters) {
    const rows = readJsonl(path.join(out, 'grpo', c.id, `${c.id}_pure_t2i_with_vqa.jsonl`));
    for (const [i, row] of rows.entries()) {
      const lab = c.images.grpo[i];
      assert.equal(row.text, lab.text);
      assert.deepEqual(detectExpressions(row.text).length, 1);
      for (const q of row.vqa_questions) {
        assert.equal(q.is_negative, q.answer === 'no', q.question);
        if (/^What colour is .*'s (hair|fur)\?$/.test(q.question)) assert.equal(q.answer, c.identity.hairColor);
        if (q.type !== 'yes_no' || q.category === 'character_attributes') continue;
        const found = q.category === 'action' ? detectProps(q.question) : q.category === 'scene' ? detectScenes(q.question) : detectExpressions(q.question);
        const want = q.category === 'action' ? lab.prop : q.category === 'scene' ? lab.scene : lab.expression;
        const negated = / not /.test(q.question);
        assert.equal(q.answer, (found[0] === want) !== negated ? 'yes' : 'no', `${c.id}: "${q.question}" for ${JSON.stringify(lab)}`);
      }
    }
  }
});

test("the RoleScape-20 loader validates the output with no errors and no warnings", async () => {
  const r = await validateRoleScape(out);
  const problems = r.issues.map((i: any) => `${i.severity} ${i.code} ${i.file ?? ''} ${i.message}`);
  assert.equal(r.rows.length, 20);
  assert.deepEqual(problems, []);
});
