/**
 * The evaluation suite's text-to-image drawings on worker threads are the drawings of the
 * sequential code, byte for byte: every prompt's drawings take a fixed number of draws from the
 * family's one stream (`imageDraws`), so a thread can start prompt i's group at its exact position
 * (`Rng.seedAhead`) and the stream is left where drawing in turn leaves it (`Rng.skip`). Checked
 * on the committed base checkpoint: (a) the skip arithmetic against `next()`; (b) the draw count
 * against what generation consumes; (c) `gatherT2i` in turn, as groups on this thread, and on 2
 * threads (3 prompts: an uneven split); (d) a smoke `evaluatePolicy` on 1 and 2 workers: the same
 * metrics and per-item details.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadRoleScape, type Character } from '../src/data/rolescape';
import { loadPolicy } from '../src/eval/load-policy';
import { evaluatePolicy, evaluationItems, parseEvalConfig, resolveEvalConfig, synthTruth, PolicySession } from '../src/eval/suite';
import { gatherT2i, startT2iThreads } from '../src/eval/suite/t2i';
import { sampling, userText } from '../src/eval/suite/session';
import { generateImages, imageDraws } from '../src/model/generate';
import { drawLocally } from '../src/grpo/rollout-draw';
import { Rng } from '../src/util/rng';
import { defaultSynthDir, projectRoot } from '../src/util/paths';

const root = projectRoot();
const baseDir = path.join(root, 'checkpoints', 'base');
const judgesDir = path.join(root, 'checkpoints', 'judges');
const textJudgesDir = path.join(root, 'checkpoints', 'text-judges');
let chars: Character[] = [];

before(async () => {
  await initBackend();
  const dir = defaultSynthDir();
  await ensureSynthDataset({ dir });
  chars = (await loadRoleScape(dir)).characters;
});

const draws = (r: Rng, k: number): number[] => Array.from({ length: k }, () => r.next());

test('Rng.skip(k) leaves the stream where k calls of next() do; seedAhead(k) starts a stream there', () => {
  for (const seed of [0, 7, 0xffffffff]) {
    for (const k of [0, 1, 5, 1000]) {
      const a = new Rng(seed), b = new Rng(seed);
      draws(a, k);
      assert.deepEqual(draws(b.skip(k), 4), draws(a, 4), `seed ${seed}, k ${k}`);
      const c = new Rng(seed);
      draws(c, 3);
      const ahead = new Rng(c.seedAhead(k));
      const moved = draws(new Rng(seed), 3 + k + 4).slice(3 + k);
      assert.deepEqual(draws(ahead, 4), moved, `seedAhead: seed ${seed}, k ${k}`);
      assert.deepEqual(draws(c, k + 4).slice(k), moved, 'seedAhead leaves its stream unmoved');
    }
  }
  // the state has period 2^32: a skip that large is reduced, not lost to float rounding
  assert.deepEqual(draws(new Rng(3).skip(2 ** 32 + 5), 3), draws(new Rng(3).skip(5), 3));
  assert.notDeepEqual(draws(new Rng(3).skip(1), 3), draws(new Rng(3), 3));
  assert.throws(() => new Rng(1).skip(-1), /whole number of draws >= 0/);
  assert.throws(() => new Rng(1).skip(1.5), /whole number of draws >= 0/);
});

test('imageDraws is what drawing takes from the stream: tokensPerImage a drawing, none when greedy', async () => {
  const policy = await loadPolicy(baseDir);
  try {
    const c = chars.find((x) => x.id === 'Calmaric')!;
    const session = new PolicySession(policy, c);
    for (const [temperature, topK] of [[0.7, undefined], [1.3, 5], [0, undefined]] as const) {
      const prompt = await session.prompt([userText('a photo of Calmaric at the beach')], policy.tok.image.tokensPerImage + 2, policy.imageModel);
      const rng = new Rng(11);
      generateImages(policy.imageModel, policy.tok, prompt, 2, { rng, temperature, topK });
      const k = imageDraws(policy.tok, 2, { temperature });
      assert.equal(k, temperature === 0 ? 0 : 2 * policy.tok.image.tokensPerImage);
      assert.deepEqual(draws(rng, 3), draws(new Rng(11).skip(k), 3), `temperature ${temperature}`);
    }
  } finally {
    policy.dispose();
  }
});

test('gatherT2i: in turn, as groups on this thread, and on 2 threads, the same bytes and the same stream after', { timeout: 5 * 60_000 }, async () => {
  const policy = await loadPolicy(baseDir);
  try {
    const c = chars.find((x) => x.id === 'Calmaric')!;
    const prompts = evaluationItems(c, parseEvalConfig({ max_t2i_prompts: 3 }), synthTruth(c)).t2i;
    assert.equal(prompts.length, 3);
    for (const [temperature, topK] of [[0.7, 0], [1, 7]] as const) {
      const run = async (how: 'in turn' | 'groups' | 'threads') => {
        const session = new PolicySession(policy, c);
        const opts = sampling(new Rng(42), temperature, topK);
        const threads = how === 'threads' ? startT2iThreads(policy, 2) : null;
        try {
          if (how === 'threads') assert.equal(threads?.count, 2, 'two threads draw');
          const groups = how === 'groups'
            ? (await session.drawMany(prompts.map((p) => [userText(p.text)]), 3, opts, drawLocally(policy.imageModel, policy.tok))).map((drawings, i) => ({ prompt: prompts[i], drawings }))
            : await gatherT2i(session, prompts, 3, opts, threads);
          return { groups, after: draws(opts.rng, 3) };
        } finally {
          await threads?.dispose();
        }
      };
      assert.equal(startT2iThreads(policy, 1), null, 'one worker: no threads');
      const seq = await run('in turn');
      assert.ok(seq.groups.every((g) => g.drawings.length === 3 && g.drawings.every((d) => d.length === 32 * 32 * 3)));
      assert.notDeepEqual(seq.groups[0].drawings[0], seq.groups[0].drawings[1], 'sampled, not greedy: the drawings differ');
      for (const how of ['groups', 'threads'] as const) {
        const r = await run(how);
        assert.deepEqual(r.groups, seq.groups, `${how}, temperature ${temperature}, top_k ${topK}: the same drawings`);
        assert.deepEqual(r.after, seq.after, `${how}: the stream left where drawing in turn leaves it`);
      }
    }
  } finally {
    policy.dispose();
  }
});

test('evaluatePolicy (smoke) on 1 and 2 workers: the same metrics and details; workers is not part of the report', { timeout: 10 * 60_000 }, async () => {
  const c = chars.find((x) => x.id === 'Calmaric')!;
  const policy = await loadPolicy(baseDir);
  try {
    const run = async (workers: number) => {
      const lines: string[] = [];
      const report = await evaluatePolicy(policy, c, { judgesDir, textJudgesDir, config: { ...resolveEvalConfig('smoke'), workers }, characters: chars, log: (l) => lines.push(l) });
      return { report, lines };
    };
    const one = await run(1), two = await run(2);
    assert.ok(two.lines.includes('eval: t2i draws on 2 threads'), two.lines.join('\n'));
    assert.ok(!one.lines.some((l) => l.includes('draws on')));
    assert.ok(typeof one.report.metrics.t2i_identity_dino === 'number' && one.report.counts.t2i_prompts >= 2);
    assert.deepEqual(two.report.metrics, one.report.metrics);
    assert.deepEqual(two.report.details, one.report.details);
    assert.deepEqual(two.report.config, one.report.config);
    assert.ok(!('workers' in one.report.config));
  } finally {
    policy.dispose();
  }
});
