/**
 * The CMRP evaluation suite: (a) the pure scorers on hand-made inputs, including cases that must
 * score low; (b) the held-out guarantee: nothing the suite evaluates is in the character's
 * Unified-SFT training examples; (c) one smoke run of `evaluatePolicy` with the committed base
 * checkpoint: every metric present and in range, the same seed gives the same metrics, no tensors
 * left behind; and the `cmrp eval` command's errors and output.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadRoleScape, type Character } from '../src/data/rolescape';
import { splitGrpoPrompts } from '../src/data/grpo-split';
import { characterExamples } from '../src/train/tasks';
import { loadJudges } from '../src/judges';
import { loadTokenizers } from '../src/tokenizers/serialize';
import { loadPolicy } from '../src/eval/load-policy';
import { UserError } from '../src/util/errors';
import { defaultSynthDir, projectRoot, sharedRoleScapeDir } from '../src/util/paths';
import { register } from '../src/cli/commands/eval';
import {
  EVAL_PRESETS, METRIC_KEYS, evaluatePolicy, evaluationItems, parseEvalConfig, referenceImages, readImages32, resolveEvalConfig, synthTruth,
  normalizeAnswer, exactMatch, tokenF1, containsPhrase, stripQuotes, memorizationFacts, factRecall, chooseOption, scoreMcq, scoreMemorization,
  scoreStyleAttribution, rateRatio, voiceRates, wrongProfileFacts, scorePersonaConsistency, scoreVqa,
  scoreIdentity, scoreDiversity, scoreCopyRate, scoreMemorizedRate, nearestTrainingDistances, scoreConsistency, pairwiseDistances, truthDrawings, drawingRanks, embedReferences, formatEvalReport,
} from '../src/eval/suite';
import type { EvalReport, NearestCharacterCounts } from '../src/eval/suite';
import { tempDir } from './synth-helpers';
import { renderImage32 } from '../src/judges/core/images';
import { Rng } from '../src/util/rng';
import { CENTRED_JITTER, CHARACTER_PLACEMENT, MOVED_FIGURE } from '../src/data/synth/placement';

const root = projectRoot();
const judgesDir = path.join(root, 'checkpoints', 'judges');
const textJudgesDir = path.join(root, 'checkpoints', 'text-judges');
const baseDir = path.join(root, 'checkpoints', 'base');
let synthDir = '';
let chars: Character[] = [];
const byId = (id: string): Character => chars.find((c) => c.id === id)!;

before(async () => {
  await initBackend();
  synthDir = defaultSynthDir();
  await ensureSynthDataset({ dir: synthDir });
  chars = (await loadRoleScape(synthDir)).characters;
});

// ------------------------------------------------------------------ (a) pure scorers

test('answers are compared after SQuAD normalization; F1 gives partial credit', () => {
  assert.equal(normalizeAnswer('The Cat, sat!  on a MAT.'), 'cat sat on mat');
  assert.ok(exactMatch('Calmaric has brown short hair.', 'calmaric has brown short hair'));
  assert.ok(!exactMatch('Calmalie has brown short hair.', 'Calmaric has brown short hair.'));
  assert.equal(tokenF1('Calmaric has brown hair', 'Calmaric has brown hair'), 1);
  assert.equal(tokenF1('nothing alike', 'Calmaric has brown hair'), 0);
  const f = tokenF1('Calmalie has brown short hair.', 'Calmaric has brown short hair.');
  assert.ok(f > 0.7 && f < 1, `f1 ${f}`);
  assert.ok(containsPhrase('I grew up in Ambercliff!', 'ambercliff'));
  assert.ok(!containsPhrase('I love cupcakes', 'cup'), 'whole words only');
  assert.equal(stripQuotes('"We\'re lost. What now?"'), "We're lost. What now?");
  assert.deepEqual(scoreVqa([{ exact: true, f1: 1 }, { exact: false, f1: 0.5 }]), { acc: 0.5, f1: 0.75 });
  assert.deepEqual(scoreVqa([]), { acc: null, f1: null });
});

test('MCQ: the highest option wins (ties: the first key); accuracy over questions', () => {
  assert.equal(chooseOption({ A: -2, B: -0.5, C: -0.5, D: -3 }), 'B');
  assert.equal(scoreMcq([{ correct: true }, { correct: false }, { correct: false }, { correct: true }]), 0.5);
  assert.equal(scoreMcq([]), null);
});

test('memorization: every synthetic question maps to persona facts, and only the right facts score', () => {
  let n = 0;
  for (const c of chars) {
    const t = synthTruth(c)!;
    assert.ok(t && t.spec, `${c.id}: no ground truth`);
    for (const q of c.memorizationQuestions) {
      const facts = memorizationFacts(q, t, c.dialogues.train);
      assert.ok(facts && facts.length > 0 && facts.every((f) => f.length > 0), `${c.id}: no facts for "${q}"`);
      // an answer that states the facts recalls all of them; a blank one none
      assert.equal(factRecall(facts!.map((f) => f[0]).join(', and '), facts!), 1, `${c.id}: "${q}"`);
      assert.equal(factRecall('I would rather not say.', facts!), 0);
      n++;
    }
  }
  assert.equal(n, 20 * 20);
  const c = byId('Calmaric'), t = synthTruth(c)!, p = t.entry.persona;
  const home = memorizationFacts('Where did you grow up, and what is it known for?', t, c.dialogues.train)!;
  assert.equal(factRecall(`I grew up in ${p.hometown.toUpperCase()}.`, home), 0.5, 'half the facts, case-insensitive');
  const other = synthTruth(byId('Kito'))!.entry.persona;
  assert.equal(factRecall(`I grew up in ${other.hometown}, known for ${other.hometownFeature}.`, home), other.hometownFeature === p.hometownFeature ? 0.5 : 0);
  assert.equal(memorizationFacts('What is the airspeed of a swallow?', t, c.dialogues.train), null);
  // a recall question asks for the place of the training image its quote comes from
  const q = c.memorizationQuestions.find((x) => x.includes('Where were you at the time?'))!;
  const [place] = memorizationFacts(q, t, c.dialogues.train)!;
  assert.ok(place.length > 0 && t.labelSpaces.scenes.some((s) => s.words.join() === place.join()), `${q} -> ${place}`);
  assert.equal(scoreMemorization([{ recall: 1 }, { recall: 0 }, { recall: null }]), 0.5);
  assert.equal(scoreMemorization([{ recall: null }]), null);
});

test('style: attribution share, catchphrase rate ratio, persona consistency', () => {
  assert.equal(scoreStyleAttribution(['Kito', 'Mana', 'Kito', 'Kito'], 'Kito'), 0.75);
  assert.equal(scoreStyleAttribution(['Mana', 'Mana'], 'Kito'), 0);
  const t = synthTruth(byId('Calmaric'))!;
  const cp = t.entry.style.catchphrase;
  const rates = voiceRates([`${cp} Nice day.`, 'Nice day.', 'Hello there.', `Well. ${cp.toLowerCase()}`], t);
  assert.equal(rates.catchphrase, 0.5);
  assert.equal(rateRatio(rates.catchphrase, 0.25), 2);
  assert.equal(rateRatio(0, 0.5), 0, 'never saying it is a ratio of 0');
  assert.equal(rateRatio(0.3, 0), null, 'undefined when the character never says it');
  const own = { hometown: t.entry.persona.hometown, occupation: t.entry.persona.occupation };
  const otherTown = synthTruth(byId('Kito'))!.entry.persona.hometown;
  assert.notEqual(otherTown, own.hometown);
  assert.deepEqual(wrongProfileFacts(`I was born in ${own.hometown} and I am a ${own.occupation}.`, own), []);
  assert.deepEqual(wrongProfileFacts(`Back home in ${otherTown} it rains.`, own), [otherTown]);
  assert.equal(scorePersonaConsistency([`I'm from ${own.hometown}.`, `I'm from ${otherTown}.`, 'Hello!', 'Bye.'], own), 0.75);
  assert.equal(scorePersonaConsistency([], own), null);
});

test('t2i scores: identity mean and max, diversity, copy rate', () => {
  const id = scoreIdentity([[0.2, 0.4], [0.6, 0.0]]);
  assert.ok(Math.abs(id.mean! - 0.3) < 1e-12 && id.max === 0.5, JSON.stringify(id));
  assert.deepEqual(scoreIdentity([]), { mean: null, max: null });
  assert.ok(Math.abs(scoreDiversity([[0.2, 0.4], [], [0.9]])! - 0.6) < 1e-12, 'mean of group means, empty groups left out');
  assert.equal(scoreDiversity([[], []]), null);
  assert.equal(scoreCopyRate([0, 0.05, 0.5, 0.9], 0.1), 0.5);
  assert.equal(scoreCopyRate([0.5, 0.9], 0.1), 0);
  assert.equal(scoreCopyRate([], 0.1), null);
  // a copy counts as memorized only when it is nearer to the training image than to its own prompt's truth
  assert.equal(scoreMemorizedRate([0.05, 0.05, 0.5, 0.09], [0.02, 0.3, 0.01, 0.2], 0.1), 0.5);
  assert.equal(scoreMemorizedRate([], [], 0.1), null);
  assert.throws(() => scoreMemorizedRate([0.05], [], 0.1), /1 drawings but 0/);
});

test('copy rate with the LPIPS judge: 1 for drawings that are the training images, 0 for blank ones', async () => {
  const judges = loadJudges(judgesDir);
  try {
    const tok = loadTokenizers(baseDir);
    const c = byId('Calmaric');
    const pngs = await readImages32(c.images.train);
    const training = [...pngs, ...pngs.map((p) => tok.image.reconstruct(p))];
    const th = parseEvalConfig({}).copy_threshold;
    // a model that memorized its training images draws their reconstructions
    assert.equal(scoreCopyRate(nearestTrainingDistances(judges, pngs.map((p) => tok.image.reconstruct(p)), training), th), 1);
    assert.equal(scoreCopyRate(nearestTrainingDistances(judges, pngs, training), th), 1);
    const blank = [new Uint8Array(3072).fill(255), new Uint8Array(3072), new Uint8Array(3072).fill(128)];
    assert.equal(scoreCopyRate(nearestTrainingDistances(judges, blank, training), th), 0);
    // another character's images are no copies either
    const other = await readImages32(byId('Kito').images.train);
    assert.equal(scoreCopyRate(nearestTrainingDistances(judges, other, training), th), 0);
  } finally {
    judges.dispose();
  }
});

test('multimodal consistency counts only what the reply states', () => {
  const r = (te: string, ts: string, ie: string, is: string) => ({ text: { expression: te, scene: ts }, image: { expression: ie, scene: is } });
  const s = scoreConsistency([r('happy', 'beach', 'happy', 'forest'), r('none', 'none', 'sad', 'beach'), r('sad', 'none', 'sad', 'beach'), r('none', 'kitchen', 'sad', 'library')]);
  assert.equal(s.items, 3);
  assert.equal(s.consistency, (0.5 + 1 + 0) / 3);
  assert.equal(s.expressionAgreement, 1);
  assert.equal(s.sceneAgreement, 0);
  assert.equal(scoreConsistency([r('none', 'none', 'happy', 'beach')]).consistency, null);
});

test('config: presets, every field defaulted, unknown keys and bad values named with the file', () => {
  const d = resolveEvalConfig('default');
  assert.equal(d.samples_per_prompt, 4);
  assert.deepEqual(d, parseEvalConfig({}));
  assert.ok(resolveEvalConfig('smoke').max_t2i_prompts < d.max_t2i_prompts);
  assert.ok(Object.keys(EVAL_PRESETS).includes('smoke'));
  const dir = tempDir('eval-config');
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ samples_per_prompt: 0 }));
  assert.throws(() => resolveEvalConfig(bad), (e: unknown) => e instanceof UserError && e.message.startsWith(`${bad}: samples_per_prompt:`));
  fs.writeFileSync(bad, JSON.stringify({ temprature: 1 }));
  assert.throws(() => resolveEvalConfig(bad), (e: unknown) => e instanceof UserError && e.message.includes(bad) && /Unrecognized key.*temprature/.test(e.message));
  assert.throws(() => resolveEvalConfig('nope'), (e: unknown) => e instanceof UserError && /neither a preset/.test(e.message));
});

// ------------------------------------------------------------------ (b) held-out guarantee

/** Every text and image path of the character's Unified-SFT training examples. */
function trainingSide(c: Character): { texts: Set<string>; images: Set<string> } {
  const texts = new Set<string>(), images = new Set<string>();
  for (const ex of Object.values(characterExamples(c)).flat()) {
    for (const s of ex.segments) s.kind === 'text' ? texts.add(s.text.trim()) : images.add(s.image);
  }
  return { texts, images };
}

function checkHeldOut(c: Character): void {
  const config = parseEvalConfig({ max_dialogues: 1e5, max_mcq: 1e5, max_vqa: 1e5, max_t2i_prompts: 1e5, max_mmrp: 1e5, max_personality: 1e5 });
  const items = evaluationItems(c, config, synthTruth(c));
  const { texts, images } = trainingSide(c);
  const where = (what: string) => `${c.id}: ${what} is in the training examples`;
  // user lines of test dialogues are generic ("Hey, how are you?") and recur in training; the
  // reply the character gives there, and its picture, are what is held out
  for (const e of [...items.dialogues, ...items.mmrp]) {
    assert.ok(!texts.has(e.reference.text.trim()), where(`test reply "${e.reference.text.slice(0, 40)}"`));
    if (e.reference.imagePath) assert.ok(!images.has(e.reference.imagePath), where(e.reference.imagePath));
  }
  assert.ok(items.dialogues.length > 0 && items.mmrp.length > 0);
  for (const v of items.vqa) {
    assert.ok(!images.has(v.imagePath), where(`VQA image ${v.imagePath}`));
    assert.ok(c.images.test.some((i) => i.path === v.imagePath), `${c.id}: VQA image ${v.imagePath} is not a test image`);
  }
  const grpo = splitGrpoPrompts(c.grpo);
  const grpoTrain = new Set(grpo.train.map((g) => g.text.trim()));
  assert.ok(items.t2i.length > 0);
  for (const g of items.t2i) {
    assert.ok(!texts.has(g.text.trim()), where(`GRPO prompt "${g.text}"`));
    assert.ok(!grpoTrain.has(g.text.trim()) && !grpo.train.some((x) => x.sceneId === g.sceneId), `${c.id}: eval GRPO prompt ${g.sceneId} is on GRPO's training side`);
  }
  for (const m of items.mcq) assert.ok(!texts.has(m.question.trim()), where(`MCQ "${m.question}"`));
  assert.equal(items.mcq.length + items.mcqSeen.length, c.knowledgeMcq.length);
  for (const m of items.mcqSeen) assert.ok(texts.has(m.question.trim()), `${c.id}: MCQ "${m.question}" set apart without being a training question`);
  for (const q of items.personality) assert.ok(!texts.has(q), where(`personality question "${q}"`));
  for (const r of referenceImages(c, 10)) assert.ok(r.split === 'train' && images.has(r.path), `${c.id}: reference ${r.path} is not a training image`);
}

test('held out: no evaluated test reply, test image, eval GRPO prompt or MCQ is a training example (synthetic)', () => {
  for (const c of chars) checkHeldOut(c);
  // synthetic test images get VQA built from their labels, 13-14 questions each
  const c = byId('Calmaric');
  const vqa = evaluationItems(c, parseEvalConfig({}), synthTruth(c)).vqa;
  assert.ok(vqa.length >= 13 * c.images.test.length && vqa.every((v) => v.source === 'labels'));
});

test('held out: the same on the real RoleScape-20 copy', { skip: sharedRoleScapeDir() === null && 'no ../shared/rolescape20' }, async () => {
  const real = (await loadRoleScape(sharedRoleScapeDir()!)).characters;
  for (const c of real) {
    assert.equal(synthTruth(c), null);
    checkHeldOut(c);
  }
});

// ------------------------------------------------------------------ (c) end to end

const SMOKE = resolveEvalConfig('smoke');

test('truth drawings: the renderer draws each held-out prompt as labelled; the judges rank them as their own character', async () => {
  const judges = loadJudges(judgesDir);
  try {
    const c = byId('Calmaric');
    const asBuilt = synthTruth(c)!;
    assert.deepEqual(asBuilt.placement, CHARACTER_PLACEMENT, "data/synth's figures are placed as the base's world");
    const truth = { ...asBuilt, placement: CENTRED_JITTER }; // the world's own renders first
    const prompts = evaluationItems(c, SMOKE, truth).t2i;
    const groups = await truthDrawings(truth, prompts, 3, 0);
    assert.deepEqual(groups.map((g) => g.prompt.sceneId), prompts.map((p) => p.sceneId));
    assert.deepEqual(await truthDrawings(truth, prompts, 3, 0), groups, 'same seed, same renders');
    const drawings = groups.flatMap((g) => g.drawings);
    const refs = new Map<string, Uint8Array[]>();
    for (const id of ['Calmaric', 'Kito', 'Alneette']) refs.set(id, await readImages32(referenceImages(byId(id), 10)));
    const embedded = embedReferences(judges, refs);
    assert.deepEqual(drawingRanks(judges, drawings, embedded, 'Calmaric'), drawings.map(() => ({ rank: 1, nearest: 'Calmaric' })), 'true pictures of Calmaric are nearest to Calmaric');
    assert.ok(drawingRanks(judges, drawings, embedded, 'Kito').every((r) => r.rank > 1 && r.nearest === 'Calmaric'), 'and not nearest to Kito, whose look-alike is named');
    // one prompt, several renders: only background details move, so they are far closer than unrelated pictures
    const within = scoreDiversity(groups.map((g) => pairwiseDistances(judges, g.drawings)))!;
    const blank = pairwiseDistances(judges, [drawings[0], new Uint8Array(3072).fill(255)])[0];
    assert.ok(within < 0.2 && within < blank / 3, `within-prompt ${within} vs blank ${blank}`);
    // a dataset whose figures move (index.json placement): the truth figures move too, and far apart;
    // a centred one draws exactly the world's renders (the placement stream is separate)
    const label = truth.entry.images.grpo.find((g) => g.sceneId === prompts[0].sceneId)!;
    const r = new Rng(0).fork(`truth:${prompts[0].sceneId}`);
    const asBefore: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) asBefore.push(await renderImage32(truth.entry.identity, label, r.fork(String(i))));
    assert.deepEqual(groups[0].drawings, asBefore);
    const moved = await truthDrawings({ ...truth, placement: MOVED_FIGURE }, prompts, 3, 0);
    const withinMoved = scoreDiversity(moved.map((g) => pairwiseDistances(judges, g.drawings)))!;
    assert.ok(withinMoved > 3 * within, `moved figures: within-prompt ${withinMoved} vs centred ${within}`);
    const aligned = await truthDrawings(asBuilt, prompts, 3, 0);
    assert.ok(scoreDiversity(aligned.map((g) => pairwiseDistances(judges, g.drawings)))! > within, 'figures shifted by whole patches vary more than centred ones');
    // through the tokenizer: the same prompts, each render replaced by its reconstruction
    const tok = loadTokenizers(baseDir);
    const rec = await truthDrawings(truth, prompts, 3, 0, (px) => tok.image.reconstruct(px));
    assert.deepEqual(rec[0].drawings[0], tok.image.reconstruct(groups[0].drawings[0]));
    assert.notDeepEqual(rec[0].drawings[0], groups[0].drawings[0]);
  } finally {
    judges.dispose();
  }
});

test('evaluatePolicy: smoke run of the base checkpoint on one synthetic character; same seed, same metrics', { timeout: 5 * 60_000 }, async () => {
  const c = byId('Calmaric');
  const policy = await loadPolicy(baseDir);
  try {
    const n0 = tf.memory().numTensors;
    const run = () => evaluatePolicy(policy, c, { judgesDir, textJudgesDir, config: SMOKE, characters: chars });
    const a = await run();
    assert.equal(tf.memory().numTensors - n0, 0, 'the suite (judges loaded and released inside) leaves no tensors behind');
    for (const k of METRIC_KEYS) assert.ok(k in a.metrics, `${k} missing`);
    const m = a.metrics;
    const isNum = (k: keyof EvalReport['metrics']) => typeof m[k] === 'number' && Number.isFinite(m[k] as number);
    for (const k of METRIC_KEYS) {
      if (k === 'mmrp_consistency' && m[k] === null) assert.ok(a.unavailable[k], 'a null metric says why');
      else assert.ok(isNum(k), `${k} = ${m[k]} (${a.unavailable[k] ?? ''})`);
    }
    const unit = ['knowledge_mcq_acc', 'memorization', 'style_attribution', 'vqa_acc', 't2i_vqa_score', 't2i_copy_rate', 'mmrp_consistency'] as const;
    for (const k of unit) if (m[k] !== null) assert.ok(m[k]! >= 0 && m[k]! <= 1, `${k} = ${m[k]}`);
    for (const k of ['t2i_identity_clip_i', 't2i_identity_dino', 't2i_clip_t', 'mmrp_identity'] as const) assert.ok(Math.abs(m[k]!) <= 1 + 1e-6, `${k} = ${m[k]}`);
    assert.ok(m.t2i_diversity! > 0, 'distinct samples differ');
    // the nearest of the 20 characters; the renderer's own drawings of the same prompts
    assert.ok(m.t2i_identity_top1! >= 0 && m.t2i_identity_top1! <= 1, `t2i_identity_top1 = ${m.t2i_identity_top1}`);
    for (const k of ['t2i_identity_dino_truth', 't2i_identity_top1_truth', 't2i_vqa_score_truth', 't2i_diversity_truth', 't2i_copy_rate_truth', 't2i_memorized_rate'] as const) assert.ok(isNum(k), `${k} = ${m[k]}`);
    assert.ok(m.t2i_memorized_rate! <= m.t2i_copy_rate!, 'a memorized drawing is a copy');
    for (const d of a.details.t2i as { nearest: number[]; nearestTruth: number[] }[]) assert.equal(d.nearestTruth.length, d.nearest.length);
    // each drawing names its nearest character; the summary counts them, for the policy and for the renderer's own drawings
    const nearestOf = (a.details.t2i as { nearestCharacter: string[] }[]).flatMap((d) => d.nearestCharacter);
    assert.equal(nearestOf.length, a.counts.t2i_drawings);
    assert.ok(nearestOf.every((id) => chars.some((x) => x.id === id)), 'a nearest character is one of the candidates');
    const summary = a.details.t2i_nearest_character as NearestCharacterCounts[];
    assert.deepEqual(summary.map((n) => `${n.of}/${n.judges}`), ['policy/reward', 'renderer/reward']);
    assert.equal(summary[0].counts.reduce((s, [, k]) => s + k, 0), a.counts.t2i_drawings);
    assert.equal(summary[0].counts.find(([id]) => id === c.id)?.[1] ?? 0, Math.round(m.t2i_identity_top1! * a.counts.t2i_drawings), 'the own character\'s count is t2i_identity_top1');
    assert.match(formatEvalReport(a), new RegExp(`the renderer's own, reward judges: ${summary[1].counts[0][0]} ${summary[1].counts[0][1]}`));
    assert.ok(m.catchphrase_rate_ratio! >= 0);
    assert.equal(a.counts.t2i_prompts, SMOKE.max_t2i_prompts);
    assert.equal(a.counts.t2i_drawings, SMOKE.max_t2i_prompts * SMOKE.samples_per_prompt);
    assert.equal(a.counts.references, 10);
    assert.equal(a.counts.mmrp, SMOKE.max_mmrp);
    assert.equal(a.character, c.id);
    assert.deepEqual(a.config, { ...SMOKE, shots: 10 });
    assert.ok(Array.isArray(a.details.style) && a.details.style.length === SMOKE.max_dialogues + SMOKE.max_personality);
    const b = await run();
    assert.deepEqual(b.metrics, a.metrics, 'same seed, same metrics');
    assert.deepEqual(b.details, a.details, 'same seed, same generations');
    // a greedy drawing temperature: one prompt's drawings are all the same, every text metric as before
    const g = await evaluatePolicy(policy, c, { judgesDir, textJudgesDir, config: { ...SMOKE, draw_temperature: 0 }, characters: chars });
    assert.equal(g.metrics.t2i_diversity, 0, 'greedy drawings do not differ');
    assert.ok(a.metrics.t2i_diversity! > 0);
    for (const k of ['knowledge_mcq_acc', 'style_attribution', 'vqa_acc', 'memorization', 'mmrp_identity'] as const) assert.equal(g.metrics[k], a.metrics[k], `${k} does not depend on the drawing temperature`);
  } finally {
    policy.dispose();
  }
});

test('cmrp eval: unknown character and missing model are one-line user errors; a smoke run writes the report', { timeout: 5 * 60_000 }, async () => {
  const program = (): Command => {
    const p = new Command('cmrp').exitOverride();
    register(p);
    return p;
  };
  const out = path.join(tempDir('eval-cli'), 'report.json');
  const args = (character: string, model: string) => ['node', 'cmrp', 'eval', '--character', character, '--model', model, '--config', 'smoke', '--out', out, '--quiet'];
  await assert.rejects(program().parseAsync(args('Nobody', baseDir)), (e: unknown) => e instanceof UserError && /unknown character "Nobody".*available: .*Calmaric/.test(e.message) && !e.message.includes('\n'));
  await assert.rejects(program().parseAsync(args('Calmaric', path.join(root, 'no-such-model'))), (e: unknown) => e instanceof UserError && /no such model folder/.test(e.message) && !e.message.includes('\n'));
  assert.ok(!fs.existsSync(out), 'nothing written on error');
  const lines: string[] = [];
  const log = console.log;
  console.log = (...xs: unknown[]) => void lines.push(xs.join(' '));
  try {
    await program().parseAsync(args('calmaric', baseDir));
  } finally {
    console.log = log;
  }
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as EvalReport;
  assert.equal(report.character, 'Calmaric');
  for (const k of METRIC_KEYS) assert.ok(k in report.metrics);
  const text = lines.join('\n');
  assert.match(text, /knowledge_mcq_acc\s+\d\.\d{4}/);
  assert.match(lines[lines.length - 1], /^eval: \d+\.\d s$/);
});
