/** Voices are measurable and distinct; image lines agree with their labels (no rendering here). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildBundle, evalCast, identityDistance, lookAlike, LARGE_AREA_KEYS, signature, measureVoice, detectExpressions, detectScenes, detectProps, Bundle } from '../src/data/synth';
import { voiceHabits } from '../src/data/synth/style';
import { isLabelFree } from '../src/data/synth/labels';
import { TICS } from '../src/data/synth/style';
import { fullProfile } from '../src/data/synth/profile';

const SEED = 0;
const bundles: Bundle[] = evalCast(SEED).map((c) => buildBundle(c, 'eval', SEED));
const linesOf = (b: Bundle) => [...b.train, ...b.test].map((s) => s.exchange.machine).concat(b.extensionTrain.map((e) => e.machine), b.extensionTest.map((e) => e.machine));

test('every image line names exactly its expression, scene and prop', () => {
  for (const b of bundles) {
    for (const s of [...b.train, ...b.test]) {
      const t = s.exchange.machine;
      assert.deepEqual([detectExpressions(t), detectScenes(t), detectProps(t)], [[s.label.expression], [s.label.scene], [s.label.prop]], `${b.spec.id}: "${t}"`);
    }
  }
});

test('training images cover every expression, and test/GRPO combinations are unseen in training', () => {
  for (const b of bundles) {
    assert.equal(new Set(b.train.map((s) => s.label.expression)).size, 6, b.spec.id);
    const key = (l: { expression: string; scene: string; prop: string }) => `${l.expression}|${l.scene}|${l.prop}`;
    const seen = new Set(b.train.map((s) => key(s.label)));
    for (const l of [...b.test.map((s) => s.label), ...b.grpo.map((g) => g.label)]) assert.ok(!seen.has(key(l)), `${b.spec.id}: ${key(l)} reused`);
  }
});

test('each voice shows its spec in its lines', () => {
  for (const b of bundles) {
    const v = b.spec.voice;
    const s = measureVoice(linesOf(b), v, b.spec.id);
    const id = `${b.spec.id} ${JSON.stringify(s)}`;
    assert.ok(Math.abs(s.catchphraseRate - v.catchphraseRate) <= 0.15, `catchphrase rate ${id}`);
    assert.ok(s.ticRate >= 0.2, `tic ${id}`);
    if (v.casing === 'lower') assert.equal(s.lowercaseRate, 1, id);
    else assert.ok(s.lowercaseRate < 0.05, id);
    if (v.emoji.length === 0) assert.equal(s.emojiRate, 0, id);
    else assert.ok(Math.abs(s.emojiRate - v.emojiRate) <= 0.15, `emoji ${id}`);
    if (v.selfReference === 'third') assert.ok(s.nameRate > 0.9 && s.firstPersonRate < 0.1, `third person ${id}`);
    else assert.ok(s.nameRate < 0.05 && s.firstPersonRate > 0.8, `first person ${id}`);
    if (v.formality === 'formal') assert.ok(s.contractionsPerLine < 0.1 && s.formalRate > 0.25 && s.casualRate < 0.1, `formal ${id}`);
    if (v.formality === 'casual') assert.ok(s.casualRate > 0.3 && s.formalRate < 0.05, `casual ${id}`);
    if (v.formality === 'neutral') assert.ok(s.formalRate < 0.05, `neutral ${id}`);
    if (v.punctuation === 'exclaim') assert.ok(s.exclaimRate > 0.6, `exclaim ${id}`);
    if (v.punctuation === 'ellipsis') assert.ok(s.ellipsisRate > 0.5, `ellipsis ${id}`);
    if (v.punctuation === 'question') assert.ok(s.questionRate > 0.3, `question ${id}`);
    if (v.punctuation === 'plain') assert.ok(s.exclaimRate + s.ellipsisRate < 0.05, `plain ${id}`);
  }
});

test('sentence length habits separate short, medium and long voices', () => {
  const wps = (len: string) => bundles.filter((b) => b.spec.voice.sentenceLength === len).map((b) => measureVoice(linesOf(b), b.spec.voice, b.spec.id).wordsPerSentence);
  const [short, medium, long] = [wps('short'), wps('medium'), wps('long')];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(short.length && medium.length && long.length, 'the 20 voices use all three lengths');
  assert.ok(Math.max(...short) < Math.min(...long), `short ${short} vs long ${long}`);
  assert.ok(mean(short) < mean(medium) && mean(medium) < mean(long));
});

test('evaluation characters are pairwise distinct in voice and look', () => {
  const cast = bundles.map((b) => b.spec);
  for (let i = 0; i < cast.length; i++) {
    for (let j = i + 1; j < cast.length; j++) {
      const [a, b] = [cast[i], cast[j]];
      assert.notEqual(a.voice.catchphrase, b.voice.catchphrase);
      assert.notEqual(a.voice.tic, b.voice.tic);
      const diff = voiceHabits(a.voice).filter((h, k) => h !== voiceHabits(b.voice)[k]).length;
      assert.ok(diff >= 2, `${a.id} and ${b.id} sound alike`);
      if (a.kind === b.kind) assert.ok(identityDistance(a.identity, b.identity) >= 3, `${a.id} and ${b.id} look alike`);
      assert.ok(!lookAlike(a.identity, b.identity), `${a.id} and ${b.id} differ in no large-area attribute`);
    }
  }
});

test('a look-alike is drawn again on its own stream: no cast of 10 seeds has one, and the rest of the cast keeps its looks', () => {
  for (let seed = 0; seed < 10; seed++) {
    const cast = evalCast(seed);
    assert.equal(new Set(cast.map((c) => c.identity.kind + signature(c.identity))).size, cast.length);
    for (const a of cast) for (const b of cast) if (a !== b) assert.ok(!lookAlike(a.identity, b.identity), `seed ${seed}: ${a.id} and ${b.id}`);
  }
  // seed 0's one look-alike: Peven drew Alneette's skin, plain blue outfit and scarf (apart in hair and eye colour only)
  const cast = evalCast(0), byId = (id: string) => cast.find((c) => c.id === id)!;
  const alneette = byId('Alneette').identity, peven = byId('Peven').identity;
  assert.deepEqual([alneette.skinTone, alneette.outfitColor, alneette.outfitPattern, alneette.accessory], ['dark', 'blue', 'plain', 'scarf']);
  assert.ok(LARGE_AREA_KEYS.filter((k) => peven[k] !== alneette[k]).length >= 1);
  // the main grid's characters keep the looks every committed result was made with
  assert.deepEqual(['Alneette', 'Calmaric', 'Corrian', 'Elmissa', 'Hoshina'].map((id) => signature(byId(id).identity)), [
    'human|human|black|short|blue|dark|blue|plain|scarf',
    'human|human|brown|short|green|tan|teal|dots|scarf',
    'human|human|grey|long|amber|tan|orange|dots|crown',
    'human|human|auburn|short|brown|light|teal|stripes|glasses',
    'anime|anime|sky blue|side ponytail|red|fair|black|stripes|bow',
  ]);
});

test('voice fillers never name an expression, scene or prop', () => {
  for (const list of Object.values(TICS)) for (const t of list) assert.ok(isLabelFree(t), t);
  for (const b of bundles) assert.ok(isLabelFree(`${b.spec.voice.catchphrase} ${b.spec.voice.addressTerm}`), b.spec.id);
});

test('knowledge QA and MCQ evidence is literal profile text', () => {
  for (const b of bundles) {
    const profile = fullProfile(b.spec).replace(/^\*\s+\*\*([^*]+):\*\* /gm, '$1: ');
    assert.equal(b.qa.length, 100);
    for (const item of [...b.qa, ...b.mcq]) {
      for (const quote of item.evidence.split('; ')) assert.ok(profile.includes(quote), `${b.spec.id}: evidence "${quote}" not in the profile`);
    }
    assert.equal(new Set(b.qa.map((q) => q.question)).size, 100, `${b.spec.id}: repeated QA question`);
  }
});
