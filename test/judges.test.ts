/**
 * The image judges: smoke-size training on a small world beats chance on held-out characters,
 * checkpoints round-trip exactly and reject corruption clearly, the question parser covers every
 * question the synthetic generator writes (and negation), scoreVqa is flow_grpo's weighted share,
 * and training/inference keep tf.memory() flat.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { initBackend } from '../src/backend/select';
import { synthesize, readSynthIndex, characterSvg, CENTRED_JITTER } from '../src/data/synth';
import { rngFor } from '../src/data/synth/seed';
import { loadRoleScape } from '../src/data/rolescape';
import { UserError } from '../src/util/errors';
import { Rng } from '../src/util/rng';
import { ATTRIBUTES, HEADS, LabelSpace, labelSpaceOf, Labels } from '../src/judges/core/attributes';
import { parseQuestion, answerFromLabels, TEMPLATE_IDS } from '../src/judges/image/question';
import { VqaJudge, AttributeProbs, scoreWith } from '../src/judges/image/vqa';
import { ClipJudge } from '../src/judges/image/clip';
import { IdentityJudge } from '../src/judges/image/identity';
import { LpipsJudge } from '../src/judges/image/lpips';
import { rasterise32, PIXELS } from '../src/judges/core/images';
import { fit, FitConfigSchema } from '../src/judges/core/fit';
import { rocAuc, spearman } from '../src/util/stats';
import { trainJudges, loadJudges, reportJudges, JudgesReport } from '../src/judges';
import { tempDir } from './synth-helpers';
import { MOVED_FIGURE } from '../src/data/synth/placement';

let root = '';
let world = '';
let evalDir = '';
let out = '';
let report: JudgesReport;
let space: LabelSpace;

const tiny = { encoder: { patch: 8, n_embd: 16, token_hidden: 16, n_pool: 1 } };

before(async () => {
  await initBackend();
  root = tempDir('judges');
  world = path.join(root, 'world');
  evalDir = path.join(root, 'eval');
  out = path.join(root, 'judges');
  await synthesize({ out: world, seed: 1, split: 'world', characters: 30, quiet: true });
  await synthesize({ out: evalDir, seed: 1, placement: CENTRED_JITTER, quiet: true }); // placed as the smoke judges' world (centred), not as the base's
  space = labelSpaceOf(readSynthIndex(world).labelSpaces);
  report = await trainJudges({ worldDir: world, evalDir, outDir: out, seed: 0, smoke: true, config: { max_characters: 30, eval_max_characters: 3 } });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const rand = (n: number, seed: number): Float32Array => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * PIXELS }, () => r.next());
};

test('smoke training: every judge beats chance clearly on held-out characters', () => {
  const chance = (ATTRIBUTES.length - 1) / HEADS.reduce((s, h) => s + space[h].length, 0); // mean 1/|classes| over heads, roughly
  assert.ok(report.vqa_attr_acc_world > 2 * chance, `vqa held-out world mean ${report.vqa_attr_acc_world} vs chance ~${chance}`);
  assert.ok(report.vqa.heldOutWorld.perAttribute.scene > 0.5, `scene ${report.vqa.heldOutWorld.perAttribute.scene}`);
  assert.ok(report.vqa_attr_acc_eval > 2 * chance, `vqa eval mean ${report.vqa_attr_acc_eval}`);
  assert.equal(report.vqa.grpo.skipped, 0);
  const c = report.clip.evalGrpo;
  assert.ok(c.top1Batch > 3 / c.batch, `clip in-batch top-1 ${c.top1Batch} vs chance ${1 / c.batch}`);
  assert.ok(c.matchedWinsOther > 0.7, `clip matched > mismatched ${c.matchedWinsOther}`);
  assert.ok(report.identity_auc > 0.8 && report.identity_auc_clip_i > 0.8, `identity AUC dino ${report.identity_auc}, clip_i ${report.identity_auc_clip_i}`);
  assert.ok(report.identity.evalCharacters.dino.auc > 0.8, `identity AUC on eval ${report.identity.evalCharacters.dino.auc}`);
  assert.ok(report.lpips_spearman > 0.3, `lpips Spearman ${report.lpips_spearman}`);
  assert.ok(report.lpips.heldOutWorld.table.length >= 6);
});

test('the judges folder reloads and the report recomputed from data equals the one saved at training', async () => {
  for (const f of ['judges.json', 'report.json', 'vqa/judge.json', 'vqa/weights.bin', 'clip/judge.json', 'identity/judge.json', 'lpips/judge.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.includes('.tmp-')), [], 'no temporary folders left');
  const again = await reportJudges({ judgesDir: out, worldDir: world, evalDir });
  for (const k of ['vqa_judge_acc', 'vqa_attr_acc_world', 'vqa_attr_acc_eval', 'clip_t_top1', 'identity_auc', 'identity_auc_clip_i', 'lpips_spearman'] as const) assert.equal(again[k], report[k], k);
});

test('save/load round trip gives identical outputs for every judge', async () => {
  const x = rand(3, 5);
  const dir = path.join(root, 'rt');
  const vqa = new VqaJudge(space, tiny, 3);
  await vqa.save(path.join(dir, 'vqa'));
  const vqa2 = VqaJudge.load(path.join(dir, 'vqa'));
  assert.deepEqual(vqa2.probs(x), vqa.probs(x));
  const clip = new ClipJudge(['<pad>', '<unk>', 'a', 'red', 'ball', ','], { encoder: tiny.encoder, text_hidden: 8, embed_dim: 8 }, 3);
  await clip.save(path.join(dir, 'clip'));
  const clip2 = ClipJudge.load(path.join(dir, 'clip'));
  assert.deepEqual(clip2.clipScores([x.subarray(0, PIXELS)], ['a red ball']), clip.clipScores([x.subarray(0, PIXELS)], ['a red ball']));
  const id = new IdentityJudge(4, { encoder: tiny.encoder, proj_hidden: 8 }, 3);
  await id.save(path.join(dir, 'identity'));
  const id2 = IdentityJudge.load(path.join(dir, 'identity'));
  for (const v of ['dino', 'clip_i'] as const) assert.deepEqual(id2.embedImages(x, v), id.embedImages(x, v));
  const lp = new LpipsJudge(vqa);
  await lp.save(path.join(dir, 'lpips'));
  const lp2 = LpipsJudge.load(path.join(dir, 'lpips'), vqa2);
  assert.deepEqual(lp2.distances([x.subarray(0, PIXELS)], [x.subarray(PIXELS, 2 * PIXELS)]), lp.distances([x.subarray(0, PIXELS)], [x.subarray(PIXELS, 2 * PIXELS)]));
  // a mismatched backbone is refused
  assert.throws(() => LpipsJudge.load(path.join(dir, 'lpips'), new VqaJudge(space, tiny, 4)), (e: Error) => e instanceof UserError && /calibrated on an encoder .* but the VQA judge given has/.test(e.message));
  [vqa, vqa2, clip, clip2, id, id2, lp, lp2].forEach((j) => j.dispose());
  // the trained folder loads as a whole
  const j = loadJudges(out);
  assert.ok(j.vqa.predict(x).length === 3);
  j.dispose();
});

test("an 'own' LPIPS judge keeps its encoder: saved in its folder, loaded without the set's VQA judge, checked by hash", async () => {
  const x = rand(2, 7);
  const a = [x.subarray(0, PIXELS)], b = [x.subarray(PIXELS, 2 * PIXELS)];
  const dir = path.join(root, 'lpips-own');
  const own = new VqaJudge(space, tiny, 5), setVqa = new VqaJudge(space, tiny, 6);
  const lp = new LpipsJudge(own, {}, 'own');
  lp.params.get('lin.0').assign(tf.randomNormal([lp.widths[0]], 0, 1, 'float32', 3));
  await lp.save(dir);
  assert.ok(fs.existsSync(path.join(dir, 'backbone', 'judge.json')));
  const lp2 = LpipsJudge.load(dir, setVqa); // the set's VQA judge is not the encoder
  assert.equal(lp2.kind, 'own');
  assert.deepEqual(lp2.distances(a, b), lp.distances(a, b));
  const onSetVqa = new LpipsJudge(setVqa);
  assert.notDeepEqual(onSetVqa.distances(a, b), lp.distances(a, b));
  // the calibration names the encoder by hash: a swapped backbone folder is refused, naming it
  await new VqaJudge(space, tiny, 9).save(path.join(dir, 'backbone'));
  assert.throws(() => LpipsJudge.load(dir, setVqa), (e: Error) => e instanceof UserError && e.message.includes(path.join(dir, 'backbone')) && /calibrated on an encoder/.test(e.message));
  // an unknown kind is named
  const jf = path.join(dir, 'judge.json');
  const file = JSON.parse(fs.readFileSync(jf, 'utf8'));
  fs.writeFileSync(jf, JSON.stringify({ ...file, extra: { ...file.extra, backbone: 'imagenet' } }));
  assert.throws(() => LpipsJudge.load(dir, setVqa), (e: Error) => e instanceof UserError && /extra\.backbone: expected "vqa" or "own", found "imagenet"/.test(e.message));
  [lp, lp2, onSetVqa, setVqa].forEach((j) => j.dispose()); // lp disposes `own`
});

test('a set trained on moved figures with lpips.from keeps the source set\'s LPIPS distance exactly, and loads without the source', async () => {
  const source = path.join(root, 'judges-source'), moved = path.join(root, 'judges-moved');
  fs.cpSync(out, source, { recursive: true });
  await trainJudges({ worldDir: world, evalDir, outDir: moved, seed: 0, smoke: true, config: { max_characters: 30, eval_max_characters: 3, placement: MOVED_FIGURE, lpips: { from: source } } });
  const src = loadJudges(source);
  const x = rand(4, 11);
  const a = [x.subarray(0, PIXELS), x.subarray(PIXELS, 2 * PIXELS)], b = [x.subarray(2 * PIXELS, 3 * PIXELS), x.subarray(3 * PIXELS)];
  const expected = src.lpips.distances(a, b);
  src.dispose();
  fs.rmSync(source, { recursive: true, force: true });
  const sha = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'judge.json'), 'utf8')).weights.sha256;
  assert.equal(sha(path.join(moved, 'lpips', 'backbone')), sha(path.join(out, 'vqa')));
  assert.notEqual(sha(path.join(moved, 'vqa')), sha(path.join(out, 'vqa')), "the set's own VQA judge learned moved figures");
  const j = loadJudges(moved);
  assert.equal(j.lpips.kind, 'own');
  assert.deepEqual(j.lpips.distances(a, b), expected);
  j.dispose();
  // a source without an LPIPS judge is named
  await assert.rejects(trainJudges({ worldDir: world, evalDir, outDir: path.join(root, 'judges-bad'), seed: 0, smoke: true, config: { lpips: { from: path.join(root, 'nowhere') } } }), (e: Error) => e instanceof UserError && /lpips\.from: .*nowhere has no LPIPS judge/.test(e.message));
  assert.ok(!fs.existsSync(path.join(root, 'judges-bad')), 'nothing written');
});

test('corrupted or mismatched checkpoints fail with one clear line naming the file', async () => {
  const dir = path.join(root, 'bad');
  const vqa = new VqaJudge(space, tiny, 1);
  await vqa.save(path.join(dir, 'vqa'));
  vqa.dispose();
  const copy = (name: string) => {
    const d = path.join(dir, name);
    fs.cpSync(path.join(dir, 'vqa'), d, { recursive: true });
    return d;
  };
  const expectUser = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'), `expected a UserError matching ${re}`);
  // one flipped byte
  const flipped = copy('flipped');
  const w = fs.readFileSync(path.join(flipped, 'weights.bin'));
  w[100] ^= 0xff;
  fs.writeFileSync(path.join(flipped, 'weights.bin'), w);
  expectUser(() => VqaJudge.load(flipped), /weights\.bin: sha256 .* does not match/);
  // truncated
  const short = copy('short');
  fs.writeFileSync(path.join(short, 'weights.bin'), w.subarray(0, 1000));
  expectUser(() => VqaJudge.load(short), /weights\.bin: expected \d+ bytes/);
  // another judge's folder, another format version, an edited config, broken JSON, no folder
  const edit = (name: string, f: (j: any) => void) => {
    const d = copy(name);
    const j = JSON.parse(fs.readFileSync(path.join(d, 'judge.json'), 'utf8'));
    f(j);
    fs.writeFileSync(path.join(d, 'judge.json'), JSON.stringify(j));
    return d;
  };
  expectUser(() => ClipJudge.load(path.join(dir, 'vqa')), /judge\.json: judge: expected "clip", found "vqa"/);
  expectUser(() => VqaJudge.load(edit('format', (j) => (j.format = 'cmrp-judge/0'))), /format: expected "cmrp-judge\/1"/);
  expectUser(() => VqaJudge.load(edit('wider', (j) => (j.config.encoder.n_embd = 32))), /params: "enc\.patch\.weight"\.shape: expected \[/);
  expectUser(() => VqaJudge.load(edit('badcfg', (j) => (j.config.encoder.patch = 5))), /config\.encoder\.patch/);
  expectUser(() => VqaJudge.load(edit('unknown', (j) => (j.config.dropout = 0.1))), /config/);
  const broken = copy('broken');
  fs.writeFileSync(path.join(broken, 'judge.json'), '{"format": "cmrp-judge/1", ');
  expectUser(() => VqaJudge.load(broken), /judge\.json: cannot read the judge checkpoint/);
  expectUser(() => VqaJudge.load(path.join(dir, 'nothing')), /no such judge folder/);
  expectUser(() => loadJudges(path.join(dir, 'nothing')), /no such judges folder/);
  // a judges folder evaluated against another world
  const other = path.join(root, 'other-world');
  await synthesize({ out: other, seed: 2, split: 'world', characters: 30, quiet: true });
  await assert.rejects(reportJudges({ judgesDir: out, worldDir: other, evalDir }), (e: Error) => e instanceof UserError && /not the world these judges were trained on/.test(e.message));
});

test('the parser maps every GRPO question of a 20-character eval set, and the labels reproduce every expected answer', async () => {
  const idx = readSynthIndex(evalDir);
  const { characters } = await loadRoleScape(evalDir);
  let n = 0;
  const templates = new Set<string>();
  let negated = 0;
  for (const c of characters) {
    const entry = idx.characters.find((e) => e.id === c.id)!;
    for (const g of c.grpo) {
      const labels = labelsOf(entry.images.grpo.find((x) => x.sceneId === g.sceneId)!.labels as unknown as Record<string, string>);
      for (const q of g.questions) {
        const p = parseQuestion(q);
        assert.ok(p, `unparsed: ${q.question}`);
        assert.equal(p.subject, c.id);
        assert.equal(answerFromLabels(p, labels), q.answer, `${q.question} (${JSON.stringify(q.choices)})`);
        templates.add(p.template);
        if (p.negated) negated++;
        n++;
      }
    }
    // image MCQs (capitalised options) and the objective image QA map too
    for (const m of c.imageMcq) {
      const p = parseQuestion({ question: m.question, type: 'multiple_choice', choices: Object.values(m.options) });
      assert.ok(p && p.form === 'choice', `unparsed MCQ: ${m.question}`);
      const im = entry.images[m.split ?? 'train'].find((x) => x.imageId === m.imageId)!;
      assert.equal(answerFromLabels(p, labelsOf(im.labels as unknown as Record<string, string>)), m.options[m.answerKey]);
    }
    for (const v of c.vqa.filter((x) => x.type === 'objective')) {
      const p = parseQuestion(v.question);
      if (/wearing\?$|facing the viewer/.test(v.question) && !/accessory/.test(v.question)) assert.equal(p, null, v.question); // whole outfit / pose: no single attribute
      else assert.ok(p && p.form === 'open', `unparsed objective QA: ${v.question}`);
    }
  }
  assert.ok(n > 5000, `${n} questions`);
  assert.ok(negated > 100, `${negated} negated questions`);
  for (const t of ['pattern-yn', 'accessory-yn', 'prop-yn', 'scene-yn', 'expression-yn', 'hair-yn', 'eyes-yn', 'hair-ask', 'outfit-ask', 'prop-ask', 'scene-ask', 'expression-ask', 'animal-ask']) assert.ok(templates.has(t), `template ${t} never seen`);
  assert.ok(TEMPLATE_IDS.length >= templates.size);
});

test('negation, names with spaces, and questions outside the label space', () => {
  const a = parseQuestion('Is Miki Nikaidou not holding a book?')!;
  assert.deepEqual([a.form, a.attribute, a.value, a.negated, a.subject], ['yes_no', 'prop', 'book', true, 'Miki Nikaidou']);
  const b = parseQuestion('Is Pip holding a book?')!;
  assert.equal(b.negated, false);
  const labels = { ...labelsOf({ body: 'human', hairColor: 'black', hairStyle: 'short', eyeColor: 'brown', skinTone: 'tan', outfitColor: 'red', outfitPattern: 'plain', accessory: 'glasses', expression: 'happy', scene: 'beach', prop: 'book' }) };
  assert.equal(answerFromLabels(a, labels), 'no');
  assert.equal(answerFromLabels(b, labels), 'yes');
  assert.equal(answerFromLabels(parseQuestion('Is Pip not in a green forest?')!, labels), 'yes');
  assert.equal(parseQuestion('Is Pip not in a green forest?')!.attribute, 'scene');
  // the judge flips its yes/no for negated phrasing
  const j = new VqaJudge(space, tiny, 0);
  const p = oneHot(j, labels);
  assert.equal(j.answerParsed(p, a)!.answer, 'no');
  assert.equal(j.answerParsed(p, b)!.answer, 'yes');
  assert.equal(j.answerParsed(p, parseQuestion('Does Pip not have black hair?')!)!.answer, 'no');
  j.dispose();
  // real-release questions outside the closed label space are not applicable
  assert.equal(parseQuestion('Is Adrien Brody reading a newspaper?'), null);
  assert.equal(parseQuestion({ question: 'What is Adrien Brody holding?', type: 'multiple_choice', choices: ['book', 'coffee cup', 'phone', 'newspaper'] }), null);
  assert.equal(parseQuestion({ question: 'Where is Adrien Brody located?', type: 'open_ended' }), null);
  assert.ok(parseQuestion('Is Adrien Brody wearing glasses?'));
});

test('scoreVqa is the weighted share answered as expected; unparseable questions are left out and counted', () => {
  const j = new VqaJudge(space, tiny, 0);
  const labels = labelsOf({ body: 'cat', hairColor: 'orange', hairStyle: 'spots', eyeColor: 'green', skinTone: 'fur', outfitColor: 'blue', outfitPattern: 'stripes', accessory: 'scarf', expression: 'sad', scene: 'forest', prop: 'guitar' });
  const p = oneHot(j, labels);
  const qs = [
    { question: 'Is Tom holding a guitar?', type: 'yes_no', answer: 'yes', weight: 1.0 }, // right
    { question: 'Is Tom not in a green forest?', type: 'yes_no', answer: 'no', weight: 0.5, is_negative: true }, // right
    { question: 'Does Tom look happy?', type: 'yes_no', answer: 'yes', weight: 0.9 }, // wrong (expected answer disagrees with the image)
    { question: "What colour is Tom's fur?", type: 'multiple_choice', answer: 'orange', choices: ['grey', 'orange', 'black', 'white'], weight: 0.8 }, // right
    { question: 'What kind of animal is Tom?', type: 'multiple_choice', answer: 'dog', choices: ['cat', 'dog', 'fox', 'bear'], weight: 0.6 }, // wrong
    { question: 'Is Tom sitting or standing?', type: 'multiple_choice', answer: 'sitting', choices: ['sitting', 'standing'], weight: 2.0 }, // not applicable
  ];
  const s = scoreWith(qs, (q) => j.answerParsed(p, q));
  assert.equal(s.answered, 5);
  assert.equal(s.skipped, 1);
  assert.ok(Math.abs(s.totalWeight - 3.8) < 1e-9);
  assert.ok(Math.abs(s.score! - (1.0 + 0.5 + 0.8) / 3.8) < 1e-9, `score ${s.score}`);
  assert.deepEqual(s.details.map((d) => d.correct), [true, true, false, true, false, null]);
  assert.equal(scoreWith([qs[5]], (q) => j.answerParsed(p, q)).score, null);
  // the image path gives a score in [0, 1] for a real image
  const r = j.scoreVqa(rand(1, 2), qs);
  assert.ok(r.score !== null && r.score >= 0 && r.score <= 1);
  j.dispose();
});

test('tf.memory() stays flat over training steps and inference of every judge', () => {
  const x = rand(8, 9);
  const vqa = new VqaJudge(space, tiny, 0);
  const clip = new ClipJudge(['<pad>', '<unk>', 'a', 'red', 'ball'], { encoder: tiny.encoder, text_hidden: 8, embed_dim: 8 }, 0);
  const id = new IdentityJudge(4, { encoder: tiny.encoder, proj_hidden: 8, views: 2 }, 0);
  const protos = tf.variable(tf.randomNormal([64, 4], 0, 1, 'float32', 1));
  const targets = HEADS.map(() => new Int32Array(8));
  const masks = HEADS.map(() => new Float32Array(8).fill(1));
  const cls = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
  const cfg = (steps: number) => FitConfigSchema.parse({ steps, batch_size: 8, lr: 1e-3, warmup: 1 });
  const run = (steps: number) => {
    fit('vqa', cfg(steps), vqa.params.list(), () => vqa.loss(tf.tensor4d(x, [8, 32, 32, 3]), targets, masks));
    fit('clip', cfg(steps), clip.params.list(), () => clip.loss(tf.tensor4d(x, [8, 32, 32, 3]), ['a red ball', 'a ball', 'red', 'a', 'ball', 'red ball', 'a red', 'ball a']));
    fit('identity', cfg(steps), [...id.params.list(), protos], () => id.loss(tf.tensor4d(x, [8, 32, 32, 3]), cls, protos));
    vqa.probs(x), clip.clipScore(x.subarray(0, PIXELS), 'a red ball'), id.embedImages(x, 'dino');
  };
  run(1); // optimizer slots exist only for the duration of fit: nothing should remain
  const n0 = tf.memory().numTensors;
  run(3);
  assert.equal(tf.memory().numTensors, n0);
  const lp = new LpipsJudge(vqa);
  const n1 = tf.memory().numTensors;
  lp.distances([x.subarray(0, PIXELS)], [x.subarray(PIXELS, 2 * PIXELS)]);
  lp.groupDiversity([x.subarray(0, PIXELS), x.subarray(PIXELS, 2 * PIXELS), x.subarray(2 * PIXELS, 3 * PIXELS)]);
  assert.equal(tf.memory().numTensors, n1);
  [vqa, clip, id, lp].forEach((j) => j.dispose());
  protos.dispose();
});

test('ground-truth renders are pixel-identical to the dataset\'s own 32x32 images', async () => {
  const idx = readSynthIndex(world);
  const c = idx.characters[0];
  const im = c.images.train[0];
  const svg = characterSvg(c.identity, im, rngFor(idx.seed, 'world', c.id, 'draw', 'train', im.imageId));
  const mine = await rasterise32(svg);
  const stored = await sharp(path.join(world, im.model32)).raw().toBuffer();
  assert.ok(Buffer.from(mine).equals(stored));
});

test('AUC and Spearman on hand-checked cases', () => {
  assert.equal(rocAuc([0.9, 0.8, 0.3, 0.1], [true, true, false, false]), 1);
  assert.equal(rocAuc([0.9, 0.3, 0.8, 0.1], [true, true, false, false]), 0.75);
  assert.equal(rocAuc([0.5, 0.5], [true, false]), 0.5);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [10, 20, 30, 40]) - 1) < 1e-12);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
});

function labelsOf(l: Record<string, string>): Labels {
  const kind = l.body === 'human' || l.body === 'anime' ? l.body : 'animal';
  return { kind, body: l.body, hairColor: l.hairColor, hairStyle: l.hairStyle, eyeColor: l.eyeColor, skinTone: l.skinTone, outfitColor: l.outfitColor, outfitPattern: l.outfitPattern, accessory: l.accessory, expression: l.expression, scene: l.scene, prop: l.prop };
}

/** Probabilities that put all mass on the given labels. */
function oneHot(j: VqaJudge, labels: Labels): AttributeProbs {
  const p = {} as AttributeProbs;
  for (const a of ATTRIBUTES) {
    const vals = j.values(a);
    p[a] = Float32Array.from(vals, (v) => (v === labels[a] ? 1 : 0));
  }
  return p;
}

test('a placement jitter moves the figure in the renders only; the default keeps every image as it was', async () => {
  const { loadWorldData, resolveJudgesConfig } = await import('../src/judges');
  const { worldOptions } = await import('../src/judges/image/config');
  const plain = resolveJudgesConfig(true, { max_characters: 6, mix_views: 0 });
  const placed = resolveJudgesConfig(true, { max_characters: 6, mix_views: 0, placement: { shift_x: 24, flip: true } });
  assert.deepEqual(plain.placement, { shift_x: 0, shift_y: 0, shift_step: 0, scale_min: 1, scale_max: 1, flip: false });
  const a = await loadWorldData(world, worldOptions(plain, 0)), b = await loadWorldData(world, worldOptions(placed, 0));
  assert.deepEqual(a.train.meta, b.train.meta);
  let storedSame = 0, rendersMoved = 0, renders = 0;
  a.train.meta.forEach((m, i) => {
    const same = Buffer.from(a.train.image(i)).equals(Buffer.from(b.train.image(i)));
    if (m.source === 'image') storedSame += same ? 1 : 0;
    else (renders++, (rendersMoved += same ? 0 : 1));
  });
  assert.equal(storedSame, a.train.meta.filter((m) => m.source === 'image').length, 'stored images are never moved');
  assert.ok(renders > 0 && rendersMoved > 0.8 * renders, `${rendersMoved} of ${renders} renders moved`);
  assert.throws(() => resolveJudgesConfig(false, { placement: { shift_x: -1 } }, 'cfg.json'), /^UserError: cfg\.json: placement\.shift_x: /);
});

test('the moved judge presets resolve; the held-out twin keeps the held-out set\'s LPIPS, both sources are in the repo', async () => {
  const { JUDGES_PRESETS, resolveJudgesConfig } = await import('../src/judges/image/config');
  const { projectRoot } = await import('../src/util/paths');
  const moved = resolveJudgesConfig(false, JUDGES_PRESETS.moved), heldout = resolveJudgesConfig(false, JUDGES_PRESETS['moved-heldout']);
  assert.deepEqual({ ...heldout, lpips: moved.lpips }, moved, 'the twins differ by the LPIPS source only');
  const aligned = resolveJudgesConfig(false, JUDGES_PRESETS.aligned);
  assert.deepEqual({ ...aligned, placement: moved.placement }, moved, 'the aligned set differs from moved by its placement only');
  assert.equal(aligned.placement.shift_step, 16);
  assert.deepEqual({ ...resolveJudgesConfig(false, JUDGES_PRESETS['aligned-heldout']), lpips: aligned.lpips }, aligned, 'the aligned twins differ by the LPIPS source only');
  assert.equal(heldout.lpips.from, 'checkpoints/judges-heldout');
  for (const from of [moved.lpips.from, heldout.lpips.from]) assert.ok(fs.existsSync(path.join(projectRoot(), String(from), 'lpips')), `${from}/lpips is committed`);
});
