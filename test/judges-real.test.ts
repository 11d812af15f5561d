/**
 * Judges for real RoleScape-20 images (`cmrp judges train-real`, src/judges/real/) and the honest
 * availability of CLIP-T on prompts outside its synthetic vocabulary (src/eval/suite/t2i.ts).
 * The training tests run a smoke config on ../shared/rolescape20 and are skipped without it.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { loadJudges } from '../src/judges';
import { readJudge } from '../src/judges/core/checkpoint';
import { trainRealJudges, reportRealJudges, formatRealJudgesReport, RealJudgesReport } from '../src/judges/real';
import { augmentView, AugmentConfigSchema, RealImage } from '../src/judges/real/views';
import { PIXELS } from '../src/judges/core/images';
import { CLIP_T_MIN_COVERAGE, clipTextCoverage, clipTUnavailableReason, vqaScoreUnavailableReason } from '../src/eval/suite/t2i';
import { loadRoleScape } from '../src/data/rolescape';
import { splitGrpoPrompts } from '../src/data/grpo-split';
import { defaultSynthDir, projectRoot, sharedRoleScapeDir } from '../src/util/paths';
import { ensureSynthDataset } from '../src/data/synth';
import { Rng } from '../src/util/rng';
import { snapshot } from './synth-helpers';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const BASE = path.join(ROOT, 'checkpoints', 'judges');
const REAL = sharedRoleScapeDir();
const SKIP = REAL ? false : 'shared RoleScape-20 data not present (../shared/rolescape20)';
const clipVocab = (): string[] => (JSON.parse(fs.readFileSync(path.join(BASE, 'clip', 'judge.json'), 'utf8')) as { extra: { vocab: string[] } }).extra.vocab;

before(async () => {
  await initBackend();
});

test('CLIP-T coverage: synthetic prompts are readable, real-like prompts are not and say why', () => {
  const vocab = clipVocab();
  const synthetic = ['A photo of Calmaric, happy, in a snowy field, holding a red umbrella', 'an illustration of Mocuit with curly blonde hair, sipping tea in the kitchen'];
  const realLike = ['A photo of Bo chasing a fluttering butterfly in a sunny garden', 'A photograph of Bo napping curled up in a cozy basket', 'Hermione casting a spell in the Hogwarts great hall at dusk'];
  const s = clipTextCoverage(vocab, synthetic), r = clipTextCoverage(vocab, realLike);
  assert.ok(s.share >= 0.7, `synthetic coverage ${s.share}`);
  assert.ok(r.share < CLIP_T_MIN_COVERAGE, `real-like coverage ${r.share}`);
  assert.equal(clipTUnavailableReason(vocab, synthetic), null);
  const why = clipTUnavailableReason(vocab, realLike)!;
  assert.match(why, new RegExp(`knows ${Math.round(100 * r.share)}% of the prompts' content words \\(${r.known} of ${r.words};`));
  assert.match(why, /synthetic vocabulary/);
  // function words and commas are not counted: they are in the vocabulary whatever the prompt says
  assert.deepEqual(clipTextCoverage(vocab, ['a photo of the, in on']), { words: 1, known: 1, share: 1 });
  // the threshold is inclusive, and no prompts means nothing to mark
  assert.equal(clipTUnavailableReason(['<pad>', '<unk>', 'red'], ['red blue']), null);
  assert.ok(clipTUnavailableReason(['<pad>', '<unk>', 'red'], ['red blue green']));
  assert.equal(clipTUnavailableReason(vocab, []), null);
});

test('VQA score: questions the judge parses are enough (synthetic), a few parsed are not (real-like)', async () => {
  await ensureSynthDataset({ dir: defaultSynthDir(), seed: 0 });
  const { characters } = await loadRoleScape(defaultSynthDir());
  const parsable = characters[0].grpo[0].questions[0];
  const free = { ...parsable, question: 'Does the spell look like the ones Hermione casts in class?' };
  assert.equal(vqaScoreUnavailableReason([{ questions: [parsable, parsable, free] }]), null);
  assert.match(vqaScoreUnavailableReason([{ questions: [parsable, free, free] }])!, /parses 1 of the prompts' 3 questions .*needs >= 50%/);
  assert.equal(vqaScoreUnavailableReason([]), null);
});

test('CLIP-T is unavailable on every real character\'s held-out prompts', { skip: SKIP }, async () => {
  const vocab = clipVocab();
  const { characters } = await loadRoleScape(REAL!);
  for (const c of characters) {
    const prompts = splitGrpoPrompts(c.grpo).eval.map((p) => p.text);
    if (prompts.length) assert.ok(clipTUnavailableReason(vocab, prompts), `${c.id}: coverage ${clipTextCoverage(vocab, prompts).share}`);
  }
});

test('augmented views: seeded, the plain view is the evaluation image, a flip mirrors', () => {
  const size = 64;
  const source = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 251);
  const im: RealImage = { file: 'x.png', plain: Uint8Array.from({ length: PIXELS }, (_, i) => i % 200), source, size };
  const cfg = AugmentConfigSchema.parse({});
  const view = (seed: number, c = cfg) => {
    const out = new Uint8Array(PIXELS);
    augmentView(im, c, new Rng(seed), out);
    return out;
  };
  assert.deepEqual(view(3), view(3));
  assert.notDeepEqual(view(3), view(4));
  assert.deepEqual(view(5, { ...cfg, plain: 1 }), im.plain);
  const still = { ...cfg, plain: 0, scale_min: 1, aspect: 0, brightness: 0, contrast: 0, saturation: 0 };
  const a = view(1, { ...still, flip: 0 }), b = view(1, { ...still, flip: 1 });
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let ch = 0; ch < 3; ch++) assert.equal(b[(y * 32 + x) * 3 + ch], a[(y * 32 + 31 - x) * 3 + ch]);
});


const sha = (dir: string, judge: 'vqa' | 'clip' | 'identity' | 'lpips') => readJudge(path.join(dir, judge), judge).file.weights.sha256;
const figures = (r: RealJudgesReport) => ({ retrained: r.retrained, base: r.base, loss: (r.training as { lossCurve: number[] }).lossCurve });

test('train-real (smoke): a loadable judges folder, both judges scored on the test images, deterministic', { skip: SKIP }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'judges-real-'));
  try {
    const before = snapshot(REAL!);
    const out = path.join(tmp, 'a');
    const report = await trainRealJudges({ dataDir: REAL!, baseJudgesDir: BASE, outDir: out, seed: 0, smoke: true });
    assert.deepEqual(snapshot(REAL!), before, 'training must not write into the data folder');

    // the folder: what loadJudges reads, identity retrained, the rest copied from the base
    const j = loadJudges(out);
    try {
      assert.ok(j.identity && j.vqa && j.clip && j.lpips);
    } finally {
      j.dispose();
    }
    assert.notEqual(sha(out, 'identity'), sha(BASE, 'identity'));
    for (const k of ['vqa', 'clip', 'lpips'] as const) assert.equal(sha(out, k), sha(BASE, k), `${k} is the base judge`);
    const m = JSON.parse(fs.readFileSync(path.join(out, 'judges.json'), 'utf8'));
    assert.equal(m.real.dataDir, REAL);
    assert.equal(m.real.split, 'train');
    assert.equal(m.real.seed, 0);
    assert.equal(m.real.characters.length, 14);
    assert.equal(m.real.config.fit.steps, 12);
    assert.equal(m.real.baseJudges.identitySha256, sha(BASE, 'identity'));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')), JSON.parse(JSON.stringify(report)));

    // the report: both judges, both heads, on the 47 test images against the training images
    assert.equal(report.data.testImages, report.data.characters.reduce((s, c) => s + c.testImages, 0));
    assert.ok(report.data.testImages > 0 && report.data.trainImages > report.data.testImages);
    for (const who of [report.retrained, report.base]) for (const v of ['dino', 'clip_i'] as const) {
      const x = who[v];
      assert.equal(x.queries, report.data.testImages);
      assert.equal(x.positives + x.negatives, report.data.testImages * report.data.trainImages);
      for (const k of ['auc', 'top1', 'meanSame', 'meanDifferent'] as const) assert.ok(Number.isFinite(x[k]), `${v}.${k} = ${x[k]}`);
      assert.ok(x.auc >= 0 && x.auc <= 1 && x.top1 >= 0 && x.top1 <= 1);
    }
    const text = formatRealJudgesReport(report);
    for (const s of ['retrained on real', 'synthetic base', 'TEST images']) assert.ok(text.includes(s), text);

    // the same seed, from the CLI in another process: the same figures
    const r = spawnSync(process.execPath, [CLI, 'judges', 'train-real', '--data', REAL!, '--base-judges', BASE, '--out', path.join(tmp, 'b'), '--seed', '0', '--smoke', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(figures(JSON.parse(r.stdout)), figures(report));
    assert.equal(sha(path.join(tmp, 'b'), 'identity'), sha(out, 'identity'));

    // the report recomputed from the folder matches the one written at training time
    assert.deepEqual(figures(await reportRealJudges({ judgesDir: out })), figures(report));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('train-real: a bad --data or --base-judges is one clear line naming the folder, and nothing is written', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'judges-real-bad-'));
  try {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'judges', 'train-real', ...args], { encoding: 'utf8' });
    const missing = path.join(tmp, 'nope');
    let r = run('--data', missing, '--out', path.join(tmp, 'out'), '--smoke');
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(`--data: ${missing}: no such folder`), r.stderr);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
    fs.mkdirSync(path.join(tmp, 'empty'));
    r = run('--data', path.join(tmp, 'empty'), '--out', path.join(tmp, 'out'), '--smoke');
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${path.join(tmp, 'empty')}: not a RoleScape-20 folder`));
    if (REAL) {
      r = run('--data', REAL, '--base-judges', missing, '--out', path.join(tmp, 'out'), '--smoke');
      assert.equal(r.status, 2);
      assert.ok(r.stderr.includes(`--base-judges: ${missing}: no such judges folder`), r.stderr);
    }
    r = run('--out', path.join(tmp, 'out'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--data DIR is required/);
    assert.ok(!fs.existsSync(path.join(tmp, 'out')));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
